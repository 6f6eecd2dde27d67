/* transcript_test: the record of one case: its bounded event list (a cap of
 * ours counted, never silent; out of memory counted apart, as our failure),
 * trimming a flooded record once judged, and the size-capped wire log. */
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "model/transcript.h"
#include "test.h"

static int add(struct transcript *t, enum tev_kind kind, const char *detail) {
    struct tev ev = {.kind = kind, .t_us = (int64_t)t->event_count, .detail = (char *)detail};
    return transcript_add(t, &ev);
}

static void test_event_limit_counts_what_it_drops(void) {
    struct transcript t;
    transcript_init(&t, 0);
    transcript_set_event_limit(&t, 4);
    for (int i = 0; i < 4; i++)
        CHECK_EQ(add(&t, TEV_PING, NULL), 0);
    /* The peer's fifth event is over our limit: counted, not kept. */
    CHECK_EQ(add(&t, TEV_PING, NULL), WS_ERR_LIMIT);
    CHECK_EQ(add(&t, TEV_MESSAGE, NULL), WS_ERR_LIMIT);
    CHECK_EQ(t.event_count, 4);
    CHECK_EQ_U64(t.events_dropped, 2);
    CHECK_EQ_U64(t.events_lost, 0);
    CHECK(!transcript_is_internal(&t));
    /* The events that end a case still fit, up to the reserve. */
    CHECK_EQ(add(&t, TEV_LIMIT, "our limit"), 0);
    CHECK_EQ(add(&t, TEV_EOF, NULL), 0);
    CHECK_EQ(t.event_count, 6);
    CHECK_STR(t.events[4].detail, "our limit");
    for (int i = 0; i < TRANSCRIPT_RESERVE - 2; i++)
        CHECK_EQ(add(&t, TEV_TIMEOUT, "t"), 0);
    CHECK_EQ(add(&t, TEV_TIMEOUT, "t"), WS_ERR_LIMIT);
    CHECK_EQ(t.event_count, 4 + TRANSCRIPT_RESERVE);
    CHECK_EQ_U64(t.events_dropped, 3);
    transcript_free(&t);

    /* No limit set: no cap. */
    transcript_init(&t, 0);
    for (int i = 0; i < 5000; i++)
        CHECK_EQ(add(&t, TEV_PING, NULL), 0);
    CHECK_EQ(t.event_count, 5000);
    transcript_free(&t);
}

static void test_drop_events_keeps_head_and_tail(void) {
    struct transcript t;
    transcript_init(&t, 0);
    char name[16];
    for (int i = 0; i < 10; i++) {
        snprintf(name, sizeof name, "e%d", i);
        CHECK_EQ(add(&t, TEV_MARK, name), 0);
    }
    CHECK_EQ(transcript_drop_events(&t, 3, 8), 5);
    CHECK_EQ(t.event_count, 5);
    CHECK_EQ_U64(t.events_dropped, 5);
    const char *want[] = {"e0", "e1", "e2", "e8", "e9"};
    for (int i = 0; i < 5; i++)
        CHECK_STR(t.events[i].detail, want[i]);
    /* Nothing to drop: unchanged. */
    CHECK_EQ(transcript_drop_events(&t, 4, 2), 0);
    CHECK_EQ(transcript_drop_events(&t, 5, 100), 0);
    CHECK_EQ(t.event_count, 5);
    transcript_free(&t);
}

static void test_internal_and_error(void) {
    struct transcript t;
    transcript_init(&t, 0);
    transcript_set_error(&t, "first %d", 1);
    transcript_set_error(&t, "second");
    CHECK_STR(t.error, "first 1");
    CHECK(!transcript_is_internal(&t));
    transcript_set_internal(&t, "ours %s", "out of memory");
    CHECK_STR(t.error, "ours out of memory");
    CHECK(transcript_is_internal(&t));
    transcript_set_internal(&t, "later");
    CHECK_STR(t.error, "ours out of memory");
    transcript_free(&t);
    transcript_init(&t, 0);
    t.events_lost = 1;
    CHECK(transcript_is_internal(&t));
    transcript_free(&t);
}

static void test_wire_log_and_trim(void) {
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
    /* Keep the records that start within the first 23 octets: the first. */
    transcript_trim_wire(&t, 23);
    CHECK_EQ(t.wire.len, 23);
    CHECK_EQ(t.wire_dropped_in, 10);
    pos = 0;
    CHECK_EQ(transcript_wire_next(&t, &pos, &r), 1);
    CHECK_MEM(r.data, r.len, "abcdefghij", 10);
    CHECK_EQ(transcript_wire_next(&t, &pos, &r), 0);
    transcript_free(&t);
}

static void test_describe(void) {
    char line[128];
    struct tev close = {.kind = TEV_CLOSE, .has_code = true, .code = 1002, .detail = "bad"};
    tev_describe(&close, line, sizeof line);
    CHECK_STR(line, "close 1002 \"bad\"");
    struct tev m = {
        .kind = TEV_MESSAGE, .opcode = 1, .length = 2, .head_len = 2, .head = {0xce, '"'}};
    tev_describe(&m, line, sizeof line);
    CHECK_STR(line, "message text 2 octets \"\\xce\\\"\"");
    struct tev limit = {.kind = TEV_LIMIT, .detail = "a frame above max_message"};
    tev_describe(&limit, line, sizeof line);
    CHECK_STR(line, "our limit: a frame above max_message");
    CHECK_STR(tev_kind_name(TEV_LIMIT), "limit");
}

int main(void) {
    RUN(test_event_limit_counts_what_it_drops);
    RUN(test_drop_events_keeps_head_and_tail);
    RUN(test_internal_and_error);
    RUN(test_wire_log_and_trim);
    RUN(test_describe);
    TEST_EXIT();
}
