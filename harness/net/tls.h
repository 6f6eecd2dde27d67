/* tls: the OpenSSL glue of wsspec, for the client connections (conn.c) and
 * the reference server.
 *
 * Every SSL made here sits on a socket BIO of our own whose writes use
 * send(MSG_NOSIGNAL), so a peer that went away never raises SIGPIPE, and
 * whose reads and writes never block: the functions below drive
 * SSL_connect/SSL_accept/SSL_read/SSL_write with poll() against one absolute
 * deadline (clock_now_ms() based; < 0 = none), handling WANT_READ and
 * WANT_WRITE in either direction.
 *
 * A TCP close without close_notify reads as an orderly EOF (0), as WebSocket
 * has its own closing handshake and many servers skip close_notify.
 *
 * Error messages go into a caller-owned errmsg of cap bytes (always
 * NUL-terminated when cap > 0) and include OpenSSL's reason text. Failures
 * are negative ws_errors (base/errors.h); each function lists every one it
 * returns. */
#ifndef WSSPEC_TLS_H
#define WSSPEC_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

/* A client context. Verification is on (SSL_VERIFY_PEER) against ca_file
 * (PEM, borrowed) or, when ca_file is NULL, OpenSSL's default paths; with
 * insecure, no certificate is checked at all. Offers ALPN "http/1.1".
 * Returns an owned SSL_CTX (SSL_CTX_free) or NULL with errmsg set. */
SSL_CTX *tls_client_ctx_new(const char *ca_file, bool insecure, char *errmsg, size_t cap);

/* A server context from PEM files (borrowed paths): the certificate chain
 * and its private key, checked against each other. Client certificates are
 * not requested. Returns an owned SSL_CTX or NULL with errmsg set.
 * Non-blocking server use: per accepted O_NONBLOCK fd, ssl =
 * tls_ssl_new(ctx, fd, ...), then either tls_handshake(ssl, fd, deadline,
 * ...) or, event-driven, call SSL_accept/SSL_read_ex/SSL_write_ex when poll
 * says so and wait for POLLIN on SSL_ERROR_WANT_READ, POLLOUT on
 * SSL_ERROR_WANT_WRITE; SSL_free(ssl) then close(fd) yourself. */
SSL_CTX *tls_server_ctx_new(const char *cert_file, const char *key_file, char *errmsg, size_t cap);

/* A new SSL on a connected socket fd (borrowed: SSL_free does not close
 * it), on the MSG_NOSIGNAL BIO. Client or server role follows the
 * context's method. Returns an owned SSL or NULL with errmsg set. */
SSL *tls_ssl_new(SSL_CTX *ctx, int fd, char *errmsg, size_t cap);

/* Client side: the name to send as SNI and to check the certificate
 * against. host is the URL's host (no brackets); sni, when not NULL,
 * replaces it for both. RFC 6066 3 "Literal IPv4 and IPv6 addresses are not
 * permitted in "HostName"", so an IP literal is sent without SNI and checked
 * against the certificate's IP addresses. Returns 0 or WS_ERR_TLS. */
int tls_client_set_host(SSL *ssl, const char *host, const char *sni, char *errmsg, size_t cap);

/* Run the handshake (SSL_connect or SSL_accept by role) before the
 * deadline. Returns 0, WS_ERR_TIMEOUT, WS_ERR_TLS_VERIFY (the peer's
 * certificate was rejected; errmsg says why), WS_ERR_RESET or WS_ERR_TLS. */
int tls_handshake(SSL *ssl, int fd, int64_t deadline_ms, char *errmsg, size_t cap);

/* Read up to cap bytes: > 0 read, 0 EOF (close_notify or TCP close),
 * WS_ERR_TIMEOUT, WS_ERR_RESET, WS_ERR_IO, WS_ERR_TLS or WS_ERR_ARG (ssl or
 * buf NULL, cap 0). */
long tls_read(SSL *ssl, int fd, uint8_t *buf, size_t cap, int64_t deadline_ms);

/* Write all len bytes: 0, WS_ERR_TIMEOUT, WS_ERR_RESET, WS_ERR_IO,
 * WS_ERR_TLS or WS_ERR_ARG (ssl NULL, data NULL with len > 0). */
int tls_write_all(SSL *ssl, int fd, const uint8_t *data, size_t len, int64_t deadline_ms);
/* One non-blocking write: octets written, 0 when the TLS layer must wait
 * for the socket (retry with the same octets), or WS_ERR_RESET, WS_ERR_IO,
 * WS_ERR_TLS or WS_ERR_ARG. */
long tls_write_some(SSL *ssl, const uint8_t *data, size_t len);

/* Whether decrypted or undecrypted bytes wait inside the SSL, which poll()
 * on the socket cannot see. */
bool tls_has_pending(const SSL *ssl);

/* Wait for poll events on fd until deadline_ms (absolute, < 0 = none):
 * 1 ready (or an error/hangup the next call will report), 0 deadline
 * passed, WS_ERR_IO. A signal does not end the wait. Used by conn.c too. */
int tls_wait_fd(int fd, short events, int64_t deadline_ms);

/* Send close_notify once, without waiting for anything (skipped after a
 * fatal error, as OpenSSL requires). Never blocks. */
void tls_shutdown_once(SSL *ssl);

/* "TLSv1.3 TLS_AES_256_GCM_SHA384" into out (cap bytes); "" before the
 * handshake is done. */
void tls_describe(const SSL *ssl, char *out, size_t cap);

#endif
