/* fuzz_oracle: the outcomes a conforming echo server earns for a case's
 * steps (fuzz_oracle.h), built from what the walk (fuzz_oracle_walk.c)
 * found: the answers due in stream order and how the conversation must end.
 *
 * The verdicts are the corpus's (cases/README.md "One verdict for one
 * behaviour"): the shared behaviours of cases/behaviours.json are taken from
 * the loader (case_shared_outcomes), the rest written as the corpus writes
 * the same situation:
 *   - a frame the peer must fail on: {"close": {"by": "peer", "codes": [C]}}
 *     (reserved-bits, opcodes, masking, fragmentation, utf8); our close frame
 *     itself broken: by us, exact, and without a close frame non-strict
 *     (close.close-payload-1-octet, reserved-bits.rsv-all-close);
 *   - the answers before it in full: pass; an echo or pong we did not wait
 *     for, missing: informational ("a valid message before the frame that
 *     fails the connection, not echoed");
 *   - a pong sent only after a message its ping came before: non-strict
 *     (6455:5.5.2 "It SHOULD respond with Pong frame as soon as is
 *     practical"); a pong before an echo it follows in the stream: pass
 *     (control-interleave.ping-after-last-of-3);
 *   - invalid UTF-8 found only at the end of its message: informational (the
 *     fail-fast rows); a message over 512 KiB may be refused with 1009
 *     (limits.*);
 *   - a rule that binds only us (a non-minimal length, a close code a sender
 *     must not use): rejects-sender-only-violation, and what the peer that
 *     accepts it must do next, informational. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "fuzz/fuzz_oracle_int.h"
#include "load/caseload.h"
#include "model/payload.h"

/* The sentences are RFC 6455's text (tests/unit/fuzz_oracle_test.c checks
 * each against /work/shared/rfc/rfc6455.txt, whitespace folded). */
static const struct oracle_rule rules[OR_COUNT] = {
    [OR_NONE] = {"none", "6455:5.5.1",
                 "If an endpoint receives a Close frame and did not previously send a Close "
                 "frame, the endpoint MUST send a Close frame in response."},
    [OR_RSV_BITS] = {"rsv-bits", "6455:5.2",
                     "If a nonzero value is received and none of the negotiated extensions "
                     "defines the meaning of such a nonzero value, the receiving endpoint MUST "
                     "_Fail the WebSocket Connection_."},
    [OR_RESERVED_OPCODE] = {"reserved-opcode", "6455:5.2",
                            "If an unknown opcode is received, the receiving endpoint MUST _Fail "
                            "the WebSocket Connection_."},
    [OR_UNMASKED] = {"unmasked-frame", "6455:5.1",
                     "The server MUST close the connection upon receiving a frame that is not "
                     "masked."},
    [OR_CONTROL_TOO_LONG] = {"control-too-long", "6455:5.5",
                             "All control frames MUST have a payload length of 125 bytes or less "
                             "and MUST NOT be fragmented."},
    [OR_CONTROL_FRAGMENTED] = {"control-fragmented", "6455:5.5",
                               "All control frames MUST have a payload length of 125 bytes or "
                               "less and MUST NOT be fragmented."},
    [OR_LENGTH_MSB] = {"length-msb", "6455:5.2",
                       "If 127, the following 8 bytes interpreted as a 64-bit unsigned integer "
                       "(the most significant bit MUST be 0) are the payload length."},
    [OR_ORPHAN_CONTINUATION] = {"orphan-continuation", "6455:5.4",
                                "A fragmented message consists of a single frame with the FIN "
                                "bit clear and an opcode other than 0, followed by zero or more "
                                "frames with the FIN bit clear and the opcode set to 0, and "
                                "terminated by a single frame with the FIN bit set and an "
                                "opcode of 0."},
    [OR_EXPECTED_CONTINUATION] = {"interleaved-message", "6455:5.4",
                                  "The fragments of one message MUST NOT be interleaved between "
                                  "the fragments of another message unless an extension has "
                                  "been negotiated that can interpret the interleaving."},
    [OR_INVALID_UTF8] = {"invalid-utf8", "6455:8.1",
                         "When an endpoint is to interpret a byte stream as UTF-8 but finds "
                         "that the byte stream is not, in fact, a valid UTF-8 stream, that "
                         "endpoint MUST _Fail the WebSocket Connection_."},
    [OR_CLOSE_ONE_OCTET] = {"close-one-octet", "6455:5.5.1",
                            "If there is a body, the first two bytes of the body MUST be a "
                            "2-byte unsigned integer (in network byte order) representing a "
                            "status code with value /code/ defined in Section 7.4."},
    [OR_CLOSE_REASON_UTF8] = {"close-reason-utf8", "6455:8.1",
                              "When an endpoint is to interpret a byte stream as UTF-8 but finds "
                              "that the byte stream is not, in fact, a valid UTF-8 stream, that "
                              "endpoint MUST _Fail the WebSocket Connection_."},
    [OR_CLOSE_SENDER_CODE] = {"close-code-sender-only", "6455:10.7",
                              "Incoming data MUST always be validated by both clients and "
                              "servers."},
    [OR_NON_MINIMAL_LENGTH] = {"non-minimal-length", "6455:10.7",
                               "Incoming data MUST always be validated by both clients and "
                               "servers."},
    [OR_MESSAGE_TOO_BIG] = {"message-too-big", "6455:10.4",
                            "Implementations that have implementation- and/or platform-specific "
                            "limitations regarding the frame size or total message size after "
                            "reassembly from multiple frames MUST protect themselves against "
                            "exceeding those limits."},
    [OR_TRUNCATED_FRAME] = {"truncated-frame", "6455:6.2",
                            "Incoming data MUST be parsed as WebSocket frames as defined in "
                            "Section 5.2."},
};

const struct oracle_rule *oracle_rule_get(enum oracle_rule_id id) {
    return &rules[id < OR_COUNT ? id : OR_NONE];
}

const struct oracle_rule *fuzz_oracle_rules(size_t *count) {
    *count = OR_COUNT;
    return rules;
}

/* ---- outcomes under construction ---- */

#define MAX_ORDERS   64u
#define MAX_OUTCOMES 512u
#define MAX_DEPTH    4u

struct build {
    struct outcome *o;
    size_t n, cap;
    int err;         /* WS_ERR_NOMEM */
    const char *why; /* set: unsupported */
};

static struct outcome *push(struct build *b) {
    if (b->err || b->why)
        return NULL;
    if (b->n >= MAX_OUTCOMES) {
        b->why = "more outcomes than the oracle writes";
        return NULL;
    }
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        struct outcome *p = realloc(b->o, cap * sizeof *p);
        if (!p) {
            b->err = WS_ERR_NOMEM;
            return NULL;
        }
        b->o = p;
        b->cap = cap;
    }
    struct outcome *o = &b->o[b->n++];
    memset(o, 0, sizeof *o);
    return o;
}

static int set_codes(struct close_expect *ce, const uint16_t *codes, size_t n) {
    ce->codes = n ? malloc(n * sizeof *codes) : NULL;
    if (n && !ce->codes)
        return WS_ERR_NOMEM;
    if (n)
        memcpy(ce->codes, codes, n * sizeof *codes);
    ce->code_count = n;
    return 0;
}

/* A base outcome: how it ends, without events. note and behaviour are
 * static / borrowed here and copied when the outcome is written. */
struct base {
    enum verdict verdict;
    const char *note;
    const char *behaviour;
    struct close_expect close; /* codes borrowed */
    bool any_events;
};

static enum verdict worse(enum verdict a, enum verdict b) {
    /* pass < non-strict < informational, for what the RFC asks of the peer */
    int ra = a == VERDICT_PASS ? 0 : a == VERDICT_NON_STRICT ? 1 : 2;
    int rb = b == VERDICT_PASS ? 0 : b == VERDICT_NON_STRICT ? 1 : 2;
    return ra >= rb ? a : b;
}

/* ---- orders of the answers ---- */

/* An order of the trace's items: indexes into tr->items (owned), and its
 * verdict. */
struct order {
    size_t *idx;
    size_t n;
    enum verdict verdict;
};

struct orders {
    struct order *v;
    size_t n;
    bool too_many;
    int err;
    const struct ow_trace *tr;
    size_t upto;
    const size_t *seg_start; /* segments of items [0, upto) */
    size_t seg_count;
    size_t *cur; /* the order being built */
    size_t cur_n;
};

static void enumerate(struct orders *o, size_t seg_index, enum verdict v);

/* One segment holding echoes and pongs: echoes keep their order and pongs
 * theirs; a pong may come before echoes it follows in the stream (pass), or
 * after echoes it precedes (non-strict: 6455:5.5.2 "It SHOULD respond with
 * Pong frame as soon as is practical"). */
struct merge_in {
    const size_t *echoes, *pongs, *before; /* before[i]: echoes ahead of pong i in the stream */
    size_t ne, np, seg_index;
};

static void merge(struct orders *o, const struct merge_in *m, size_t ei, size_t pi,
                  size_t placed_echoes, enum verdict v) {
    if (o->too_many || o->err)
        return;
    if (ei == m->ne && pi == m->np) {
        enumerate(o, m->seg_index + 1, v);
        return;
    }
    if (ei < m->ne) {
        o->cur[o->cur_n++] = m->echoes[ei];
        merge(o, m, ei + 1, pi, placed_echoes + 1, v);
        o->cur_n--;
    }
    if (pi < m->np) {
        enum verdict pv = placed_echoes > m->before[pi] ? worse(v, VERDICT_NON_STRICT) : v;
        o->cur[o->cur_n++] = m->pongs[pi];
        merge(o, m, ei, pi + 1, placed_echoes, pv);
        o->cur_n--;
    }
}

static void enumerate(struct orders *o, size_t seg_index, enum verdict v) {
    size_t saved = o->cur_n;
    /* segments of one kind have one order: no recursion for them */
    for (; seg_index < o->seg_count; seg_index++) {
        size_t from = o->seg_start[seg_index];
        size_t to = seg_index + 1 < o->seg_count ? o->seg_start[seg_index + 1] : o->upto;
        size_t ne = 0, np = 0;
        for (size_t i = from; i < to; i++) {
            ne += o->tr->items[i].kind == OW_ECHO;
            np += o->tr->items[i].kind == OW_PONG;
        }
        if (ne == 0 || np == 0) {
            for (size_t i = from; i < to; i++)
                o->cur[o->cur_n++] = i;
            continue;
        }
        size_t *mem = malloc(3 * (ne + np) * sizeof *mem);
        if (!mem) {
            o->err = WS_ERR_NOMEM;
            break;
        }
        struct merge_in m = {
            .echoes = mem, .pongs = mem + ne, .before = mem + ne + np, .seg_index = seg_index};
        size_t *echoes = mem, *pongs = mem + ne, *before = mem + ne + np;
        for (size_t i = from; i < to; i++) {
            const struct ow_item *it = &o->tr->items[i];
            if (it->kind == OW_MARK) { /* a mark starts its segment */
                o->cur[o->cur_n++] = i;
            } else if (it->kind == OW_ECHO) {
                echoes[m.ne++] = i;
            } else {
                before[m.np] = m.ne;
                pongs[m.np++] = i;
            }
        }
        merge(o, &m, 0, 0, 0, v);
        free(mem);
        o->cur_n = saved;
        return;
    }
    if (!o->err && seg_index == o->seg_count) {
        if (o->n >= MAX_ORDERS) {
            o->too_many = true;
        } else {
            struct order *ord = &o->v[o->n];
            ord->idx = malloc((o->cur_n ? o->cur_n : 1) * sizeof *ord->idx);
            if (!ord->idx) {
                o->err = WS_ERR_NOMEM;
            } else {
                memcpy(ord->idx, o->cur, o->cur_n * sizeof *ord->idx);
                ord->n = o->cur_n;
                ord->verdict = v;
                o->n++;
            }
        }
    }
    o->cur_n = saved;
}

static void orders_free(struct orders *o) {
    for (size_t i = 0; o->v && i < o->n; i++)
        free(o->v[i].idx);
    free(o->v);
    free(o->cur);
    free((void *)o->seg_start);
    memset(o, 0, sizeof *o);
}

/* Every order of items [0, upto), or too_many. */
static int orders_of(const struct ow_trace *tr, size_t upto, struct orders *out) {
    memset(out, 0, sizeof *out);
    out->tr = tr;
    out->upto = upto;
    out->v = calloc(MAX_ORDERS, sizeof *out->v);
    out->cur = malloc((upto ? upto : 1) * sizeof *out->cur);
    size_t *seg_start = malloc((upto ? upto : 1) * sizeof *seg_start);
    out->seg_start = seg_start;
    if (!out->v || !out->cur || !seg_start) {
        orders_free(out);
        return WS_ERR_NOMEM;
    }
    for (size_t i = 0; i < upto; i++)
        if (i == 0 || tr->items[i].segment != tr->items[i - 1].segment)
            seg_start[out->seg_count++] = i;
    enumerate(out, 0, VERDICT_PASS);
    if (out->err) {
        orders_free(out);
        return WS_ERR_NOMEM;
    }
    return 0;
}

/* ---- writing outcomes ---- */

enum ev_mode {
    EV_STRICT, /* every answer due, in this order (late marks left out) */
    EV_LOOSE,  /* answers no wait claimed may be missing; late marks may be there */
};

static int fill_events(const struct ow_trace *tr, const struct order *ord, enum ev_mode mode,
                       struct outcome *o) {
    o->events = calloc(ord->n + tr->trailing_count + 1, sizeof *o->events);
    if (!o->events)
        return WS_ERR_NOMEM;
    for (size_t k = 0; k < ord->n; k++) {
        const struct ow_item *it = &tr->items[ord->idx[k]];
        if (mode == EV_STRICT && it->kind == OW_MARK && it->late)
            continue;
        struct expect_event *e = &o->events[o->event_count++];
        e->times = 1;
        e->optional = it->optional || (it->late && it->kind != OW_MARK);
        /* Only an echo may be missing in the loose order: it is this suite's
         * convention; a pong is due (6455:5.5.2 "Upon receipt of a Ping frame,
         * an endpoint MUST send a Pong frame in response, unless it already
         * received a Close frame"). */
        if (mode == EV_LOOSE && it->kind == OW_ECHO && !it->synced)
            e->optional = true;
        if (it->kind == OW_MARK) {
            e->kind = EXPECT_MARK;
            e->optional = mode == EV_LOOSE && it->late;
            if (!(e->mark = strdup(it->mark)))
                return WS_ERR_NOMEM;
            continue;
        }
        e->kind = it->kind == OW_ECHO ? EXPECT_MESSAGE : EXPECT_PONG;
        e->opcode = it->opcode;
        e->payload_set = true;
        if (payload_from_bytes(&e->payload, it->data, it->len) != 0)
            return WS_ERR_NOMEM;
    }
    if (ord->n < tr->item_count)
        return 0; /* the answers before a 1009: the marks after the end do not follow */
    for (size_t k = 0; k < tr->trailing_count; k++) {
        struct expect_event *e = &o->events[o->event_count++];
        e->kind = EXPECT_MARK;
        e->times = 1;
        e->optional = true;
        if (!(e->mark = strdup(tr->trailing[k])))
            return WS_ERR_NOMEM;
    }
    return 0;
}

static void write_outcome(struct build *b, const struct base *base, enum verdict v,
                          const struct ow_trace *tr, const struct order *ord, enum ev_mode mode) {
    struct outcome *o = push(b);
    if (!o)
        return;
    o->verdict = v;
    o->close = base->close;
    o->close.codes = NULL;
    o->close.code_count = 0;
    o->any_events = base->any_events;
    /* Lowered by the order of the answers (merge): say which SHOULD. */
    bool late_pong = v == VERDICT_NON_STRICT && base->verdict != VERDICT_NON_STRICT;
    if (late_pong) {
        static const char why[] = "a pong only after the message its ping came before: "
                                  "6455:5.5.2 \"It SHOULD respond with Pong frame as soon as "
                                  "is practical\"";
        const char *head = base->note ? base->note : "";
        size_t len = strlen(head) + 2 + sizeof why;
        if (!(o->note = malloc(len)))
            b->err = WS_ERR_NOMEM;
        else
            snprintf(o->note, len, "%s%s%s", head, *head ? "; " : "", why);
    }
    if ((!late_pong && base->note && !(o->note = strdup(base->note))) ||
        (base->behaviour && !(o->behaviour = strdup(base->behaviour))) ||
        set_codes(&o->close, base->close.codes, base->close.code_count) != 0 ||
        (!base->any_events && ord && fill_events(tr, ord, mode, o) != 0))
        b->err = WS_ERR_NOMEM;
}

static bool has_loose(const struct ow_trace *tr, size_t upto) {
    for (size_t i = 0; i < upto; i++)
        if ((tr->items[i].late && tr->items[i].kind == OW_MARK) ||
            (tr->items[i].kind == OW_ECHO && !tr->items[i].synced))
            return true;
    return false;
}

/* Each base outcome with every order of the answers before the end, then
 * the same with the answers no wait claimed optional (informational). */
static void with_answers(struct build *b, const struct ow_trace *tr, const struct base *bases,
                         size_t nbase, size_t upto, enum verdict cap) {
    struct orders ords;
    if (orders_of(tr, upto, &ords) != 0) {
        b->err = WS_ERR_NOMEM;
        return;
    }
    if (ords.too_many) {
        b->why = "too many orders of the answers to list";
        orders_free(&ords);
        return;
    }
    /* the orders that pass first, as the corpus lists them (the first
     * outcome that matches wins; no two orders match the same answers) */
    for (size_t k = 0; k < nbase; k++)
        for (int pass = 1; pass >= 0; pass--)
            for (size_t i = 0; i < ords.n; i++)
                if ((ords.v[i].verdict == VERDICT_PASS) == (pass == 1))
                    write_outcome(b, &bases[k],
                                  worse(cap, worse(bases[k].verdict, ords.v[i].verdict)), tr,
                                  &ords.v[i], EV_STRICT);
    if (has_loose(tr, upto))
        for (size_t k = 0; k < nbase; k++)
            for (size_t i = 0; i < ords.n; i++)
                write_outcome(b, &bases[k], VERDICT_INFORMATIONAL, tr, &ords.v[i], EV_LOOSE);
    orders_free(&ords);
}

static const char NOTE_FAIL[] =
    "the RFC oracle: the peer must fail the connection here (wsspec fuzz)";
static const char NOTE_CLOSE_DROP[] =
    "failed the connection without a close frame: 6455:7.1.7 \"the endpoint SHOULD send a "
    "Close frame with an appropriate status code (Section 7.4) before proceeding to _Close the "
    "WebSocket Connection_\"";
static const char NOTE_BIG[] =
    "refused with 1009: 6455:7.4.1 \"1009 indicates that an endpoint is terminating the "
    "connection because it has received a message that is too big for it to process\"";

static void build_trace(struct build *b, const struct wcase *c, const struct ow_trace *tr,
                        enum verdict cap, size_t depth);

/* The shared behaviour NAME as bases (borrowing the loader's outcomes). */
static void with_shared(struct build *b, const struct ow_trace *tr, const char *name,
                        enum verdict cap) {
    struct outcome *shared = NULL;
    size_t n = 0;
    struct case_error err;
    if (case_shared_outcomes(name, &shared, &n, &err) != 0) {
        b->err = WS_ERR_NOMEM;
        return;
    }
    struct base bases[8];
    size_t nb = 0;
    for (size_t i = 0; i < n && nb < 8; i++)
        bases[nb++] = (struct base){.verdict = shared[i].verdict,
                                    .note = shared[i].note,
                                    .behaviour = shared[i].behaviour,
                                    .close = shared[i].close};
    with_answers(b, tr, bases, nb, tr->item_count, cap);
    case_outcomes_free(shared, n);
}

static void build_trace(struct build *b, const struct wcase *c, const struct ow_trace *tr,
                        enum verdict cap, size_t depth) {
    switch (tr->end) {
    case OW_END_CLOSE:
        if (tr->by == CLOSE_BY_US) {
            with_shared(b, tr, "answers-our-close", cap);
        } else {
            struct base base = {.verdict = VERDICT_PASS,
                                .close = {.by = CLOSE_BY_ANY, .allow_no_code = true}};
            with_answers(b, tr, &base, 1, tr->item_count, cap);
        }
        break;
    case OW_END_FAIL: {
        struct base bases[2] = {
            {.verdict = VERDICT_PASS,
             .note = NOTE_FAIL,
             .close = {.by = tr->by,
                       .codes = (uint16_t *)tr->codes,
                       .code_count = tr->code_count,
                       .exact = tr->close_frame}},
            {.verdict = VERDICT_NON_STRICT,
             .note = NOTE_CLOSE_DROP,
             .close = {.by = tr->by,
                       .codes = (uint16_t *)tr->codes,
                       .code_count = tr->code_count,
                       .allow_drop = true,
                       .exact = true}},
        };
        with_answers(b, tr, bases, tr->close_frame ? 2 : 1, tr->item_count, cap);
        break;
    }
    case OW_END_SENDER_ONLY: {
        with_shared(b, tr, "rejects-sender-only-violation", cap);
        if (depth + 1 >= MAX_DEPTH) {
            b->why = "too many rules binding only the sender in a row";
            return;
        }
        /* The peer that accepts what only binds us goes on: whatever it then
         * must do is recorded, not judged (informational). */
        struct ow_trace next;
        if (ow_walk(c, tr->sender_only_seen + 1, &next) != 0) {
            b->err = WS_ERR_NOMEM;
            return;
        }
        if (!next.supported)
            b->why = next.why;
        else
            build_trace(b, c, &next, VERDICT_INFORMATIONAL, depth + 1);
        ow_trace_free(&next);
        return; /* the 1009 alternatives are the continuation's */
    }
    case OW_END_TRUNCATED: {
        struct base base = {.verdict = VERDICT_PASS,
                            .close = {.by = CLOSE_BY_ANY, .allow_drop = true}};
        with_answers(b, tr, &base, 1, tr->item_count, cap);
        break;
    }
    case OW_END_HUGE: {
        static const uint16_t big[1] = {1009};
        struct base bases[2] = {
            {.verdict = VERDICT_PASS,
             .note = NOTE_BIG,
             .close = {.by = CLOSE_BY_PEER, .codes = (uint16_t *)big, .code_count = 1}},
            {.verdict = VERDICT_INFORMATIONAL, .any_events = true, .close = {.by = CLOSE_BY_ANY}},
        };
        with_answers(b, tr, bases, 2, tr->item_count, cap);
        break;
    }
    }
    /* 6455:10.4: a message over what the peer holds may end it with 1009
     * (limits.text-1mib and larger) */
    static const uint16_t big[1] = {1009};
    for (size_t k = 0; k < tr->big_count; k++) {
        struct base base = {.verdict = VERDICT_PASS,
                            .note = NOTE_BIG,
                            .close = {.by = tr->end == OW_END_CLOSE ? CLOSE_BY_ANY : CLOSE_BY_PEER,
                                      .codes = (uint16_t *)big,
                                      .code_count = 1}};
        with_answers(b, tr, &base, 1, tr->big_at[k], cap);
    }
}

static size_t answers_before(const struct ow_trace *tr) {
    size_t n = 0;
    for (size_t i = 0; i < tr->item_count; i++)
        n += tr->items[i].kind != OW_MARK;
    return n;
}

static int set_requirement(struct wcase *c, const struct oracle_rule *r) {
    size_t len = strlen(r->rfc) + strlen(r->sentence) + 8;
    char *req = malloc(len);
    char *rfc = strdup(r->rfc);
    char **list = malloc(sizeof *list);
    if (!req || !rfc || !list) {
        free(req);
        free(rfc);
        free(list);
        return WS_ERR_NOMEM;
    }
    snprintf(req, len, "%s \"%s\"", r->rfc, r->sentence);
    free(c->requirement);
    c->requirement = req;
    for (size_t i = 0; i < c->rfc_count; i++)
        free(c->rfc[i]);
    free(c->rfc);
    list[0] = rfc;
    c->rfc = list;
    c->rfc_count = 1;
    return 0;
}

int fuzz_oracle_expect(struct wcase *c, struct oracle_verdict *v) {
    memset(v, 0, sizeof *v);
    v->rule = &rules[OR_NONE];
    struct ow_trace tr;
    int rc = ow_walk(c, 0, &tr);
    if (rc != 0)
        return rc;
    if (!tr.supported) {
        v->unsupported_why = tr.why;
        ow_trace_free(&tr);
        return 0;
    }
    struct build b = {0};
    build_trace(&b, c, &tr, VERDICT_PASS, 0);
    if (b.err || b.why || b.n == 0) {
        case_outcomes_free(b.o, b.n);
        ow_trace_free(&tr);
        if (b.err)
            return b.err;
        v->unsupported_why = b.why ? b.why : "no outcome";
        return 0;
    }
    v->supported = true;
    v->rule = &rules[tr.rule];
    v->messages_before = answers_before(&tr);
    if (tr.rule != OR_NONE && set_requirement(c, v->rule) != 0) {
        case_outcomes_free(b.o, b.n);
        ow_trace_free(&tr);
        return WS_ERR_NOMEM;
    }
    case_outcomes_free(c->outcomes, c->outcome_count);
    c->outcomes = b.o;
    c->outcome_count = b.n;
    ow_trace_free(&tr);
    return 0;
}
