/* handshake_client: the client's half of the RFC 6455 opening handshake.
 * Builds the request (every default header can be replaced, duplicated or
 * left out, byte for byte, because the harness must be able to send wrong
 * things), parses the server's response head and checks it against
 * 6455:4.1. */
#include "codec/handshake.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/errors.h"
#include "codec/handshake_int.h"

/* ---- building the request ------------------------------------------- */

/* One header line of the request being assembled; name == NULL once an
 * OMIT removed it. Both strings are borrowed from the caller. */
struct line_slot {
    const char *name;
    const char *value;
};

static bool names_equal(const char *a, const char *b) {
    struct handshake_view v = {a, strlen(a)};
    return handshake_view_eq_nocase(v, b);
}

static int apply_override(struct line_slot *slots, size_t *slot_count,
                          const struct handshake_header_override *ov) {
    if (!ov->name || (ov->op != HANDSHAKE_HDR_OMIT && !ov->value))
        return WS_ERR_ARG;
    switch (ov->op) {
    case HANDSHAKE_HDR_SET:
        for (size_t i = 0; i < *slot_count; i++) {
            if (slots[i].name && names_equal(slots[i].name, ov->name)) {
                slots[i].name = ov->name;
                slots[i].value = ov->value;
                return 0;
            }
        }
        slots[(*slot_count)++] = (struct line_slot){ov->name, ov->value};
        return 0;
    case HANDSHAKE_HDR_ADD:
        slots[(*slot_count)++] = (struct line_slot){ov->name, ov->value};
        return 0;
    case HANDSHAKE_HDR_OMIT:
        /* Every line of that name so far goes: the default, and any that an
         * earlier SET/ADD put in. Later ADDs can bring the name back. */
        for (size_t i = 0; i < *slot_count; i++) {
            if (slots[i].name && names_equal(slots[i].name, ov->name))
                slots[i].name = NULL;
        }
        return 0;
    }
    return WS_ERR_ARG;
}

/* Request line, header lines, final CRLF. Names and values are written
 * exactly as given: a value holding "\r\n" injects a header on purpose. */
static int write_request(const struct handshake_client_request *req, const struct line_slot *slots,
                         size_t slot_count, struct buf *out) {
    int rc = buf_appendf(out, "%s %s %s\r\n", req->method ? req->method : "GET",
                         req->target ? req->target : "/",
                         req->http_version ? req->http_version : "HTTP/1.1");
    for (size_t i = 0; rc == 0 && i < slot_count; i++) {
        if (!slots[i].name)
            continue;
        rc = buf_append_str(out, slots[i].name);
        if (rc == 0)
            rc = buf_append(out, ": ", 2);
        if (rc == 0)
            rc = buf_append_str(out, slots[i].value);
        if (rc == 0)
            rc = buf_append(out, "\r\n", 2);
    }
    if (rc == 0)
        rc = buf_append(out, "\r\n", 2);
    return rc;
}

int handshake_build_request(const struct handshake_client_request *req, struct buf *out) {
    enum { DEFAULT_LINES = 7 };
    if (!req || !out || (req->override_count > 0 && !req->overrides))
        return WS_ERR_ARG;
    size_t slot_cap;
    if (size_add(req->override_count, DEFAULT_LINES, &slot_cap) != 0 ||
        slot_cap > SIZE_MAX / sizeof(struct line_slot))
        return WS_ERR_OVERFLOW;
    struct line_slot *slots = malloc(slot_cap * sizeof *slots);
    if (!slots)
        return WS_ERR_NOMEM;

    /* 6455:4.1 "The request MUST contain a |Host| header field", "an
     * |Upgrade| header field whose value MUST include the "websocket"
     * keyword", "a |Connection| header field whose value MUST include the
     * "Upgrade" token", "a header field with the name |Sec-WebSocket-Key|",
     * "|Sec-WebSocket-Version|. The value of this header field MUST be 13."
     * A NULL host or key leaves that line out (a case may want that). */
    size_t n = 0;
    if (req->host)
        slots[n++] = (struct line_slot){"Host", req->host};
    slots[n++] = (struct line_slot){"Upgrade", "websocket"};
    slots[n++] = (struct line_slot){"Connection", "Upgrade"};
    if (req->key)
        slots[n++] = (struct line_slot){"Sec-WebSocket-Key", req->key};
    slots[n++] = (struct line_slot){"Sec-WebSocket-Version", "13"};
    if (req->protocols)
        slots[n++] = (struct line_slot){"Sec-WebSocket-Protocol", req->protocols};
    if (req->extensions)
        slots[n++] = (struct line_slot){"Sec-WebSocket-Extensions", req->extensions};

    int rc = 0;
    for (size_t i = 0; rc == 0 && i < req->override_count; i++)
        rc = apply_override(slots, &n, &req->overrides[i]);

    size_t start_len = out->len;
    if (rc == 0)
        rc = write_request(req, slots, n, out);
    if (rc != 0 && out->len > start_len)
        out->len = start_len; /* no half-written request on failure */
    free(slots);
    return rc;
}

/* ---- parsing the response ------------------------------------------- */

/* status-line = HTTP-version SP status-code SP [ reason-phrase ] (9112:4);
 * we also take a missing " reason", as most clients do. */
static long parse_status_line(struct handshake_view line, struct handshake_response *out) {
    const char *p = line.ptr;
    if (line.len < 12 || memcmp(p, "HTTP/1.", 7) != 0 || p[7] < '0' || p[7] > '9' || p[8] != ' ')
        return WS_ERR_HANDSHAKE_SYNTAX;
    for (size_t i = 9; i < 12; i++) {
        if (p[i] < '0' || p[i] > '9')
            return WS_ERR_HANDSHAKE_SYNTAX;
    }
    if (line.len > 12 && p[12] != ' ')
        return WS_ERR_HANDSHAKE_SYNTAX;
    struct handshake_view reason = {p + line.len, 0};
    if (line.len > 12) {
        reason.ptr = p + 13;
        reason.len = line.len - 13;
    }
    /* reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ), but 9112:4 "A
     * client SHOULD ignore the reason-phrase content because it is not a
     * reliable channel for information": a 400 whose reason carries control
     * octets is still a 400, judged by its status (the octets are shown
     * escaped wherever the status line is). */
    out->minor_version = p[7] - '0';
    out->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
    out->reason = reason;
    return 0;
}

bool handshake_response_may_start(const uint8_t *buf, size_t len) {
    size_t have = len < 7 ? len : 7;
    return have == 0 || memcmp(buf, "HTTP/1.", have) == 0;
}

long handshake_parse_response(const uint8_t *buf, size_t len, struct handshake_response *out) {
    struct handshake_view line;
    out->header_count = 0;
    long next = handshake_next_line(buf, len, 0, &line);
    /* Fail fast on a peer that is not speaking HTTP/1.x at all, rather
     * than buffering its bytes up to the line limit. */
    if (next == HANDSHAKE_NEED_MORE && !handshake_response_may_start(buf, len))
        return WS_ERR_HANDSHAKE_SYNTAX;
    if (next <= 0)
        return next;
    long rc = parse_status_line(line, out);
    if (rc != 0)
        return rc;
    return handshake_parse_header_lines(buf, len, (size_t)next, out->headers, &out->header_count);
}

/* ---- checking the response ------------------------------------------ */

enum handshake_response_problem handshake_check_response(const struct handshake_response *resp,
                                                         const char *key,
                                                         const char *offered_protocols,
                                                         const char *offered_extensions) {
    const struct handshake_header *h = resp->headers;
    size_t n = resp->header_count;
    size_t count = 0;

    /* 6455:4.1 "If the status code received from the server is not 101, the
     * client handles the response per HTTP [RFC2616] procedures." */
    if (resp->status != 101)
        return HANDSHAKE_RESP_NOT_101;

    /* 6455:4.1 "If the response lacks an |Upgrade| header field or the
     * |Upgrade| header field contains a value that is not an ASCII case-
     * insensitive match for the value "websocket", the client MUST _Fail
     * the WebSocket Connection_." Two Upgrade lines combine to
     * "websocket, websocket", which is not such a match. */
    const struct handshake_header *upgrade = handshake_find_header(h, n, "Upgrade", &count);
    if (!upgrade || count != 1 || !handshake_view_eq_nocase(upgrade->value, "websocket"))
        return HANDSHAKE_RESP_NO_UPGRADE;

    /* 6455:4.1 "If the response lacks a |Connection| header field or the
     * |Connection| header field doesn't contain a token that is an ASCII
     * case-insensitive match for the value "Upgrade", the client MUST _Fail
     * the WebSocket Connection_." Several Connection lines form one list. */
    bool has_upgrade_token = false;
    for (size_t i = 0; i < n && !has_upgrade_token; i++) {
        if (handshake_view_eq_nocase(h[i].name, "Connection") &&
            handshake_value_has_token(h[i].value, "Upgrade"))
            has_upgrade_token = true;
    }
    if (!has_upgrade_token)
        return HANDSHAKE_RESP_NO_CONNECTION;

    /* 6455:4.1 "If the response lacks a |Sec-WebSocket-Accept| header field
     * or the |Sec-WebSocket-Accept| contains a value other than the
     * base64-encoded SHA-1 of the concatenation of the |Sec-WebSocket-Key|
     * (as a string, not base64-decoded) with the string "258EAFA5-E914-
     * 47DA-95CA-C5AB0DC85B11" but ignoring any leading and trailing
     * whitespace, the client MUST _Fail the WebSocket Connection_." */
    const struct handshake_header *accept =
        handshake_find_header(h, n, "Sec-WebSocket-Accept", &count);
    if (!accept)
        return HANDSHAKE_RESP_NO_ACCEPT;
    if (count > 1)
        return HANDSHAKE_RESP_DUP_ACCEPT;
    char expected[HANDSHAKE_ACCEPT_LEN + 1];
    struct handshake_view sent_key = {key ? key : "", key ? strlen(key) : 0};
    sent_key = handshake_view_trim(sent_key);
    /* Only OOM inside OpenSSL makes this fail; no 101 is trusted then. */
    if (handshake_compute_accept(sent_key.ptr, sent_key.len, expected) != 0 ||
        accept->value.len != HANDSHAKE_ACCEPT_LEN ||
        memcmp(accept->value.ptr, expected, HANDSHAKE_ACCEPT_LEN) != 0)
        return HANDSHAKE_RESP_BAD_ACCEPT;

    /* 6455:4.1 "If the response includes a |Sec-WebSocket-Extensions|
     * header field and this header field indicates the use of an extension
     * that was not present in the client's handshake ..., the client MUST
     * _Fail the WebSocket Connection_." 6455:9.1: the field "MAY be split
     * or combined across multiple lines", so every line counts. */
    for (size_t i = 0; i < n; i++) {
        if (!handshake_view_eq_nocase(h[i].name, "Sec-WebSocket-Extensions"))
            continue;
        struct handshake_view element;
        size_t pos = 0;
        while (handshake_next_element(h[i].value, &pos, &element)) {
            if (element.len == 0)
                continue; /* RFC 7230 7: empty list elements are ignored */
            if (!handshake_extension_offered(handshake_extension_token(element),
                                             offered_extensions))
                return HANDSHAKE_RESP_UNOFFERED_EXTENSION;
        }
    }

    /* 6455:4.1 "If the response includes a |Sec-WebSocket-Protocol| header
     * field and this header field indicates the use of a subprotocol that
     * was not present in the client's handshake ..., the client MUST _Fail
     * the WebSocket Connection_." 6455:4.2.2: the value is a single
     * /subprotocol/, and "The empty string ... is not a legal value". */
    const struct handshake_header *protocol =
        handshake_find_header(h, n, "Sec-WebSocket-Protocol", &count);
    if (protocol && (count != 1 || !handshake_protocol_offered(protocol->value, offered_protocols)))
        return HANDSHAKE_RESP_UNOFFERED_PROTOCOL;

    return HANDSHAKE_RESP_OK;
}
