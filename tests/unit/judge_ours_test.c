/* judge_ours_test: a peer's violation and our own failure never share a path
 * (issue 7, item 3). On transcripts built in code:
 *
 *   - a `limit` event (a cap of ours was reached) is an ERROR naming the
 *     cap, "the peer did nothing wrong", unless an outcome accepts it;
 *   - an internal failure (out of memory, an event that could not be
 *     recorded) is an ERROR with internal set, whatever the events say;
 *   - the idle deadline ending a wait for an answer only the echo
 *     convention asks for is an ERROR naming it; for an answer the RFC
 *     requires, the outcomes decide (a FAIL). */
#include "test.h"

#include "judge_fixtures.h"

static void limit_event(struct transcript *t, const char *detail) {
    struct tev ev = {.kind = TEV_LIMIT, .detail = (char *)detail};
    CHECK_EQ(transcript_add(t, &ev), 0);
}

static void idle_timeout(struct transcript *t, bool answer_required) {
    struct tev ev = {.kind = TEV_TIMEOUT,
                     .detail = "waiting for 1 message: no octet from the peer for 3.0 s",
                     .idle = true,
                     .answer_required = answer_required};
    CHECK_EQ(transcript_add(t, &ev), 0);
}

#define CAP_TEXT                                                                                   \
    "a message longer than the case's max_message (100 octets), our cap: the peer did nothing "    \
    "wrong"

/* A message over the case's max_message: ERROR naming the cap, not FAIL,
 * even though no outcome matches what happened. */
static void test_limit_is_an_error_naming_the_cap(void) {
    struct wcase *c = echo_case();
    struct transcript t;
    transcript_init(&t, 0);
    limit_event(&t, CAP_TEXT);
    our_close(&t, 1009);
    peer_close(&t, 1009);
    peer_eof(&t);
    t.events_dropped = 3;
    struct judgement j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_ERROR);
    CHECK(!j.internal);
    CHECK_EQ(j.outcome_index, -1);
    CHECK_EQ(j.first_unexpected, 0);
    CHECK(strstr(j.reason, "our limit was reached, not the peer's failure") == j.reason);
    CHECK(strstr(j.reason, "max_message (100 octets)") != NULL);
    CHECK(strstr(j.reason, "3 later events counted, not kept") != NULL);
    CHECK_STR(j.actual, "our limit: " CAP_TEXT);
    judgement_free(&j);
    transcript_free(&t);
    drop_case(c);
}

/* An outcome with "limit": true decides by the events before the limit. */
static void test_limit_accepted_by_an_outcome(void) {
    struct wcase *c = new_case(2);
    expect_msg(&c->outcomes[0], 1, "Hello");
    set_close(&c->outcomes[0], VERDICT_PASS, CLOSE_BY_US, 1000);
    expect_msg(&c->outcomes[1], 1, "first");
    c->outcomes[1].verdict = VERDICT_INFORMATIONAL;
    c->outcomes[1].accept_limit = true;
    struct transcript t;
    transcript_init(&t, 0);
    msg(&t, "first");
    limit_event(&t, CAP_TEXT);
    msg(&t, "after the limit"); /* not compared: the cap ended the comparison */
    struct judgement j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_INFORMATIONAL);
    CHECK_EQ(j.outcome_index, 1);
    CHECK(strstr(j.reason, "which accepts our limit") != NULL);
    judgement_free(&j);
    transcript_free(&t);

    /* Other events before the limit: that outcome does not hold; ERROR. */
    transcript_init(&t, 0);
    msg(&t, "other");
    limit_event(&t, CAP_TEXT);
    j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_ERROR);
    CHECK_EQ(j.first_unexpected, 1);
    judgement_free(&j);
    transcript_free(&t);
    drop_case(c);
}

/* A violation before the limit is the peer's: FAIL, the limit does not hide it. */
static void test_violation_before_limit_fails(void) {
    struct wcase *c = echo_case();
    struct transcript t;
    transcript_init(&t, 0);
    ev_simple(&t, TEV_VIOLATION, "masked frame");
    limit_event(&t, CAP_TEXT);
    struct judgement j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_FAIL);
    CHECK_EQ(j.first_unexpected, 0);
    judgement_free(&j);
    transcript_free(&t);
    drop_case(c);
}

/* Internal: ERROR with internal set, even over a violation or a match. */
static void test_internal_failure(void) {
    struct wcase *c = echo_case();
    struct transcript t;
    transcript_init(&t, 0);
    msg(&t, "Hello");
    clean_close(&t);
    ev_simple(&t, TEV_VIOLATION, "a frame after the peer's close frame");
    transcript_set_internal(&t, "queueing a reply to the peer: %s", "out of memory");
    struct judgement j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_ERROR);
    CHECK(j.internal);
    CHECK_STR(j.reason, "internal error of wsspec, not the peer's doing: queueing a reply to "
                        "the peer: out of memory");
    judgement_free(&j);
    transcript_free(&t);

    /* An event that could not be recorded: the transcript is incomplete. */
    transcript_init(&t, 0);
    msg(&t, "Hello");
    clean_close(&t);
    t.events_lost = 2;
    j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_ERROR);
    CHECK(j.internal);
    CHECK(strstr(j.reason, "2 events of the transcript could not be recorded") != NULL);
    judgement_free(&j);
    transcript_free(&t);

    /* An ordinary error (the target unreachable) is not internal. */
    transcript_init(&t, 0);
    transcript_set_error(&t, "opening handshake failed: %s", "connection refused");
    j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_ERROR);
    CHECK(!j.internal);
    judgement_free(&j);
    /* ...and an internal one replaces it. */
    transcript_set_internal(&t, "out of memory");
    CHECK(transcript_is_internal(&t));
    CHECK_STR(t.error, "out of memory");
    transcript_free(&t);
    drop_case(c);
}

/* The idle deadline ended the wait for the echo: ERROR naming it. */
static void test_idle_without_duty_is_an_error(void) {
    struct wcase *c = echo_case();
    struct transcript t;
    transcript_init(&t, 0);
    idle_timeout(&t, false);
    clean_close(&t);
    struct judgement j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_ERROR);
    CHECK(!j.internal);
    CHECK_EQ(j.first_unexpected, 0);
    CHECK(strstr(j.reason, "idle deadline") != NULL);
    CHECK(strstr(j.reason, "slow is not wrong") != NULL);
    judgement_free(&j);
    transcript_free(&t);

    /* A wrong echo before the idle deadline is the peer's: FAIL. */
    transcript_init(&t, 0);
    msg(&t, "Hellp");
    idle_timeout(&t, false);
    clean_close(&t);
    j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_FAIL);
    CHECK_EQ(j.first_unexpected, 0);
    judgement_free(&j);
    transcript_free(&t);

    /* The echo came after all (during the closing phase): the outcome holds. */
    transcript_init(&t, 0);
    idle_timeout(&t, false);
    msg(&t, "Hello");
    clean_close(&t);
    j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_PASS);
    judgement_free(&j);
    transcript_free(&t);
    drop_case(c);
}

/* 6455:5.5.2 "Upon receipt of a Ping frame, an endpoint MUST send a Pong
 * frame in response": the idle deadline ran out waiting for it, and the
 * outcomes decide: FAIL. */
static void test_idle_with_duty_is_judged_by_the_outcomes(void) {
    struct wcase *c = new_case(1);
    expect_pong(&c->outcomes[0], "P");
    set_close(&c->outcomes[0], VERDICT_PASS, CLOSE_BY_US, 1000);
    struct transcript t;
    transcript_init(&t, 0);
    idle_timeout(&t, true);
    clean_close(&t);
    struct judgement j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_FAIL);
    CHECK(strstr(j.reason, "slow is not wrong") == NULL);
    judgement_free(&j);
    transcript_free(&t);
    drop_case(c);
}

int main(void) {
    RUN(test_limit_is_an_error_naming_the_cap);
    RUN(test_limit_accepted_by_an_outcome);
    RUN(test_violation_before_limit_fails);
    RUN(test_internal_failure);
    RUN(test_idle_without_duty_is_an_error);
    RUN(test_idle_with_duty_is_judged_by_the_outcomes);
    TEST_EXIT();
}
