/* handshake_describe: what is wrong with a server's answer to the opening
 * handshake, in words a maintainer can act on: the header line and its
 * values, the element nobody offered, the octets received instead of HTTP
 * (escaped, cut to a sane length). Pure, like the rest of the codec: it
 * only writes into the caller's buffer. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "codec/handshake.h"
#include "codec/handshake_int.h"

/* Octets of a value or of a non-HTTP answer shown before "...". */
#define SHOWN_OCTETS 64
/* Lines of the same header field shown before "...". */
#define SHOWN_LINES  4

/* A NUL-terminated text being written into a fixed buffer; what does not
 * fit is cut (a description may be cut, never overrun). */
struct text {
    char *out;
    size_t cap, len;
};

static void put(struct text *t, const char *s, size_t n) {
    if (t->cap == 0)
        return;
    if (n > t->cap - 1 - t->len)
        n = t->cap - 1 - t->len;
    memcpy(t->out + t->len, s, n);
    t->len += n;
    t->out[t->len] = '\0';
}

static void put_str(struct text *t, const char *s) {
    put(t, s, strlen(s));
}

static void putf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void putf(struct text *t, const char *fmt, ...) {
    char piece[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(piece, sizeof piece, fmt, ap);
    va_end(ap);
    if (n > 0)
        put(t, piece, (size_t)n < sizeof piece ? (size_t)n : sizeof piece - 1);
}

size_t handshake_escape(const uint8_t *data, size_t len, size_t max_octets, char *out, size_t cap) {
    static const char hex[] = "0123456789abcdef";
    struct text t = {out, cap, 0};
    if (cap == 0)
        return 0;
    out[0] = '\0';
    size_t shown = len < max_octets ? len : max_octets;
    for (size_t i = 0; i < shown; i++) {
        uint8_t c = data[i];
        char piece[4] = {'\\', 0, 0, 0};
        size_t n = 2;
        switch (c) {
        case '"': piece[1] = '"'; break;
        case '\\': piece[1] = '\\'; break;
        case '\r': piece[1] = 'r'; break;
        case '\n': piece[1] = 'n'; break;
        case '\t': piece[1] = 't'; break;
        default:
            if (c >= 0x20 && c < 0x7f) {
                piece[0] = (char)c;
                n = 1;
            } else {
                piece[1] = 'x';
                piece[2] = hex[c >> 4];
                piece[3] = hex[c & 15];
                n = 4;
            }
        }
        if (t.len + n >= cap)
            return t.len; /* cut at a whole escape */
        put(&t, piece, n);
    }
    if (shown < len)
        put_str(&t, "...");
    return t.len;
}

static void put_quoted(struct text *t, const void *data, size_t len) {
    char esc[SHOWN_OCTETS * 4 + 4];
    handshake_escape(data, len, SHOWN_OCTETS, esc, sizeof esc);
    putf(t, "\"%s\"", esc);
}

/* ---- an answer that is not HTTP -------------------------------------------- */

void handshake_describe_not_http(const uint8_t *buf, size_t len, char *out, size_t cap) {
    struct text t = {out, cap, 0};
    if (cap)
        out[0] = '\0';
    struct handshake_view line;
    long next = handshake_next_line(buf, len, 0, &line);
    if (!handshake_response_may_start(buf, len)) {
        /* 6455:4.2.1 wants "an HTTP response": not even its first octets. */
        putf(&t, "not HTTP: %zu octet%s: ", len, len == 1 ? "" : "s");
        put_quoted(&t, buf, len);
        return;
    }
    if (next <= 0) {
        putf(&t, "an unfinished HTTP head: %zu octet%s: ", len, len == 1 ? "" : "s");
        put_quoted(&t, buf, len);
        return;
    }
    /* status-line = HTTP-version SP status-code SP [ reason-phrase ] */
    const char *p = line.ptr;
    bool digits = line.len >= 12 && p[8] == ' ' && p[7] >= '0' && p[7] <= '9';
    for (size_t i = 9; digits && i < 12; i++)
        digits = p[i] >= '0' && p[i] <= '9';
    if (!digits || (line.len > 12 && p[12] != ' ')) {
        put_str(&t, "not a valid HTTP response: its status line is not \"HTTP/1.x NNN reason\": ");
        put_quoted(&t, line.ptr, line.len);
        return;
    }
    /* A header line (9112:5: field-line = field-name ":" OWS field-value
     * OWS; no obs-fold in a response, 9112:5.2). */
    size_t pos = (size_t)next;
    for (unsigned number = 2;; number++) {
        next = handshake_next_line(buf, len, pos, &line);
        if (next <= 0 || line.len == 0)
            break;
        const uint8_t *u = (const uint8_t *)line.ptr;
        size_t name_len = 0;
        while (name_len < line.len && handshake_is_tchar(u[name_len]))
            name_len++;
        const char *why = NULL;
        if (u[0] == ' ' || u[0] == '\t')
            why = "folds the line before it (obs-fold, 9112:5.2)";
        else if (name_len == 0 || name_len == line.len || u[name_len] != ':')
            why = "is not a header field (a token, then \":\")";
        else {
            struct handshake_view value = {line.ptr + name_len + 1, line.len - name_len - 1};
            value = handshake_view_trim(value);
            if (!handshake_is_field_text(value.ptr, value.len))
                why = "holds a control octet in its value";
        }
        if (why) {
            putf(&t, "not a valid HTTP response: line %u %s: ", number, why);
            put_quoted(&t, line.ptr, line.len);
            return;
        }
        pos = (size_t)next;
    }
    /* Nothing found (the parser and this walk disagree): say what came. */
    putf(&t, "not a valid HTTP response: %zu octet%s: ", len, len == 1 ? "" : "s");
    put_quoted(&t, buf, len);
}

/* ---- a 101 that breaks 6455:4.1 --------------------------------------------- */

static const char *how_many(size_t n) {
    static const char *const words[] = {"never", "once", "twice", "three times", "four times"};
    return n < sizeof words / sizeof words[0] ? words[n] : "more than four times";
}

/* "Name appears twice (a, b)": every line of the field, values quoted. */
static void put_lines(struct text *t, const struct handshake_response *r, const char *name) {
    size_t count = 0, shown = 0;
    handshake_find_header(r->headers, r->header_count, name, &count);
    putf(t, "%s appears %s (", name, how_many(count));
    for (size_t i = 0; i < r->header_count; i++) {
        if (!handshake_view_eq_nocase(r->headers[i].name, name))
            continue;
        if (shown == SHOWN_LINES) {
            put_str(t, ", ...");
            break;
        }
        if (shown++)
            put_str(t, ", ");
        put_quoted(t, r->headers[i].value.ptr, r->headers[i].value.len);
    }
    put_str(t, ")");
}

/* ", which the request did not offer (it offered ...)" */
static void put_not_offered(struct text *t, const char *offered) {
    put_str(t, ", which the request did not offer (it offered ");
    if (!offered || !offered[0])
        put_str(t, "none");
    else
        put_quoted(t, offered, strlen(offered));
    put_str(t, ")");
}

static void describe_extension(struct text *t, const struct handshake_response *r,
                               const char *offered) {
    for (size_t i = 0; i < r->header_count; i++) {
        if (!handshake_view_eq_nocase(r->headers[i].name, "Sec-WebSocket-Extensions"))
            continue;
        struct handshake_view element;
        size_t pos = 0;
        while (handshake_next_element(r->headers[i].value, &pos, &element)) {
            if (element.len == 0)
                continue;
            struct handshake_view token = handshake_extension_token(element);
            if (handshake_extension_offered(token, offered))
                continue;
            /* 6455:4.1 "the use of an extension that was not present in the
             * client's handshake" */
            put_str(t, "Sec-WebSocket-Extensions selects ");
            put_quoted(t, token.ptr, token.len);
            put_not_offered(t, offered);
            return;
        }
    }
    put_str(t, "Sec-WebSocket-Extensions selects an extension the request did not offer");
}

static void describe_protocol(struct text *t, const struct handshake_response *r,
                              const char *offered) {
    size_t count = 0;
    const struct handshake_header *h =
        handshake_find_header(r->headers, r->header_count, "Sec-WebSocket-Protocol", &count);
    if (count > 1) {
        /* 6455:4.2.2: "a single value representing the subprotocol" */
        putf(t, "the answer selects %s subprotocols: ",
             count == 2   ? "two"
             : count == 3 ? "three"
                          : "several");
        put_lines(t, r, "Sec-WebSocket-Protocol");
        return;
    }
    if (!h)
        return;
    if (h->value.len == 0) {
        /* 6455:4.2.2 "The empty string is not the same as the null value for
         * these purposes and is not a legal value for this field." */
        put_str(t, "Sec-WebSocket-Protocol is empty, which is no subprotocol");
        return;
    }
    if (memchr(h->value.ptr, ',', h->value.len)) {
        put_str(t, "Sec-WebSocket-Protocol holds a list, ");
        put_quoted(t, h->value.ptr, h->value.len);
        put_str(t, ": a 101 selects one subprotocol");
        return;
    }
    put_str(t, "Sec-WebSocket-Protocol selects ");
    put_quoted(t, h->value.ptr, h->value.len);
    put_not_offered(t, offered);
}

void handshake_describe_problem(const struct handshake_response *r,
                                enum handshake_response_problem p, const char *key,
                                const char *offered_protocols, const char *offered_extensions,
                                char *out, size_t cap) {
    struct text t = {out, cap, 0};
    if (cap)
        out[0] = '\0';
    size_t count = 0;
    const struct handshake_header *h;
    switch (p) {
    case HANDSHAKE_RESP_OK: put_str(&t, "ok"); return;
    case HANDSHAKE_RESP_NOT_101: putf(&t, "the status is %d, not 101", r->status); return;
    case HANDSHAKE_RESP_NOT_HTTP: put_str(&t, handshake_response_problem_name(p)); return;
    case HANDSHAKE_RESP_NO_UPGRADE:
        h = handshake_find_header(r->headers, r->header_count, "Upgrade", &count);
        if (!h) {
            put_str(&t, "Upgrade is missing (6455:4.1 wants \"websocket\")");
        } else if (count > 1) {
            put_lines(&t, r, "Upgrade");
        } else {
            put_str(&t, "Upgrade is ");
            put_quoted(&t, h->value.ptr, h->value.len);
            put_str(&t, ", not \"websocket\"");
        }
        return;
    case HANDSHAKE_RESP_NO_CONNECTION:
        h = handshake_find_header(r->headers, r->header_count, "Connection", &count);
        if (!h) {
            put_str(&t, "Connection is missing (6455:4.1 wants the \"Upgrade\" token)");
        } else if (count > 1) {
            put_str(&t, "no Connection line holds the \"Upgrade\" token: ");
            put_lines(&t, r, "Connection");
        } else {
            put_str(&t, "Connection is ");
            put_quoted(&t, h->value.ptr, h->value.len);
            put_str(&t, ", without the \"Upgrade\" token");
        }
        return;
    case HANDSHAKE_RESP_NO_ACCEPT:
    case HANDSHAKE_RESP_BAD_ACCEPT: {
        char expected[HANDSHAKE_ACCEPT_LEN + 1] = "";
        struct handshake_view sent = {key ? key : "", key ? strlen(key) : 0};
        sent = handshake_view_trim(sent);
        if (handshake_compute_accept(sent.ptr, sent.len, expected) != 0)
            expected[0] = '\0';
        h = handshake_find_header(r->headers, r->header_count, "Sec-WebSocket-Accept", NULL);
        if (!h) {
            put_str(&t, "Sec-WebSocket-Accept is missing");
        } else {
            put_str(&t, "Sec-WebSocket-Accept is wrong: ");
            put_quoted(&t, h->value.ptr, h->value.len);
        }
        if (!key) {
            put_str(&t, ", and the request sent no Sec-WebSocket-Key");
            return;
        }
        /* 6455:4.2.2: base64 of the SHA-1 of the key and the GUID */
        put_str(&t, ", where the key ");
        put_quoted(&t, sent.ptr, sent.len);
        putf(&t, " gives \"%s\"", expected);
        return;
    }
    case HANDSHAKE_RESP_DUP_ACCEPT: put_lines(&t, r, "Sec-WebSocket-Accept"); return;
    case HANDSHAKE_RESP_UNOFFERED_EXTENSION: describe_extension(&t, r, offered_extensions); return;
    case HANDSHAKE_RESP_UNOFFERED_PROTOCOL: describe_protocol(&t, r, offered_protocols); return;
    }
    put_str(&t, handshake_response_problem_name(p));
}
