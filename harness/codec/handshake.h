/* handshake: the RFC 6455 section 4 opening handshake, both sides.
 *
 * Pure functions over byte buffers (OpenSSL only for SHA-1 and base64).
 * Parsers are picohttpparser-style: they take the whole buffer received so
 * far, return the head length when the head is complete, HANDSHAKE_NEED_MORE when
 * it is not, or a negative HANDSHAKE_BAD_* when the bytes cannot be an HTTP head.
 * Views (ptr+len) point into the caller's buffer and are not NUL-terminated.
 * Bytes after the head (frames that arrived in the same read) are the
 * caller's, untouched: the return value tells where they start.
 *
 * Hard limits protect us from hostile peers: HANDSHAKE_MAX_LINE per line,
 * HANDSHAKE_MAX_HEADERS headers, HANDSHAKE_MAX_HEAD octets in all. To avoid quadratic
 * re-parsing when a head trickles in a byte at a time, call
 * handshake_head_complete() on each read (it resumes its scan) and parse once. */
#ifndef WSSPEC_HANDSHAKE_H
#define WSSPEC_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;

#define HANDSHAKE_MAX_LINE    8192
#define HANDSHAKE_MAX_HEADERS 100
#define HANDSHAKE_MAX_HEAD    65536
#define HANDSHAKE_KEY_LEN     24 /* base64 of 16 octets */
#define HANDSHAKE_ACCEPT_LEN  28 /* base64 of a 20-octet SHA-1 */
#define HANDSHAKE_GUID        "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

enum handshake_parse_status {
    HANDSHAKE_NEED_MORE = -1,
    HANDSHAKE_BAD_SYNTAX = -2, /* not an HTTP/1.1 head */
    HANDSHAKE_BAD_LINE_TOO_LONG = -3,
    HANDSHAKE_BAD_TOO_MANY_HEADERS = -4,
    HANDSHAKE_BAD_HEAD_TOO_BIG = -5,
};

struct handshake_view {
    const char *ptr;
    size_t len;
};

struct handshake_header {
    struct handshake_view name;
    struct handshake_view value; /* leading/trailing whitespace trimmed */
};

struct handshake_response {
    int minor_version; /* HTTP/1.x */
    int status;
    struct handshake_view reason;
    size_t header_count;
    struct handshake_header headers[HANDSHAKE_MAX_HEADERS];
};

struct handshake_request {
    struct handshake_view method;
    struct handshake_view target; /* request-target (path + query) */
    int minor_version;
    size_t header_count;
    struct handshake_header headers[HANDSHAKE_MAX_HEADERS];
};

/* Incremental scan for the end of the head ("\r\n\r\n"; a bare "\n\n" is
 * accepted too). *scan_pos (start at 0) remembers how far it looked.
 * Returns the head length when found, HANDSHAKE_NEED_MORE, or HANDSHAKE_BAD_HEAD_TOO_BIG
 * once len passes HANDSHAKE_MAX_HEAD without an end. */
long handshake_head_complete(const uint8_t *buf, size_t len, size_t *scan_pos);

/* Parse a response / request head. Return: head length (> 0), HANDSHAKE_NEED_MORE
 * or HANDSHAKE_BAD_*. *out is filled on success (views into buf). */
long handshake_parse_response(const uint8_t *buf, size_t len, struct handshake_response *out);
long handshake_parse_request(const uint8_t *buf, size_t len, struct handshake_request *out);
const char *handshake_parse_status_name(long status);

/* Header lookup, case-insensitive on the name. handshake_find_header returns the
 * first match (or NULL) and counts matches in *count (may be NULL). */
const struct handshake_header *handshake_find_header(const struct handshake_header *headers,
                                                     size_t n, const char *name, size_t *count);
/* Whether a comma-separated header value holds `token` (case-insensitive,
 * whitespace around tokens ignored): "keep-alive, Upgrade" holds "upgrade". */
bool handshake_value_has_token(struct handshake_view value, const char *token);
bool handshake_view_eq_nocase(struct handshake_view v, const char *s);

/* Sec-WebSocket-Accept for a key: base64(SHA-1(key + GUID)); out gets 28
 * chars + NUL. 6455:1.3 example: "dGhlIHNhbXBsZSBub25jZQ==" ->
 * "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=". Returns 0 or WS_ERR_INTERNAL. */
int handshake_compute_accept(const char *key, size_t key_len, char out[HANDSHAKE_ACCEPT_LEN + 1]);
/* A fresh key: base64 of 16 octets from nonce (caller supplies randomness). */
void handshake_make_key(const uint8_t nonce[16], char out[HANDSHAKE_KEY_LEN + 1]);

/* ---- client side ---------------------------------------------------- */

enum handshake_header_op {
    HANDSHAKE_HDR_SET,  /* replace the default header of that name (or add it) */
    HANDSHAKE_HDR_ADD,  /* add another header line, even if one exists (duplicates) */
    HANDSHAKE_HDR_OMIT, /* leave the default header of that name out */
};

struct handshake_header_override {
    enum handshake_header_op op;
    const char *name;
    const char *value; /* ignored for OMIT; may hold any bytes but NUL */
};

struct handshake_client_request {
    const char *method;       /* NULL = "GET" */
    const char *target;       /* NULL = "/" */
    const char *http_version; /* NULL = "HTTP/1.1" */
    const char *host;         /* Host header value, e.g. "127.0.0.1:9001" */
    const char *key;          /* Sec-WebSocket-Key value */
    const char *protocols;    /* Sec-WebSocket-Protocol offer, NULL = none */
    const char *extensions;   /* Sec-WebSocket-Extensions offer, NULL = none */
    const struct handshake_header_override *overrides;
    size_t override_count;
};

/* Build the request head into *out: request line, then the defaults Host,
 * Upgrade: websocket, Connection: Upgrade, Sec-WebSocket-Key,
 * Sec-WebSocket-Version: 13, optional protocol/extensions, with overrides
 * applied in order, then CRLF. Returns 0 or a negative ws_error. */
int handshake_build_request(const struct handshake_client_request *req, struct buf *out);

/* What is wrong with a server's opening handshake response (6455:4.1, the
 * client's checks); positive values, a peer's violations, not our errors. */
enum handshake_response_problem {
    HANDSHAKE_RESP_OK = 0,
    HANDSHAKE_RESP_NOT_101,       /* "If the status code received from the server is not 101" */
    HANDSHAKE_RESP_NO_UPGRADE,    /* Upgrade missing or not "websocket" (case-insensitive) */
    HANDSHAKE_RESP_NO_CONNECTION, /* Connection missing the "Upgrade" token */
    HANDSHAKE_RESP_NO_ACCEPT,     /* Sec-WebSocket-Accept missing */
    HANDSHAKE_RESP_BAD_ACCEPT,    /* Sec-WebSocket-Accept wrong */
    HANDSHAKE_RESP_DUP_ACCEPT,    /* more than one Sec-WebSocket-Accept */
    HANDSHAKE_RESP_UNOFFERED_EXTENSION, /* an extension the client did not offer */
    HANDSHAKE_RESP_UNOFFERED_PROTOCOL,  /* a subprotocol the client did not offer */
};
enum handshake_response_problem handshake_check_response(const struct handshake_response *resp,
                                                         const char *key,
                                                         const char *offered_protocols,
                                                         const char *offered_extensions);
const char *handshake_response_problem_name(enum handshake_response_problem p);

/* ---- server side ---------------------------------------------------- */

/* The outcome of checking a client's request (6455:4.2.1). `status` is the
 * HTTP status to answer with: 101 when it is a valid upgrade, 400 when a
 * required header is missing or wrong, 426 with Sec-WebSocket-Version: 13
 * when the version is not 13 (6455:4.4), 405 for a method other than GET. */
struct handshake_server_verdict {
    int status;
    const char *problem;              /* static text for 4xx, NULL for 101 */
    struct handshake_view key;        /* the client's key (when 101) */
    struct handshake_view protocols;  /* the client's Sec-WebSocket-Protocol (may be empty) */
    struct handshake_view extensions; /* the client's Sec-WebSocket-Extensions (may be empty) */
};
void handshake_check_request(const struct handshake_request *req,
                             struct handshake_server_verdict *out);

/* Append the response to *out: a 101 with Upgrade, Connection and
 * Sec-WebSocket-Accept (accept may be overridden by `accept_override`, for
 * fault injection), plus optional protocol/extension headers; or a 4xx with
 * Connection: close and, for 426, Sec-WebSocket-Version: 13. */
int handshake_build_response(const struct handshake_server_verdict *v, const char *accept_override,
                             const char *protocol, const char *extensions, struct buf *out);

#endif
