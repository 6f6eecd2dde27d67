/* judge: a transcript against a case's outcomes (cases/README.md, "How the
 * judge decides"). Pure: no I/O, no globals; it only allocates its answer.
 *
 * The order of the rules:
 *   0. a failure of ours (transcript internal: out of memory, a lost event,
 *      a bug): ERROR with internal set (the run exits 4); transcript.error
 *      set: ERROR (the harness could not run the case). Never a verdict on
 *      the peer.
 *   1. any violation by the peer: FAIL, whatever the outcomes say.
 *  1b. a case using permessage-deflate that the target declined:
 *      UNIMPLEMENTED (unless the case's deflate.declined is "run").
 *   2. our cap reached (a TEV_LIMIT: a message over max_message, a head over
 *      our size caps, more events than we keep): ERROR naming the cap (the
 *      peer did nothing wrong), unless an outcome with "limit" matches the
 *      events before it.
 *   3. outcomes in order; the first whose events and close match wins.
 *      Failing the connection without a close frame, or with another valid
 *      code: matches, lowered to non-strict at best (unless exact). Our
 *      close unanswered: no match; answered but TCP left open by the peer:
 *      lowered to non-strict at best (unless exact).
 *   4. nothing matches because our idle deadline ended a wait for an answer
 *      only the echo convention asks for (not the RFC): ERROR naming the
 *      idle deadline (slow is not wrong).
 *  4b. nothing matches because our case deadline stopped a peer that was
 *      still answering as the closest outcome expects: ERROR naming the
 *      deadline and the progress made (slow is not wrong).
 *   5. nothing matches: FAIL, with every outcome as "expected" and the first
 *      event departing from the closest outcome as "actual".
 *
 * close_expect.exact (the README's "exact"): no degradation of any kind.
 *
 * Before an outcome's events, its "handshake" expectation is compared with
 * the peer's answer to the opening handshake (status, header lines, or no
 * answer at all); an outcome without one wants a 101. A matching answer
 * that is not a 101 decides the outcome alone: there was no WebSocket
 * connection, so there are no events and no close to compare. */
#include "judge/judge.h"
#include "judge/judge_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "codec/handshake.h"

/* ---- the peer's events, as the outcomes see them ------------------------ */

struct digest {
    const struct payload *p;
    uint8_t sha[32];
};

struct jctx {
    const struct wcase *c;
    const struct transcript *t;
    size_t *seq; /* indices of MESSAGE/PING/PONG/MARK events before the end */
    size_t seq_len;
    struct digest *digests; /* expected payload digests, computed once each */
    size_t digest_count, digest_cap;
    bool failed_memory; /* a digest could not be computed (out of memory) */
};

static bool is_terminal(enum tev_kind k) {
    return k == TEV_CLOSE || k == TEV_EOF || k == TEV_RESET || k == TEV_WRITE_FAILED;
}

static bool is_matchable(enum tev_kind k) {
    return k == TEV_MESSAGE || k == TEV_PING || k == TEV_PONG || k == TEV_MARK;
}

static bool events_expect_ping(const struct expect_event *e, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (e[i].kind == EXPECT_PING ||
            events_expect_ping(e[i].alternatives, e[i].alternative_count))
            return true;
    return false;
}

/* Whether the case is about the peer's pings (some outcome lists one). */
static bool case_expects_ping(const struct wcase *c) {
    for (size_t i = 0; i < c->outcome_count; i++)
        if (events_expect_ping(c->outcomes[i].events, c->outcomes[i].event_count))
            return true;
    return false;
}

/* What the RFC allows a peer at any time never changes a verdict unless
 * the case is about it: 6455:5.5.3 "A Pong frame MAY be sent unsolicited.
 * This serves as a unidirectional heartbeat." (a pong answering no ping of
 * ours), and 6455:5.5.2 "A Ping frame MAY be sent after the connection is
 * established and before the connection is closed" (the runner answers it). */
static bool allowed_any_time(const struct tev *ev, bool pings_matter) {
    return (ev->kind == TEV_PONG && ev->unsolicited) || (ev->kind == TEV_PING && !pings_matter);
}

/* The events an outcome's `events` list is compared with: "what the peer
 * sends before its close frame (or TCP close)", plus our marks, without the
 * control frames allowed at any time. */
static int collect_sequence(struct jctx *x) {
    const struct transcript *t = x->t;
    bool pings_matter = case_expects_ping(x->c);
    x->seq = malloc((t->event_count ? t->event_count : 1) * sizeof *x->seq);
    if (!x->seq)
        return -1;
    for (size_t i = 0; i < t->event_count; i++) {
        if (is_terminal(t->events[i].kind) || t->events[i].kind == TEV_LIMIT)
            break;
        if (is_matchable(t->events[i].kind) && !allowed_any_time(&t->events[i], pings_matter))
            x->seq[x->seq_len++] = i;
    }
    return 0;
}

static const uint8_t *expected_digest(struct jctx *x, const struct payload *p) {
    for (size_t i = 0; i < x->digest_count; i++)
        if (x->digests[i].p == p)
            return x->digests[i].sha;
    if (x->digest_count == x->digest_cap) {
        size_t cap = x->digest_cap ? x->digest_cap * 2 : 8;
        struct digest *grown = realloc(x->digests, cap * sizeof *grown);
        if (!grown)
            return NULL;
        x->digests = grown;
        x->digest_cap = cap;
    }
    struct digest *d = &x->digests[x->digest_count++];
    d->p = p;
    payload_sha256(p, d->sha);
    return d->sha;
}

static bool payload_matches(struct jctx *x, const struct expect_event *e, const struct tev *ev) {
    if (!e->payload_set)
        return true;
    if (e->payload.length != ev->length)
        return false;
    const uint8_t *sha = expected_digest(x, &e->payload);
    return sha && memcmp(sha, ev->sha256, 32) == 0;
}

/* Message k of a series event: compared by length first, then digest. */
static bool series_matches(struct jctx *x, const struct expect_event *e, const struct tev *ev,
                           size_t k) {
    if (ev->kind != TEV_MESSAGE || ev->opcode != e->opcode)
        return false;
    uint64_t octets = 0;
    uint8_t sha[32];
    if (series_digest(&e->series, (uint32_t)k, &octets, sha) != 0) {
        x->failed_memory = true;
        return false;
    }
    return octets == ev->length && memcmp(sha, ev->sha256, 32) == 0;
}

/* e matches ev as its k-th repetition (k counts from 0). */
static bool event_matches(struct jctx *x, const struct expect_event *e, const struct tev *ev,
                          size_t k) {
    switch (e->kind) {
    case EXPECT_SERIES: return series_matches(x, e, ev, k);
    case EXPECT_MESSAGE:
        return ev->kind == TEV_MESSAGE && ev->opcode == e->opcode && payload_matches(x, e, ev);
    case EXPECT_PING: return ev->kind == TEV_PING && payload_matches(x, e, ev);
    case EXPECT_PONG: return ev->kind == TEV_PONG && payload_matches(x, e, ev);
    case EXPECT_MARK:
        return ev->kind == TEV_MARK && ev->detail && e->mark && strcmp(ev->detail, e->mark) == 0;
    case EXPECT_ANY_OF:
        for (size_t i = 0; i < e->alternative_count; i++)
            if (event_matches(x, &e->alternatives[i], ev, k))
                return true;
        return false;
    }
    return false;
}

/* ---- ordered matching with times / optional ----------------------------- */

struct matcher {
    struct jctx *x;
    const struct expect_event *pat;
    size_t np;
    uint8_t *failed; /* memo: (i, k) known not to match; NULL = no memo */
    size_t farthest; /* farthest sequence position where matching departed */
};

static size_t memo_index(const struct matcher *m, size_t i, size_t k) {
    return i * (m->x->seq_len + 1) + k;
}

static void departed_at(struct matcher *m, size_t k) {
    if (k > m->farthest)
        m->farthest = k;
}

/* Whether pat[i..) matches seq[k..) exactly. Recursion depth is bounded by
 * the pattern length; a repeated event is matched by counting, so
 * "times": 1000 costs a loop, not 1000 frames. The memo makes the search
 * polynomial even with many optional events. */
static bool match_from(struct matcher *m, size_t i, size_t k) {
    size_t ns = m->x->seq_len;
    if (i == m->np) {
        if (k == ns)
            return true;
        departed_at(m, k); /* an event nobody expected */
        return false;
    }
    if (m->failed && m->failed[memo_index(m, i, k)])
        return false;
    const struct expect_event *e = &m->pat[i];
    uint32_t times = e->times ? e->times : 1;
    if (e->kind == EXPECT_SERIES)
        times = e->series.count; /* a series is its messages, in order */
    size_t j = 0;
    while (j < times && k + j < ns && event_matches(m->x, e, &m->x->t->events[m->x->seq[k + j]], j))
        j++;
    if (j < times)
        departed_at(m, k + j);
    if (e->optional) {
        /* Optional with "times": N means anywhere from 0 to N of them
         * (cases/README.md): the longest run first. */
        for (size_t c = j + 1; c-- > 0;)
            if (match_from(m, i + 1, k + c))
                return true;
    } else if (j == times && match_from(m, i + 1, k + times)) {
        return true;
    }
    if (m->failed)
        m->failed[memo_index(m, i, k)] = 1;
    return false;
}

/* Returns true on a match; *farthest gets how far the closest attempt got. */
static bool events_match(struct jctx *x, const struct outcome *o, size_t *farthest) {
    if (o->any_events) {
        *farthest = x->seq_len;
        return true;
    }
    struct matcher m = {.x = x, .pat = o->events, .np = o->event_count};
    size_t cells = (o->event_count + 1) * (x->seq_len + 1);
    if (cells / (x->seq_len + 1) == o->event_count + 1)
        m.failed = calloc(cells, 1);
    bool ok = match_from(&m, 0, 0);
    free(m.failed);
    *farthest = ok ? x->seq_len : m.farthest;
    return ok;
}

/* ---- the close ----------------------------------------------------------- */

enum close_match { CM_NO, CM_YES, CM_DEGRADED };

struct close_facts {
    int peer_close; /* index of the peer's close frame event, -1 */
    int drop;       /* index of EOF/RESET/WRITE_FAILED with no close frame before, -1 */
    int timeout;    /* index of the last TIMEOUT event, -1 */
};

static void find_close_facts(const struct transcript *t, struct close_facts *f) {
    f->peer_close = f->drop = f->timeout = -1;
    for (size_t i = 0; i < t->event_count; i++) {
        enum tev_kind k = t->events[i].kind;
        if (k == TEV_CLOSE && f->peer_close < 0 && f->drop < 0)
            f->peer_close = (int)i;
        else if ((k == TEV_EOF || k == TEV_RESET || k == TEV_WRITE_FAILED) && f->peer_close < 0 &&
                 f->drop < 0)
            f->drop = (int)i;
        else if (k == TEV_TIMEOUT)
            f->timeout = (int)i;
    }
}

static bool code_listed(const struct close_expect *ce, const struct tev *close) {
    if (!close->has_code)
        return ce->allow_no_code;
    if (ce->code_count == 0)
        return true; /* any valid code: an invalid one is a violation already */
    for (size_t i = 0; i < ce->code_count; i++)
        if (ce->codes[i] == close->code)
            return true;
    return false;
}

/* Compare how the connection ended with ce. why gets a short explanation
 * for a degradation or a mismatch; *event the transcript event it is about
 * (-1 when none). */
static enum close_match close_matches(const struct transcript *t, const struct close_expect *ce,
                                      char *why, size_t cap, int *event) {
    struct close_facts f;
    find_close_facts(t, &f);
    bool exact = ce->exact;
    bool peer_first = t->peer_closed_first;
    bool we_closed = t->we_sent_close;
    *event = -1;
    why[0] = '\0';

    if (ce->by == CLOSE_BY_NONE) {
        if (f.peer_close < 0 && f.drop < 0 && !we_closed)
            return CM_YES;
        *event = f.peer_close >= 0 ? f.peer_close : f.drop;
        snprintf(why, cap, "the connection was expected to stay open");
        return CM_NO;
    }
    if (f.peer_close < 0 && f.drop < 0) {
        if (ce->by == CLOSE_BY_ANY)
            return CM_YES; /* no constraint, not even that it closes */
        *event = f.timeout;
        if (we_closed && ce->by == CLOSE_BY_US)
            /* 6455:5.5.1 "If an endpoint receives a Close frame and did not
             * previously send a Close frame, the endpoint MUST send a Close
             * frame in response." */
            snprintf(why, cap, "the peer did not answer our close frame (6455:5.5.1)");
        else
            snprintf(why, cap, "the peer never closed the connection");
        return CM_NO;
    }
    if (ce->by == CLOSE_BY_PEER && !peer_first) {
        *event = f.peer_close >= 0 ? f.peer_close : f.drop;
        snprintf(why, cap, "the peer did not fail the connection before our close");
        return CM_NO;
    }
    if (ce->by == CLOSE_BY_US && (peer_first || !we_closed)) {
        *event = f.peer_close >= 0 ? f.peer_close : f.drop;
        snprintf(why, cap, "the peer closed before our close frame");
        return CM_NO;
    }
    bool answering_us = we_closed && !peer_first;
    enum close_match result = CM_YES;

    if (f.drop >= 0) {
        if (ce->allow_drop)
            return CM_YES;
        *event = f.drop;
        if (answering_us && ce->by == CLOSE_BY_US) {
            /* 6455:5.5.1 the peer "MUST send a Close frame in response". */
            snprintf(why, cap,
                     "the peer closed TCP without answering our close frame "
                     "(6455:5.5.1)");
            return CM_NO;
        }
        if (exact) {
            snprintf(why, cap, "the peer closed TCP without a close frame");
            return CM_NO;
        }
        /* 6455:7.1.7 "the endpoint SHOULD send a Close frame with an
         * appropriate status code (Section 7.4) before proceeding to _Close
         * the WebSocket Connection_" */
        snprintf(why, cap, "the peer closed TCP without a close frame (6455:7.1.7 SHOULD)");
        return CM_DEGRADED;
    }

    const struct tev *close = &t->events[f.peer_close];
    /* A reply to our close carries any valid code or none, unless the case
     * is about the code (exact): 6455:5.5.1 "The Close frame MAY contain a
     * body", and a reply "typically echos the status code it received", a
     * description, not a requirement (cases/README.md, "One verdict for one
     * behaviour"). An invalid code is a violation before this point. */
    bool reply_code_free = ce->by == CLOSE_BY_US && answering_us && !exact;
    if (!reply_code_free && !code_listed(ce, close)) {
        *event = f.peer_close;
        if (exact) {
            snprintf(why, cap, "the peer's close code is not an expected one");
            return CM_NO;
        }
        if (close->has_code)
            snprintf(why, cap, "the peer sent close code %u, not an expected one (6455:7.4)",
                     close->code);
        else
            snprintf(why, cap, "the peer's close frame carried no status code");
        result = CM_DEGRADED;
    }
    if (t->we_dropped_tcp) {
        /* 6455:5.5.1 "The server MUST close the underlying TCP connection
         * immediately" (after both sending and receiving a Close message);
         * 6455:7.1.1 the server should close first. */
        if (*event < 0)
            *event = f.timeout;
        if (exact) {
            snprintf(why, cap, "the peer did not close TCP after the closing handshake");
            return CM_NO;
        }
        size_t used = strlen(why);
        snprintf(why + used, cap - used,
                 "%sthe peer did not close TCP after the closing "
                 "handshake (6455:7.1.1)",
                 used ? "; " : "");
        result = CM_DEGRADED;
    }
    return result;
}

/* The event after the last matched one: an unexpected event, or, when the
 * transcript ran out, whatever ended the conversation. */
static int departing_event(const struct jctx *x, size_t farthest) {
    if (farthest < x->seq_len)
        return (int)x->seq[farthest];
    for (size_t i = 0; i < x->t->event_count; i++)
        if (is_terminal(x->t->events[i].kind))
            return (int)i;
    for (size_t i = x->t->event_count; i-- > 0;)
        if (x->t->events[i].kind == TEV_TIMEOUT)
            return (int)i;
    return -1;
}

/* ---- the decision -------------------------------------------------------- */

static enum verdict lowered(enum verdict v) {
    return v == VERDICT_PASS ? VERDICT_NON_STRICT : v;
}

static void finish_texts(struct judgement *out, struct buf *reason, struct buf *expected,
                         char *actual) {
    out->reason = judge_take_string(reason);
    out->expected = judge_take_string(expected);
    out->actual = actual ? actual : strdup("");
}

/* The first event of a kind, -1 when there is none. */
static int first_event(const struct transcript *t, enum tev_kind kind) {
    for (size_t i = 0; i < t->event_count; i++)
        if (t->events[i].kind == kind)
            return (int)i;
    return -1;
}

/* 0. Our own failure, or a case that could not run: ERROR, never a verdict
 * on the peer. Returns whether it decided. */
static bool judge_ours(const struct transcript *t, struct judgement *out, struct buf *reason) {
    if (transcript_is_internal(t)) {
        out->verdict = VERDICT_ERROR;
        out->internal = true;
        buf_append_str(reason, "internal error of wsspec, not the peer's doing: ");
        if (t->error)
            buf_append_str(reason, t->error);
        else
            buf_appendf(reason,
                        "%llu event%s of the transcript could not be recorded (out of "
                        "memory), so the case cannot be judged",
                        (unsigned long long)t->events_lost, t->events_lost == 1 ? "" : "s");
        return true;
    }
    if (t->error) {
        out->verdict = VERDICT_ERROR;
        buf_appendf(reason, "the case could not run: %s", t->error);
        return true;
    }
    return false;
}

/* 2. Our cap cut the conversation short: the peer did nothing wrong. An
 * outcome with "limit" decides by the events before the cap; else ERROR
 * naming the cap. Returns whether it decided (*actual may be set). */
static bool judge_limit(struct jctx *x, struct judgement *out, struct buf *reason, char **actual) {
    const struct transcript *t = x->t;
    int limit = first_event(t, TEV_LIMIT);
    if (limit < 0)
        return false;
    for (size_t i = 0; i < x->c->outcome_count; i++) {
        const struct outcome *o = &x->c->outcomes[i];
        size_t farthest = 0;
        if (!o->accept_limit || !events_match(x, o, &farthest))
            continue;
        out->outcome_index = (int)i;
        out->verdict = o->verdict;
        buf_appendf(reason, "outcome %zu (%s) matched, which accepts our limit: %s", i + 1,
                    verdict_name(o->verdict), t->events[limit].detail);
        if (o->note)
            buf_appendf(reason, " (%s)", o->note);
        return true;
    }
    out->verdict = VERDICT_ERROR;
    out->first_unexpected = limit;
    buf_appendf(reason, "our limit was reached, not the peer's failure: %s",
                t->events[limit].detail ? t->events[limit].detail : "a cap of ours");
    if (t->events_dropped)
        buf_appendf(reason, " (%llu later event%s counted, not kept)",
                    (unsigned long long)t->events_dropped, t->events_dropped == 1 ? "" : "s");
    *actual = judge_describe_event_at(t, limit, "");
    return true;
}

/* The first time our idle deadline ran out while only the echo convention
 * (not the RFC) asked for an answer, -1 when it never did. */
static int idle_without_duty(const struct transcript *t) {
    for (size_t i = 0; i < t->event_count; i++) {
        const struct tev *ev = &t->events[i];
        if (ev->kind == TEV_TIMEOUT && ev->idle && !ev->answer_required)
            return (int)i;
    }
    return -1;
}

/* The event of our case deadline when it ran out with the conversation
 * still under way (tev.progressing: the peer made progress shortly before,
 * a frame of a data message, a pong answering us, our octets taken; or a
 * step of ours was still being sent), -1 otherwise. */
static int deadline_while_answering(const struct transcript *t) {
    for (size_t i = 0; i < t->event_count; i++) {
        const struct tev *ev = &t->events[i];
        if (ev->kind == TEV_TIMEOUT && ev->deadline)
            return ev->progressing ? (int)i : -1;
    }
    return -1;
}

/* 4b. Slow is not wrong (issue 8, item 6): nothing matched only because
 * our case deadline stopped a peer that was still answering as the closest
 * outcome expects (the events so far are a correct start of it): the limit
 * is ours, so ERROR naming the deadline and the progress made. matched:
 * how many of the peer's events the closest outcome took. Returns whether
 * it decided. */
static bool judge_deadline_progress(const struct jctx *x, int best_event, bool best_is_answer,
                                    size_t best_outcome, size_t matched, const char *best_why,
                                    struct judgement *out, struct buf *reason, char **actual) {
    const struct transcript *t = x->t;
    int deadline = deadline_while_answering(t);
    if (deadline < 0 || best_is_answer || (best_event >= 0 && best_event < deadline))
        return false;
    out->verdict = VERDICT_ERROR;
    out->first_unexpected = deadline;
    buf_appendf(reason,
                "our case deadline ran out with the conversation still under way, %zu of "
                "the peer's events matching outcome %zu (%s) so far: slow is not wrong, so "
                "this is an error, not a failure (a longer --timeout waits more); %s",
                matched, best_outcome + 1, verdict_name(x->c->outcomes[best_outcome].verdict),
                best_why);
    *actual = judge_describe_event_at(t, deadline, "");
    return true;
}

/* 2-5. The outcomes in order. */
static void judge_outcomes(struct jctx *x, struct judgement *out, struct buf *reason,
                           char **actual) {
    const struct wcase *c = x->c;
    const struct transcript *t = x->t;
    long best_score = -1;
    int best_event = -1;
    char best_why[256] = "";
    size_t best_outcome = 0;
    bool best_is_answer = false;
    for (size_t i = 0; i < c->outcome_count; i++) {
        const struct outcome *o = &c->outcomes[i];
        /* "deflate": the outcome holds only with (or without) the extension. */
        if ((o->deflate == DEFLATE_ON && !t->deflate.agreed) ||
            (o->deflate == DEFLATE_OFF && t->deflate.agreed))
            continue;
        size_t farthest = 0;
        char why[256];
        int event = -1;
        /* Scores: 0 = the answer's status differs, 1 = a header line of the
         * answer does, 2 + n = n events matched, seq_len + 3 = the events
         * matched but the close did not. */
        int depth = 0;
        enum handshake_match hm =
            judge_handshake_matches(t, &o->handshake, why, sizeof why, &depth);
        if (hm == HM_NO) {
            if (depth > best_score) {
                best_score = depth;
                best_event = -1;
                best_outcome = i;
                best_is_answer = true;
                snprintf(best_why, sizeof best_why, "%s", why);
            }
            continue;
        }
        if (hm == HM_DONE) {
            out->outcome_index = (int)i;
            out->verdict = o->verdict;
            buf_appendf(reason, "outcome %zu (%s) matched", i + 1, verdict_name(o->verdict));
            if (o->note)
                buf_appendf(reason, ": %s", o->note);
            return;
        }
        if (!events_match(x, o, &farthest)) {
            if ((long)farthest + 2 > best_score) {
                best_score = (long)farthest + 2;
                best_is_answer = false;
                best_event = departing_event(x, farthest);
                best_outcome = i;
                snprintf(best_why, sizeof best_why, "the peer's events differ");
            }
            continue;
        }
        enum close_match cm = close_matches(t, &o->close, why, sizeof why, &event);
        if (cm == CM_NO) {
            if ((long)x->seq_len + 3 > best_score) {
                best_score = (long)x->seq_len + 3;
                best_is_answer = false;
                best_event = event >= 0 ? event : departing_event(x, x->seq_len);
                best_outcome = i;
                snprintf(best_why, sizeof best_why, "%s", why);
            }
            continue;
        }
        out->outcome_index = (int)i;
        out->verdict = o->verdict;
        buf_appendf(reason, "outcome %zu (%s) matched", i + 1, verdict_name(o->verdict));
        if (o->note)
            buf_appendf(reason, ": %s", o->note);
        if (cm == CM_DEGRADED) {
            out->verdict = lowered(o->verdict);
            out->degraded = out->verdict != o->verdict;
            out->first_unexpected = event;
            buf_appendf(reason, "; %s%s", why,
                        out->degraded ? ", so the verdict is lowered to non-strict" : "");
            *actual = judge_describe_event_at(t, event, "");
        }
        return;
    }
    /* 5. Nothing matched. */
    out->verdict = VERDICT_FAIL;
    out->first_unexpected = best_event;
    if (c->outcome_count == 0) {
        buf_append_str(reason, "the case lists no acceptable outcome");
        return;
    }
    /* Slow is not wrong: when the conversation departed from every outcome
     * only because our idle deadline ended a wait for an answer the RFC
     * does not require (an echo), the peer broke nothing we saw. */
    int idle = idle_without_duty(t);
    if (idle >= 0 && !best_is_answer && (best_event < 0 || best_event >= idle)) {
        out->verdict = VERDICT_ERROR;
        out->first_unexpected = idle;
        buf_appendf(reason,
                    "the peer sent nothing while an answer only the echo convention asks for "
                    "was due, and our idle deadline ran out: slow is not wrong, so this is an "
                    "error, not a failure (a longer --idle-timeout waits more); the closest "
                    "outcome is %zu (%s): %s",
                    best_outcome + 1, verdict_name(c->outcomes[best_outcome].verdict), best_why);
        *actual = judge_describe_event_at(t, idle, "");
        return;
    }
    size_t matched = best_score < 2 ? 0 : (size_t)best_score - 2;
    if (judge_deadline_progress(x, best_event, best_is_answer, best_outcome,
                                matched < x->seq_len ? matched : x->seq_len, best_why, out, reason,
                                actual))
        return;
    buf_appendf(reason, "no acceptable outcome matched; the closest is outcome %zu (%s): %s",
                best_outcome + 1, verdict_name(c->outcomes[best_outcome].verdict), best_why);
    *actual = best_is_answer
                  ? judge_describe_answer(t)
                  : judge_describe_event_at(t, best_event, "nothing (the connection stayed open)");
}

void judge_case(const struct wcase *c, const struct transcript *t, struct judgement *out) {
    memset(out, 0, sizeof *out);
    out->outcome_index = -1;
    out->first_unexpected = -1;
    struct buf reason = {0}, expected = {0};
    char *actual = NULL;
    for (size_t i = 0; i < c->outcome_count; i++) {
        judge_describe_outcome(&c->outcomes[i], &expected);
        buf_append_str(&expected, "\n");
    }
    if (expected.len)
        expected.len--; /* no trailing newline */

    /* 0. Ours: an internal failure, or the case could not run. */
    if (judge_ours(t, out, &reason)) {
        finish_texts(out, &reason, &expected, NULL);
        return;
    }
    /* 1. A violation fails the case whatever the outcomes say. */
    int violation = first_event(t, TEV_VIOLATION);
    if (violation >= 0) {
        char line[512];
        tev_describe(&t->events[violation], line, sizeof line);
        out->verdict = VERDICT_FAIL;
        out->first_unexpected = violation;
        const char *rfc = t->events[violation].rfc;
        buf_appendf(&reason, "the peer broke RFC %s: %s",
                    rfc && strncmp(rfc, "7692:", 5) == 0 ? "7692" : "6455", line);
        finish_texts(out, &reason, &expected, strdup(line));
        return;
    }

    /* 1b. A case about using permessage-deflate, which the target declined
     * (an optional extension: 6455:9 "Extensions" are negotiated, 7692:5 a
     * server may decline any offer). */
    if (c->deflate.set && c->deflate.declined == DEFLATE_DECLINED_UNIMPLEMENTED &&
        t->deflate.offered && !t->deflate.agreed && t->http_status == 101) {
        out->verdict = VERDICT_UNIMPLEMENTED;
        buf_append_str(&reason, "the target declined permessage-deflate (its 101 accepted none "
                                "of our offers), so the case did not run");
        finish_texts(out, &reason, &expected, NULL);
        return;
    }

    struct jctx x = {.c = c, .t = t};
    if (collect_sequence(&x) != 0) {
        out->verdict = VERDICT_ERROR;
        out->internal = true;
        buf_append_str(&reason, "internal error of wsspec: out of memory while judging");
        finish_texts(out, &reason, &expected, NULL);
        return;
    }
    /* 2. Our limit; 3-5. the outcomes. */
    if (!judge_limit(&x, out, &reason, &actual))
        judge_outcomes(&x, out, &reason, &actual);
    if (x.failed_memory) {
        /* A series digest could not be computed: the comparison is not to
         * be trusted, whatever it gave. */
        out->verdict = VERDICT_ERROR;
        out->internal = true;
        reason.len = 0;
        buf_append_str(&reason, "internal error of wsspec: out of memory while generating a "
                                "data set to compare the peer's messages with");
    }
    free(x.seq);
    free(x.digests);
    finish_texts(out, &reason, &expected, actual);
}

void judgement_free(struct judgement *j) {
    free(j->reason);
    free(j->expected);
    free(j->actual);
    memset(j, 0, sizeof *j);
    j->outcome_index = -1;
    j->first_unexpected = -1;
}
