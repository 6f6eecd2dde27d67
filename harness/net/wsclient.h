/* wsclient: the client side of one WebSocket connection, for the runner and
 * `wsspec probe`: connect (TCP/TLS), send an opening handshake, read the
 * response head (keeping any frame bytes that arrived with it), then hand
 * out frame events as they arrive, each read bounded by a deadline.
 *
 * It judges nothing: a bad 101, a masked server frame or a garbage head are
 * reported as they are (handshake_check_response, FRAME_EV_VIOLATION) and the
 * caller turns them into verdicts. Negative returns are I/O conditions
 * (WS_ERR_*), which the caller also records as events of the case. */
#ifndef WSSPEC_WSCLIENT_H
#define WSSPEC_WSCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "codec/frame.h"
#include "codec/handshake.h"
#include "net/conn.h"

enum wire_dir { WIRE_OUT, WIRE_IN };

/* Called with every chunk written to or read from the socket. */
typedef void (*wsclient_wire_fn)(void *ud, enum wire_dir dir, const uint8_t *data, size_t len);

#define WSCLIENT_RX_CAP (256 * 1024)

struct wsclient {
    struct conn *conn;
    struct frame_parser parser;
    uint8_t *rx;           /* owned, WSCLIENT_RX_CAP bytes */
    size_t rx_len, rx_pos; /* unparsed bytes are rx[rx_pos..rx_len) */
    bool eof;              /* the peer closed its sending side */
    wsclient_wire_fn wire_cb;
    void *wire_ud;
};

struct wsclient_handshake {
    long head_status; /* head length, or HANDSHAKE_BAD_* when the peer sent no valid head */
    struct handshake_response resp; /* views into `head` */
    struct buf head;                /* owned copy of the response head */
    enum handshake_response_problem problem;
};

/* A plain opening handshake for a URL: Host from the URL, a fresh key
 * from OpenSSL's generator, no protocol or extension offered. `req`
 * points into the struct (do not copy it). */
struct wsclient_request {
    char host[URL_MAX_HOST + 16];
    char key[HANDSHAKE_KEY_LEN + 1];
    struct handshake_client_request req;
};
void wsclient_default_request(struct wsclient_request *r, const struct ws_url *url);

/* Prepare c (zeroed by the caller; wire_cb/wire_ud may be set before). */
int wsclient_init(struct wsclient *c, const struct frame_limits *limits);

/* Connect, send the request built from req, read and parse the response
 * head. Returns 0 when a head arrived (whatever its status: check
 * hs->problem), or a negative WS_ERR_* (connect failure, timeout, EOF before
 * a complete head = WS_ERR_CLOSED, garbage head = WS_ERR_LIMIT with
 * hs->head_status = HANDSHAKE_BAD_*). When the request could not be written all
 * the way (the peer closed or reset), a response head that arrived anyway
 * is still read and returned; without one the write error is returned.
 * c->conn is NULL after a return only when the connection never opened.
 * errmsg gets a human-readable reason. */
int wsclient_handshake(struct wsclient *c, const struct ws_url *url,
                       const struct tls_client_options *tls,
                       const struct handshake_client_request *req, int64_t deadline_ms,
                       struct wsclient_handshake *hs, char *errmsg, size_t errmsg_cap);

/* The same with a request sent exactly as given (len octets: a raw head,
 * possibly followed by frames meant to share its TCP write); the response
 * is checked against key, protocols and extensions (each may be NULL). All
 * borrowed. Returns as wsclient_handshake. */
int wsclient_handshake_raw(struct wsclient *c, const struct ws_url *url,
                           const struct tls_client_options *tls, const uint8_t *request, size_t len,
                           const char *key, const char *protocols, const char *extensions,
                           int64_t deadline_ms, struct wsclient_handshake *hs, char *errmsg,
                           size_t errmsg_cap);

/* Send bytes as they are (frames are built by the caller). */
int wsclient_send(struct wsclient *c, const uint8_t *data, size_t len, int64_t deadline_ms);

/* Next frame event. Returns 1 with *ev filled (PAYLOAD views stay valid until
 * the next call), 0 when the peer closed the connection and nothing is
 * buffered, or WS_ERR_TIMEOUT / WS_ERR_RESET / WS_ERR_IO / WS_ERR_TLS. */
int wsclient_next(struct wsclient *c, int64_t deadline_ms, struct frame_event *ev);

/* Whether the peer's close (EOF) arrives before the deadline, discarding
 * anything else: 1 EOF seen, 0 deadline passed, negative error. */
int wsclient_wait_eof(struct wsclient *c, int64_t deadline_ms);

void wsclient_handshake_free(struct wsclient_handshake *hs);
void wsclient_close(struct wsclient *c);

#endif
