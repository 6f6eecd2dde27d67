/* handshake_test: the RFC 6455 section 4 opening handshake module.
 * Expected values come from RFC 6455 (the 1.2/1.3/4.2.2 examples) or are
 * worked out by hand from it; every parser input sits right before a
 * PROT_NONE page (guard_copy), so a one-byte over-read faults at once. */
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

/* Parse a whole response given as a C string, then check it. */
static enum handshake_response_problem check_resp_text(const char *text, const char *protocols,
                                                       const char *extensions) {
    struct handshake_response r;
    struct guarded g;
    long rc = parse_resp(text, strlen(text), &r, &g);
    CHECK_EQ(rc, (long)strlen(text));
    enum handshake_response_problem p =
        rc > 0 ? handshake_check_response(&r, RFC_KEY, protocols, extensions)
               : (enum handshake_response_problem) - 1;
    guard_free(&g);
    return p;
}

/* Parse a request given as a C string and return the verdict's status. */
static int verdict_for(const char *text) {
    struct handshake_request r;
    struct guarded g;
    struct handshake_server_verdict v;
    long rc = parse_req(text, strlen(text), &r, &g);
    CHECK_EQ(rc, (long)strlen(text));
    if (rc <= 0) {
        guard_free(&g);
        return -1;
    }
    handshake_check_request(&r, &v);
    if (v.status == 101)
        CHECK(v.problem == NULL);
    else
        CHECK(v.problem != NULL);
    guard_free(&g);
    return v.status;
}

/* ---- keys ------------------------------------------------------------- */

static void test_accept_rfc_example(void) {
    char out[HANDSHAKE_ACCEPT_LEN + 1];
    /* 6455:1.3 and 4.2.2: "dGhlIHNhbXBsZSBub25jZQ==" gives
     * "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" (SHA-1 0xb3 0x7a 0x4f 0x2c ...). */
    CHECK_EQ(handshake_compute_accept(RFC_KEY, strlen(RFC_KEY), out), 0);
    CHECK_STR(out, RFC_ACCEPT);
    CHECK_EQ(strlen(out), HANDSHAKE_ACCEPT_LEN);
}

static void test_make_key(void) {
    /* 6455:4.1 item 7's nonce 0x01 .. 0x10. The RFC prints
     * "AQIDBAUGBwgJCgsMDQ4PEC==", whose last character carries non-zero
     * padding bits; encoding by hand (0x10 = 000100|00 -> "E", "A") gives
     * the canonical "...EA==". */
    uint8_t nonce[16];
    for (int i = 0; i < 16; i++)
        nonce[i] = (uint8_t)(i + 1);
    char key[HANDSHAKE_KEY_LEN + 1];
    handshake_make_key(nonce, key);
    CHECK_STR(key, "AQIDBAUGBwgJCgsMDQ4PEA==");
    uint8_t zeros[16] = {0};
    handshake_make_key(zeros, key);
    CHECK_STR(key, "AAAAAAAAAAAAAAAAAAAAAA==");
}

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

/* ---- building requests ------------------------------------------------ */

static int build(const struct handshake_header_override *ov, size_t n, struct buf *out) {
    struct handshake_client_request req = {
        .host = "server.example.com",
        .key = RFC_KEY,
        .overrides = ov,
        .override_count = n,
    };
    buf_clear(out);
    return handshake_build_request(&req, out);
}

#define REQ_LINE "GET / HTTP/1.1\r\n"
#define H_HOST   "Host: server.example.com\r\n"
#define H_UPG    "Upgrade: websocket\r\n"
#define H_CONN   "Connection: Upgrade\r\n"
#define H_KEY    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
#define H_VER    "Sec-WebSocket-Version: 13\r\n"

static void check_built(struct buf *out, const char *expected) {
    CHECK_MEM(out->data, out->len, expected, strlen(expected));
}

static void test_build_request_defaults(void) {
    struct buf out = {0};
    CHECK_EQ(build(NULL, 0, &out), 0);
    check_built(&out, REQ_LINE H_HOST H_UPG H_CONN H_KEY H_VER "\r\n");

    struct handshake_client_request req = {
        .method = "GET",
        .target = "/chat",
        .host = "server.example.com",
        .key = RFC_KEY,
        .protocols = "chat, superchat",
        .extensions = "permessage-deflate; client_max_window_bits",
    };
    buf_clear(&out);
    CHECK_EQ(handshake_build_request(&req, &out), 0);
    check_built(&out, "GET /chat HTTP/1.1\r\n" H_HOST H_UPG H_CONN H_KEY H_VER
                      "Sec-WebSocket-Protocol: chat, superchat\r\n"
                      "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
                      "\r\n");

    /* What we build, our own server accepts. */
    struct handshake_request r;
    struct guarded g;
    CHECK_EQ(parse_req(out.data, out.len, &r, &g), (long)out.len);
    struct handshake_server_verdict v;
    handshake_check_request(&r, &v);
    CHECK_EQ(v.status, 101);
    guard_free(&g);

    req.method = "POST";
    req.target = "/x?y=1";
    req.http_version = "HTTP/1.0";
    req.protocols = req.extensions = NULL;
    buf_clear(&out);
    CHECK_EQ(handshake_build_request(&req, &out), 0);
    check_built(&out, "POST /x?y=1 HTTP/1.0\r\n" H_HOST H_UPG H_CONN H_KEY H_VER "\r\n");
    buf_free(&out);
}

static void test_build_request_overrides(void) {
    struct buf out = {0};

    /* SET replaces in place, matching the name case-insensitively and
     * writing the override's spelling. */
    struct handshake_header_override set_host[] = {{HANDSHAKE_HDR_SET, "host", "evil.example"}};
    CHECK_EQ(build(set_host, 1, &out), 0);
    check_built(&out, REQ_LINE "host: evil.example\r\n" H_UPG H_CONN H_KEY H_VER "\r\n");

    /* SET of a name that is not there appends it. */
    struct handshake_header_override set_new[] = {
        {HANDSHAKE_HDR_SET, "Origin", "http://example.com"}};
    CHECK_EQ(build(set_new, 1, &out), 0);
    check_built(&out, REQ_LINE H_HOST H_UPG H_CONN H_KEY H_VER "Origin: http://example.com\r\n"
                                                               "\r\n");

    /* ADD duplicates. */
    struct handshake_header_override add_key[] = {
        {HANDSHAKE_HDR_ADD, "Sec-WebSocket-Key", "AQIDBAUGBwgJCgsMDQ4PEA=="}};
    CHECK_EQ(build(add_key, 1, &out), 0);
    check_built(&out, REQ_LINE H_HOST H_UPG H_CONN H_KEY H_VER
                "Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEA==\r\n\r\n");

    /* OMIT removes the default. */
    struct handshake_header_override omit[] = {{HANDSHAKE_HDR_OMIT, "UPGRADE", NULL},
                                               {HANDSHAKE_HDR_OMIT, "Sec-WebSocket-Version", NULL}};
    CHECK_EQ(build(omit, 2, &out), 0);
    check_built(&out, REQ_LINE H_HOST H_CONN H_KEY "\r\n");

    /* Applied in order: OMIT then SET brings the name back at the end;
     * SET then ADD gives the replaced line plus a duplicate. */
    struct handshake_header_override seq[] = {{HANDSHAKE_HDR_OMIT, "Host", NULL},
                                              {HANDSHAKE_HDR_SET, "Host", "a"},
                                              {HANDSHAKE_HDR_SET, "Sec-WebSocket-Version", "8"},
                                              {HANDSHAKE_HDR_ADD, "Sec-WebSocket-Version", "13"},
                                              {HANDSHAKE_HDR_SET, "Host", "b"}};
    CHECK_EQ(build(seq, 5, &out), 0);
    check_built(&out, REQ_LINE H_UPG H_CONN H_KEY "Sec-WebSocket-Version: 8\r\n"
                                                  "Host: b\r\n"
                                                  "Sec-WebSocket-Version: 13\r\n\r\n");

    /* Values are written byte for byte, CRLF injection included. */
    struct handshake_header_override inject[] = {
        {HANDSHAKE_HDR_SET, "Connection", "Upgrade\r\nX-Injected: 1"},
        {HANDSHAKE_HDR_SET, "X-Empty", ""}};
    CHECK_EQ(build(inject, 2, &out), 0);
    check_built(&out, REQ_LINE H_HOST H_UPG "Connection: Upgrade\r\nX-Injected: 1\r\n" H_KEY H_VER
                                            "X-Empty: \r\n\r\n");

    /* A NULL name is our caller's bug; the buffer is left as it was. */
    struct handshake_header_override bad[] = {{HANDSHAKE_HDR_SET, NULL, "x"}};
    buf_clear(&out);
    CHECK_EQ(buf_append_str(&out, "keep"), 0);
    struct handshake_client_request req = {
        .host = "h", .key = RFC_KEY, .overrides = bad, .override_count = 1};
    CHECK_EQ(handshake_build_request(&req, &out), WS_ERR_ARG);
    CHECK_MEM(out.data, out.len, "keep", 4);

    /* NULL host and key leave those lines out. */
    struct handshake_client_request bare = {0};
    buf_clear(&out);
    CHECK_EQ(handshake_build_request(&bare, &out), 0);
    check_built(&out, REQ_LINE H_UPG H_CONN H_VER "\r\n");
    buf_free(&out);
}

/* ---- checking responses ----------------------------------------------- */

#define R101   "HTTP/1.1 101 Switching Protocols\r\n"
#define R_UPG  "Upgrade: websocket\r\n"
#define R_CONN "Connection: Upgrade\r\n"
#define R_ACC  "Sec-WebSocket-Accept: " RFC_ACCEPT "\r\n"

static void test_response_problems(void) {
    CHECK_EQ(check_resp_text(R101 R_UPG R_CONN R_ACC "\r\n", NULL, NULL), HANDSHAKE_RESP_OK);
    /* Header names and the Upgrade/Connection values are case-insensitive;
     * the accept value is compared with whitespace around it ignored. */
    CHECK_EQ(check_resp_text("HTTP/1.1 101 Switching Protocols\n"
                             "upgrade: WebSocket\n"
                             "CONNECTION: keep-alive, upgrade\n"
                             "sec-websocket-accept: \t " RFC_ACCEPT " \t\n\n",
                             NULL, NULL),
             HANDSHAKE_RESP_OK);

    CHECK_EQ(check_resp_text("HTTP/1.1 200 OK\r\n" R_UPG R_CONN R_ACC "\r\n", NULL, NULL),
             HANDSHAKE_RESP_NOT_101);
    CHECK_EQ(check_resp_text("HTTP/1.1 401 Unauthorized\r\n\r\n", NULL, NULL),
             HANDSHAKE_RESP_NOT_101);

    CHECK_EQ(check_resp_text(R101 R_CONN R_ACC "\r\n", NULL, NULL), HANDSHAKE_RESP_NO_UPGRADE);
    CHECK_EQ(check_resp_text(R101 "Upgrade: websocket2\r\n" R_CONN R_ACC "\r\n", NULL, NULL),
             HANDSHAKE_RESP_NO_UPGRADE);
    CHECK_EQ(check_resp_text(R101 "Upgrade: h2c, websocket\r\n" R_CONN R_ACC "\r\n", NULL, NULL),
             HANDSHAKE_RESP_NO_UPGRADE);
    CHECK_EQ(check_resp_text(R101 R_UPG R_UPG R_CONN R_ACC "\r\n", NULL, NULL),
             HANDSHAKE_RESP_NO_UPGRADE);

    CHECK_EQ(check_resp_text(R101 R_UPG R_ACC "\r\n", NULL, NULL), HANDSHAKE_RESP_NO_CONNECTION);
    CHECK_EQ(check_resp_text(R101 R_UPG "Connection: keep-alive\r\n" R_ACC "\r\n", NULL, NULL),
             HANDSHAKE_RESP_NO_CONNECTION);
    CHECK_EQ(check_resp_text(R101 R_UPG "Connection: Upgrades\r\n" R_ACC "\r\n", NULL, NULL),
             HANDSHAKE_RESP_NO_CONNECTION);
    /* Two Connection lines form one list. */
    CHECK_EQ(check_resp_text(R101 R_UPG "Connection: keep-alive\r\nConnection: Upgrade\r\n" R_ACC
                                        "\r\n",
                             NULL, NULL),
             HANDSHAKE_RESP_OK);

    CHECK_EQ(check_resp_text(R101 R_UPG R_CONN "\r\n", NULL, NULL), HANDSHAKE_RESP_NO_ACCEPT);
    CHECK_EQ(check_resp_text(R101 R_UPG R_CONN "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo"
                                               "\r\n\r\n",
                             NULL, NULL),
             HANDSHAKE_RESP_BAD_ACCEPT);
    CHECK_EQ(check_resp_text(R101 R_UPG R_CONN "Sec-WebSocket-Accept: S3pPLMBiTxaQ9kYGzzhZRbK+xOo="
                                               "\r\n\r\n",
                             NULL, NULL),
             HANDSHAKE_RESP_BAD_ACCEPT);
    CHECK_EQ(check_resp_text(R101 R_UPG R_CONN "Sec-WebSocket-Accept:\r\n\r\n", NULL, NULL),
             HANDSHAKE_RESP_BAD_ACCEPT);
    CHECK_EQ(check_resp_text(R101 R_UPG R_CONN R_ACC R_ACC "\r\n", NULL, NULL),
             HANDSHAKE_RESP_DUP_ACCEPT);

    const char *pmd = "permessage-deflate; client_max_window_bits";
    CHECK_EQ(check_resp_text(R101 R_UPG R_CONN R_ACC "Sec-WebSocket-Extensions: "
                                                     "permessage-deflate\r\n\r\n",
                             NULL, NULL),
             HANDSHAKE_RESP_UNOFFERED_EXTENSION);
    CHECK_EQ(check_resp_text(R101 R_UPG R_CONN R_ACC "Sec-WebSocket-Extensions: "
                                                     "permessage-deflate; "
                                                     "server_no_context_takeover\r\n\r\n",
                             NULL, pmd),
             HANDSHAKE_RESP_OK);
    CHECK_EQ(check_resp_text(R101 R_UPG R_CONN R_ACC "Sec-WebSocket-Extensions: "
                                                     "x-webkit-deflate-frame\r\n\r\n",
                             NULL, pmd),
             HANDSHAKE_RESP_UNOFFERED_EXTENSION);
    /* 6455:9.1: split across lines, every line counts. */
    CHECK_EQ(check_resp_text(R101 R_UPG R_CONN R_ACC "Sec-WebSocket-Extensions: "
                                                     "permessage-deflate\r\n"
                                                     "Sec-WebSocket-Extensions: foo\r\n\r\n",
                             NULL, pmd),
             HANDSHAKE_RESP_UNOFFERED_EXTENSION);
    /* A comma inside a quoted parameter does not start an extension. */
    CHECK_EQ(check_resp_text(R101 R_UPG R_CONN R_ACC "Sec-WebSocket-Extensions: "
                                                     "permessage-deflate; x=\"a, foo\"\r\n\r\n",
                             NULL, pmd),
             HANDSHAKE_RESP_OK);
    /* Empty list elements are ignored (RFC 7230 7); an element with
     * parameters but no extension-token is not an offered extension. */
    CHECK_EQ(
        check_resp_text(R101 R_UPG R_CONN R_ACC "Sec-WebSocket-Extensions: , \r\n\r\n", NULL, NULL),
        HANDSHAKE_RESP_OK);
    CHECK_EQ(check_resp_text(R101 R_UPG R_CONN R_ACC "Sec-WebSocket-Extensions: ; a=1\r\n\r\n",
                             NULL, pmd),
             HANDSHAKE_RESP_UNOFFERED_EXTENSION);

    CHECK_EQ(
        check_resp_text(R101 R_UPG R_CONN R_ACC "Sec-WebSocket-Protocol: chat\r\n\r\n", NULL, NULL),
        HANDSHAKE_RESP_UNOFFERED_PROTOCOL);
    CHECK_EQ(check_resp_text(R101 R_UPG R_CONN R_ACC "Sec-WebSocket-Protocol: chat, superchat"
                                                     "\r\n\r\n",
                             "chat, superchat", NULL),
             HANDSHAKE_RESP_UNOFFERED_PROTOCOL);
    CHECK_EQ(check_resp_text(R101 R_UPG R_CONN R_ACC "Sec-WebSocket-Protocol: \r\n\r\n",
                             "chat, superchat", NULL),
             HANDSHAKE_RESP_UNOFFERED_PROTOCOL);
    CHECK_EQ(check_resp_text(R101 R_UPG R_CONN R_ACC "Sec-WebSocket-Protocol: superchat\r\n"
                                                     "Sec-WebSocket-Protocol: superchat\r\n\r\n",
                             "chat, superchat", NULL),
             HANDSHAKE_RESP_UNOFFERED_PROTOCOL);
    CHECK_EQ(check_resp_text(R101 R_UPG R_CONN R_ACC "Sec-WebSocket-Protocol: superchat\r\n\r\n",
                             "chat,superchat", NULL),
             HANDSHAKE_RESP_OK);

    for (int p = HANDSHAKE_RESP_OK; p <= HANDSHAKE_RESP_UNOFFERED_PROTOCOL; p++)
        CHECK(handshake_response_problem_name((enum handshake_response_problem)p)[0] != '\0');
}

/* ---- judging requests --------------------------------------------------- */

#define Q_LINE "GET /chat HTTP/1.1\r\n"
#define Q_HOST "Host: server.example.com\r\n"
#define Q_UPG  "Upgrade: websocket\r\n"
#define Q_CONN "Connection: Upgrade\r\n"
#define Q_KEY  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
#define Q_VER  "Sec-WebSocket-Version: 13\r\n"

static void test_server_verdicts(void) {
    CHECK_EQ(verdict_for(Q_LINE Q_HOST Q_UPG Q_CONN Q_KEY Q_VER "\r\n"), 101);
    /* Firefox sends "keep-alive, Upgrade"; lowercase values are fine. */
    CHECK_EQ(
        verdict_for(Q_LINE Q_HOST Q_UPG "Connection: keep-alive, Upgrade\r\n" Q_KEY Q_VER "\r\n"),
        101);
    CHECK_EQ(verdict_for(Q_LINE Q_HOST "upgrade: websocket\r\nconnection: upgrade\r\n" Q_KEY Q_VER
                                       "\r\n"),
             101);
    CHECK_EQ(verdict_for(Q_LINE Q_HOST "Upgrade: h2c, WebSocket\r\n" Q_CONN Q_KEY Q_VER "\r\n"),
             101);
    CHECK_EQ(verdict_for("GET /chat HTTP/1.2\r\n" Q_HOST Q_UPG Q_CONN Q_KEY Q_VER "\r\n"), 101);
    /* 6455:4.1's example key (non-zero padding bits) is 16 octets too. */
    CHECK_EQ(verdict_for(Q_LINE Q_HOST Q_UPG Q_CONN
                         "Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEC==\r\n" Q_VER "\r\n"),
             101);

    CHECK_EQ(verdict_for("POST /chat HTTP/1.1\r\n" Q_HOST Q_UPG Q_CONN Q_KEY Q_VER "\r\n"), 405);
    CHECK_EQ(verdict_for("get /chat HTTP/1.1\r\n" Q_HOST Q_UPG Q_CONN Q_KEY Q_VER "\r\n"), 405);

    CHECK_EQ(verdict_for("GET /chat HTTP/1.0\r\n" Q_HOST Q_UPG Q_CONN Q_KEY Q_VER "\r\n"), 400);
    CHECK_EQ(verdict_for(Q_LINE Q_UPG Q_CONN Q_KEY Q_VER "\r\n"), 400);
    CHECK_EQ(verdict_for(Q_LINE "Host:\r\n" Q_UPG Q_CONN Q_KEY Q_VER "\r\n"), 400);
    CHECK_EQ(verdict_for(Q_LINE Q_HOST Q_HOST Q_UPG Q_CONN Q_KEY Q_VER "\r\n"), 400);
    CHECK_EQ(verdict_for(Q_LINE Q_HOST Q_CONN Q_KEY Q_VER "\r\n"), 400);
    CHECK_EQ(verdict_for(Q_LINE Q_HOST "Upgrade: websockets\r\n" Q_CONN Q_KEY Q_VER "\r\n"), 400);
    CHECK_EQ(verdict_for(Q_LINE Q_HOST Q_UPG Q_KEY Q_VER "\r\n"), 400);
    CHECK_EQ(verdict_for(Q_LINE Q_HOST Q_UPG "Connection: keep-alive\r\n" Q_KEY Q_VER "\r\n"), 400);
    CHECK_EQ(verdict_for(Q_LINE Q_HOST Q_UPG Q_CONN Q_VER "\r\n"), 400);
    CHECK_EQ(verdict_for(Q_LINE Q_HOST Q_UPG Q_CONN Q_KEY Q_KEY Q_VER "\r\n"), 400);
    /* 12 octets of base64 (16 characters), unpadded 22 characters, a bad
     * alphabet character: none decodes to exactly 16 octets. */
    CHECK_EQ(verdict_for(Q_LINE Q_HOST Q_UPG Q_CONN "Sec-WebSocket-Key: AAAAAAAAAAAAAAAA\r\n" Q_VER
                                                    "\r\n"),
             400);
    CHECK_EQ(verdict_for(Q_LINE Q_HOST Q_UPG Q_CONN
                         "Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEA\r\n" Q_VER "\r\n"),
             400);
    CHECK_EQ(verdict_for(Q_LINE Q_HOST Q_UPG Q_CONN
                         "Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4P.A==\r\n" Q_VER "\r\n"),
             400);
    CHECK_EQ(verdict_for(Q_LINE Q_HOST Q_UPG Q_CONN Q_KEY "\r\n"), 400);
    CHECK_EQ(verdict_for(Q_LINE Q_HOST Q_UPG Q_CONN Q_KEY Q_VER Q_VER "\r\n"), 400);

    CHECK_EQ(verdict_for(Q_LINE Q_HOST Q_UPG Q_CONN Q_KEY "Sec-WebSocket-Version: 8\r\n\r\n"), 426);
    CHECK_EQ(verdict_for(Q_LINE Q_HOST Q_UPG Q_CONN Q_KEY "Sec-WebSocket-Version: 13, 8\r\n\r\n"),
             426);
}

static bool contains(const uint8_t *hay, size_t len, const char *needle) {
    size_t n = strlen(needle);
    for (size_t i = 0; n <= len && i <= len - n; i++) {
        if (memcmp(hay + i, needle, n) == 0)
            return true;
    }
    return false;
}

/* Build a refusal, read it back with our own response parser. */
static void check_refusal(int status, const char *must_hold) {
    struct handshake_server_verdict v = {.status = status, .problem = "nope"};
    struct buf out = {0};
    CHECK_EQ(handshake_build_response(&v, NULL, NULL, NULL, &out), 0);
    struct handshake_response r;
    struct guarded g;
    long head = parse_resp(out.data, out.len, &r, &g);
    CHECK(head > 0);
    if (head > 0) {
        CHECK_EQ(r.status, status);
        const struct handshake_header *h =
            handshake_find_header(r.headers, r.header_count, "Connection", NULL);
        CHECK(h && view_is(h->value, "close"));
        h = handshake_find_header(r.headers, r.header_count, "Content-Length", NULL);
        /* The body is "nope\n": 5 octets, and nothing else follows. */
        CHECK(h && view_is(h->value, "5"));
        CHECK_MEM(g.data + head, out.len - (size_t)head, "nope\n", 5);
        CHECK(handshake_check_response(&r, RFC_KEY, NULL, NULL) == HANDSHAKE_RESP_NOT_101);
        if (must_hold)
            CHECK(contains(out.data, (size_t)head, must_hold));
    }
    guard_free(&g);
    buf_free(&out);
}

static void test_build_response(void) {
    check_refusal(400, "HTTP/1.1 400 Bad Request\r\n");
    check_refusal(405, "\r\nAllow: GET\r\n");
    /* 6455:4.4: the 426 names the versions we speak. */
    check_refusal(426, "\r\nSec-WebSocket-Version: 13\r\n");

    /* Fault injection: a wrong accept on purpose, extensions echoed. */
    struct handshake_server_verdict v = {.status = 101, .key = {RFC_KEY, strlen(RFC_KEY)}};
    struct buf out = {0};
    CHECK_EQ(handshake_build_response(&v, "AAAAAAAAAAAAAAAAAAAAAAAAAAA=", NULL,
                                      "permessage-deflate", &out),
             0);
    static const char want[] = "HTTP/1.1 101 Switching Protocols\r\n"
                               "Upgrade: websocket\r\n"
                               "Connection: Upgrade\r\n"
                               "Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n"
                               "Sec-WebSocket-Extensions: permessage-deflate\r\n"
                               "\r\n";
    CHECK_MEM(out.data, out.len, want, strlen(want));
    struct handshake_response r;
    struct guarded g;
    CHECK_EQ(parse_resp(out.data, out.len, &r, &g), (long)out.len);
    CHECK_EQ(handshake_check_response(&r, RFC_KEY, NULL, "permessage-deflate"),
             HANDSHAKE_RESP_BAD_ACCEPT);
    guard_free(&g);

    struct handshake_server_verdict silly = {.status = 20};
    buf_clear(&out);
    CHECK_EQ(handshake_build_response(&silly, NULL, NULL, NULL, &out), WS_ERR_ARG);
    CHECK_EQ(out.len, 0);
    buf_free(&out);
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
    CHECK_EQ(resp_status_of("HTTP/1.1 101 X\x01Y\r\n\r\n"), WS_ERR_HANDSHAKE_SYNTAX);
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

static void test_token_lists(void) {
    struct handshake_view v = {"keep-alive, Upgrade", 19};
    CHECK(handshake_value_has_token(v, "upgrade"));
    CHECK(handshake_value_has_token(v, "KEEP-ALIVE"));
    CHECK(!handshake_value_has_token(v, "Upgrad"));
    struct handshake_view tight = {"keep-alive,Upgrade", 18};
    CHECK(handshake_value_has_token(tight, "Upgrade"));
    struct handshake_view spaced = {" ,\t, Upgrade \t,", 15};
    CHECK(handshake_value_has_token(spaced, "Upgrade"));
    struct handshake_view longer = {"Upgrade2", 8};
    CHECK(!handshake_value_has_token(longer, "Upgrade"));
    struct handshake_view empty = {"", 0};
    CHECK(!handshake_value_has_token(empty, "Upgrade"));
    CHECK(handshake_view_eq_nocase(v, "KEEP-ALIVE, UPGRADE"));
    CHECK(!handshake_view_eq_nocase(v, "keep-alive, Upgrade "));
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
    RUN(test_accept_rfc_example);
    RUN(test_make_key);
    RUN(test_parse_rfc_request);
    RUN(test_parse_rfc_response);
    RUN(test_frame_after_head);
    RUN(test_head_complete_bytewise);
    RUN(test_head_complete_limits);
    RUN(test_head_complete_linear);
    RUN(test_build_request_defaults);
    RUN(test_build_request_overrides);
    RUN(test_response_problems);
    RUN(test_server_verdicts);
    RUN(test_build_response);
    RUN(test_syntax);
    RUN(test_octet_classes);
    RUN(test_token_lists);
    RUN(test_limits);
    TEST_EXIT();
}
