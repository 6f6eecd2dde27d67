/* handshake_test: the RFC 6455 section 4 opening handshake module: keys,
 * building requests and responses, checking responses and judging requests
 * (the parsers are tested in handshake_parse_test.c). Expected values come
 * from RFC 6455 (the 1.2/1.3/4.2.2 examples) or are worked out by hand from
 * it; every parser input sits right before a PROT_NONE page (guard_copy). */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/errors.h"
#include "codec/handshake.h"
#include "codec/handshake_int.h"
#include "test.h"

/* 6455:1.3, the key of the client's handshake and the server's answer. */
#define RFC_KEY    "dGhlIHNhbXBsZSBub25jZQ=="
#define RFC_ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

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

int main(void) {
    RUN(test_accept_rfc_example);
    RUN(test_make_key);
    RUN(test_build_request_defaults);
    RUN(test_build_request_overrides);
    RUN(test_response_problems);
    RUN(test_server_verdicts);
    RUN(test_build_response);
    RUN(test_token_lists);
    TEST_EXIT();
}
