/* judge_deadline_test: slow is not wrong (issue 8, items 6 and 7). On
 * transcripts built in code:
 *
 *   - our case deadline stopping a conversation that was still under way
 *     (the runner's TIMEOUT event with deadline and progressing set), with
 *     every event of the peer so far a correct start of the closest
 *     outcome, is an ERROR naming the deadline and the progress, never a
 *     FAIL; a peer that had gone quiet, or one that departed from the
 *     outcome before the deadline, still FAILs;
 *   - runner_failed_by_timeout(): a FAIL whose departing event is one of
 *     our timeouts is "failed only by a timeout" (rerun by
 *     --retry-timeouts); a FAIL departing at an event of the peer is not. */
#include "test.h"

#include "judge_fixtures.h"
#include "run/runner.h"

static void deadline_event(struct transcript *t, bool progressing) {
    struct tev ev = {.kind = TEV_TIMEOUT,
                     .detail = "the case deadline (1.0 s) ran out",
                     .deadline = true,
                     .progressing = progressing};
    CHECK_EQ(transcript_add(t, &ev), 0);
}

/* 1000 echoes expected, 3 came, then our deadline. */
static struct wcase *many_echoes_case(void) {
    struct wcase *c = new_case(1);
    struct expect_event *e = expect_msg(&c->outcomes[0], 1, "m");
    e->times = 1000;
    set_close(&c->outcomes[0], VERDICT_PASS, CLOSE_BY_US, 1000);
    return c;
}

static void test_deadline_while_answering_is_an_error(void) {
    struct wcase *c = many_echoes_case();
    struct transcript t;
    transcript_init(&t, 0);
    msg(&t, "m");
    msg(&t, "m");
    msg(&t, "m");
    deadline_event(&t, true);
    t.we_dropped_tcp = true;
    struct judgement j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_ERROR);
    CHECK(!j.internal);
    CHECK_EQ(j.first_unexpected, 3);
    CHECK(strstr(j.reason, "case deadline") != NULL);
    CHECK(strstr(j.reason, "3 of the peer's events matching outcome 1") != NULL);
    CHECK(strstr(j.reason, "slow is not wrong") != NULL);
    judgement_free(&j);
    transcript_free(&t);
    drop_case(c);
}

/* The same transcript with a peer that had gone quiet: FAIL (rerun once by
 * --retry-timeouts: it failed only by a timeout). */
static void test_deadline_after_silence_fails(void) {
    struct wcase *c = many_echoes_case();
    struct case_result r = {.c = c, .ran = true};
    transcript_init(&r.tr, 0);
    msg(&r.tr, "m");
    deadline_event(&r.tr, false);
    r.tr.we_dropped_tcp = true;
    r.j = judge(c, &r.tr);
    CHECK_EQ(r.j.verdict, VERDICT_FAIL);
    CHECK_EQ(r.j.first_unexpected, 1);
    CHECK(runner_failed_by_timeout(&r));
    case_result_free(&r);
    drop_case(c);
}

/* A wrong echo before the deadline is the peer's doing: FAIL, and not one
 * by a timeout, even though the deadline came later. */
static void test_wrong_event_before_the_deadline_fails(void) {
    struct wcase *c = many_echoes_case();
    struct case_result r = {.c = c, .ran = true};
    transcript_init(&r.tr, 0);
    msg(&r.tr, "m");
    msg(&r.tr, "x");
    deadline_event(&r.tr, true);
    r.tr.we_dropped_tcp = true;
    r.j = judge(c, &r.tr);
    CHECK_EQ(r.j.verdict, VERDICT_FAIL);
    CHECK_EQ(r.j.first_unexpected, 1);
    CHECK(!runner_failed_by_timeout(&r));
    case_result_free(&r);
    drop_case(c);
}

/* 6455:5.5.1 "If an endpoint receives a Close frame and did not previously
 * send a Close frame, the endpoint MUST send a Close frame in response":
 * the echo came, our close was never answered and the wait ended on the
 * peer's silence: FAIL, only by a timeout. The peer closing TCP instead
 * fails as well, but by an event of the peer. */
static void test_unanswered_close(void) {
    struct wcase *c = echo_case();
    struct case_result r = {.c = c, .ran = true};
    transcript_init(&r.tr, 0);
    msg(&r.tr, "Hello");
    our_close(&r.tr, 1000);
    struct tev silent = {.kind = TEV_TIMEOUT,
                         .detail = "waiting for the peer's answer to our close",
                         .idle = true,
                         .answer_required = true};
    CHECK_EQ(transcript_add(&r.tr, &silent), 0);
    r.tr.we_dropped_tcp = true;
    r.j = judge(c, &r.tr);
    CHECK_EQ(r.j.verdict, VERDICT_FAIL);
    CHECK_EQ(r.j.first_unexpected, 2);
    CHECK(runner_failed_by_timeout(&r));
    case_result_free(&r);

    memset(&r, 0, sizeof r);
    r.c = c;
    r.ran = true;
    transcript_init(&r.tr, 0);
    msg(&r.tr, "Hello");
    our_close(&r.tr, 1000);
    peer_eof(&r.tr);
    r.j = judge(c, &r.tr);
    CHECK_EQ(r.j.verdict, VERDICT_FAIL);
    CHECK(!runner_failed_by_timeout(&r));
    case_result_free(&r);
    drop_case(c);
}

/* A pass, an error and a violation are never "failed by a timeout". */
static void test_only_failures_are_retried(void) {
    struct wcase *c = echo_case();
    struct case_result r = {.c = c, .ran = true};
    transcript_init(&r.tr, 0);
    msg(&r.tr, "Hello");
    clean_close(&r.tr);
    r.j = judge(c, &r.tr);
    CHECK_EQ(r.j.verdict, VERDICT_PASS);
    CHECK(!runner_failed_by_timeout(&r));
    case_result_free(&r);

    memset(&r, 0, sizeof r);
    r.c = c;
    r.ran = true;
    transcript_init(&r.tr, 0);
    ev_simple(&r.tr, TEV_VIOLATION, "masked frame");
    deadline_event(&r.tr, false);
    r.j = judge(c, &r.tr);
    CHECK_EQ(r.j.verdict, VERDICT_FAIL);
    CHECK(!runner_failed_by_timeout(&r));
    case_result_free(&r);
    drop_case(c);
}

int main(void) {
    RUN(test_deadline_while_answering_is_an_error);
    RUN(test_deadline_after_silence_fails);
    RUN(test_wrong_event_before_the_deadline_fails);
    RUN(test_unanswered_close);
    RUN(test_only_failures_are_retried);
    TEST_EXIT();
}
