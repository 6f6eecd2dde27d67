/* wsclient: the client side of one WebSocket connection, for the runner and
 * `wsspec probe`: connect (TCP/TLS), send an opening handshake, read the
 * response head (keeping any frame bytes that arrived with it), then hand
 * out frame events as they arrive, each read bounded by a deadline.
 *
 * It judges nothing: a bad 101, a head that is no HTTP or a masked server
 * frame are reported as they are (wsclient_handshake.problem,
 * FRAME_EV_VIOLATION) and the caller turns them into verdicts. Negative
 * returns are ws_errors only: I/O conditions (which the caller may record as
 * events of the case), our limits, out of memory and bugs, never what the
 * peer sent. */
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
    /* The head length (> 0); HANDSHAKE_NEED_MORE (0) when no complete head
     * arrived; or what the parser said of it: WS_ERR_HANDSHAKE_SYNTAX (then
     * problem is HANDSHAKE_RESP_NOT_HTTP) or one of our head limits (then
     * that code is also the return value). */
    long head_status;
    struct handshake_response resp; /* views into `head`; valid when head_status > 0 */
    struct buf head;                /* owned copy of the response head (when head_status > 0) */
    enum handshake_response_problem problem; /* the peer's violation, or HANDSHAKE_RESP_OK */
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

/* Prepare c (zeroed by the caller; wire_cb/wire_ud may be set before);
 * limits are borrowed (copied). Returns 0 or WS_ERR_NOMEM. */
int wsclient_init(struct wsclient *c, const struct frame_limits *limits);

/* Connect, send the request built from req, read and parse the response
 * head. All pointers are borrowed; *hs is filled (free it with
 * wsclient_handshake_free whatever the return). When the request could not
 * be written all the way (the peer closed or reset), a response head that
 * arrived anyway is still read and returned; without one the write error is
 * returned. c->conn is NULL after a return only when the connection never
 * opened. errmsg gets a human-readable reason on every non-zero return and
 * with HANDSHAKE_RESP_NOT_HTTP.
 *
 * Returns 0 when the peer answered with a complete head: check hs->problem,
 * which is HANDSHAKE_RESP_NOT_HTTP when the head is no HTTP at all (a verdict,
 * never an error code). Otherwise a ws_error, never the peer's fault:
 *   building the request: WS_ERR_ARG, WS_ERR_OVERFLOW, WS_ERR_NOMEM;
 *   connecting (conn_open): WS_ERR_ARG, WS_ERR_RESOLVE, WS_ERR_CONNECT,
 *     WS_ERR_TIMEOUT, WS_ERR_RESET, WS_ERR_IO, WS_ERR_TLS, WS_ERR_TLS_VERIFY,
 *     WS_ERR_NOMEM;
 *   sending and reading: WS_ERR_TIMEOUT, WS_ERR_RESET, WS_ERR_IO, WS_ERR_TLS,
 *     WS_ERR_CLOSED (EOF before a complete head);
 *   our limits on the head: WS_ERR_HANDSHAKE_LINE_TOO_LONG,
 *     WS_ERR_HANDSHAKE_TOO_MANY_HEADERS, WS_ERR_HANDSHAKE_HEAD_TOO_BIG
 *     (hs->head_status holds the same code);
 *   keeping the head: WS_ERR_NOMEM, WS_ERR_OVERFLOW; a bug: WS_ERR_INTERNAL. */
int wsclient_handshake(struct wsclient *c, const struct ws_url *url,
                       const struct tls_client_options *tls,
                       const struct handshake_client_request *req, int64_t deadline_ms,
                       struct wsclient_handshake *hs, char *errmsg, size_t errmsg_cap);

/* The same with a request sent exactly as given (len octets: a raw head,
 * possibly followed by frames meant to share its TCP write); the response
 * is checked against key, protocols and extensions (each may be NULL). All
 * borrowed. Returns as wsclient_handshake (without its building errors). */
int wsclient_handshake_raw(struct wsclient *c, const struct ws_url *url,
                           const struct tls_client_options *tls, const uint8_t *request, size_t len,
                           const char *key, const char *protocols, const char *extensions,
                           int64_t deadline_ms, struct wsclient_handshake *hs, char *errmsg,
                           size_t errmsg_cap);

/* Send bytes as they are (frames are built by the caller; data borrowed).
 * Returns 0, WS_ERR_CLOSED (no connection, or our side was shut down),
 * WS_ERR_TIMEOUT, WS_ERR_RESET, WS_ERR_IO, WS_ERR_TLS or WS_ERR_ARG. */
int wsclient_send(struct wsclient *c, const uint8_t *data, size_t len, int64_t deadline_ms);

/* Next frame event. Returns 1 with *ev filled (PAYLOAD views stay valid until
 * the next call; a peer's breach of section 5 is a FRAME_EV_VIOLATION event),
 * 0 when the peer closed the connection and nothing is buffered, or
 * WS_ERR_TIMEOUT, WS_ERR_RESET, WS_ERR_IO, WS_ERR_TLS, WS_ERR_ARG (no
 * connection) or WS_ERR_INTERNAL (the receive buffer full of unparsed
 * octets: a bug). */
int wsclient_next(struct wsclient *c, int64_t deadline_ms, struct frame_event *ev);

/* Whether the peer's close (EOF) arrives before the deadline, discarding
 * anything else: 1 EOF (or a reset) seen, 0 deadline passed, or WS_ERR_IO,
 * WS_ERR_TLS, WS_ERR_ARG (no connection). */
int wsclient_wait_eof(struct wsclient *c, int64_t deadline_ms);

void wsclient_handshake_free(struct wsclient_handshake *hs);
void wsclient_close(struct wsclient *c);

#endif
