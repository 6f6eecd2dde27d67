/* handshake_server: the server's half of the RFC 6455 opening handshake,
 * used by the reference server and the client-testing mode. Parses the
 * client's request head, judges it against 6455:4.2.1 (which HTTP status
 * to answer with) and writes the 101 or the 4xx answer. */
#include "codec/handshake.h"

#include <string.h>

#include "base/buf.h"
#include "base/errors.h"
#include "codec/handshake_int.h"

/* ---- parsing the request -------------------------------------------- */

static bool is_target_octet(uint8_t c) {
    /* request-target (RFC 7230 5.3) holds no SP and no control octet; we
     * let obs-text through and leave judging the path to the caller. */
    return c > 0x20 && c != 0x7f;
}

/* request-line = method SP request-target SP HTTP-version (RFC 7230 3.1.1) */
static long parse_request_line(struct handshake_view line, struct handshake_request *out) {
    const uint8_t *p = (const uint8_t *)line.ptr;
    size_t i = 0;
    while (i < line.len && handshake_is_tchar(p[i]))
        i++;
    if (i == 0 || i == line.len || p[i] != ' ')
        return WS_ERR_HANDSHAKE_SYNTAX;
    out->method.ptr = line.ptr;
    out->method.len = i;
    size_t target_start = ++i;
    while (i < line.len && is_target_octet(p[i]))
        i++;
    if (i == target_start || i == line.len || p[i] != ' ')
        return WS_ERR_HANDSHAKE_SYNTAX;
    out->target.ptr = line.ptr + target_start;
    out->target.len = i - target_start;
    i++;
    /* HTTP-version = "HTTP" "/" DIGIT "." DIGIT, and only 1.x heads are
     * parsed here; 6455:4.2.1 then asks for 1.1 or higher. */
    if (line.len - i != 8 || memcmp(p + i, "HTTP/1.", 7) != 0 || p[i + 7] < '0' || p[i + 7] > '9')
        return WS_ERR_HANDSHAKE_SYNTAX;
    out->minor_version = p[i + 7] - '0';
    return 0;
}

/* Whether the first bytes of a request line that has not ended yet can
 * still start a request: a method token, then SP. */
static bool partial_request_line_ok(const uint8_t *buf, size_t len) {
    for (size_t i = 0; i < len; i++) {
        if (buf[i] == ' ')
            return i > 0;
        if (buf[i] == '\r' && i + 1 == len)
            return i > 0;
        if (!handshake_is_tchar(buf[i]))
            return false;
    }
    return true;
}

long handshake_parse_request(const uint8_t *buf, size_t len, struct handshake_request *out) {
    struct handshake_view line;
    out->header_count = 0;
    long next = handshake_next_line(buf, len, 0, &line);
    if (next == HANDSHAKE_NEED_MORE && !partial_request_line_ok(buf, len))
        return WS_ERR_HANDSHAKE_SYNTAX; /* fail fast on bytes that are not HTTP */
    if (next <= 0)
        return next;
    long rc = parse_request_line(line, out);
    if (rc != 0)
        return rc;
    return handshake_parse_header_lines(buf, len, (size_t)next, out->headers, &out->header_count);
}

/* ---- judging the request -------------------------------------------- */

static bool is_base64_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

/* 16 octets encode to 22 base64 characters and "==" (RFC 4648 4). The two
 * spare bits are not required to be zero: 6455:4.1's own example
 * "AQIDBAUGBwgJCgsMDQ4PEC==" has them set and still decodes to 16 octets. */
static bool key_decodes_to_16(struct handshake_view key) {
    if (key.len != HANDSHAKE_KEY_LEN || key.ptr[22] != '=' || key.ptr[23] != '=')
        return false;
    for (size_t i = 0; i < 22; i++) {
        if (!is_base64_char(key.ptr[i]))
            return false;
    }
    return true;
}

static bool any_header_has_token(const struct handshake_request *req, const char *name,
                                 const char *token) {
    for (size_t i = 0; i < req->header_count; i++) {
        if (handshake_view_eq_nocase(req->headers[i].name, name) &&
            handshake_value_has_token(req->headers[i].value, token))
            return true;
    }
    return false;
}

static void reject(struct handshake_server_verdict *out, int status, const char *problem) {
    out->status = status;
    out->problem = problem;
}

void handshake_check_request(const struct handshake_request *req,
                             struct handshake_server_verdict *out) {
    const struct handshake_header *h = req->headers;
    size_t n = req->header_count;
    size_t count = 0;
    memset(out, 0, sizeof *out);

    const struct handshake_header *found =
        handshake_find_header(h, n, "Sec-WebSocket-Protocol", NULL);
    if (found)
        out->protocols = found->value;
    found = handshake_find_header(h, n, "Sec-WebSocket-Extensions", NULL);
    if (found)
        out->extensions = found->value;
    const struct handshake_header *key = handshake_find_header(h, n, "Sec-WebSocket-Key", &count);
    size_t key_count = count;
    if (key && key_count == 1)
        out->key = key->value;

    /* 6455:4.2.1 "1. An HTTP/1.1 or higher GET request"; RFC 7231 6.5.5:
     * 405 is the answer to a method the resource does not support. RFC 7230
     * 3.1.1 "The request method is case-sensitive", so "get" is not GET. */
    if (req->method.len != 3 || memcmp(req->method.ptr, "GET", 3) != 0) {
        reject(out, 405, "the method of a WebSocket handshake must be GET");
        return;
    }
    if (req->minor_version < 1) {
        reject(out, 400, "the HTTP version of a WebSocket handshake must be 1.1 or higher");
        return;
    }
    /* 6455:4.2.1 "2. A |Host| header field containing the server's
     * authority." RFC 7230 5.4: more than one Host line is a 400. */
    const struct handshake_header *host = handshake_find_header(h, n, "Host", &count);
    if (!host || host->value.len == 0) {
        reject(out, 400, "the Host header field is missing or empty");
        return;
    }
    if (count > 1) {
        reject(out, 400, "more than one Host header field");
        return;
    }
    /* 6455:4.2.1 "3. An |Upgrade| header field containing the value
     * "websocket", treated as an ASCII case-insensitive value." */
    if (!any_header_has_token(req, "Upgrade", "websocket")) {
        reject(out, 400, "the Upgrade header field does not hold websocket");
        return;
    }
    /* 6455:4.2.1 "4. A |Connection| header field that includes the token
     * "Upgrade", treated as an ASCII case-insensitive value." */
    if (!any_header_has_token(req, "Connection", "Upgrade")) {
        reject(out, 400, "the Connection header field does not hold the Upgrade token");
        return;
    }
    /* 6455:4.2.1 "6. A |Sec-WebSocket-Version| header field, with a value
     * of 13." The version is judged before the key: a client speaking
     * another version may form its key differently, and the 426 tells it
     * which version to retry with. */
    const struct handshake_header *version =
        handshake_find_header(h, n, "Sec-WebSocket-Version", &count);
    if (!version) {
        reject(out, 400, "the Sec-WebSocket-Version header field is missing");
        return;
    }
    if (count > 1) {
        reject(out, 400, "more than one Sec-WebSocket-Version header field");
        return;
    }
    /* 6455:4.2.2 "If this version does not match a version understood by
     * the server, the server MUST abort the WebSocket handshake described
     * in this section and instead send an appropriate HTTP error code (such
     * as 426 Upgrade Required) and a |Sec-WebSocket-Version| header field
     * indicating the version(s) the server is capable of understanding." */
    if (!handshake_view_eq_nocase(version->value, "13")) {
        reject(out, 426, "this server speaks WebSocket version 13 only");
        return;
    }
    /* 6455:4.2.1 "5. A |Sec-WebSocket-Key| header field with a
     * base64-encoded ... value that, when decoded, is 16 bytes in length." */
    if (!key) {
        reject(out, 400, "the Sec-WebSocket-Key header field is missing");
        return;
    }
    if (key_count > 1) {
        reject(out, 400, "more than one Sec-WebSocket-Key header field");
        return;
    }
    if (!key_decodes_to_16(key->value)) {
        reject(out, 400, "Sec-WebSocket-Key is not the base64 encoding of 16 octets");
        return;
    }
    out->status = 101;
    out->problem = NULL;
}

/* ---- answering ---------------------------------------------------------- */

static const char *reason_phrase(int status) {
    switch (status) {
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 426: return "Upgrade Required";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
    }
}

static int write_switching(const struct handshake_server_verdict *v, const char *accept_override,
                           const char *protocol, const char *extensions, struct buf *out) {
    char computed[HANDSHAKE_ACCEPT_LEN + 1];
    const char *accept = accept_override;
    if (!accept) {
        /* 6455:4.2.2 "It is not necessary for the server to base64-decode
         * the |Sec-WebSocket-Key| value": the key is hashed as sent. */
        int rc = handshake_compute_accept(v->key.ptr, v->key.len, computed);
        if (rc != 0)
            return rc;
        accept = computed;
    }
    /* 6455:4.2.2 5. "A Status-Line with a 101 response code", "An |Upgrade|
     * header field with value "websocket"", "A |Connection| header field
     * with value "Upgrade"", "A |Sec-WebSocket-Accept| header field". */
    int rc = buf_appendf(out,
                         "HTTP/1.1 101 Switching Protocols\r\n"
                         "Upgrade: websocket\r\n"
                         "Connection: Upgrade\r\n"
                         "Sec-WebSocket-Accept: %s\r\n",
                         accept);
    if (rc == 0 && protocol)
        rc = buf_appendf(out, "Sec-WebSocket-Protocol: %s\r\n", protocol);
    if (rc == 0 && extensions)
        rc = buf_appendf(out, "Sec-WebSocket-Extensions: %s\r\n", extensions);
    if (rc == 0)
        rc = buf_append(out, "\r\n", 2);
    return rc;
}

static int write_refusal(const struct handshake_server_verdict *v, struct buf *out) {
    if (v->status < 100 || v->status > 999)
        return WS_ERR_ARG;
    const char *reason = reason_phrase(v->status);
    const char *text = v->problem ? v->problem : reason;
    size_t body_len;
    if (size_add(strlen(text), 1, &body_len) != 0)
        return WS_ERR_OVERFLOW;
    /* Connection: close, so no proxy in front of us reuses the connection
     * for a request smuggled behind the refused upgrade. */
    int rc = buf_appendf(out,
                         "HTTP/1.1 %d %s\r\n"
                         "Content-Type: text/plain\r\n"
                         "Content-Length: %zu\r\n"
                         "Connection: close\r\n",
                         v->status, reason, body_len);
    /* RFC 7231 6.5.5 "The origin server MUST generate an Allow header field
     * in a 405 response containing a list of the target resource's
     * currently supported methods." */
    if (rc == 0 && v->status == 405)
        rc = buf_append_str(out, "Allow: GET\r\n");
    /* 6455:4.4 "If the server doesn't support the requested version, it
     * MUST respond with a |Sec-WebSocket-Version| header field ...
     * containing all versions it is willing to use." */
    if (rc == 0 && v->status == 426)
        rc = buf_append_str(out, "Sec-WebSocket-Version: 13\r\n");
    /* RFC 7231 6.5.15 "The server MUST send an Upgrade header field in a 426
     * response to indicate the required protocol(s)", and RFC 7230 6.7
     * "When Upgrade is sent, the sender MUST also send a Connection header
     * field ... that contains an "upgrade" connection option": a second
     * Connection line, which RFC 7230 3.2.2 joins to "close, Upgrade". */
    if (rc == 0 && v->status == 426)
        rc = buf_append_str(out, "Upgrade: websocket\r\nConnection: Upgrade\r\n");
    if (rc == 0)
        rc = buf_append(out, "\r\n", 2);
    if (rc == 0)
        rc = buf_append_str(out, text);
    if (rc == 0)
        rc = buf_append(out, "\n", 1);
    return rc;
}

int handshake_build_response(const struct handshake_server_verdict *v, const char *accept_override,
                             const char *protocol, const char *extensions, struct buf *out) {
    if (!v || !out)
        return WS_ERR_ARG;
    size_t start_len = out->len;
    int rc = v->status == 101 ? write_switching(v, accept_override, protocol, extensions, out)
                              : write_refusal(v, out);
    if (rc != 0 && out->len > start_len)
        out->len = start_len; /* no half-written response on failure */
    return rc;
}
