/* judge_test: the rules of cases/README.md "How the judge decides" about
 * events and the close, on transcripts and cases built in code (the judge
 * is pure: no network). The handshake rules are in judge_handshake_test.c,
 * the rules about our own limits and failures in judge_ours_test.c. */
#include "test.h"

#include "judge_fixtures.h"

/* ---- the echo case: text "Hello", we close with 1000 ------------------------- */

static void test_exact_match_pass(void) {
    struct wcase *c = echo_case();
    struct transcript t;
    transcript_init(&t, 0);
    msg(&t, "Hello");
    clean_close(&t);
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
    clean_close(&t);
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
    TEST_EXIT();
}
