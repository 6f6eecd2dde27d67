/* handshake: the RFC 6455 section 4 opening handshake, both sides.
 *
 * Pure functions over byte buffers (OpenSSL only for SHA-1 and base64).
 * Parsers are picohttpparser-style: they take the whole buffer received so
 * far and return the head length (> 0) when the head is complete,
 * HANDSHAKE_NEED_MORE (0) when it is not yet, or a negative ws_error of the
 * handshake band (base/errors.h) when the bytes cannot become a head we
 * accept: WS_ERR_HANDSHAKE_SYNTAX (not HTTP/1.x: the caller judges the
 * peer) or one of our limits (WS_ERR_HANDSHAKE_LINE_TOO_LONG, _TOO_MANY_HEADERS,
 * _HEAD_TOO_BIG). Need-more is not an error: `rc < 0` is exactly "failed".
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

#include "base/errors.h" /* the codes the parsers and builders return */

struct buf;

#define HANDSHAKE_MAX_LINE    8192
#define HANDSHAKE_MAX_HEADERS 100
#define HANDSHAKE_MAX_HEAD    65536
#define HANDSHAKE_KEY_LEN     24 /* base64 of 16 octets */
#define HANDSHAKE_ACCEPT_LEN  28 /* base64 of a 20-octet SHA-1 */
#define HANDSHAKE_GUID        "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

/* What the parsers return while the head has not ended: no octets of a
 * head are complete yet. A complete head is at least 2 octets ("\n\n"), and
 * every error is negative, so the value is never ambiguous. */
enum { HANDSHAKE_NEED_MORE = 0 };

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
 * accepted too) in buf[0..len) (borrowed). *scan_pos (start at 0) remembers
 * how far it looked. Returns:
 *   > 0                            the head length;
 *   HANDSHAKE_NEED_MORE (0)        no end yet;
 *   WS_ERR_HANDSHAKE_HEAD_TOO_BIG  the head cannot end within HANDSHAKE_MAX_HEAD
 *                                  octets (or ended past it). */
long handshake_head_complete(const uint8_t *buf, size_t len, size_t *scan_pos);

/* Parse a response / request head from buf[0..len) (borrowed). On success
 * *out holds views into buf; on any other return its content is
 * unspecified. Returns:
 *   > 0                                the head length (the empty line included);
 *   HANDSHAKE_NEED_MORE (0)            the head has not ended yet;
 *   WS_ERR_HANDSHAKE_SYNTAX            not an HTTP/1.x status / request line,
 *                                      header field or obs-fold; reported as soon
 *                                      as the first line cannot start a head;
 *   WS_ERR_HANDSHAKE_LINE_TOO_LONG     a line over HANDSHAKE_MAX_LINE octets;
 *   WS_ERR_HANDSHAKE_TOO_MANY_HEADERS  more than HANDSHAKE_MAX_HEADERS fields;
 *   WS_ERR_HANDSHAKE_HEAD_TOO_BIG      the head cannot end within HANDSHAKE_MAX_HEAD. */
long handshake_parse_response(const uint8_t *buf, size_t len, struct handshake_response *out);
long handshake_parse_request(const uint8_t *buf, size_t len, struct handshake_request *out);
/* Whether buf[0..len) (borrowed, what arrived so far) may still start a
 * response head: its first octets are those of "HTTP/1.". Constant time, so
 * a reader can call it on every read and give up on a peer that speaks
 * something else (an SSH banner, a TLS record) before the head would end. */
bool handshake_response_may_start(const uint8_t *buf, size_t len);

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
 * "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=". Returns 0, WS_ERR_NOMEM (no digest
 * context) or WS_ERR_INTERNAL (OpenSSL's SHA-1 or base64 failed). */
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
 * applied in order, then CRLF. req and its strings are borrowed; *out is
 * appended to, and left as it was on failure. Returns 0, WS_ERR_ARG (req or
 * out NULL, overrides NULL with a count, an override without a name, or a
 * SET/ADD without a value), WS_ERR_OVERFLOW or WS_ERR_NOMEM. */
int handshake_build_request(const struct handshake_client_request *req, struct buf *out);

/* What is wrong with a server's opening handshake response (6455:4.1, the
 * client's checks); positive values, a peer's violations (verdicts), never
 * a ws_error. */
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
    /* The answer is no HTTP/1.x head at all (handshake_parse_response said
     * WS_ERR_HANDSHAKE_SYNTAX). Set by the caller that parsed the head (net/
     * wsclient); handshake_check_response takes a parsed head and never
     * returns it. */
    HANDSHAKE_RESP_NOT_HTTP,
};
/* Judge a parsed response (borrowed) against the key sent and the offers
 * made (each may be NULL = nothing offered): the first problem found, or
 * HANDSHAKE_RESP_OK. */
enum handshake_response_problem handshake_check_response(const struct handshake_response *resp,
                                                         const char *key,
                                                         const char *offered_protocols,
                                                         const char *offered_extensions);
const char *handshake_response_problem_name(enum handshake_response_problem p);

/* ---- words for people (handshake_describe.c) -------------------------- */

/* data[0..len) (borrowed) as one line of text for a report: printable
 * ASCII as it is, '"' and '\\' escaped, CR, LF and HTAB as \r \n \t, any
 * other octet as \xNN; after max_octets octets, "...". Writes at most cap
 * octets with the NUL into out (cut at a whole escape) and returns the
 * length written. */
size_t handshake_escape(const uint8_t *data, size_t len, size_t max_octets, char *out, size_t cap);

/* Why buf[0..len) (borrowed: the octets received, a whole head or its
 * start) is no HTTP/1.x response head, as the parsers said
 * (WS_ERR_HANDSHAKE_SYNTAX): "not HTTP: 21 octets: \"SSH-2.0-...\"" when
 * its first octets cannot start one, else "not a valid HTTP response: "
 * naming the status line or the header line that breaks 9112 and quoting
 * it. Writes a NUL-terminated text of at most cap octets into out. */
void handshake_describe_not_http(const uint8_t *buf, size_t len, char *out, size_t cap);

/* Problem p of the parsed response r (borrowed), as found by
 * handshake_check_response with the same key and offers (each may be
 * NULL), in words that name the exact difference: "Sec-WebSocket-Accept
 * appears twice (\"a\", \"b\")", "the answer selects two subprotocols:
 * Sec-WebSocket-Protocol appears twice (\"chat\", \"superchat\")". Values are
 * quoted and escaped (handshake_escape). Writes a NUL-terminated text of at
 * most cap octets into out. */
void handshake_describe_problem(const struct handshake_response *r,
                                enum handshake_response_problem p, const char *key,
                                const char *offered_protocols, const char *offered_extensions,
                                char *out, size_t cap);

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
 * Connection: close and, for 426, Sec-WebSocket-Version: 13. All inputs
 * borrowed; *out is left as it was on failure. Returns 0, WS_ERR_ARG (v or
 * out NULL, a status outside 100..999), WS_ERR_OVERFLOW, WS_ERR_NOMEM or
 * WS_ERR_INTERNAL (computing the accept value failed). */
int handshake_build_response(const struct handshake_server_verdict *v, const char *accept_override,
                             const char *protocol, const char *extensions, struct buf *out);

#endif
