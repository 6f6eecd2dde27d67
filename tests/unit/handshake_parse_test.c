/* handshake_parse_test: the parsing half of the handshake module: the
 * end-of-head scan, the request and response parsers, their syntax rules,
 * octet classes and hard limits. Expected values come from RFC 6455 (the
 * 1.2/1.3 example heads), RFC 7230's grammar, or are worked out by hand;
 * every parser input sits right before a PROT_NONE page (guard_copy), so a
 * one-byte over-read faults at once. */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/errors.h"
#include "codec/handshake.h"
#include "codec/handshake_int.h"
#include "test.h"

/* 6455:1.2 / 1.3, the client's and the server's handshake. */
#define RFC_KEY    "dGhlIHNhbXBsZSBub25jZQ=="
#define RFC_ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
static const char rfc_request[] = "GET /chat HTTP/1.1\r\n"
                                  "Host: server.example.com\r\n"
                                  "Upgrade: websocket\r\n"
                                  "Connection: Upgrade\r\n"
                                  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                  "Origin: http://example.com\r\n"
                                  "Sec-WebSocket-Protocol: chat, superchat\r\n"
                                  "Sec-WebSocket-Version: 13\r\n"
                                  "\r\n";
static const char rfc_response[] = "HTTP/1.1 101 Switching Protocols\r\n"
                                   "Upgrade: websocket\r\n"
                                   "Connection: Upgrade\r\n"
                                   "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                                   "Sec-WebSocket-Protocol: chat\r\n"
                                   "\r\n";
/* 6455:5.7 "A single-frame unmasked text message": 0x81 0x05 "Hello". */
static const char hello_frame[] = "\x81\x05Hello";

/* A copy of the input that ends at a guard page; views point into it, so it
 * lives until the test frees it. */
static long parse_resp(const void *text, size_t len, struct handshake_response *r,
                       struct guarded *g) {
    *g = guard_copy(text, len);
    return handshake_parse_response(g->data, len, r);
}

static long parse_req(const void *text, size_t len, struct handshake_request *r,
                      struct guarded *g) {
    *g = guard_copy(text, len);
    return handshake_parse_request(g->data, len, r);
}

static bool view_is(struct handshake_view v, const char *s) {
    return v.len == strlen(s) && memcmp(v.ptr, s, v.len) == 0;
}

/* Start lines shared by the syntax and limit tests. */
#define R101   "HTTP/1.1 101 Switching Protocols\r\n"
#define Q_LINE "GET /chat HTTP/1.1\r\n"

/* ---- the RFC's example heads ------------------------------------------ */

static void test_parse_rfc_request(void) {
    struct handshake_request r;
    struct guarded g;
    long rc = parse_req(rfc_request, strlen(rfc_request), &r, &g);
    CHECK_EQ(rc, (long)strlen(rfc_request));
    CHECK(view_is(r.method, "GET"));
    CHECK(view_is(r.target, "/chat"));
    CHECK_EQ(r.minor_version, 1);
    CHECK_EQ(r.header_count, 7);
    CHECK(view_is(r.headers[0].name, "Host"));
    CHECK(view_is(r.headers[0].value, "server.example.com"));
    CHECK(view_is(r.headers[4].name, "Origin"));
    CHECK(view_is(r.headers[4].value, "http://example.com"));
    CHECK(view_is(r.headers[5].value, "chat, superchat"));
    CHECK(view_is(r.headers[6].name, "Sec-WebSocket-Version"));
    CHECK(view_is(r.headers[6].value, "13"));

    struct handshake_server_verdict v;
    handshake_check_request(&r, &v);
    CHECK_EQ(v.status, 101);
    CHECK(view_is(v.key, RFC_KEY));
    CHECK(view_is(v.protocols, "chat, superchat"));
    CHECK(v.extensions.ptr == NULL && v.extensions.len == 0);

    /* The server's answer of 6455:1.2, byte for byte. */
    struct buf out = {0};
    CHECK_EQ(handshake_build_response(&v, NULL, "chat", NULL, &out), 0);
    CHECK_MEM(out.data, out.len, rfc_response, strlen(rfc_response));
    buf_free(&out);

    /* Every proper prefix is an incomplete head, never an error. */
    for (size_t i = 0; i < strlen(rfc_request); i++) {
        struct guarded p = guard_copy(rfc_request, i);
        CHECK_EQ(handshake_parse_request(p.data, i, &r), HANDSHAKE_NEED_MORE);
        guard_free(&p);
    }
    guard_free(&g);
}

static void test_parse_rfc_response(void) {
    struct handshake_response r;
    struct guarded g;
    long rc = parse_resp(rfc_response, strlen(rfc_response), &r, &g);
    CHECK_EQ(rc, (long)strlen(rfc_response));
    CHECK_EQ(r.minor_version, 1);
    CHECK_EQ(r.status, 101);
    CHECK(view_is(r.reason, "Switching Protocols"));
    CHECK_EQ(r.header_count, 4);
    CHECK(view_is(r.headers[2].name, "Sec-WebSocket-Accept"));
    CHECK(view_is(r.headers[2].value, RFC_ACCEPT));
    size_t count = 0;
    const struct handshake_header *h =
        handshake_find_header(r.headers, r.header_count, "sec-websocket-accept", &count);
    CHECK(h == &r.headers[2]);
    CHECK_EQ(count, 1);
    CHECK(handshake_find_header(r.headers, r.header_count, "Origin", &count) == NULL);
    CHECK_EQ(count, 0);

    CHECK_EQ(handshake_check_response(&r, RFC_KEY, "chat, superchat", NULL), HANDSHAKE_RESP_OK);
    CHECK_EQ(handshake_check_response(&r, RFC_KEY, NULL, NULL), HANDSHAKE_RESP_UNOFFERED_PROTOCOL);
    CHECK_EQ(handshake_check_response(&r, RFC_KEY, "superchat", NULL),
             HANDSHAKE_RESP_UNOFFERED_PROTOCOL);
    CHECK_EQ(handshake_check_response(&r, RFC_KEY, "Chat", NULL),
             HANDSHAKE_RESP_UNOFFERED_PROTOCOL);
    CHECK_EQ(handshake_check_response(&r, "AQIDBAUGBwgJCgsMDQ4PEA==", "chat", NULL),
             HANDSHAKE_RESP_BAD_ACCEPT);

    for (size_t i = 0; i < strlen(rfc_response); i++) {
        struct guarded p = guard_copy(rfc_response, i);
        CHECK_EQ(handshake_parse_response(p.data, i, &r), HANDSHAKE_NEED_MORE);
        guard_free(&p);
    }
    guard_free(&g);
}

static void test_frame_after_head(void) {
    /* curl #22107: a frame that arrives in the same read as the 101 must
     * stay where the return value says. */
    char wire[512];
    size_t head_len = strlen(rfc_response);
    memcpy(wire, rfc_response, head_len);
    memcpy(wire + head_len, hello_frame, 7);
    struct handshake_response r;
    struct guarded g;
    CHECK_EQ(parse_resp(wire, head_len + 7, &r, &g), (long)head_len);
    CHECK_MEM(g.data + head_len, 7, hello_frame, 7);
    size_t scan = 0;
    CHECK_EQ(handshake_head_complete(g.data, head_len + 7, &scan), (long)head_len);
    guard_free(&g);

    /* Frame bytes that look like a header or a blank line change nothing. */
    memcpy(wire + head_len, "\n\nX: y\r\n", 8);
    CHECK_EQ(parse_resp(wire, head_len + 8, &r, &g), (long)head_len);
    CHECK_EQ(r.header_count, 4);
    guard_free(&g);
}

/* ---- handshake_head_complete ------------------------------------------------- */

static void test_head_complete_bytewise(void) {
    char wire[512];
    size_t head_len = strlen(rfc_response);
    memcpy(wire, rfc_response, head_len);
    memcpy(wire + head_len, hello_frame, 7);
    size_t total = head_len + 7;
    struct guarded g = guard_copy(wire, total);
    size_t scan = 0;
    long got = HANDSHAKE_NEED_MORE;
    size_t fed = 0;
    while (fed < total && got == HANDSHAKE_NEED_MORE) {
        fed++;
        got = handshake_head_complete(g.data, fed, &scan);
        /* Resumable: after "need more" nothing before the last two octets
         * is ever looked at again. */
        if (got == HANDSHAKE_NEED_MORE)
            CHECK(scan + 2 >= fed && scan <= fed);
    }
    CHECK_EQ(got, (long)head_len);
    CHECK_EQ(fed, head_len);
    guard_free(&g);

    /* Bare LF and mixed line ends end the head too. */
    static const struct {
        const char *text;
        long end;
    } ends[] = {
        {"HTTP/1.1 101 X\n\n", 16},
        {"HTTP/1.1 101 X\nA: b\n\r\nzz", 22},
        {"HTTP/1.1 101 X\r\nA: b\r\n\nzz", 23},
        {"HTTP/1.1 101 X\r\n\r", HANDSHAKE_NEED_MORE},
        {"HTTP/1.1 101 X\r\r\n", HANDSHAKE_NEED_MORE},
        {"", HANDSHAKE_NEED_MORE},
    };
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
        size_t len = strlen(ends[i].text);
        struct guarded e = guard_copy(ends[i].text, len);
        size_t one_shot_scan = 0;
        CHECK_EQ(handshake_head_complete(e.data, len, &one_shot_scan), ends[i].end);
        size_t byte_scan = 0;
        long last = HANDSHAKE_NEED_MORE;
        for (size_t n = 1; n <= len && last == HANDSHAKE_NEED_MORE; n++)
            last = handshake_head_complete(e.data, n, &byte_scan);
        CHECK_EQ(last, ends[i].end);
        guard_free(&e);
    }
}

static void test_head_complete_limits(void) {
    size_t size = HANDSHAKE_MAX_HEAD + 16;
    char *text = malloc(size);
    memset(text, 'a', size);
    struct guarded g = guard_copy(text, HANDSHAKE_MAX_HEAD - 1);
    size_t scan = 0;
    CHECK_EQ(handshake_head_complete(g.data, HANDSHAKE_MAX_HEAD - 1, &scan), HANDSHAKE_NEED_MORE);
    guard_free(&g);
    g = guard_copy(text, HANDSHAKE_MAX_HEAD);
    scan = 0;
    CHECK_EQ(handshake_head_complete(g.data, HANDSHAKE_MAX_HEAD, &scan),
             WS_ERR_HANDSHAKE_HEAD_TOO_BIG);
    guard_free(&g);
    /* A head that ends exactly at the cap is fine; one octet more is not. */
    memcpy(text + HANDSHAKE_MAX_HEAD - 4, "\r\n\r\n", 4);
    g = guard_copy(text, HANDSHAKE_MAX_HEAD + 8);
    scan = 0;
    CHECK_EQ(handshake_head_complete(g.data, HANDSHAKE_MAX_HEAD + 8, &scan), HANDSHAKE_MAX_HEAD);
    guard_free(&g);
    memset(text, 'a', size);
    memcpy(text + HANDSHAKE_MAX_HEAD - 3, "\r\n\r\n", 4);
    g = guard_copy(text, HANDSHAKE_MAX_HEAD + 8);
    scan = 0;
    CHECK_EQ(handshake_head_complete(g.data, HANDSHAKE_MAX_HEAD + 8, &scan),
             WS_ERR_HANDSHAKE_HEAD_TOO_BIG);
    guard_free(&g);
    free(text);
}

/* ---- syntax and limits -------------------------------------------------- */

static long resp_status_of(const char *text) {
    struct handshake_response r;
    struct guarded g;
    long rc = parse_resp(text, strlen(text), &r, &g);
    guard_free(&g);
    return rc;
}

static long req_status_of(const char *text) {
    struct handshake_request r;
    struct guarded g;
    long rc = parse_req(text, strlen(text), &r, &g);
    guard_free(&g);
    return rc;
}

static void test_syntax(void) {
    CHECK_EQ(resp_status_of("HTTP/1.1 101\r\n\r\n"), 16);
    CHECK_EQ(resp_status_of("HTTP/1.0 101 \r\n\r\n"), 17);
    CHECK_EQ(resp_status_of("HTTP/1.1 101 Switching Protocols\nA: b\n\n"), 39);
    CHECK_EQ(resp_status_of("HTTP/2 101 X\r\n\r\n"), WS_ERR_HANDSHAKE_SYNTAX);
    CHECK_EQ(resp_status_of("HTTP/1.1 10 X\r\n\r\n"), WS_ERR_HANDSHAKE_SYNTAX);
    CHECK_EQ(resp_status_of("HTTP/1.1 1010 X\r\n\r\n"), WS_ERR_HANDSHAKE_SYNTAX);
    CHECK_EQ(resp_status_of("HTTP/1.1  101 X\r\n\r\n"), WS_ERR_HANDSHAKE_SYNTAX);
    /* 9112:4 "A client SHOULD ignore the reason-phrase content": control
     * octets in it do not make the answer any less a response with that
     * status (a raw 400 is still a 400). */
    {
        static const char raw_reason[] = "HTTP/1.1 400 Bad\x01Req\0uest\rX\xff\r\nA: b\r\n\r\n";
        struct handshake_response r;
        struct guarded g;
        CHECK_EQ(parse_resp(raw_reason, sizeof raw_reason - 1, &r, &g),
                 (long)(sizeof raw_reason - 1));
        CHECK_EQ(r.status, 400);
        CHECK_MEM(r.reason.ptr, r.reason.len, "Bad\x01Req\0uest\rX\xff", 15);
        CHECK_EQ(r.header_count, 1);
        guard_free(&g);
    }
    CHECK_EQ(resp_status_of("\r\nHTTP/1.1 101 X\r\n\r\n"), WS_ERR_HANDSHAKE_SYNTAX);
    /* Not HTTP at all: said before the line ends. */
    CHECK_EQ(resp_status_of("ICY 200"), WS_ERR_HANDSHAKE_SYNTAX);
    CHECK_EQ(resp_status_of("\x16\x03\x01"), WS_ERR_HANDSHAKE_SYNTAX);
    CHECK_EQ(resp_status_of("HTTP/1"), HANDSHAKE_NEED_MORE);

    CHECK_EQ(resp_status_of(R101 "Upgrade websocket\r\n\r\n"), WS_ERR_HANDSHAKE_SYNTAX);
    CHECK_EQ(resp_status_of(R101 "Upgrade : websocket\r\n\r\n"), WS_ERR_HANDSHAKE_SYNTAX);
    CHECK_EQ(resp_status_of(R101 ": websocket\r\n\r\n"), WS_ERR_HANDSHAKE_SYNTAX);
    CHECK_EQ(resp_status_of(R101 "Up\x01grade: websocket\r\n\r\n"), WS_ERR_HANDSHAKE_SYNTAX);
    CHECK_EQ(resp_status_of(R101 "Up(grade): websocket\r\n\r\n"), WS_ERR_HANDSHAKE_SYNTAX);
    CHECK_EQ(resp_status_of(R101 "Upgrade: web\rsocket\r\n\r\n"), WS_ERR_HANDSHAKE_SYNTAX);
    CHECK_EQ(resp_status_of(R101 "Upgrade: websocket\r\r\n\r\n"), WS_ERR_HANDSHAKE_SYNTAX);
    CHECK_EQ(resp_status_of(R101 "Upgrade: web\x7fsocket\r\n\r\n"), WS_ERR_HANDSHAKE_SYNTAX);
    /* obs-fold, also before the first header. */
    CHECK_EQ(resp_status_of(R101 "Upgrade:\r\n websocket\r\n\r\n"), WS_ERR_HANDSHAKE_SYNTAX);
    CHECK_EQ(resp_status_of(R101 "\tUpgrade: websocket\r\n\r\n"), WS_ERR_HANDSHAKE_SYNTAX);
    {
        static const char nul_value[] = R101 "Upgrade: web\0socket\r\n\r\n";
        struct handshake_response r;
        struct guarded g;
        CHECK_EQ(parse_resp(nul_value, sizeof nul_value - 1, &r, &g), WS_ERR_HANDSHAKE_SYNTAX);
        guard_free(&g);
    }
    /* Values: OWS trimmed, inner spaces and obs-text kept, empty allowed. */
    {
        static const char text[] = R101 "X-A: \t a  b \t\r\nX-B:\r\nX-C: \xc3\xa9\r\n\r\n";
        struct handshake_response r;
        struct guarded g;
        CHECK_EQ(parse_resp(text, strlen(text), &r, &g), (long)strlen(text));
        CHECK_EQ(r.header_count, 3);
        CHECK(view_is(r.headers[0].value, "a  b"));
        CHECK_EQ(r.headers[1].value.len, 0);
        CHECK(view_is(r.headers[2].value, "\xc3\xa9"));
        guard_free(&g);
    }

    CHECK_EQ(req_status_of("GET /chat HTTP/1.1\r\n\r\n"), 22);
    CHECK_EQ(req_status_of("GET http://a.example/chat?x=1 HTTP/1.1\n\n"), 40);
    CHECK_EQ(req_status_of("GET /chat HTTP/1.1 \r\n\r\n"), WS_ERR_HANDSHAKE_SYNTAX);
    CHECK_EQ(req_status_of("GET  /chat HTTP/1.1\r\n\r\n"), WS_ERR_HANDSHAKE_SYNTAX);
    CHECK_EQ(req_status_of("GET /chat\r\n\r\n"), WS_ERR_HANDSHAKE_SYNTAX);
    CHECK_EQ(req_status_of("GET /chat HTTP/2.0\r\n\r\n"), WS_ERR_HANDSHAKE_SYNTAX);
    CHECK_EQ(req_status_of("GET /ch\x01t HTTP/1.1\r\n\r\n"), WS_ERR_HANDSHAKE_SYNTAX);
    CHECK_EQ(req_status_of("G(T /chat HTTP/1.1\r\n\r\n"), WS_ERR_HANDSHAKE_SYNTAX);
    CHECK_EQ(req_status_of("GET /chat"), HANDSHAKE_NEED_MORE);
    CHECK_EQ(req_status_of("\x16\x03\x01\x02"), WS_ERR_HANDSHAKE_SYNTAX);
    CHECK_EQ(req_status_of(Q_LINE "Host: a\r\n Upgrade: websocket\r\n\r\n"),
             WS_ERR_HANDSHAKE_SYNTAX);

    /* Need-more is no error: 0, outside every band, so `rc < 0` is exactly
     * "failed" and the failures name themselves through ws_strerror. */
    CHECK_EQ(HANDSHAKE_NEED_MORE, 0);
    CHECK_EQ(ws_error_band(HANDSHAKE_NEED_MORE), 0);
    CHECK_EQ(ws_error_band(req_status_of("GET /chat HTTP/2.0\r\n\r\n")), WS_BAND_HANDSHAKE);
    CHECK_STR(ws_strerror(WS_ERR_HANDSHAKE_SYNTAX), "not an HTTP/1.x head");
    CHECK_STR(handshake_response_problem_name(HANDSHAKE_RESP_NOT_HTTP),
              "the answer is not an HTTP/1.x response head");
}

static void test_octet_classes(void) {
    /* RFC 7230 3.2.6: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+"
     * / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA */
    static const char specials[] = "!#$%&'*+-.^_`|~";
    int tchars = 0;
    for (int c = 0; c < 256; c++) {
        bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        bool want = alnum || (c != 0 && strchr(specials, c) != NULL);
        CHECK_EQ(handshake_is_tchar((uint8_t)c), want);
        tchars += want;
        /* field text: HTAB, SP, VCHAR (0x21-0x7e), obs-text (0x80-0xff) */
        char one = (char)c;
        CHECK_EQ(handshake_is_field_text(&one, 1), c == '\t' || (c >= 0x20 && c != 0x7f));
    }
    CHECK_EQ(tchars, 62 + 15);
    CHECK(handshake_is_field_text("", 0));
    CHECK(!handshake_is_field_text("ab\r", 3));
}

/* Build "<start>" + `headers` lines of `value_len` octets + CRLF. */
static char *make_head(const char *start, size_t headers, size_t value_len, size_t *len) {
    size_t cap = strlen(start) + headers * (value_len + 16) + 3;
    char *text = malloc(cap);
    size_t n = strlen(start);
    memcpy(text, start, n);
    for (size_t i = 0; i < headers; i++) {
        n += (size_t)sprintf(text + n, "X-%03zu: ", i % 1000);
        memset(text + n, 'v', value_len);
        n += value_len;
        memcpy(text + n, "\r\n", 2);
        n += 2;
    }
    memcpy(text + n, "\r\n", 2);
    n += 2;
    *len = n;
    return text;
}

static void test_limits(void) {
    struct handshake_response r;
    struct handshake_request q;
    struct guarded g;
    size_t len;
    char *text;

    /* "X-000: " is 7 octets: a line of exactly HANDSHAKE_MAX_LINE parses, one more
     * octet is too long, complete or not. */
    text = make_head(R101, 1, HANDSHAKE_MAX_LINE - 7, &len);
    CHECK_EQ(parse_resp(text, len, &r, &g), (long)len);
    CHECK_EQ(r.headers[0].value.len, HANDSHAKE_MAX_LINE - 7);
    guard_free(&g);
    free(text);
    text = make_head(R101, 1, HANDSHAKE_MAX_LINE - 6, &len);
    CHECK_EQ(parse_resp(text, len, &r, &g), WS_ERR_HANDSHAKE_LINE_TOO_LONG);
    guard_free(&g);
    size_t line_start = strlen(R101);
    /* Cut inside the long line: HANDSHAKE_MAX_LINE + 1 octets and no end yet. */
    CHECK_EQ(parse_resp(text, line_start + HANDSHAKE_MAX_LINE + 1, &r, &g),
             WS_ERR_HANDSHAKE_LINE_TOO_LONG);
    guard_free(&g);
    CHECK_EQ(parse_req(text, line_start + HANDSHAKE_MAX_LINE + 1, &q, &g), WS_ERR_HANDSHAKE_SYNTAX);
    guard_free(&g);
    free(text);
    /* HANDSHAKE_MAX_LINE octets, then a CR whose LF has not come: still fine. */
    text = make_head(R101, 1, HANDSHAKE_MAX_LINE - 7, &len);
    CHECK_EQ(parse_resp(text, line_start + HANDSHAKE_MAX_LINE, &r, &g), HANDSHAKE_NEED_MORE);
    guard_free(&g);
    CHECK_EQ(parse_resp(text, line_start + HANDSHAKE_MAX_LINE + 1, &r, &g), HANDSHAKE_NEED_MORE);
    guard_free(&g);
    free(text);
    /* A start line that never ends. */
    text = malloc(HANDSHAKE_MAX_LINE + 8);
    memcpy(text, "HTTP/1.1 101 ", 13);
    memset(text + 13, 'x', HANDSHAKE_MAX_LINE - 5);
    CHECK_EQ(parse_resp(text, HANDSHAKE_MAX_LINE + 1, &r, &g), WS_ERR_HANDSHAKE_LINE_TOO_LONG);
    guard_free(&g);
    CHECK_EQ(parse_resp(text, HANDSHAKE_MAX_LINE, &r, &g), HANDSHAKE_NEED_MORE);
    guard_free(&g);
    free(text);

    /* HANDSHAKE_MAX_HEADERS headers parse, one more does not. */
    text = make_head(R101, HANDSHAKE_MAX_HEADERS, 4, &len);
    CHECK_EQ(parse_resp(text, len, &r, &g), (long)len);
    CHECK_EQ(r.header_count, HANDSHAKE_MAX_HEADERS);
    guard_free(&g);
    free(text);
    text = make_head(R101, HANDSHAKE_MAX_HEADERS + 1, 4, &len);
    CHECK_EQ(parse_resp(text, len, &r, &g), WS_ERR_HANDSHAKE_TOO_MANY_HEADERS);
    guard_free(&g);
    free(text);
    text = make_head(Q_LINE, HANDSHAKE_MAX_HEADERS + 1, 4, &len);
    CHECK_EQ(parse_req(text, len, &q, &g), WS_ERR_HANDSHAKE_TOO_MANY_HEADERS);
    guard_free(&g);
    free(text);

    /* 90 lines of 800 octets: within the line and count limits, over
     * HANDSHAKE_MAX_HEAD in all, complete or cut short. */
    text = make_head(R101, 90, 793, &len);
    CHECK(len > HANDSHAKE_MAX_HEAD);
    CHECK_EQ(parse_resp(text, len, &r, &g), WS_ERR_HANDSHAKE_HEAD_TOO_BIG);
    guard_free(&g);
    CHECK_EQ(parse_resp(text, HANDSHAKE_MAX_HEAD + 10, &r, &g), WS_ERR_HANDSHAKE_HEAD_TOO_BIG);
    guard_free(&g);
    CHECK_EQ(parse_req(text, HANDSHAKE_MAX_HEAD, &q, &g), WS_ERR_HANDSHAKE_SYNTAX);
    guard_free(&g);
    size_t scan = 0;
    g = guard_copy(text, len);
    CHECK_EQ(handshake_head_complete(g.data, len, &scan), WS_ERR_HANDSHAKE_HEAD_TOO_BIG);
    guard_free(&g);
    free(text);
    text = make_head(Q_LINE, 90, 793, &len);
    CHECK_EQ(parse_req(text, len, &q, &g), WS_ERR_HANDSHAKE_HEAD_TOO_BIG);
    guard_free(&g);
    free(text);

    /* Exactly HANDSHAKE_MAX_HEAD octets: 34 + 100 * (7 + 646 + 2) + 2 = 65536.
     * With a reason one octet longer the same head is 65537. */
    text = make_head(R101, HANDSHAKE_MAX_HEADERS, 646, &len);
    CHECK_EQ(len, HANDSHAKE_MAX_HEAD);
    CHECK_EQ(parse_resp(text, len, &r, &g), HANDSHAKE_MAX_HEAD);
    guard_free(&g);
    scan = 0;
    g = guard_copy(text, len);
    CHECK_EQ(handshake_head_complete(g.data, len, &scan), HANDSHAKE_MAX_HEAD);
    guard_free(&g);
    free(text);
    text = make_head("HTTP/1.1 101 Switching Protocols!\r\n", HANDSHAKE_MAX_HEADERS, 646, &len);
    CHECK_EQ(len, HANDSHAKE_MAX_HEAD + 1);
    CHECK_EQ(parse_resp(text, len, &r, &g), WS_ERR_HANDSHAKE_HEAD_TOO_BIG);
    guard_free(&g);
    scan = 0;
    g = guard_copy(text, len);
    CHECK_EQ(handshake_head_complete(g.data, len, &scan), WS_ERR_HANDSHAKE_HEAD_TOO_BIG);
    guard_free(&g);
    free(text);
}

/* A long head trickling in one octet at a time costs one scan, not one per
 * octet (tungstenite CVE-2023-43669): with a quadratic scan this test would
 * take about 2^31 octet compares. */
static void test_head_complete_linear(void) {
    size_t len;
    char *text = make_head(R101, 80, 780, &len);
    CHECK(len < HANDSHAKE_MAX_HEAD);
    struct guarded g = guard_copy(text, len);
    size_t scan = 0;
    long got = HANDSHAKE_NEED_MORE;
    size_t fed = 0;
    while (fed < len && got == HANDSHAKE_NEED_MORE)
        got = handshake_head_complete(g.data, ++fed, &scan);
    CHECK_EQ(got, (long)len);
    struct handshake_response r;
    CHECK_EQ(handshake_parse_response(g.data, len, &r), (long)len);
    CHECK_EQ(r.header_count, 80);
    guard_free(&g);
    free(text);
}

int main(void) {
    RUN(test_parse_rfc_request);
    RUN(test_parse_rfc_response);
    RUN(test_frame_after_head);
    RUN(test_head_complete_bytewise);
    RUN(test_head_complete_limits);
    RUN(test_head_complete_linear);
    RUN(test_syntax);
    RUN(test_octet_classes);
    RUN(test_limits);
    TEST_EXIT();
}
