/* errors: wsspec's own error codes (not a peer's RFC violations, which are
 * verdicts and live in their modules' violation enums).
 *
 * Functions return 0 (or a count) on success and a negative code from this
 * list on failure. Codes are grouped by hundreds per module; ws_strerror()
 * names every one. */
#ifndef WSSPEC_ERRORS_H
#define WSSPEC_ERRORS_H

enum ws_error {
    WS_OK = 0,
    /* general: -1 .. -99 */
    WS_ERR_NOMEM = -1,
    WS_ERR_OVERFLOW = -2, /* a size computation would overflow */
    WS_ERR_ARG = -3,      /* invalid argument from our own code */
    WS_ERR_INTERNAL = -4,
    WS_ERR_LIMIT = -5, /* a hard cap of ours was hit */
    /* handshake building: -400 .. -499 */
    WS_ERR_HS_CRLF = -400, /* header name/value would inject CR/LF (only when not allowed) */
    /* url: -500 .. -549 */
    WS_ERR_URL_SCHEME = -500,
    WS_ERR_URL_HOST = -501,
    WS_ERR_URL_PORT = -502,
    WS_ERR_URL_SYNTAX = -503,
    /* connections: -550 .. -599 */
    WS_ERR_RESOLVE = -550,
    WS_ERR_CONNECT = -551,
    WS_ERR_TIMEOUT = -552,
    WS_ERR_RESET = -553, /* connection reset or broken pipe */
    WS_ERR_IO = -554,    /* other socket error, errno kept by the caller */
    WS_ERR_TLS = -555,   /* TLS handshake or record failure */
    WS_ERR_TLS_VERIFY = -556,
    WS_ERR_CLOSED = -557, /* operation on a closed connection */
    WS_ERR_INTERRUPTED = -558,
};

/* A static, human-readable description of any code above (never NULL). */
const char *ws_strerror(int code);

#endif
