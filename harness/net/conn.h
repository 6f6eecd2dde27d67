/* conn: a client connection to a target (TCP, optionally TLS), in
 * non-blocking mode with an absolute deadline on every step, so that one
 * deadline can cover a whole case (a peer trickling a byte a second cannot
 * stall us past it).
 *
 * Peer behaviour (reset, EOF, a write to a closed socket) comes back as a
 * return value, never a signal: SIGPIPE is avoided with MSG_NOSIGNAL.
 * Failures are negative ws_errors (base/errors.h), each function listing
 * every one it returns; WS_ERR_IO leaves errno saying which. */
#ifndef WSSPEC_CONN_H
#define WSSPEC_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec/url.h"

struct tls_client_options {
    const char *ca_file; /* NULL = system default store */
    bool insecure;       /* skip certificate verification */
    const char *sni;     /* NULL = the URL's host (not for IP literals) */
};

struct conn;

/* Resolve, connect (and TLS-handshake for wss) before deadline_ms
 * (absolute, clock_now_ms() based; < 0 = none). url and tls (may be NULL =
 * defaults) are borrowed; the connection returned is owned (conn_close).
 * On failure returns NULL, writes a message into errmsg (cap bytes) and sets
 * *err (may be NULL) to WS_ERR_ARG (no URL or host), WS_ERR_NOMEM,
 * WS_ERR_RESOLVE, WS_ERR_CONNECT, WS_ERR_TIMEOUT, or for wss:// WS_ERR_TLS
 * (context, SNI or handshake failure), WS_ERR_TLS_VERIFY, WS_ERR_RESET or
 * WS_ERR_IO; on success *err is 0. */
struct conn *conn_open(const struct ws_url *url, const struct tls_client_options *tls,
                       int64_t deadline_ms, int *err, char *errmsg, size_t errmsg_cap);

/* Write everything or fail: 0, WS_ERR_TIMEOUT, WS_ERR_RESET, WS_ERR_IO,
 * WS_ERR_TLS, WS_ERR_CLOSED (after conn_shutdown_write) or WS_ERR_ARG (c NULL,
 * data NULL with len > 0). */
int conn_write_all(struct conn *c, const uint8_t *data, size_t len, int64_t deadline_ms);

/* Write what can be written now without blocking: returns octets written
 * (0 when the socket would block), or WS_ERR_RESET, WS_ERR_IO, WS_ERR_TLS,
 * WS_ERR_CLOSED (after conn_shutdown_write) or WS_ERR_ARG.
 * With conn_wait_io() this lets a sender keep reading while it writes (a
 * peer that echoes while we still send must not deadlock us). */
long conn_write_some(struct conn *c, const uint8_t *data, size_t len);

/* Wait until readable (bit 1) and/or writable (bit 2, asked only when
 * want_write) or the deadline: returns the bit set, 0 on timeout, or
 * WS_ERR_IO (poll failed) or WS_ERR_ARG (c NULL). */
int conn_wait_io(struct conn *c, bool want_write, int64_t deadline_ms);

/* Read up to cap bytes: returns > 0 bytes read, 0 on orderly EOF, or
 * WS_ERR_TIMEOUT, WS_ERR_RESET, WS_ERR_IO, WS_ERR_TLS or WS_ERR_ARG (c or buf
 * NULL, cap 0). */
long conn_read(struct conn *c, uint8_t *buf, size_t cap, int64_t deadline_ms);

/* Wait until readable or deadline: 1 readable (or EOF pending), 0 timeout,
 * WS_ERR_IO or WS_ERR_ARG. TLS-buffered data counts as readable. */
int conn_wait_readable(struct conn *c, int64_t deadline_ms);

/* Half-close our sending side (TCP FIN). */
void conn_shutdown_write(struct conn *c);
/* Close and free (NULL is fine). */
void conn_close(struct conn *c);
int conn_fd(const struct conn *c);
/* When the TLS session is up: protocol and cipher, for reports. */
const char *conn_tls_version(const struct conn *c);

#endif
