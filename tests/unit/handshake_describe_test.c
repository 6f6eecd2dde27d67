/* handshake_describe_test: the words wsspec uses for a server's answer that
 * is not HTTP or a 101 that breaks 6455:4.1 (harness/codec/handshake_describe.c).
 * Every expected text is written by hand from the answer it describes: the
 * header line named, its values as sent, the octets received escaped. The
 * inputs sit right before a PROT_NONE page (guard_copy). */
#include <stdlib.h>
#include <string.h>

#include "codec/handshake.h"
#include "test.h"

/* 6455:1.3's key and the accept value it gives. */
#define RFC_KEY    "dGhlIHNhbXBsZSBub25jZQ=="
#define RFC_ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
#define R101       "HTTP/1.1 101 Switching Protocols\r\n"
#define R_UPG      "Upgrade: websocket\r\n"
#define R_CONN     "Connection: Upgrade\r\n"
#define R_ACC      "Sec-WebSocket-Accept: " RFC_ACCEPT "\r\n"

static char text[1024];

static const char *escaped(const char *data, size_t len, size_t max_octets, size_t cap) {
    struct guarded g = guard_copy(data, len);
    size_t n = handshake_escape(g.data, len, max_octets, text, cap);
    CHECK_EQ(n, strlen(text));
    guard_free(&g);
    return text;
}

static const char *not_http(const char *data, size_t len) {
    struct guarded g = guard_copy(data, len);
    handshake_describe_not_http(g.data, len, text, sizeof text);
    guard_free(&g);
    return text;
}

/* The problem handshake_check_response finds in `head`, described. */
static const char *problem(const char *head, const char *protocols, const char *extensions) {
    struct handshake_response *r = malloc(sizeof *r);
    struct guarded g = guard_copy(head, strlen(head));
    text[0] = '\0';
    long rc = handshake_parse_response(g.data, strlen(head), r);
    CHECK_EQ(rc, (long)strlen(head));
    if (rc > 0) {
        enum handshake_response_problem p =
            handshake_check_response(r, RFC_KEY, protocols, extensions);
        CHECK(p != HANDSHAKE_RESP_OK);
        handshake_describe_problem(r, p, RFC_KEY, protocols, extensions, text, sizeof text);
    }
    guard_free(&g);
    free(r);
    return text;
}

static void test_escape(void) {
    CHECK_STR(escaped("SSH-2.0-OpenSSH_9.2\r\n", 21, 64, 256), "SSH-2.0-OpenSSH_9.2\\r\\n");
    CHECK_STR(escaped("a\"b\\c\td", 7, 64, 256), "a\\\"b\\\\c\\td");
    CHECK_STR(escaped("\x16\x03\x01\x00\xff", 5, 64, 256), "\\x16\\x03\\x01\\x00\\xff");
    /* Cut after max_octets octets, and never inside an escape. */
    CHECK_STR(escaped("abcdef", 6, 3, 256), "abc...");
    CHECK_STR(escaped("ab\x01", 3, 64, 6), "ab");
    CHECK_STR(escaped("", 0, 64, 256), "");
}

/* A string literal's octets (NULs included). */
#define NOT_HTTP(literal) not_http(literal, sizeof(literal) - 1)

static void test_not_http(void) {
    /* An SSH server's banner (RFC 4253 4.2), a TLS alert record. */
    CHECK_STR(NOT_HTTP("SSH-2.0-OpenSSH_9.2\r\n"),
              "not HTTP: 21 octets: \"SSH-2.0-OpenSSH_9.2\\r\\n\"");
    CHECK_STR(NOT_HTTP("\x15\x03\x01\x00\x02\x02\x46"),
              "not HTTP: 7 octets: \"\\x15\\x03\\x01\\x00\\x02\\x02F\"");
    CHECK_STR(NOT_HTTP("H"), "an unfinished HTTP head: 1 octet: \"H\"");
    /* A long answer is cut after 64 octets. */
    char many[100];
    memset(many, 'z', sizeof many);
    not_http(many, sizeof many);
    CHECK(strncmp(text, "not HTTP: 100 octets: \"zzzz", 27) == 0);
    CHECK(strstr(text, "zzz...\"") != NULL && strlen(text) == 22 + 1 + 64 + 3 + 1);

    CHECK_STR(NOT_HTTP("HTTP/1.1 abc OK\r\n\r\n"),
              "not a valid HTTP response: its status line is not \"HTTP/1.x NNN reason\": "
              "\"HTTP/1.1 abc OK\"");
    CHECK_STR(NOT_HTTP(R101 R_UPG "Connection Upgrade\r\n\r\n"),
              "not a valid HTTP response: line 3 is not a header field (a token, then \":\"): "
              "\"Connection Upgrade\"");
    CHECK_STR(NOT_HTTP(R101 "Upgrade : websocket\r\n\r\n"),
              "not a valid HTTP response: line 2 is not a header field (a token, then \":\"): "
              "\"Upgrade : websocket\"");
    CHECK_STR(NOT_HTTP(R101 R_UPG " websocket\r\n\r\n"),
              "not a valid HTTP response: line 3 folds the line before it (obs-fold, 9112:5.2): "
              "\" websocket\"");
    CHECK_STR(NOT_HTTP(R101 "Upgrade: web\x01socket\r\n\r\n"),
              "not a valid HTTP response: line 2 holds a control octet in its value: "
              "\"Upgrade: web\\x01socket\"");
}

static void test_invalid_101(void) {
    CHECK_STR(problem(R101 R_CONN R_ACC "\r\n", NULL, NULL),
              "Upgrade is missing (6455:4.1 wants \"websocket\")");
    CHECK_STR(problem(R101 "Upgrade: h2c\r\n" R_CONN R_ACC "\r\n", NULL, NULL),
              "Upgrade is \"h2c\", not \"websocket\"");
    CHECK_STR(problem(R101 R_UPG R_UPG R_CONN R_ACC "\r\n", NULL, NULL),
              "Upgrade appears twice (\"websocket\", \"websocket\")");
    CHECK_STR(problem(R101 R_UPG R_ACC "\r\n", NULL, NULL),
              "Connection is missing (6455:4.1 wants the \"Upgrade\" token)");
    CHECK_STR(problem(R101 R_UPG "Connection: keep-alive\r\n" R_ACC "\r\n", NULL, NULL),
              "Connection is \"keep-alive\", without the \"Upgrade\" token");
    CHECK_STR(problem(R101 R_UPG "Connection: close\r\nConnection: keep-alive\r\n" R_ACC "\r\n",
                      NULL, NULL),
              "no Connection line holds the \"Upgrade\" token: Connection appears twice "
              "(\"close\", \"keep-alive\")");
    CHECK_STR(problem(R101 R_UPG R_CONN "\r\n", NULL, NULL),
              "Sec-WebSocket-Accept is missing, where the key \"" RFC_KEY "\" gives \"" RFC_ACCEPT
              "\"");
    CHECK_STR(problem(R101 R_UPG R_CONN "Sec-WebSocket-Accept: xyz=\r\n\r\n", NULL, NULL),
              "Sec-WebSocket-Accept is wrong: \"xyz=\", where the key \"" RFC_KEY
              "\" gives \"" RFC_ACCEPT "\"");
    CHECK_STR(problem(R101 R_UPG R_CONN R_ACC R_ACC "\r\n", NULL, NULL),
              "Sec-WebSocket-Accept appears twice (\"" RFC_ACCEPT "\", \"" RFC_ACCEPT "\")");
    CHECK_STR(problem(R101 R_UPG R_CONN R_ACC
                      "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover"
                      "\r\n\r\n",
                      NULL, NULL),
              "Sec-WebSocket-Extensions selects \"permessage-deflate\", which the request did "
              "not offer (it offered none)");
    CHECK_STR(problem(R101 R_UPG R_CONN R_ACC "Sec-WebSocket-Extensions: x-a, x-b\r\n\r\n", NULL,
                      "x-a; p=1"),
              "Sec-WebSocket-Extensions selects \"x-b\", which the request did not offer (it "
              "offered \"x-a; p=1\")");
    /* Two subprotocols selected: 6455:4.2.2 wants "a single value". */
    CHECK_STR(problem(R101 R_UPG R_CONN R_ACC "Sec-WebSocket-Protocol: chat\r\n"
                                              "Sec-WebSocket-Protocol: superchat\r\n\r\n",
                      "chat, superchat", NULL),
              "the answer selects two subprotocols: Sec-WebSocket-Protocol appears twice "
              "(\"chat\", \"superchat\")");
    CHECK_STR(problem(R101 R_UPG R_CONN R_ACC "Sec-WebSocket-Protocol: chat, superchat\r\n\r\n",
                      "chat, superchat", NULL),
              "Sec-WebSocket-Protocol holds a list, \"chat, superchat\": a 101 selects one "
              "subprotocol");
    CHECK_STR(problem(R101 R_UPG R_CONN R_ACC "Sec-WebSocket-Protocol: chat\r\n\r\n", NULL, NULL),
              "Sec-WebSocket-Protocol selects \"chat\", which the request did not offer (it "
              "offered none)");
    CHECK_STR(problem(R101 R_UPG R_CONN R_ACC "Sec-WebSocket-Protocol: \r\n\r\n", "chat", NULL),
              "Sec-WebSocket-Protocol is empty, which is no subprotocol");
    /* Values with octets outside ASCII are escaped. */
    CHECK_STR(problem(R101 "Upgrade: web\xc3\xa9socket\r\n" R_CONN R_ACC "\r\n", NULL, NULL),
              "Upgrade is \"web\\xc3\\xa9socket\", not \"websocket\"");
}

static void test_no_key_sent(void) {
    static const char head[] = R101 R_UPG R_CONN "Sec-WebSocket-Accept: xyz=\r\n\r\n";
    struct handshake_response *r = malloc(sizeof *r);
    struct guarded g = guard_copy(head, sizeof head - 1);
    CHECK(handshake_parse_response(g.data, sizeof head - 1, r) > 0);
    handshake_describe_problem(r, HANDSHAKE_RESP_BAD_ACCEPT, NULL, NULL, NULL, text, sizeof text);
    CHECK_STR(text, "Sec-WebSocket-Accept is wrong: \"xyz=\", and the request sent no "
                    "Sec-WebSocket-Key");
    guard_free(&g);
    free(r);
}

static void test_small_buffers(void) {
    /* Cut, never overrun, and always terminated. */
    static const char head[] = R101 R_UPG R_UPG R_CONN R_ACC "\r\n";
    struct handshake_response *r = malloc(sizeof *r);
    struct guarded g = guard_copy(head, sizeof head - 1);
    CHECK(handshake_parse_response(g.data, sizeof head - 1, r) > 0);
    char small[12];
    memset(small, 'x', sizeof small);
    handshake_describe_problem(r, HANDSHAKE_RESP_NO_UPGRADE, RFC_KEY, NULL, NULL, small,
                               sizeof small);
    CHECK_STR(small, "Upgrade app");
    handshake_describe_not_http(g.data, 7, small, 1);
    CHECK_EQ(small[0], '\0');
    guard_free(&g);
    free(r);
}

int main(void) {
    RUN(test_escape);
    RUN(test_not_http);
    RUN(test_invalid_101);
    RUN(test_no_key_sent);
    RUN(test_small_buffers);
    TEST_EXIT();
}
