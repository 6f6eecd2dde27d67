/* errors: wsspec's own error codes, one enum for every module.
 *
 * The return idiom (as wslay and nghttp2 have it):
 *
 *   - Success is 0, or a count or length >= 0 where the function says so.
 *   - Failure is a negative enum ws_error from the list below: a limit, a
 *     misuse, an I/O condition or a bug of ours (or of the network), never a
 *     peer's breach of RFC 6455.
 *   - "Need more bytes" is not a failure and has no code here. An
 *     incremental parser returns a length > 0 when its item is complete, 0
 *     when the input ends before the item does (HANDSHAKE_NEED_MORE), and a
 *     negative ws_error otherwise; the frame parser says it with an event of
 *     its own (FRAME_EV_NEED_MORE) and the UTF-8 validator with
 *     UTF8_PARTIAL. So `rc < 0` is always exactly "failed".
 *   - A peer breaking RFC 6455 is verdict material, not an error: it comes
 *     back as a value of its module's problem enum (enum frame_violation,
 *     enum closeframe_payload_problem, enum handshake_response_problem),
 *     through a channel of its own (an event, an out-field), never through
 *     the same return value as a ws_error.
 *
 * Codes are banded by hundreds per module (enum ws_error_band). The fatal
 * band (-900 and below, as nghttp2's NGHTTP2_ERR_FATAL) holds out of memory
 * and bugs of ours: whoever gets one must stop using the connection, case or
 * server it came from, and the run reports an internal error (cli/ exits 4).
 * ws_error_is_fatal() says which codes those are.
 *
 * WS_ERROR_LIST is the one list: the enum, ws_strerror() and ws_error_name()
 * are generated from it, and tests/unit/errors_test.c walks it. */
#ifndef WSSPEC_ERRORS_H
#define WSSPEC_ERRORS_H

#include <stdbool.h>

/* The first (highest) code of each band; a band holds band .. band - 99. */
enum ws_error_band {
    WS_BAND_GENERAL = -100,   /* misuse and limits of ours, any module */
    WS_BAND_URL = -200,       /* codec/url: the target URL */
    WS_BAND_HANDSHAKE = -300, /* codec/handshake_*: HTTP heads */
    WS_BAND_FRAME = -400,     /* codec/frame_write: frames we cannot encode */
    WS_BAND_NET = -500,       /* net/conn, net/spawn, refserver: sockets and processes */
    WS_BAND_TLS = -600,       /* net/tls */
    WS_BAND_FATAL = -900,     /* stop using the session: out of memory, a bug of ours */
};

/* X(band, name, value, text): every code, grouped by band. */
#define WS_ERROR_LIST(X)                                                                           \
    X(WS_BAND_GENERAL, WS_ERR_ARG, -100, "invalid argument from our own code")                     \
    X(WS_BAND_GENERAL, WS_ERR_LIMIT, -101, "a hard limit of ours was reached")                     \
    X(WS_BAND_GENERAL, WS_ERR_INTERRUPTED, -102, "interrupted")                                    \
                                                                                                   \
    X(WS_BAND_URL, WS_ERR_URL_SCHEME, -200, "URL scheme must be ws:// or wss://")                  \
    X(WS_BAND_URL, WS_ERR_URL_HOST, -201, "URL has no valid host")                                 \
    X(WS_BAND_URL, WS_ERR_URL_PORT, -202, "URL port is not a number from 1 to 65535")              \
    X(WS_BAND_URL, WS_ERR_URL_SYNTAX, -203,                                                        \
      "URL syntax error (fragments are not allowed in WebSocket URIs)")                            \
    X(WS_BAND_URL, WS_ERR_URL_TOO_LONG, -204, "URL path and query longer than we keep")            \
                                                                                                   \
    /* The bytes are not an HTTP/1.x head: a fact about the input, judged by */                    \
    /* the caller (wsclient makes it HANDSHAKE_RESP_NOT_HTTP, a verdict). */                       \
    X(WS_BAND_HANDSHAKE, WS_ERR_HANDSHAKE_SYNTAX, -300, "not an HTTP/1.x head")                    \
    /* Our limits on a head (HANDSHAKE_MAX_LINE, _MAX_HEADERS, _MAX_HEAD). */                      \
    X(WS_BAND_HANDSHAKE, WS_ERR_HANDSHAKE_LINE_TOO_LONG, -301, "head line too long")               \
    X(WS_BAND_HANDSHAKE, WS_ERR_HANDSHAKE_TOO_MANY_HEADERS, -302, "too many header fields")        \
    X(WS_BAND_HANDSHAKE, WS_ERR_HANDSHAKE_HEAD_TOO_BIG, -303, "head too big")                      \
                                                                                                   \
    X(WS_BAND_FRAME, WS_ERR_FRAME_FIELD, -400,                                                     \
      "frame field cannot be encoded (opcode above 15, RSV above 7, unknown length form)")         \
    X(WS_BAND_FRAME, WS_ERR_FRAME_LEN_FORM, -401,                                                  \
      "payload length does not fit the forced 7- or 16-bit length form")                           \
                                                                                                   \
    X(WS_BAND_NET, WS_ERR_RESOLVE, -500, "could not resolve host")                                 \
    X(WS_BAND_NET, WS_ERR_CONNECT, -501, "could not connect")                                      \
    X(WS_BAND_NET, WS_ERR_TIMEOUT, -502, "deadline passed")                                        \
    X(WS_BAND_NET, WS_ERR_RESET, -503, "connection reset by peer")                                 \
    X(WS_BAND_NET, WS_ERR_IO, -504, "socket error")                                                \
    X(WS_BAND_NET, WS_ERR_CLOSED, -505, "connection already closed")                               \
                                                                                                   \
    X(WS_BAND_TLS, WS_ERR_TLS, -600, "TLS error")                                                  \
    X(WS_BAND_TLS, WS_ERR_TLS_VERIFY, -601, "TLS certificate verification failed")                 \
                                                                                                   \
    X(WS_BAND_FATAL, WS_ERR_NOMEM, -900, "out of memory")                                          \
    X(WS_BAND_FATAL, WS_ERR_OVERFLOW, -901, "size computation would overflow")                     \
    X(WS_BAND_FATAL, WS_ERR_INTERNAL, -902, "internal error")

enum ws_error {
    WS_OK = 0,
#define WS_ERROR_ENUMERATOR(band, name, value, text) name = (value),
    WS_ERROR_LIST(WS_ERROR_ENUMERATOR)
#undef WS_ERROR_ENUMERATOR
};

/* A static, human-readable description of any code above ("success" for
 * 0); "unknown error" for a value that is not one (never NULL). */
const char *ws_strerror(int code);

/* The enumerator's name ("WS_ERR_NOMEM", "WS_OK"), for logs and tests;
 * "unknown" for a value that is not one (never NULL). */
const char *ws_error_name(int code);

/* The band a negative value falls in (a multiple of -100: -100 for -100 ..
 * -199, ...), or 0 for values >= 0. Says nothing about whether the value is
 * a listed code. */
int ws_error_band(int code);

/* Whether code lies in the fatal band (<= WS_BAND_FATAL): the caller must
 * stop using the session (connection, case, server) and report an internal
 * error. False for 0, positive values and every other band. */
bool ws_error_is_fatal(int code);

#endif
