/* report_window_test: which events and wire records of a transcript a
 * report keeps, and its account of the rest, on transcripts built by hand:
 * an echo of 40 messages whose 31st is the one the judge points at (gaps of
 * events and records, the window around the anchor record, a record cut to
 * its head with length and SHA-256, HTTP heads left to the handshake text,
 * frame_at where a reader of the kept records loses its place); the budget
 * of a passing case; a head that text cannot show exactly; an answer other
 * than 101 (no frames follow it); an empty transcript. */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "model/transcript.h"
#include "reports/report_window.h"
#include "test.h"

static const char request[] = "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n";
static const char response[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n";

#define MESSAGES 40
#define JUDGED   30   /* the message the judge points at */
#define BIG      2000 /* payload octets of the echo of message JUDGED */

static void sha256(const void *data, size_t len, uint8_t out[32]) {
    unsigned out_len = 0;
    EVP_Digest(data, len, out, &out_len, EVP_sha256(), NULL);
}

static void add_event(struct transcript *t, enum tev_kind kind, int64_t t_us,
                      const uint8_t *payload, size_t len) {
    struct tev ev = {.kind = kind, .t_us = t_us, .opcode = 1, .length = len};
    if (payload) {
        sha256(payload, len, ev.sha256);
        ev.head_len = len < TEV_HEAD_CAP ? len : TEV_HEAD_CAP;
        memcpy(ev.head, payload, ev.head_len);
    }
    CHECK_EQ(transcript_add(t, &ev), 0);
}

static void wire(struct transcript *t, enum wire_entry_dir dir, int64_t t_us, const void *data,
                 size_t len) {
    transcript_wire(t, dir, t_us, data, len);
}

/* Handshake, then MESSAGES round trips: out a masked text frame of 10 octets
 * (16 octets, one record), in its echo (12 octets, one record); the echo of
 * message JUDGED has BIG octets (a 16-bit length). Then our close, the
 * peer's, its EOF. Records: 0 request, 1 response, 2 + 2k out, 3 + 2k in. */
static void echo_transcript(struct transcript *t, uint8_t *big_frame) {
    transcript_init(t, 1 << 20);
    buf_append(&t->request_head, (const uint8_t *)request, strlen(request));
    buf_append(&t->response_head, (const uint8_t *)response, strlen(response));
    t->http_status = 101;
    wire(t, WIRE_ENTRY_OUT, 10, request, strlen(request));
    wire(t, WIRE_ENTRY_IN, 20, response, strlen(response));
    uint8_t payload[BIG];
    memset(payload, 'a', sizeof payload);
    for (int k = 0; k < MESSAGES; k++) {
        int64_t t_us = 100 + 10 * k;
        uint8_t out[16] = {0x81, 0x80 | 10, 1, 2, 3, 4};
        wire(t, WIRE_ENTRY_OUT, t_us, out, sizeof out);
        if (k == JUDGED) {
            big_frame[0] = 0x81;
            big_frame[1] = 126;
            big_frame[2] = BIG >> 8;
            big_frame[3] = BIG & 0xff;
            memset(big_frame + 4, 'a', BIG);
            wire(t, WIRE_ENTRY_IN, t_us + 5, big_frame, 4 + BIG);
            add_event(t, TEV_MESSAGE, t_us + 6, payload, BIG);
        } else {
            uint8_t in[12] = {0x81, 10};
            memset(in + 2, 'a', 10);
            wire(t, WIRE_ENTRY_IN, t_us + 5, in, sizeof in);
            add_event(t, TEV_MESSAGE, t_us + 6, payload, 10);
        }
    }
    add_event(t, TEV_SENT_CLOSE, 1000, NULL, 0);
    add_event(t, TEV_CLOSE, 1010, NULL, 0);
    add_event(t, TEV_EOF, 1020, NULL, 0);
}

static long long int_at(const json_t *o, const char *key) {
    return json_integer_value(json_object_get(o, key));
}

static const json_t *record(const struct report_window *w, long long index) {
    for (size_t i = 0; i < json_array_size(w->records); i++)
        if (int_at(json_array_get(w->records, i), "index") == index)
            return json_array_get(w->records, i);
    return NULL;
}

static void free_window(struct report_window *w) {
    json_decref(w->events);
    json_decref(w->records);
    json_decref(w->elided);
}

static void test_failing_echo(void) {
    struct transcript t;
    static uint8_t big_frame[4 + BIG];
    echo_transcript(&t, big_frame);
    struct report_window w;
    CHECK_EQ(report_window_build(&t, JUDGED, &report_budget_failing, &w), 0);

    /* Events: 0-3, 26-34 around the judged one, the last four (39-42). */
    static const int kept[] = {0, 1, 2, 3, 26, 27, 28, 29, 30, 31, 32, 33, 34, 39, 40, 41, 42};
    CHECK_EQ(json_array_size(w.events), sizeof kept / sizeof kept[0]);
    for (size_t i = 0; i < json_array_size(w.events); i++)
        CHECK_EQ(int_at(json_array_get(w.events, i), "index"), kept[i]);
    CHECK_EQ(w.first_unexpected, 8);
    CHECK_EQ(int_at(json_array_get(w.events, 8), "length"), BIG);
    const json_t *gaps = json_object_get(w.elided, "event_gaps");
    CHECK_EQ(json_array_size(gaps), 2);
    const json_t *g = json_array_get(gaps, 0);
    CHECK_EQ(int_at(g, "first"), 4);
    CHECK_EQ(int_at(g, "count"), 22);
    CHECK_EQ(int_at(json_object_get(g, "kinds"), "message"), 22);
    CHECK_EQ(json_object_size(json_object_get(g, "kinds")), 1);
    CHECK_EQ(int_at(g, "payload_octets"), 220);
    /* The digest of the 22 payload digests, in order. */
    uint8_t digests[22 * 32], want[32];
    for (int i = 0; i < 22; i++)
        memcpy(digests + 32 * i, t.events[4 + i].sha256, 32);
    sha256(digests, sizeof digests, want);
    char want_hex[65];
    for (int i = 0; i < 32; i++)
        snprintf(want_hex + 2 * i, 3, "%02x", want[i]);
    CHECK_STR(json_string_value(json_object_get(g, "sha256")), want_hex);
    CHECK_EQ(int_at(w.elided, "events"), MESSAGES + 3 - 17);

    /* Records: 0-3 (the heads, the first round trip), 57-67 around the
     * anchor 63 (the echo of message 30), the last four (78-81). */
    CHECK_EQ(json_array_size(w.records), 4 + 11 + 4);
    CHECK(record(&w, 3) && record(&w, 57) && record(&w, 67) && record(&w, 78));
    CHECK(!record(&w, 4) && !record(&w, 56) && !record(&w, 68) && !record(&w, 77));
    const json_t *req = record(&w, 0), *resp = record(&w, 1);
    CHECK(json_is_true(json_object_get(req, "head")) &&
          json_is_true(json_object_get(resp, "head")));
    CHECK_STR(json_string_value(json_object_get(req, "hex")), "");
    CHECK_EQ(int_at(req, "length"), strlen(request));
    CHECK(!json_object_get(req, "sha256"));
    /* After a head record the reader's parse is lost: the first frame of
     * each direction says where its header starts. */
    CHECK(json_is_integer(json_object_get(record(&w, 2), "frame_at")));
    CHECK_EQ(int_at(record(&w, 2), "frame_at"), 0);
    CHECK_EQ(int_at(record(&w, 3), "frame_at"), 0);
    /* After the gap both directions are lost: 57 (in) and 58 (out) say
     * where their frames start; 59 is read in step again. */
    CHECK(json_is_integer(json_object_get(record(&w, 57), "frame_at")));
    CHECK_EQ(int_at(record(&w, 57), "frame_at"), 0);
    CHECK_EQ(int_at(record(&w, 58), "frame_at"), 0);
    CHECK(!json_object_get(record(&w, 59), "frame_at"));
    /* The anchor is cut at 1024 octets, with the length and digest of all. */
    const json_t *anchor = record(&w, 63);
    CHECK_EQ(strlen(json_string_value(json_object_get(anchor, "hex"))), 2 * 1024);
    CHECK_EQ(int_at(anchor, "length"), 4 + BIG);
    uint8_t all[32];
    sha256(big_frame, 4 + BIG, all);
    char all_hex[65];
    for (int i = 0; i < 32; i++)
        snprintf(all_hex + 2 * i, 3, "%02x", all[i]);
    CHECK_STR(json_string_value(json_object_get(anchor, "sha256")), all_hex);
    /* The next in record follows a cut one: its header starts at 0. */
    CHECK_EQ(int_at(record(&w, 65), "frame_at"), 0);
    CHECK(!json_object_get(record(&w, 64), "frame_at"));

    /* The account: 82 records, 19 kept; octets left out add up. */
    CHECK_EQ(int_at(w.elided, "records"), 82 - 19);
    CHECK_EQ(int_at(w.elided, "records_cut"), 3);
    const json_t *rgaps = json_object_get(w.elided, "record_gaps");
    CHECK_EQ(json_array_size(rgaps), 2);
    CHECK_EQ(int_at(json_array_get(rgaps, 0), "first"), 4);
    CHECK_EQ(int_at(json_array_get(rgaps, 0), "count"), 53);
    CHECK_EQ(int_at(json_array_get(rgaps, 0), "octets_out"), 16 * 27);
    CHECK_EQ(int_at(json_array_get(rgaps, 0), "octets_in"), 12 * 26);
    CHECK_EQ(int_at(w.elided, "octets_out"), strlen(request) + 16 * (27 + 5));
    CHECK_EQ(int_at(w.elided, "octets_in"), strlen(response) + 12 * (26 + 5) + (4 + BIG - 1024));
    free_window(&w);

    /* A passing case keeps its first and last two of each. */
    CHECK_EQ(report_window_build(&t, -1, &report_budget_passing, &w), 0);
    CHECK_EQ(json_array_size(w.events), 4);
    CHECK_EQ(w.first_unexpected, -1);
    CHECK_EQ(json_array_size(w.records), 4);
    CHECK_EQ(json_array_size(json_object_get(w.elided, "event_gaps")), 1);
    CHECK_EQ(int_at(json_array_get(json_object_get(w.elided, "event_gaps"), 0), "count"),
             MESSAGES + 3 - 4);
    free_window(&w);
    transcript_free(&t);
}

/* A violation far from the window is kept anyway (up to events_notable). */
static void test_notable_events(void) {
    struct transcript t;
    transcript_init(&t, 1024);
    for (int i = 0; i < 100; i++)
        add_event(&t, i == 50 ? TEV_VIOLATION : TEV_PING, i, (const uint8_t *)"p", 1);
    struct report_window w;
    CHECK_EQ(report_window_build(&t, 2, &report_budget_failing, &w), 0);
    bool found = false;
    for (size_t i = 0; i < json_array_size(w.events); i++)
        found |= int_at(json_array_get(w.events, i), "index") == 50;
    CHECK(found);
    CHECK_EQ(json_array_size(json_object_get(w.elided, "event_gaps")), 2);
    free_window(&w);
    transcript_free(&t);
}

/* A head with a bare LF keeps its hex; after a 400 no frame follows, so a
 * record of the response's body after a gap has frame_at null. */
static void test_heads_text_cannot_show_and_no_frames_after_400(void) {
    struct transcript t;
    transcript_init(&t, 1 << 16);
    static const char bare_lf[] = "GET / HTTP/1.1\nHost: x\n\n";
    static const char refused[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 40\r\n\r\n";
    buf_append(&t.request_head, (const uint8_t *)bare_lf, strlen(bare_lf));
    buf_append(&t.response_head, (const uint8_t *)refused, strlen(refused));
    wire(&t, WIRE_ENTRY_OUT, 1, bare_lf, strlen(bare_lf));
    wire(&t, WIRE_ENTRY_IN, 2, refused, strlen(refused));
    for (int i = 0; i < 20; i++)
        wire(&t, WIRE_ENTRY_IN, 3 + i, "\x81\x02xx", 4); /* body octets, not frames */
    add_event(&t, TEV_EOF, 30, NULL, 0);
    struct report_window w;
    CHECK_EQ(report_window_build(&t, 0, &report_budget_failing, &w), 0);
    const json_t *req = record(&w, 0);
    CHECK(!json_object_get(req, "head") && !json_object_get(req, "length"));
    CHECK_EQ(strlen(json_string_value(json_object_get(req, "hex"))), 2 * strlen(bare_lf));
    CHECK(json_is_true(json_object_get(record(&w, 1), "head")));
    /* Kept: 0-3 and 15-21 around the anchor (the last record in before the
     * EOF, 21). The response's head is a head record, so the reader of the
     * records is lost from 2 on, and no frame header ever starts again. */
    CHECK(record(&w, 2) && record(&w, 15) && !record(&w, 4) && !record(&w, 14));
    CHECK(json_is_null(json_object_get(record(&w, 2), "frame_at")));
    CHECK(json_is_null(json_object_get(record(&w, 3), "frame_at")));
    CHECK(json_is_null(json_object_get(record(&w, 15), "frame_at")));
    free_window(&w);
    transcript_free(&t);
}

static void test_empty_transcript(void) {
    struct transcript t;
    transcript_init(&t, 0);
    struct report_window w;
    CHECK_EQ(report_window_build(&t, -1, &report_budget_failing, &w), 0);
    CHECK_EQ(json_array_size(w.events), 0);
    CHECK_EQ(json_array_size(w.records), 0);
    CHECK_EQ(int_at(w.elided, "events"), 0);
    CHECK_EQ(int_at(w.elided, "records"), 0);
    CHECK_EQ(json_array_size(json_object_get(w.elided, "record_gaps")), 0);
    CHECK_EQ(w.first_unexpected, -1);
    free_window(&w);
    transcript_free(&t);
}

int main(void) {
    RUN(test_failing_echo);
    RUN(test_notable_events);
    RUN(test_heads_text_cannot_show_and_no_frames_after_400);
    RUN(test_empty_transcript);
    TEST_EXIT();
}
