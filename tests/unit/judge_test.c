/* judge_test: the rules of cases/README.md "How the judge decides", on
 * transcripts and cases built in code (the judge is pure: no network). */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "judge/judge.h"
#include "model/casemodel.h"
#include "model/transcript.h"
#include "test.h"

/* ---- transcripts ---------------------------------------------------------- */

static void add_payload_event(struct transcript *t, enum tev_kind kind, uint8_t opcode,
                              const char *text) {
    struct tev ev = {.kind = kind, .opcode = opcode, .t_us = (int64_t)t->event_count * 1000};
    size_t len = strlen(text);
    ev.length = len;
    ev.head_len = len < TEV_HEAD_CAP ? len : TEV_HEAD_CAP;
    memcpy(ev.head, text, ev.head_len);
    EVP_Digest(text, len, ev.sha256, NULL, EVP_sha256(), NULL);
    CHECK_EQ(transcript_add(t, &ev), 0);
}

static void msg(struct transcript *t, const char *text) {
    add_payload_event(t, TEV_MESSAGE, 1, text);
}

static void bin(struct transcript *t, const char *data) {
    add_payload_event(t, TEV_MESSAGE, 2, data);
}

static void pong(struct transcript *t, const char *data) {
    add_payload_event(t, TEV_PONG, 0, data);
}

static void ev_simple(struct transcript *t, enum tev_kind kind, const char *detail) {
    struct tev ev = {.kind = kind, .detail = (char *)detail};
    if (kind == TEV_VIOLATION)
        ev.rfc = "6455:5.1";
    CHECK_EQ(transcript_add(t, &ev), 0);
}

/* The peer's close frame (code < 0: no status code). */
static void peer_close(struct transcript *t, int code) {
    struct tev ev = {.kind = TEV_CLOSE, .has_code = code >= 0, .code = (uint16_t)code};
    CHECK_EQ(transcript_add(t, &ev), 0);
    if (!t->we_sent_close)
        t->peer_closed_first = true;
    t->peer_sent_close = true;
}

static void our_close(struct transcript *t, int code) {
    struct tev ev = {.kind = TEV_SENT_CLOSE, .has_code = true, .code = (uint16_t)code};
    CHECK_EQ(transcript_add(t, &ev), 0);
    t->we_sent_close = true;
}

static void peer_eof(struct transcript *t) {
    ev_simple(t, TEV_EOF, NULL);
    if (!t->we_sent_close && !t->peer_sent_close)
        t->peer_closed_first = true;
    t->clean = t->we_sent_close && t->peer_sent_close;
}

/* ---- cases ------------------------------------------------------------------ */

static struct wcase *new_case(size_t outcomes) {
    struct wcase *c = calloc(1, sizeof *c);
    c->id = strdup("test.case");
    c->outcomes = calloc(outcomes, sizeof *c->outcomes);
    c->outcome_count = outcomes;
    return c;
}

static void drop_case(struct wcase *c) {
    case_free(c);
    free(c);
}

static struct expect_event *add_expect(struct outcome *o) {
    o->events = realloc(o->events, (o->event_count + 1) * sizeof *o->events);
    struct expect_event *e = &o->events[o->event_count++];
    memset(e, 0, sizeof *e);
    e->times = 1;
    return e;
}

static void set_payload(struct expect_event *e, const char *text) {
    if (!text)
        return;
    e->payload_set = true;
    CHECK_EQ(payload_from_bytes(&e->payload, (const uint8_t *)text, strlen(text)), 0);
}

static struct expect_event *expect_msg(struct outcome *o, uint8_t opcode, const char *text) {
    struct expect_event *e = add_expect(o);
    e->kind = EXPECT_MESSAGE;
    e->opcode = opcode;
    set_payload(e, text);
    return e;
}

static struct expect_event *expect_pong(struct outcome *o, const char *text) {
    struct expect_event *e = add_expect(o);
    e->kind = EXPECT_PONG;
    set_payload(e, text);
    return e;
}

static void expect_mark(struct outcome *o, const char *name) {
    struct expect_event *e = add_expect(o);
    e->kind = EXPECT_MARK;
    e->mark = strdup(name);
}

static void set_close(struct outcome *o, enum verdict v, enum close_by by, int code) {
    o->verdict = v;
    o->close.by = by;
    if (code > 0) {
        o->close.codes = malloc(sizeof *o->close.codes);
        o->close.codes[0] = (uint16_t)code;
        o->close.code_count = 1;
    }
}

/* One judgement, freed by the caller. */
static struct judgement judge(const struct wcase *c, const struct transcript *t) {
    struct judgement j;
    judge_case(c, t, &j);
    CHECK(j.reason != NULL && j.expected != NULL && j.actual != NULL);
    return j;
}

/* ---- the echo case: text "Hello", we close with 1000 ------------------------- */

static struct wcase *echo_case(void) {
    struct wcase *c = new_case(1);
    expect_msg(&c->outcomes[0], 1, "Hello");
    set_close(&c->outcomes[0], VERDICT_PASS, CLOSE_BY_US, 1000);
    return c;
}

static void test_exact_match_pass(void) {
    struct wcase *c = echo_case();
    struct transcript t;
    transcript_init(&t, 0);
    msg(&t, "Hello");
    our_close(&t, 1000);
    peer_close(&t, 1000);
    peer_eof(&t);
    struct judgement j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_PASS);
    CHECK_EQ(j.outcome_index, 0);
    CHECK(!j.degraded);
    CHECK_EQ(j.first_unexpected, -1);
    CHECK_STR(j.expected, "pass: message text 5 octets \"Hello\", then the peer answers our "
                          "close with 1000");
    judgement_free(&j);
    transcript_free(&t);

    /* One octet off: no outcome matches; the echo is the departing event. */
    transcript_init(&t, 0);
    msg(&t, "Hellp");
    our_close(&t, 1000);
    peer_close(&t, 1000);
    peer_eof(&t);
    j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_FAIL);
    CHECK_EQ(j.outcome_index, -1);
    CHECK_EQ(j.first_unexpected, 0);
    CHECK_STR(j.actual, "message text 5 octets \"Hellp\"");
    judgement_free(&j);
    transcript_free(&t);
    drop_case(c);
}

/* Autobahn 3.2: "Hello", then a text frame with RSV set, then a ping. The
 * peer echoes Hello and fails with 1002 (pass), or fails before the echo
 * went out (non-strict). */
static struct wcase *rsv_case(void) {
    struct wcase *c = new_case(2);
    expect_msg(&c->outcomes[0], 1, "Hello");
    set_close(&c->outcomes[0], VERDICT_PASS, CLOSE_BY_PEER, 1002);
    set_close(&c->outcomes[1], VERDICT_NON_STRICT, CLOSE_BY_PEER, 1002);
    return c;
}

static void test_non_strict_alternative(void) {
    struct wcase *c = rsv_case();
    struct transcript t;
    transcript_init(&t, 0);
    msg(&t, "Hello");
    peer_close(&t, 1002);
    our_close(&t, 1002);
    peer_eof(&t);
    struct judgement j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_PASS);
    CHECK_EQ(j.outcome_index, 0);
    judgement_free(&j);
    transcript_free(&t);

    transcript_init(&t, 0);
    peer_close(&t, 1002);
    our_close(&t, 1002);
    peer_eof(&t);
    j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_NON_STRICT);
    CHECK_EQ(j.outcome_index, 1);
    CHECK(!j.degraded);
    CHECK(strstr(j.expected, "pass: message text 5 octets \"Hello\", then the peer fails the "
                             "connection with 1002\nnon-strict: no messages, then the peer fails "
                             "the connection with 1002") != NULL);
    judgement_free(&j);
    transcript_free(&t);
    drop_case(c);
}

static void test_violation_overrides(void) {
    struct wcase *c = rsv_case();
    struct transcript t;
    transcript_init(&t, 0);
    msg(&t, "Hello");
    ev_simple(&t, TEV_VIOLATION, "masked frame from a server");
    peer_close(&t, 1002);
    our_close(&t, 1002);
    peer_eof(&t);
    struct judgement j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_FAIL);
    CHECK_EQ(j.first_unexpected, 1);
    CHECK_EQ(j.outcome_index, -1);
    CHECK_STR(j.actual, "violation: masked frame from a server (6455:5.1)");
    judgement_free(&j);
    transcript_free(&t);
    drop_case(c);
}

/* 6455:7.1.7 the close frame is a SHOULD when failing: a plain TCP close
 * still matches, lowered to non-strict. */
static void test_drop_degrades(void) {
    struct wcase *c = rsv_case();
    struct transcript t;
    transcript_init(&t, 0);
    msg(&t, "Hello");
    peer_eof(&t);
    struct judgement j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_NON_STRICT);
    CHECK_EQ(j.outcome_index, 0);
    CHECK(j.degraded);
    CHECK_EQ(j.first_unexpected, 1);
    CHECK_STR(j.actual, "the peer closed TCP");
    judgement_free(&j);

    /* With allow_drop the drop is simply fine. */
    c->outcomes[0].close.allow_drop = true;
    j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_PASS);
    CHECK(!j.degraded);
    judgement_free(&j);
    transcript_free(&t);

    /* A reset counts as a drop too. */
    c->outcomes[0].close.allow_drop = false;
    transcript_init(&t, 0);
    msg(&t, "Hello");
    ev_simple(&t, TEV_RESET, "connection reset by peer");
    t.peer_closed_first = true;
    j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_NON_STRICT);
    CHECK(j.degraded);
    judgement_free(&j);
    transcript_free(&t);
    drop_case(c);
}

static void test_wrong_code(void) {
    struct wcase *c = rsv_case();
    struct transcript t;
    transcript_init(&t, 0);
    msg(&t, "Hello");
    peer_close(&t, 1000);
    our_close(&t, 1000);
    peer_eof(&t);
    struct judgement j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_NON_STRICT);
    CHECK_EQ(j.outcome_index, 0);
    CHECK(j.degraded);
    CHECK_STR(j.actual, "close 1000");
    judgement_free(&j);

    /* exact: a different code does not match at all. */
    c->outcomes[0].close.exact = true;
    c->outcomes[1].close.exact = true;
    j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_FAIL);
    CHECK_EQ(j.outcome_index, -1);
    CHECK_STR(j.actual, "close 1000");
    judgement_free(&j);
    transcript_free(&t);

    /* No status code: fine only with allow_no_code. */
    c->outcomes[0].close.exact = false;
    transcript_init(&t, 0);
    msg(&t, "Hello");
    peer_close(&t, -1);
    our_close(&t, 1000);
    peer_eof(&t);
    j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_NON_STRICT);
    CHECK(j.degraded);
    judgement_free(&j);
    c->outcomes[0].close.allow_no_code = true;
    j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_PASS);
    CHECK(!j.degraded);
    judgement_free(&j);
    transcript_free(&t);
    drop_case(c);
}

/* 6455:5.5.1 "the endpoint MUST send a Close frame in response". */
static void test_close_unanswered(void) {
    struct wcase *c = echo_case();
    struct transcript t;
    transcript_init(&t, 0);
    msg(&t, "Hello");
    our_close(&t, 1000);
    ev_simple(&t, TEV_TIMEOUT, "no close frame from the peer within 2.0 s of ours");
    t.we_dropped_tcp = true;
    struct judgement j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_FAIL);
    CHECK_EQ(j.outcome_index, -1);
    CHECK_EQ(j.first_unexpected, 2);
    CHECK_STR(j.actual, "timeout: no close frame from the peer within 2.0 s of ours");
    CHECK(strstr(j.reason, "did not answer our close") != NULL);
    judgement_free(&j);
    transcript_free(&t);

    /* Answering our close with a bare TCP close does not match either. */
    transcript_init(&t, 0);
    msg(&t, "Hello");
    our_close(&t, 1000);
    peer_eof(&t);
    j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_FAIL);
    judgement_free(&j);
    transcript_free(&t);

    /* The peer closed first: not an answer to our close. */
    transcript_init(&t, 0);
    msg(&t, "Hello");
    peer_close(&t, 1000);
    our_close(&t, 1000);
    peer_eof(&t);
    j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_FAIL);
    judgement_free(&j);
    transcript_free(&t);
    drop_case(c);
}

/* 6455:7.1.1 the server should close TCP first; when it leaves it open the
 * verdict is lowered (or no match when exact). */
static void test_answer_without_tcp_close(void) {
    struct wcase *c = echo_case();
    struct transcript t;
    transcript_init(&t, 0);
    msg(&t, "Hello");
    our_close(&t, 1000);
    peer_close(&t, 1000);
    ev_simple(&t, TEV_TIMEOUT, "the peer did not close TCP within 2.0 s");
    t.we_dropped_tcp = true;
    struct judgement j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_NON_STRICT);
    CHECK_EQ(j.outcome_index, 0);
    CHECK(j.degraded);
    CHECK_EQ(j.first_unexpected, 3);
    judgement_free(&j);
    c->outcomes[0].close.exact = true;
    j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_FAIL);
    judgement_free(&j);
    transcript_free(&t);
    drop_case(c);
}

/* Fail-fast (Autobahn 6.4.x): a mark between the invalid octet and the rest
 * of the message tells "failed at once" from "failed at the end". */
static void test_marks_fail_fast(void) {
    struct wcase *c = new_case(2);
    set_close(&c->outcomes[0], VERDICT_PASS, CLOSE_BY_PEER, 1007);
    expect_mark(&c->outcomes[1], "rest-sent");
    set_close(&c->outcomes[1], VERDICT_NON_STRICT, CLOSE_BY_PEER, 1007);
    struct transcript t;
    transcript_init(&t, 0);
    peer_close(&t, 1007);
    our_close(&t, 1007);
    ev_simple(&t, TEV_MARK, "rest-sent");
    peer_eof(&t);
    struct judgement j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_PASS);
    CHECK_EQ(j.outcome_index, 0);
    judgement_free(&j);
    transcript_free(&t);

    transcript_init(&t, 0);
    ev_simple(&t, TEV_MARK, "rest-sent");
    peer_close(&t, 1007);
    our_close(&t, 1007);
    peer_eof(&t);
    j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_NON_STRICT);
    CHECK_EQ(j.outcome_index, 1);
    CHECK(!j.degraded);
    judgement_free(&j);
    transcript_free(&t);

    /* Never failed: our mark, then the close phase ran out. */
    transcript_init(&t, 0);
    ev_simple(&t, TEV_MARK, "rest-sent");
    ev_simple(&t, TEV_TIMEOUT, "the connection was still open 2.0 s after the last step");
    t.we_dropped_tcp = true;
    j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_FAIL);
    CHECK(strstr(j.actual, "still open") != NULL);
    judgement_free(&j);
    transcript_free(&t);
    drop_case(c);
}

static void test_times_1000(void) {
    struct wcase *c = new_case(1);
    expect_msg(&c->outcomes[0], 1, "x")->times = 1000;
    set_close(&c->outcomes[0], VERDICT_PASS, CLOSE_BY_US, 1000);
    for (int n = 999; n <= 1001; n++) {
        struct transcript t;
        transcript_init(&t, 0);
        for (int i = 0; i < n; i++)
            msg(&t, "x");
        our_close(&t, 1000);
        peer_close(&t, 1000);
        peer_eof(&t);
        struct judgement j = judge(c, &t);
        CHECK_EQ(j.verdict, n == 1000 ? VERDICT_PASS : VERDICT_FAIL);
        if (n == 1001)
            CHECK_EQ(j.first_unexpected, 1000); /* the extra message */
        if (n == 999)
            CHECK_STR(j.actual, "close 1000"); /* the peer closed instead */
        judgement_free(&j);
        transcript_free(&t);
    }
    drop_case(c);
}

/* 6455:5.5.3 "If an endpoint receives a Ping frame and has not yet sent
 * Pong frame(s) in response to previous Ping frame(s), the endpoint MAY
 * elect to send a Pong frame for only the most recently processed Ping
 * frame." (Autobahn 2.10 shape with three pings) */
static void test_optional_pongs(void) {
    struct wcase *c = new_case(1);
    expect_pong(&c->outcomes[0], "a")->optional = true;
    expect_pong(&c->outcomes[0], "b")->optional = true;
    expect_pong(&c->outcomes[0], "c");
    set_close(&c->outcomes[0], VERDICT_PASS, CLOSE_BY_US, 1000);
    static const char *const seqs[][4] = {
        {"a", "b", "c", NULL}, {"c", NULL},      {"b", "c", NULL}, {"a", "c", NULL},
        {"c", "a", NULL},      {"a", "b", NULL}, {NULL},           {"a", "a", "c", NULL},
    };
    static const enum verdict want[] = {VERDICT_PASS, VERDICT_PASS, VERDICT_PASS, VERDICT_PASS,
                                        VERDICT_FAIL, VERDICT_FAIL, VERDICT_FAIL, VERDICT_FAIL};
    for (size_t s = 0; s < sizeof want / sizeof want[0]; s++) {
        struct transcript t;
        transcript_init(&t, 0);
        for (size_t i = 0; seqs[s][i]; i++)
            pong(&t, seqs[s][i]);
        our_close(&t, 1000);
        peer_close(&t, 1000);
        peer_eof(&t);
        struct judgement j = judge(c, &t);
        CHECK_EQ(j.verdict, want[s]);
        judgement_free(&j);
        transcript_free(&t);
    }
    CHECK(1);
    drop_case(c);
}

/* cases/README.md: optional with "times": N accepts 0 to N of the event
 * (a ping flood may be answered by fewer pongs: 6455:5.5.3). */
static void test_optional_times_up_to_n(void) {
    struct wcase *c = new_case(1);
    struct expect_event *e = expect_pong(&c->outcomes[0], "p");
    e->optional = true;
    e->times = 3;
    expect_msg(&c->outcomes[0], 1, "m");
    set_close(&c->outcomes[0], VERDICT_PASS, CLOSE_BY_US, 1000);
    for (int pongs = 0; pongs <= 4; pongs++) {
        struct transcript t;
        transcript_init(&t, 0);
        for (int i = 0; i < pongs; i++)
            pong(&t, "p");
        msg(&t, "m");
        our_close(&t, 1000);
        peer_close(&t, 1000);
        peer_eof(&t);
        struct judgement j = judge(c, &t);
        CHECK_EQ(j.verdict, pongs <= 3 ? VERDICT_PASS : VERDICT_FAIL);
        judgement_free(&j);
        transcript_free(&t);
    }
    drop_case(c);
}

static void test_any_of(void) {
    struct wcase *c = new_case(1);
    struct expect_event *e = add_expect(&c->outcomes[0]);
    e->kind = EXPECT_ANY_OF;
    e->alternatives = calloc(2, sizeof *e->alternatives);
    e->alternative_count = 2;
    e->alternatives[0].kind = EXPECT_MESSAGE;
    e->alternatives[0].opcode = 1;
    set_payload(&e->alternatives[0], "A");
    e->alternatives[1].kind = EXPECT_MESSAGE;
    e->alternatives[1].opcode = 2;
    set_payload(&e->alternatives[1], "A");
    set_close(&c->outcomes[0], VERDICT_PASS, CLOSE_BY_US, 1000);
    for (int k = 0; k < 3; k++) {
        struct transcript t;
        transcript_init(&t, 0);
        if (k == 0)
            msg(&t, "A");
        else if (k == 1)
            bin(&t, "A");
        else
            msg(&t, "B");
        our_close(&t, 1000);
        peer_close(&t, 1000);
        peer_eof(&t);
        struct judgement j = judge(c, &t);
        CHECK_EQ(j.verdict, k < 2 ? VERDICT_PASS : VERDICT_FAIL);
        if (k == 2)
            CHECK(strstr(j.expected, "one of [message text 1 octets \"A\" | message binary "
                                     "1 octets 0x41]") != NULL);
        judgement_free(&j);
        transcript_free(&t);
    }
    drop_case(c);
}

static void test_informational_catch_all(void) {
    struct wcase *c = new_case(2);
    expect_msg(&c->outcomes[0], 1, "Hello");
    set_close(&c->outcomes[0], VERDICT_PASS, CLOSE_BY_US, 1000);
    c->outcomes[1].any_events = true;
    set_close(&c->outcomes[1], VERDICT_INFORMATIONAL, CLOSE_BY_ANY, 0);
    struct transcript t;
    transcript_init(&t, 0);
    bin(&t, "zzz");
    pong(&t, "");
    our_close(&t, 1000);
    ev_simple(&t, TEV_TIMEOUT, "no close frame from the peer");
    t.we_dropped_tcp = true;
    struct judgement j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_INFORMATIONAL);
    CHECK_EQ(j.outcome_index, 1);
    judgement_free(&j);
    transcript_free(&t);

    /* A peer that drops at once: still informational, never "lowered". */
    transcript_init(&t, 0);
    peer_eof(&t);
    j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_INFORMATIONAL);
    CHECK(!j.degraded);
    judgement_free(&j);
    transcript_free(&t);
    drop_case(c);
}

static void test_error(void) {
    struct wcase *c = echo_case();
    struct transcript t;
    transcript_init(&t, 0);
    t.error = strdup("opening handshake with ws://127.0.0.1:1/ failed: connection refused");
    struct judgement j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_ERROR);
    CHECK_EQ(j.outcome_index, -1);
    CHECK(strstr(j.reason, "connection refused") != NULL);
    judgement_free(&j);
    transcript_free(&t);
    drop_case(c);
}

static void test_stays_open(void) {
    struct wcase *c = new_case(1);
    set_close(&c->outcomes[0], VERDICT_PASS, CLOSE_BY_NONE, 0);
    struct transcript t;
    transcript_init(&t, 0);
    ev_simple(&t, TEV_TIMEOUT, "the connection was still open");
    t.we_dropped_tcp = true;
    struct judgement j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_PASS);
    judgement_free(&j);
    transcript_free(&t);
    transcript_init(&t, 0);
    peer_eof(&t);
    j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_FAIL);
    judgement_free(&j);
    transcript_free(&t);
    drop_case(c);
}

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
    CHECK(strstr(j.reason, "has no matching Sec-WebSocket-Version: 13") != NULL);
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
    our_close(&t, 1000);
    peer_close(&t, 1000);
    peer_eof(&t);
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
    our_close(&t, 1000);
    peer_close(&t, 1000);
    peer_eof(&t);
    j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_FAIL);
    CHECK(strstr(j.reason, "carries Sec-WebSocket-Protocol") != NULL);
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
    our_close(&t, 1000);
    peer_close(&t, 1000);
    peer_eof(&t);
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

static void test_transcript_wire_and_describe(void) {
    struct transcript t;
    transcript_init(&t, 40);
    transcript_wire(&t, WIRE_ENTRY_OUT, 5, (const uint8_t *)"abcdefghij", 10);
    transcript_wire(&t, WIRE_ENTRY_IN, 7, (const uint8_t *)"0123456789", 10);
    /* 13-octet record heads: 23 octets used, room for 40 - 23 - 13 = 4 more. */
    CHECK_EQ(t.octets_out, 10);
    CHECK_EQ(t.octets_in, 10);
    CHECK_EQ(t.wire_dropped_out, 0);
    CHECK_EQ(t.wire_dropped_in, 6);
    size_t pos = 0;
    struct wire_record r;
    CHECK_EQ(transcript_wire_next(&t, &pos, &r), 1);
    CHECK_EQ(r.dir, WIRE_ENTRY_OUT);
    CHECK_EQ(r.t_us, 5);
    CHECK_MEM(r.data, r.len, "abcdefghij", 10);
    CHECK_EQ(transcript_wire_next(&t, &pos, &r), 1);
    CHECK_EQ(r.dir, WIRE_ENTRY_IN);
    CHECK_MEM(r.data, r.len, "0123", 4);
    CHECK_EQ(transcript_wire_next(&t, &pos, &r), 0);
    transcript_free(&t);

    char line[128];
    struct tev close = {.kind = TEV_CLOSE, .has_code = true, .code = 1002, .detail = "bad"};
    tev_describe(&close, line, sizeof line);
    CHECK_STR(line, "close 1002 \"bad\"");
    struct tev m = {
        .kind = TEV_MESSAGE, .opcode = 1, .length = 2, .head_len = 2, .head = {0xce, '"'}};
    tev_describe(&m, line, sizeof line);
    CHECK_STR(line, "message text 2 octets \"\\xce\\\"\"");
}

int main(void) {
    RUN(test_exact_match_pass);
    RUN(test_non_strict_alternative);
    RUN(test_violation_overrides);
    RUN(test_drop_degrades);
    RUN(test_wrong_code);
    RUN(test_close_unanswered);
    RUN(test_answer_without_tcp_close);
    RUN(test_marks_fail_fast);
    RUN(test_times_1000);
    RUN(test_optional_pongs);
    RUN(test_optional_times_up_to_n);
    RUN(test_any_of);
    RUN(test_informational_catch_all);
    RUN(test_error);
    RUN(test_stays_open);
    RUN(test_handshake_refusal);
    RUN(test_handshake_classes_and_absent);
    RUN(test_handshake_unexpected_101_and_violation);
    RUN(test_handshake_no_answer);
    RUN(test_transcript_wire_and_describe);
    TEST_EXIT();
}
