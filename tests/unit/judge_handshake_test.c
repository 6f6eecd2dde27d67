/* judge_handshake_test: the judge on the answer to the opening handshake
 * (status, header lines, no answer at all), on transcripts built in code. */
#include "test.h"

#include "judge_fixtures.h"

/* ---- the opening handshake ----------------------------------------------------- */

/* The peer's answer: status and head recorded as the runner records them. */
static void answer(struct transcript *t, int status, const char *head) {
    t->http_status = status;
    CHECK_EQ(buf_append(&t->response_head, head, strlen(head)), 0);
}

static struct handshake_expect *expect_answer(struct outcome *o, enum verdict v, int status) {
    o->verdict = v;
    o->close.by = CLOSE_BY_ANY;
    struct handshake_expect *h = &o->handshake;
    h->set = true;
    h->statuses = realloc(h->statuses, (h->status_count + 1) * sizeof *h->statuses);
    h->statuses[h->status_count++] = (uint16_t)status;
    return h;
}

static void expect_header(struct handshake_expect *h, const char *name, const char *value) {
    h->headers = realloc(h->headers, (h->header_count + 1) * sizeof *h->headers);
    h->headers[h->header_count].name = strdup(name);
    h->headers[h->header_count].value = strdup(value);
    h->header_count++;
}

static void expect_absent(struct handshake_expect *h, const char *name) {
    h->absent = realloc(h->absent, (h->absent_count + 1) * sizeof *h->absent);
    h->absent[h->absent_count++] = strdup(name);
}

/* A version case: 426 naming 13 passes, 400 naming 13 passes too. */
static struct wcase *version_case(void) {
    struct wcase *c = new_case(2);
    expect_header(expect_answer(&c->outcomes[0], VERDICT_PASS, 426), "Sec-WebSocket-Version", "13");
    expect_header(expect_answer(&c->outcomes[1], VERDICT_PASS, 400), "Sec-WebSocket-Version", "13");
    return c;
}

static struct judgement judge_answer(const struct wcase *c, int status, const char *head) {
    struct transcript t;
    transcript_init(&t, 0);
    answer(&t, status, head);
    struct judgement j = judge(c, &t);
    transcript_free(&t);
    return j;
}

static void test_handshake_refusal(void) {
    struct wcase *c = version_case();
    /* 6455:4.4: "Sec-WebSocket-Version: 13, 8, 7" names 13 as an element. */
    struct judgement j = judge_answer(c, 426,
                                      "HTTP/1.1 426 Upgrade Required\r\n"
                                      "Sec-WebSocket-Version: 13, 8, 7\r\n\r\n");
    CHECK_EQ(j.verdict, VERDICT_PASS);
    CHECK_EQ(j.outcome_index, 0);
    CHECK_STR(j.expected, "pass: HTTP 426 with Sec-WebSocket-Version: 13\n"
                          "pass: HTTP 400 with Sec-WebSocket-Version: 13");
    judgement_free(&j);
    /* 6455:4.4's second example: the versions on two lines, 13 on the
     * second; the header name in another case. */
    j = judge_answer(c, 400,
                     "HTTP/1.1 400 Bad Request\r\nsec-websocket-version: 8, 7\r\n"
                     "SEC-WEBSOCKET-VERSION:   13  \r\n\r\n");
    CHECK_EQ(j.verdict, VERDICT_PASS);
    CHECK_EQ(j.outcome_index, 1);
    judgement_free(&j);
    /* No version named: the status matches outcome 1, a header does not. */
    j = judge_answer(c, 400, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    CHECK_EQ(j.verdict, VERDICT_FAIL);
    CHECK_EQ(j.outcome_index, -1);
    CHECK(strstr(j.reason, "closest is outcome 2") != NULL);
    CHECK(strstr(j.reason, "lacks Sec-WebSocket-Version: 13") != NULL);
    CHECK_STR(j.actual, "HTTP/1.1 400 Bad Request");
    judgement_free(&j);
    /* "130" is not "13", nor is an element "113". */
    j = judge_answer(c, 426,
                     "HTTP/1.1 426 Upgrade Required\r\n"
                     "Sec-WebSocket-Version: 130, 113\r\n\r\n");
    CHECK_EQ(j.verdict, VERDICT_FAIL);
    /* The values it carries instead, as sent. */
    CHECK(strstr(j.reason, "has no matching Sec-WebSocket-Version: 13 (it carries \"130, 113\")") !=
          NULL);
    judgement_free(&j);
    /* Another status: outcome 1 is the closest, on the status. */
    j = judge_answer(c, 404, "HTTP/1.1 404 Not Found\r\n\r\n");
    CHECK_EQ(j.verdict, VERDICT_FAIL);
    CHECK(strstr(j.reason, "closest is outcome 1") != NULL);
    CHECK(strstr(j.reason, "HTTP 404, not 426") != NULL);
    judgement_free(&j);
    drop_case(c);
}

static void test_handshake_classes_and_absent(void) {
    struct wcase *c = new_case(2);
    /* Outcome 1: a 101 whose answer has no Sec-WebSocket-Protocol, with
     * Connection holding the "upgrade" token (any case, any position). */
    struct handshake_expect *h = expect_answer(&c->outcomes[0], VERDICT_PASS, 101);
    expect_header(h, "connection", "upgrade");
    expect_absent(h, "Sec-WebSocket-Protocol");
    expect_msg(&c->outcomes[0], 1, "Hello");
    set_close(&c->outcomes[0], VERDICT_PASS, CLOSE_BY_US, 1000);
    /* Outcome 2: any 4xx (stored as the class digit 4). */
    expect_answer(&c->outcomes[1], VERDICT_INFORMATIONAL, 4);

    struct transcript t;
    transcript_init(&t, 0);
    answer(&t, 101,
           "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
           "Connection: keep-alive, Upgrade\r\n\r\n");
    msg(&t, "Hello");
    clean_close(&t);
    struct judgement j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_PASS);
    CHECK_EQ(j.outcome_index, 0);
    CHECK_STR(j.expected, "pass: HTTP 101 with connection: upgrade without Sec-WebSocket-Protocol; "
                          "then message text 5 octets \"Hello\", then the peer answers our close "
                          "with 1000\n"
                          "informational: HTTP 4xx");
    judgement_free(&j);
    transcript_free(&t);

    /* The same 101 with a subprotocol line: outcome 1 does not match, and
     * a 101 is not a 4xx. */
    transcript_init(&t, 0);
    answer(&t, 101,
           "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Protocol: chat\r\n\r\n");
    msg(&t, "Hello");
    clean_close(&t);
    j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_FAIL);
    /* The line it must not carry, with its value as the peer sent it. */
    CHECK(strstr(j.reason, "the answer carries Sec-WebSocket-Protocol: \"chat\", which it must "
                           "not") != NULL);
    judgement_free(&j);
    transcript_free(&t);

    j = judge_answer(c, 431, "HTTP/1.1 431 Request Header Fields Too Large\r\n\r\n");
    CHECK_EQ(j.verdict, VERDICT_INFORMATIONAL);
    CHECK_EQ(j.outcome_index, 1);
    judgement_free(&j);
    j = judge_answer(c, 503, "HTTP/1.1 503 Service Unavailable\r\n\r\n");
    CHECK_EQ(j.verdict, VERDICT_FAIL);
    judgement_free(&j);
    drop_case(c);
}

static void test_handshake_unexpected_101_and_violation(void) {
    /* A case that wants a refusal gets a valid 101: the runner closes
     * cleanly, the case fails, the answer is the actual. */
    struct wcase *c = version_case();
    struct transcript t;
    transcript_init(&t, 0);
    answer(&t, 101, "HTTP/1.1 101 Switching Protocols\r\n\r\n");
    clean_close(&t);
    struct judgement j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_FAIL);
    CHECK(strstr(j.reason, "HTTP 101, not 426") != NULL);
    CHECK_STR(j.actual, "HTTP/1.1 101 Switching Protocols");
    judgement_free(&j);
    transcript_free(&t);
    drop_case(c);

    /* A 101 that breaks 6455:4.1 fails any case, even one expecting a 101
     * and nothing else. */
    c = new_case(1);
    expect_answer(&c->outcomes[0], VERDICT_PASS, 101);
    transcript_init(&t, 0);
    answer(&t, 101, "HTTP/1.1 101 Switching Protocols\r\n\r\n");
    ev_simple(&t, TEV_VIOLATION, "the 101 answer to the opening handshake is not valid");
    j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_FAIL);
    CHECK_EQ(j.first_unexpected, 0);
    judgement_free(&j);
    transcript_free(&t);
    drop_case(c);

    /* An outcome without an expectation wants a 101: a 400 does not match. */
    c = echo_case();
    j = judge_answer(c, 400, "HTTP/1.1 400 Bad Request\r\n\r\n");
    CHECK_EQ(j.verdict, VERDICT_FAIL);
    CHECK(strstr(j.reason, "HTTP 400, not 101") != NULL);
    judgement_free(&j);
    drop_case(c);
}

static void test_handshake_no_answer(void) {
    struct wcase *c = new_case(2);
    expect_answer(&c->outcomes[0], VERDICT_PASS, 431);
    expect_answer(&c->outcomes[1], VERDICT_NON_STRICT, 400)->allow_no_response = true;
    struct transcript t;
    /* The peer closed TCP without an answer: only outcome 2 allows it. */
    transcript_init(&t, 0);
    t.handshake_unanswered = true;
    ev_simple(&t, TEV_EOF, "no answer to the opening handshake: connection closed");
    struct judgement j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_NON_STRICT);
    CHECK_EQ(j.outcome_index, 1);
    judgement_free(&j);
    transcript_free(&t);
    /* A reset counts as closing too. */
    transcript_init(&t, 0);
    t.handshake_unanswered = true;
    ev_simple(&t, TEV_RESET, "no answer to the opening handshake: connection reset");
    j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_NON_STRICT);
    judgement_free(&j);
    transcript_free(&t);
    /* Silence until the deadline is not closing: no outcome matches. */
    transcript_init(&t, 0);
    t.handshake_unanswered = true;
    ev_simple(&t, TEV_TIMEOUT, "no answer to the opening handshake before the case deadline");
    j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_FAIL);
    CHECK(strstr(j.reason, "did not answer the opening handshake") != NULL);
    CHECK_STR(j.actual, "no answer to the opening handshake before the case deadline");
    judgement_free(&j);
    transcript_free(&t);
    drop_case(c);
}

/* allow_silence: not one octet before the deadline, the connection open
 * (a server still waiting for the end of a head whose lines end in LF
 * alone, 9112:2.2). Octets that came, or a close, are not silence. */
static void test_handshake_silence(void) {
    struct wcase *c = new_case(1);
    expect_answer(&c->outcomes[0], VERDICT_PASS, 400)->allow_silence = true;
    struct transcript t;
    transcript_init(&t, 0);
    t.handshake_unanswered = true;
    ev_simple(&t, TEV_TIMEOUT, "no answer to the opening handshake before the case deadline");
    struct judgement j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_PASS);
    CHECK_EQ(j.outcome_index, 0);
    CHECK_STR(j.expected, "pass: HTTP 400 (or no answer before the deadline)");
    judgement_free(&j);
    transcript_free(&t);
    /* Part of a head came, then nothing: the peer answered, unfinished. */
    transcript_init(&t, 0);
    t.handshake_unanswered = true;
    transcript_wire(&t, WIRE_ENTRY_IN, 10, (const uint8_t *)"HTTP/1.1 40", 11);
    ev_simple(&t, TEV_TIMEOUT, "no answer to the opening handshake before the case deadline");
    j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_FAIL);
    judgement_free(&j);
    transcript_free(&t);
    /* A close without an answer is not silence (allow_no_response is). */
    transcript_init(&t, 0);
    t.handshake_unanswered = true;
    ev_simple(&t, TEV_EOF, "no answer to the opening handshake: connection closed");
    j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_FAIL);
    judgement_free(&j);
    transcript_free(&t);
    drop_case(c);
}

int main(void) {
    RUN(test_handshake_refusal);
    RUN(test_handshake_classes_and_absent);
    RUN(test_handshake_unexpected_101_and_violation);
    RUN(test_handshake_no_answer);
    RUN(test_handshake_silence);
    TEST_EXIT();
}
