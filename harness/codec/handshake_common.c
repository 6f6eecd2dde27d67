/* handshake_common: what both sides of the RFC 6455 section 4 opening
 * handshake share: views and header lookup, comma-list tokens, the line and
 * header-field scanner, the incremental end-of-head scan, the
 * Sec-WebSocket-Accept computation and the names of response problems. */
#include "codec/handshake.h"

#include <string.h>

#include <openssl/evp.h>

#include "base/errors.h"
#include "codec/handshake_int.h"

static uint8_t ascii_lower(uint8_t c) {
    return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + ('a' - 'A')) : c;
}

static bool is_ows(uint8_t c) {
    return c == ' ' || c == '\t';
}

/* Octet classes, one table lookup per octet (parsers run on every read).
 * TCHAR: RFC 7230 3.2.6 tchar. FIELD: what a field value or reason phrase
 * may hold (RFC 7230 3.2 field-vchar = VCHAR / obs-text, plus SP / HTAB);
 * every other control octet, DEL included, is not part of a value. */
enum { TCHAR = 1, FIELD = 2 };
#define T   (TCHAR | FIELD)
#define F   FIELD
#define F16 F, F, F, F, F, F, F, F, F, F, F, F, F, F, F, F
static const uint8_t octet_class[256] = {
    0,   0,   0,   0,   0,   0,   0,   0,   0, F, 0, 0, 0, 0, 0, 0, /* 0x00: only HTAB */
    0,   0,   0,   0,   0,   0,   0,   0,   0, 0, 0, 0, 0, 0, 0, 0, /* 0x10 */
    F,   T,   F,   T,   T,   T,   T,   T,   F, F, T, T, F, T, T, F, /* 0x20:  !"#$%&'()*+,-./ */
    T,   T,   T,   T,   T,   T,   T,   T,   T, T, F, F, F, F, F, F, /* 0x30: 0-9 :;<=>? */
    F,   T,   T,   T,   T,   T,   T,   T,   T, T, T, T, T, T, T, T, /* 0x40: @A-O */
    T,   T,   T,   T,   T,   T,   T,   T,   T, T, T, F, F, F, T, T, /* 0x50: P-Z [\]^_ */
    T,   T,   T,   T,   T,   T,   T,   T,   T, T, T, T, T, T, T, T, /* 0x60: `a-o */
    T,   T,   T,   T,   T,   T,   T,   T,   T, T, T, F, T, F, T, 0, /* 0x70: p-z {|}~ DEL */
    F16, F16, F16, F16, F16, F16, F16, F16,                         /* 0x80-0xff: obs-text */
};
#undef T
#undef F
#undef F16

bool handshake_is_tchar(uint8_t c) {
    return (octet_class[c] & TCHAR) != 0;
}

bool handshake_is_field_text(const char *p, size_t len) {
    const uint8_t *u = (const uint8_t *)p;
    uint8_t all = FIELD;
    size_t i = 0;
    /* Eight octets a round: values are most of a head's octets. */
    for (; len - i >= 8; i += 8) {
        all &= octet_class[u[i]] & octet_class[u[i + 1]] & octet_class[u[i + 2]] &
               octet_class[u[i + 3]] & octet_class[u[i + 4]] & octet_class[u[i + 5]] &
               octet_class[u[i + 6]] & octet_class[u[i + 7]];
    }
    for (; i < len; i++)
        all &= octet_class[u[i]];
    return (all & FIELD) != 0;
}

struct handshake_view handshake_view_trim(struct handshake_view v) {
    while (v.len > 0 && is_ows((uint8_t)v.ptr[0])) {
        v.ptr++;
        v.len--;
    }
    while (v.len > 0 && is_ows((uint8_t)v.ptr[v.len - 1]))
        v.len--;
    return v;
}

/* Compare a view with a C string, ASCII case-insensitively (no locale). */
static bool mem_eq_nocase(const char *a, const char *b, size_t len) {
    for (size_t i = 0; i < len; i++) {
        if (ascii_lower((uint8_t)a[i]) != ascii_lower((uint8_t)b[i]))
            return false;
    }
    return true;
}

bool handshake_view_eq_nocase(struct handshake_view v, const char *s) {
    size_t slen = strlen(s);
    return v.len == slen && mem_eq_nocase(v.ptr, s, slen);
}

const struct handshake_header *handshake_find_header(const struct handshake_header *headers,
                                                     size_t n, const char *name, size_t *count) {
    const struct handshake_header *first = NULL;
    size_t matches = 0;
    for (size_t i = 0; i < n; i++) {
        if (handshake_view_eq_nocase(headers[i].name, name)) {
            if (!first)
                first = &headers[i];
            matches++;
        }
    }
    if (count)
        *count = matches;
    return first;
}

bool handshake_value_has_token(struct handshake_view value, const char *token) {
    if (value.len == 0)
        return token[0] == '\0';
    size_t start = 0;
    while (start <= value.len) {
        const char *comma =
            value.len > start ? memchr(value.ptr + start, ',', value.len - start) : NULL;
        size_t end = comma ? (size_t)(comma - value.ptr) : value.len;
        struct handshake_view element = {value.ptr + start, end - start};
        if (handshake_view_eq_nocase(handshake_view_trim(element), token))
            return true;
        start = end + 1;
    }
    return false;
}

/* ---- comma lists (RFC 7230 7) ---------------------------------------- */

/* Next element of a comma list (RFC 7230 7 #rule) starting at *pos, commas
 * inside quoted-strings (extension parameters) included in the element.
 * Returns false at the end of the list. Elements are OWS-trimmed and may be
 * empty ("a, ,b"), which callers skip. */
bool handshake_next_element(struct handshake_view list, size_t *pos,
                            struct handshake_view *element) {
    if (*pos > list.len || list.len == 0)
        return false;
    size_t i = *pos;
    bool quoted = false;
    while (i < list.len) {
        char c = list.ptr[i];
        if (quoted && c == '\\' && i + 1 < list.len)
            i++;
        else if (c == '"')
            quoted = !quoted;
        else if (c == ',' && !quoted)
            break;
        i++;
    }
    element->ptr = list.ptr + *pos;
    element->len = i - *pos;
    *element = handshake_view_trim(*element);
    *pos = i + 1;
    return true;
}

/* The extension-token of an extension element: what comes before ";". */
struct handshake_view handshake_extension_token(struct handshake_view element) {
    const char *semi = memchr(element.ptr, ';', element.len);
    if (semi)
        element.len = (size_t)(semi - element.ptr);
    return handshake_view_trim(element);
}

static bool views_eq_nocase(struct handshake_view a, struct handshake_view b) {
    if (a.len != b.len)
        return false;
    for (size_t i = 0; i < a.len; i++) {
        char x = a.ptr[i], y = b.ptr[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

/* Extension tokens are HTTP tokens, compared ASCII case-insensitively. */
bool handshake_extension_offered(struct handshake_view token, const char *offered) {
    if (!offered || token.len == 0)
        return false;
    struct handshake_view list = {offered, strlen(offered)};
    struct handshake_view element;
    size_t pos = 0;
    while (handshake_next_element(list, &pos, &element)) {
        if (views_eq_nocase(token, handshake_extension_token(element)))
            return true;
    }
    return false;
}

bool handshake_protocol_offered(struct handshake_view chosen, const char *offered) {
    if (!offered || chosen.len == 0)
        return false;
    struct handshake_view list = {offered, strlen(offered)};
    struct handshake_view element;
    size_t pos = 0;
    while (handshake_next_element(list, &pos, &element)) {
        /* Subprotocol names are compared exactly: the registry of 6455:11.5
         * holds them as given, and the server must echo one of ours. */
        if (element.len == chosen.len && element.len > 0 &&
            memcmp(element.ptr, chosen.ptr, chosen.len) == 0)
            return true;
    }
    return false;
}

/* ---- lines and header fields ---------------------------------------- */

long handshake_next_line(const uint8_t *buf, size_t len, size_t pos, struct handshake_view *line) {
    if (pos > len)
        return WS_ERR_HANDSHAKE_SYNTAX;
    /* A line of HANDSHAKE_MAX_LINE octets plus CR LF is the longest we look at. */
    size_t window = len - pos;
    bool window_cut = false;
    if (window > (size_t)HANDSHAKE_MAX_LINE + 2) {
        window = (size_t)HANDSHAKE_MAX_LINE + 2;
        window_cut = true;
    }
    const uint8_t *lf = window ? memchr(buf + pos, '\n', window) : NULL;
    if (!lf) {
        if (window_cut)
            return WS_ERR_HANDSHAKE_LINE_TOO_LONG;
        /* The line has not ended yet: a CR at the end may still become its
         * terminator, every other octet already counts against the limit. */
        size_t content = window;
        if (content > 0 && buf[len - 1] == '\r')
            content--;
        if (content > HANDSHAKE_MAX_LINE)
            return WS_ERR_HANDSHAKE_LINE_TOO_LONG;
        /* The head now needs at least one more octet (this line's LF). */
        if (len >= HANDSHAKE_MAX_HEAD)
            return WS_ERR_HANDSHAKE_HEAD_TOO_BIG;
        return HANDSHAKE_NEED_MORE;
    }
    size_t lf_at = (size_t)(lf - buf);
    size_t end = lf_at;
    if (end > pos && buf[end - 1] == '\r')
        end--;
    if (end - pos > HANDSHAKE_MAX_LINE)
        return WS_ERR_HANDSHAKE_LINE_TOO_LONG;
    size_t after = lf_at + 1;
    /* An empty line ends the head at `after`; any other line needs at least
     * one more octet (the empty line's LF) after it. */
    if (after > HANDSHAKE_MAX_HEAD || (end > pos && after >= HANDSHAKE_MAX_HEAD))
        return WS_ERR_HANDSHAKE_HEAD_TOO_BIG;
    line->ptr = (const char *)buf + pos;
    line->len = end - pos;
    return (long)after; /* > 0: the LF is at or after pos */
}

/* One "name: value" line (RFC 7230 3.2: field-name ":" OWS field-value
 * OWS). The name must be a token, so whitespace before the colon, control
 * characters or separators in the name are syntax errors. */
static long parse_header_line(struct handshake_view line, struct handshake_header *out) {
    const uint8_t *p = (const uint8_t *)line.ptr;
    size_t name_len = 0;
    while (name_len < line.len && handshake_is_tchar(p[name_len]))
        name_len++;
    if (name_len == 0 || name_len == line.len || p[name_len] != ':')
        return WS_ERR_HANDSHAKE_SYNTAX;
    struct handshake_view value = {line.ptr + name_len + 1, line.len - name_len - 1};
    value = handshake_view_trim(value);
    /* A stray CR, a NUL or another control octet is never part of a value:
     * accepting one is how header injection gets through. */
    if (!handshake_is_field_text(value.ptr, value.len))
        return WS_ERR_HANDSHAKE_SYNTAX;
    out->name.ptr = line.ptr;
    out->name.len = name_len;
    out->value = value;
    return 0;
}

long handshake_parse_header_lines(const uint8_t *buf, size_t len, size_t pos,
                                  struct handshake_header headers[HANDSHAKE_MAX_HEADERS],
                                  size_t *count) {
    size_t n = 0;
    for (;;) {
        struct handshake_view line;
        long next = handshake_next_line(buf, len, pos, &line);
        if (next <= 0)
            return next; /* HANDSHAKE_NEED_MORE or an error */
        if (line.len == 0) {
            *count = n;
            return next;
        }
        /* RFC 7230 3.2.4: "A server that receives an obs-fold in a request
         * message ... MUST either reject the message" - we reject it on both
         * sides; a continuation line is how header smuggling starts. */
        if (line.ptr[0] == ' ' || line.ptr[0] == '\t')
            return WS_ERR_HANDSHAKE_SYNTAX;
        if (n == HANDSHAKE_MAX_HEADERS)
            return WS_ERR_HANDSHAKE_TOO_MANY_HEADERS;
        long rc = parse_header_line(line, &headers[n]);
        if (rc != 0)
            return rc;
        n++;
        pos = (size_t)next;
    }
}

/* ---- end of head ------------------------------------------------------ */

long handshake_head_complete(const uint8_t *buf, size_t len, size_t *scan_pos) {
    /* The head ends at the first LF followed by an optional CR and an LF:
     * that covers "\r\n\r\n", "\n\n" and the mixed forms, exactly the empty
     * line the parsers stop at. *scan_pos is the first LF (or offset) not
     * yet decided, so a head fed one octet at a time is scanned once. */
    size_t i = *scan_pos;
    if (i > len)
        i = len;
    while (i < len) {
        const uint8_t *lf = memchr(buf + i, '\n', len - i);
        if (!lf) {
            i = len;
            break;
        }
        i = (size_t)(lf - buf);
        if (i + 1 >= len)
            break; /* undecided until the next octet arrives */
        size_t end = 0;
        if (buf[i + 1] == '\n') {
            end = i + 2;
        } else if (buf[i + 1] == '\r') {
            if (i + 2 >= len)
                break;
            if (buf[i + 2] == '\n')
                end = i + 3;
        }
        if (end) {
            *scan_pos = i;
            return end > HANDSHAKE_MAX_HEAD ? WS_ERR_HANDSHAKE_HEAD_TOO_BIG : (long)end;
        }
        i++;
    }
    *scan_pos = i;
    /* Any end found later lies past len, so the head would exceed the cap. */
    if (len >= HANDSHAKE_MAX_HEAD)
        return WS_ERR_HANDSHAKE_HEAD_TOO_BIG;
    return HANDSHAKE_NEED_MORE;
}

/* ---- keys ------------------------------------------------------------- */

int handshake_compute_accept(const char *key, size_t key_len, char out[HANDSHAKE_ACCEPT_LEN + 1]) {
    /* 6455:4.2.2 "The value of this header field is constructed by
     * concatenating /key/ ... with the string "258EAFA5-E914-47DA-95CA-
     * C5AB0DC85B11", taking the SHA-1 hash of this concatenated value to
     * obtain a 20-byte value and base64-encoding ... this 20-byte hash." */
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    int rc = WS_ERR_INTERNAL;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx)
        return WS_ERR_NOMEM;
    if (EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) != 1)
        goto out;
    if (key_len > 0 && EVP_DigestUpdate(ctx, key, key_len) != 1)
        goto out;
    if (EVP_DigestUpdate(ctx, HANDSHAKE_GUID, sizeof HANDSHAKE_GUID - 1) != 1)
        goto out;
    if (EVP_DigestFinal_ex(ctx, digest, &digest_len) != 1 || digest_len != 20)
        goto out;
    if (EVP_EncodeBlock((unsigned char *)out, digest, 20) != HANDSHAKE_ACCEPT_LEN)
        goto out;
    rc = 0;
out:
    EVP_MD_CTX_free(ctx);
    return rc;
}

void handshake_make_key(const uint8_t nonce[16], char out[HANDSHAKE_KEY_LEN + 1]) {
    /* 6455:4.1 "The value of this header field MUST be a nonce consisting of
     * a randomly selected 16-byte value that has been base64-encoded". */
    EVP_EncodeBlock((unsigned char *)out, nonce, 16);
}

/* ---- names ------------------------------------------------------------ */

const char *handshake_response_problem_name(enum handshake_response_problem p) {
    switch (p) {
    case HANDSHAKE_RESP_OK: return "ok";
    case HANDSHAKE_RESP_NOT_101: return "status is not 101";
    case HANDSHAKE_RESP_NO_UPGRADE: return "Upgrade is missing or not websocket";
    case HANDSHAKE_RESP_NO_CONNECTION: return "Connection lacks the Upgrade token";
    case HANDSHAKE_RESP_NO_ACCEPT: return "Sec-WebSocket-Accept is missing";
    case HANDSHAKE_RESP_BAD_ACCEPT: return "Sec-WebSocket-Accept is wrong";
    case HANDSHAKE_RESP_DUP_ACCEPT: return "more than one Sec-WebSocket-Accept";
    case HANDSHAKE_RESP_UNOFFERED_EXTENSION: return "extension not offered by the client";
    case HANDSHAKE_RESP_UNOFFERED_PROTOCOL: return "subprotocol not offered by the client";
    case HANDSHAKE_RESP_NOT_HTTP: return "the answer is not an HTTP/1.x response head";
    }
    return "unknown response problem";
}
