/* judge_rules_test: behaviour the RFC allows a peer at any time never changes
 * a verdict unless the case is about it (issue 8 item 1): 6455:5.5.3 "A Pong
 * frame MAY be sent unsolicited." and 6455:5.5.2 (either side may ping; the
 * runner answers). The runner marks a pong that answers no ping of ours as
 * unsolicited; the judge skips those and the peer's pings. */
#include "test.h"

#include "judge_fixtures.h"

static void heartbeat(struct transcript *t, const char *data) {
    struct tev ev = {.kind = TEV_PONG, .unsolicited = true, .length = strlen(data)};
    EVP_Digest(data, strlen(data), ev.sha256, NULL, EVP_sha256(), NULL);
    CHECK_EQ(transcript_add(t, &ev), 0);
}

static void peer_ping(struct transcript *t, const char *data) {
    add_payload_event(t, TEV_PING, 0, data);
}

/* The echo case with a heartbeat pong and a ping before the echo, between
 * the echo and the close: still a pass, not degraded. */
static void test_heartbeats_skipped(void) {
    struct wcase *c = echo_case();
    struct transcript t;
    transcript_init(&t, 0);
    heartbeat(&t, "heartbeat");
    peer_ping(&t, "keepalive");
    msg(&t, "Hello");
    heartbeat(&t, "heartbeat");
    peer_ping(&t, "keepalive");
    clean_close(&t);
    struct judgement j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_PASS);
    CHECK(!j.degraded);
    CHECK_EQ(j.first_unexpected, -1);
    judgement_free(&j);
    transcript_free(&t);
    drop_case(c);
}

/* A pong that answers a ping of ours is not skipped: one the case did not
 * expect still departs from the outcome. */
static void test_answering_pong_counts(void) {
    struct wcase *c = echo_case();
    struct transcript t;
    transcript_init(&t, 0);
    pong(&t, "P");
    msg(&t, "Hello");
    clean_close(&t);
    struct judgement j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_FAIL);
    CHECK_EQ(j.first_unexpected, 0);
    judgement_free(&j);
    transcript_free(&t);
    drop_case(c);
}

/* A heartbeat never stands in for the answer to our ping (6455:5.5.2 "Upon
 * receipt of a Ping frame, an endpoint MUST send a Pong frame in
 * response"): the case expecting pong "P" fails with only a heartbeat. */
static void test_heartbeat_is_not_an_answer(void) {
    struct wcase *c = new_case(1);
    expect_pong(&c->outcomes[0], "P");
    set_close(&c->outcomes[0], VERDICT_PASS, CLOSE_BY_US, 1000);
    struct transcript t;
    transcript_init(&t, 0);
    heartbeat(&t, "P-not");
    clean_close(&t);
    struct judgement j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_FAIL);
    judgement_free(&j);

    /* With the answer after the heartbeat: pass. */
    transcript_free(&t);
    transcript_init(&t, 0);
    heartbeat(&t, "P-not");
    pong(&t, "P");
    clean_close(&t);
    j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_PASS);
    judgement_free(&j);
    transcript_free(&t);
    drop_case(c);
}

/* A case about the peer's pings (an outcome lists one) sees them. */
static void test_case_about_pings(void) {
    struct wcase *c = new_case(1);
    struct expect_event *e = add_expect(&c->outcomes[0]);
    e->kind = EXPECT_PING;
    set_close(&c->outcomes[0], VERDICT_PASS, CLOSE_BY_US, 1000);
    struct transcript t;
    transcript_init(&t, 0);
    clean_close(&t);
    struct judgement j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_FAIL); /* the ping it is about never came */
    judgement_free(&j);
    transcript_free(&t);

    transcript_init(&t, 0);
    peer_ping(&t, "x");
    clean_close(&t);
    j = judge(c, &t);
    CHECK_EQ(j.verdict, VERDICT_PASS);
    judgement_free(&j);
    transcript_free(&t);
    drop_case(c);
}

int main(void) {
    RUN(test_heartbeats_skipped);
    RUN(test_answering_pong_counts);
    RUN(test_heartbeat_is_not_an_answer);
    RUN(test_case_about_pings);
    TEST_EXIT();
}
