/* judge_fixtures: transcripts and cases built in code for the judge's unit
 * tests (judge_test.c, judge_handshake_test.c, judge_ours_test.c). Include
 * after test.h. */
#ifndef WSSPEC_JUDGE_FIXTURES_H
#define WSSPEC_JUDGE_FIXTURES_H

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "judge/judge.h"
#include "model/casemodel.h"
#include "model/transcript.h"

/* ---- transcripts ---------------------------------------------------------- */

static inline void add_payload_event(struct transcript *t, enum tev_kind kind, uint8_t opcode,
                                     const char *text) {
    struct tev ev = {.kind = kind, .opcode = opcode, .t_us = (int64_t)t->event_count * 1000};
    size_t len = strlen(text);
    ev.length = len;
    ev.head_len = len < TEV_HEAD_CAP ? len : TEV_HEAD_CAP;
    memcpy(ev.head, text, ev.head_len);
    EVP_Digest(text, len, ev.sha256, NULL, EVP_sha256(), NULL);
    CHECK_EQ(transcript_add(t, &ev), 0);
}

static inline void msg(struct transcript *t, const char *text) {
    add_payload_event(t, TEV_MESSAGE, 1, text);
}

static inline void bin(struct transcript *t, const char *data) {
    add_payload_event(t, TEV_MESSAGE, 2, data);
}

static inline void pong(struct transcript *t, const char *data) {
    add_payload_event(t, TEV_PONG, 0, data);
}

static inline void ev_simple(struct transcript *t, enum tev_kind kind, const char *detail) {
    struct tev ev = {.kind = kind, .detail = (char *)detail};
    if (kind == TEV_VIOLATION)
        ev.rfc = "6455:5.1";
    CHECK_EQ(transcript_add(t, &ev), 0);
}

/* The peer's close frame (code < 0: no status code). */
static inline void peer_close(struct transcript *t, int code) {
    struct tev ev = {.kind = TEV_CLOSE, .has_code = code >= 0, .code = (uint16_t)code};
    CHECK_EQ(transcript_add(t, &ev), 0);
    if (!t->we_sent_close)
        t->peer_closed_first = true;
    t->peer_sent_close = true;
}

static inline void our_close(struct transcript *t, int code) {
    struct tev ev = {.kind = TEV_SENT_CLOSE, .has_code = true, .code = (uint16_t)code};
    CHECK_EQ(transcript_add(t, &ev), 0);
    t->we_sent_close = true;
}

static inline void peer_eof(struct transcript *t) {
    ev_simple(t, TEV_EOF, NULL);
    if (!t->we_sent_close && !t->peer_sent_close)
        t->peer_closed_first = true;
    t->clean = t->we_sent_close && t->peer_sent_close;
}

/* We close with 1000, the peer answers 1000 and closes TCP. */
static inline void clean_close(struct transcript *t) {
    our_close(t, 1000);
    peer_close(t, 1000);
    peer_eof(t);
}

/* ---- cases ------------------------------------------------------------------ */

static inline struct wcase *new_case(size_t outcomes) {
    struct wcase *c = calloc(1, sizeof *c);
    c->id = strdup("test.case");
    c->outcomes = calloc(outcomes, sizeof *c->outcomes);
    c->outcome_count = outcomes;
    return c;
}

static inline void drop_case(struct wcase *c) {
    case_free(c);
    free(c);
}

static inline struct expect_event *add_expect(struct outcome *o) {
    o->events = realloc(o->events, (o->event_count + 1) * sizeof *o->events);
    struct expect_event *e = &o->events[o->event_count++];
    memset(e, 0, sizeof *e);
    e->times = 1;
    return e;
}

static inline void set_payload(struct expect_event *e, const char *text) {
    if (!text)
        return;
    e->payload_set = true;
    CHECK_EQ(payload_from_bytes(&e->payload, (const uint8_t *)text, strlen(text)), 0);
}

static inline struct expect_event *expect_msg(struct outcome *o, uint8_t opcode, const char *text) {
    struct expect_event *e = add_expect(o);
    e->kind = EXPECT_MESSAGE;
    e->opcode = opcode;
    set_payload(e, text);
    return e;
}

static inline struct expect_event *expect_pong(struct outcome *o, const char *text) {
    struct expect_event *e = add_expect(o);
    e->kind = EXPECT_PONG;
    set_payload(e, text);
    return e;
}

static inline void expect_mark(struct outcome *o, const char *name) {
    struct expect_event *e = add_expect(o);
    e->kind = EXPECT_MARK;
    e->mark = strdup(name);
}

static inline void set_close(struct outcome *o, enum verdict v, enum close_by by, int code) {
    o->verdict = v;
    o->close.by = by;
    if (code > 0) {
        o->close.codes = malloc(sizeof *o->close.codes);
        o->close.codes[0] = (uint16_t)code;
        o->close.code_count = 1;
    }
}

/* One judgement, freed by the caller. */
static inline struct judgement judge(const struct wcase *c, const struct transcript *t) {
    struct judgement j;
    judge_case(c, t, &j);
    CHECK(j.reason != NULL && j.expected != NULL && j.actual != NULL);
    return j;
}

/* The echo case: text "Hello", then we close with 1000. */
static inline struct wcase *echo_case(void) {
    struct wcase *c = new_case(1);
    expect_msg(&c->outcomes[0], 1, "Hello");
    set_close(&c->outcomes[0], VERDICT_PASS, CLOSE_BY_US, 1000);
    return c;
}

#endif
