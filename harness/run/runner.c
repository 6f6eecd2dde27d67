/* runner: one case = one connection (connect, opening handshake, steps,
 * closing phase, judge), and the worker pool that runs many (runner.h).
 *
 * Every wait of a case is bounded by its one deadline (timeout * scale), so
 * a hung or trickling target costs that case its deadline, never the run;
 * workers pull the next case index from a shared counter, so -j only changes
 * the order, and each case's prng is seeded from --seed and the case id, so
 * masks and keys do not depend on -j or order either. With retry_timeouts,
 * a case that failed only by a timeout runs once more after the parallel
 * pass, alone (retry_timeouts below), so that load does not decide it. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/errors.h"
#include "codec/handshake.h"
#include "run/runner.h"
#include "run/runner_int.h"

#define DEFAULT_WIRE_CAP (64 * 1024)
#define TEXT_(x)         #x
#define TEXT(x)          TEXT_(x) /* a number macro as a string literal */
#define DEFAULT_IDLE_S   3.0      /* the idle deadline when run_options leaves it at 0 */

/* FNV-1a: a stable hash of the case id, mixed into the run's seed. */
static uint64_t id_hash(const char *id) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)(id ? id : ""); *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* Run the case into out->tr (no verdict yet). */
static void exec_case(const struct wcase *c, const struct run_target *target,
                      const struct run_options *opts, struct case_result *out) {
    memset(out, 0, sizeof *out);
    out->c = c;
    out->ran = true;
    struct transcript *tr = &out->tr;
    transcript_init(tr, opts->wire_cap ? opts->wire_cap : DEFAULT_WIRE_CAP);
    transcript_set_event_limit(tr, opts->max_events ? opts->max_events : RUNNER_MAX_EVENTS);
    out->started_wall_ms = tr->started_wall_ms = clock_wall_ms();

    struct exec ex;
    memset(&ex, 0, sizeof ex);
    ex.c = c;
    ex.tr = tr;
    ex.phase = RUN_OPEN;
    ex.stop = RUN_GO;
    ex.tx = RUN_TX_OPEN;
    ex.t0_ns = clock_now_ns();
    ex.scale = opts->timeout_scale > 0 ? opts->timeout_scale : 1.0;
    ex.chop_override = opts->chop;
    ex.interrupted = opts->interrupted;
    ex.seed = opts->record_seed;
    ex.seed_ud = opts->record_seed_ud;
    double timeout_s = c->timeout_s > 0 ? c->timeout_s : 10.0;
    ex.deadline_ms = clock_now_ms() + (int64_t)(timeout_s * ex.scale * 1000.0);
    double idle_s = opts->idle_timeout_s == 0 ? DEFAULT_IDLE_S : opts->idle_timeout_s;
    ex.idle_ms = idle_s > 0 ? (int64_t)(idle_s * ex.scale * 1000.0) : 0;
    uint64_t case_seed = opts->seed ^ (id_hash(c->id) * 0x9e3779b97f4a7c15ULL);
    prng_seed(&ex.prng, case_seed);
    prng_seed(&ex.reply_prng, ~case_seed);
    ex.cl.wire_cb = runner_wire_cb;
    ex.cl.wire_ud = &ex;

    /* Server frames: none may be masked, no RSV without an extension, and
     * 6455:5.2 "the minimal number of bytes MUST be used to encode the
     * length". A frame above the case's message cap is not read. */
    struct frame_limits limits = {
        .max_frame_payload = c->max_message ? c->max_message : (64u << 20),
        .allowed_rsv = 0,
        .strict_length = true,
    };
    ex.gen = malloc(RUNNER_CHUNK);
    bool ready = ex.gen && runner_rx_init(&ex) == 0 && wsclient_init(&ex.cl, &limits) == 0;
    if (!ready) {
        transcript_set_internal(tr, "out of memory setting up the case");
    } else if (runner_open(&ex, target) == RUNNER_OPEN_WEBSOCKET) {
        runner_rx_buffered(&ex);
        /* A case about using permessage-deflate whose offer the target
         * declined: nothing to test (the judge says unimplemented); the
         * connection still ends cleanly. */
        if (runner_wants_websocket(c) && !ex.skip_steps)
            runner_exec_steps(&ex, c->steps, c->step_count);
        else
            runner_close_unwanted(&ex);
        runner_exec_closing(&ex);
        if (ex.stop == RUN_STOP_INTERRUPT)
            transcript_set_error(tr, "interrupted before the case finished");
    }
    runner_record_seeds(&ex);
    if (ex.cl.rx || ex.cl.conn)
        wsclient_close(&ex.cl);
    runner_rx_free(&ex);
    runner_deflate_free(&ex);
    buf_free(&ex.seed_msg);
    buf_free(&ex.replies);
    buf_free(&ex.held);
    free(ex.gen);

    tr->duration_us = (clock_now_ns() - ex.t0_ns) / 1000;
    out->duration_s = (double)tr->duration_us / 1e6;
}

/* A case cut short by the event limit (a flood), once judged, keeps the
 * first RUNNER_REPORT_EVENTS events of the flood and what came from the
 * limit on, and the first RUNNER_REPORT_WIRE octets of its wire log: every
 * case's record stays small, so a run against a flooding target stays
 * small too (each event costs again in the report). */
static void trim_flood(struct case_result *r) {
    struct transcript *t = &r->tr;
    size_t limit = 0;
    while (limit < t->event_count && t->events[limit].kind != TEV_LIMIT)
        limit++;
    if (limit == t->event_count || limit <= RUNNER_REPORT_EVENTS)
        return;
    size_t gone = transcript_drop_events(t, RUNNER_REPORT_EVENTS, limit);
    transcript_trim_wire(t, RUNNER_REPORT_WIRE);
    int *index = &r->j.first_unexpected;
    if (*index >= (int)limit)
        *index -= (int)gone;
    else if (*index >= (int)RUNNER_REPORT_EVENTS)
        *index = -1;
}

/* A case that passed with many events (a series of 1000 echoes) keeps the
 * first and the last RUNNER_REPORT_EVENTS of them once judged, the rest
 * counted as dropped: a passing case's report shows only its first and last
 * events anyway, and a full-profile run of the compression cases then holds
 * 128 events a case instead of 1000 until the reports are written. */
static void trim_passed(struct case_result *r) {
    struct transcript *t = &r->tr;
    if (r->j.verdict != VERDICT_PASS || r->j.first_unexpected >= 0 ||
        t->event_count <= 2 * RUNNER_REPORT_EVENTS)
        return;
    (void)transcript_drop_events(t, RUNNER_REPORT_EVENTS, t->event_count - RUNNER_REPORT_EVENTS);
}

static void judge(struct case_result *r) {
    judge_case(r->c, &r->tr, &r->j);
    trim_flood(r);
    trim_passed(r);
}

void runner_run_case(const struct wcase *c, const struct run_target *target,
                     const struct run_options *opts, struct case_result *out) {
    exec_case(c, target, opts, out);
    judge(out);
}

bool runner_failed_by_timeout(const struct case_result *r) {
    const struct transcript *t = &r->tr;
    if (!r->ran || r->j.verdict != VERDICT_FAIL || r->j.internal || t->error)
        return false;
    int i = r->j.first_unexpected;
    if (i >= 0)
        return (size_t)i < t->event_count && t->events[i].kind == TEV_TIMEOUT;
    /* A handshake case judged by the answer: none came before the deadline. */
    return t->handshake_unanswered && t->event_count > 0 &&
           t->events[t->event_count - 1].kind == TEV_TIMEOUT;
}

void case_result_free(struct case_result *r) {
    transcript_free(&r->tr);
    judgement_free(&r->j);
    free(r->retry.first_reason);
    free(r->retry.first_actual);
    memset(&r->retry, 0, sizeof r->retry);
}

/* ---- the worker pool ------------------------------------------------------ */

struct pool {
    const struct wcase *cases;
    size_t n;
    const size_t *order; /* dispatch order: indices into cases */
    const struct run_target *target;
    const struct run_options *opts;
    const struct run_progress *progress;
    struct case_result *results;
    bool *dispatched;     /* per case index */
    pthread_mutex_t lock; /* next, done, dispatched and the progress callbacks */
    size_t next, done;
};

static bool interrupted(const struct run_options *opts) {
    return opts->interrupted && *opts->interrupted;
}

static bool stopped(const struct run_options *opts) {
    return opts->stop && *opts->stop;
}

/* Run, settle and judge case i on this thread, with the progress
 * callbacks; retry (may be NULL) is what an earlier attempt gave. */
static void run_one(struct pool *p, size_t i, const struct case_retry *retry) {
    struct case_result *r = &p->results[i];
    pthread_mutex_lock(&p->lock);
    r->c = &p->cases[i];
    r->ran = true;
    if (p->progress && p->progress->started)
        p->progress->started(p->progress->ud, r, i);
    pthread_mutex_unlock(&p->lock);

    exec_case(&p->cases[i], p->target, p->opts, r);
    if (retry)
        r->retry = *retry;
    /* What the target's state means for this case is settled before
     * the case is judged and before another case starts on this worker. */
    if (p->progress && p->progress->settle) {
        pthread_mutex_lock(&p->lock);
        p->progress->settle(p->progress->ud, r, i);
        pthread_mutex_unlock(&p->lock);
    }
    judge(r);
    if (!retry && p->opts->retry_timeouts && runner_failed_by_timeout(r))
        r->retry.pending = true; /* rerun or settled by retry_timeouts */

    pthread_mutex_lock(&p->lock);
    if (!retry)
        p->done++;
    if (p->progress && p->progress->finished)
        p->progress->finished(p->progress->ud, r, i, p->done, p->n);
    pthread_mutex_unlock(&p->lock);
}

static void *worker(void *arg) {
    struct pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        if (interrupted(p->opts) || stopped(p->opts) || p->next >= p->n) {
            pthread_mutex_unlock(&p->lock);
            return NULL;
        }
        size_t i = p->order[p->next++];
        p->dispatched[i] = true;
        pthread_mutex_unlock(&p->lock);
        run_one(p, i, NULL);
    }
}

/* Rerun case i alone (nothing else runs now); its first attempt is kept in
 * the result's retry record, the rerun's verdict is the case's. */
static void retry_one(struct pool *p, size_t i) {
    struct case_result *r = &p->results[i];
    struct case_retry first = {.eligible = true,
                               .rerun = true,
                               .first_verdict = r->j.verdict,
                               .first_reason = r->j.reason,
                               .first_actual = r->j.actual,
                               .first_started_wall_ms = r->started_wall_ms,
                               .first_duration_s = r->duration_s};
    r->j.reason = r->j.actual = NULL; /* now first's */
    case_result_free(r);
    run_one(p, i, &first);
}

/* The first verdict stays (why: see case_retry.why_not). */
static void keep_first(struct pool *p, size_t i, const char *why) {
    struct case_result *r = &p->results[i];
    r->retry = (struct case_retry){.eligible = true,
                                   .why_not = why,
                                   .first_verdict = r->j.verdict,
                                   .first_started_wall_ms = r->started_wall_ms,
                                   .first_duration_s = r->duration_s};
    if (p->progress && p->progress->finished) {
        pthread_mutex_lock(&p->lock);
        p->progress->finished(p->progress->ud, r, i, p->done, p->n);
        pthread_mutex_unlock(&p->lock);
    }
}

/* After the parallel pass: the cases that failed only by a timeout, once
 * more each, one at a time, in case order, until RUNNER_RETRY_MAX reruns,
 * or until one of them fails by a timeout again. */
static void retry_timeouts(struct pool *p) {
    size_t reruns = 0;
    bool again = false; /* a rerun failed by a timeout again */
    for (size_t i = 0; i < p->n; i++) {
        if (!p->dispatched[i] || !p->results[i].retry.pending)
            continue;
        if (interrupted(p->opts) || stopped(p->opts)) {
            keep_first(p, i, "the run was stopped before its rerun");
        } else if (again) {
            keep_first(p, i,
                       "an earlier rerun, alone, failed by a timeout again: the timeouts are "
                       "the target's, not the load's");
        } else if (reruns >= RUNNER_RETRY_MAX) {
            keep_first(p, i,
                       TEXT(RUNNER_RETRY_MAX) " cases were rerun already: a target that slow "
                                              "across the board is not unlucky under load");
        } else {
            retry_one(p, i);
            reruns++;
            again = runner_failed_by_timeout(&p->results[i]);
        }
    }
}

void runner_mark_not_run(struct case_result *r, const struct wcase *c, const char *reason) {
    case_result_free(r);
    memset(r, 0, sizeof *r);
    r->c = c;
    r->ran = false;
    r->j.verdict = VERDICT_ERROR;
    r->j.outcome_index = -1;
    r->j.first_unexpected = -1;
    r->j.reason = strdup(reason);
    r->tr.error = strdup(reason);
}

/* Seconds a case spends waiting on purpose (its pauses and chop delays),
 * whatever the target does: a lower bound of its duration. */
static double steps_weight(const struct wcase *c, const struct step *steps, size_t n) {
    double w = 0;
    for (size_t i = 0; i < n; i++) {
        const struct step *st = &steps[i];
        switch (st->kind) {
        case STEP_PAUSE: w += st->u.pause_s; break;
        case STEP_REPEAT:
            w += st->u.repeat.count * steps_weight(c, st->u.repeat.steps, st->u.repeat.step_count);
            break;
        default: {
            double delay = st->chop_delay_s > 0 ? st->chop_delay_s : c->chop_delay_s;
            uint32_t chop = st->chop ? st->chop : c->chop;
            if (delay > 0 && chop > 0)
                w += delay * 4; /* a few chops at least; the exact count does not matter */
            break;
        }
        }
    }
    return w;
}

struct weighted {
    size_t index;
    double weight;
};

static int heavier_first(const void *a, const void *b) {
    const struct weighted *x = a, *y = b;
    if (x->weight != y->weight)
        return x->weight > y->weight ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* The dispatch order: with one worker the cases' own order; with more, the
 * cases that wait longest on purpose first (stable), so that their pauses
 * overlap the rest of the run instead of ending it. */
static size_t *dispatch_order(const struct wcase *cases, size_t n, size_t jobs) {
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    struct weighted *w = jobs > 1 ? malloc((n ? n : 1) * sizeof *w) : NULL;
    if (!order) {
        free(w);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    if (!w)
        return order; /* -j 1, or no memory for the weights: the cases' order */
    for (size_t i = 0; i < n; i++)
        w[i] = (struct weighted){i, steps_weight(&cases[i], cases[i].steps, cases[i].step_count)};
    qsort(w, n, sizeof *w, heavier_first);
    for (size_t i = 0; i < n; i++)
        order[i] = w[i].index;
    free(w);
    return order;
}

int runner_run_all(const struct wcase *cases, size_t n, const struct run_target *target,
                   const struct run_options *opts, const struct run_progress *progress,
                   struct case_result *results) {
    size_t jobs = opts->jobs > 0 ? (size_t)opts->jobs : 1;
    struct pool p = {.cases = cases,
                     .n = n,
                     .target = target,
                     .opts = opts,
                     .progress = progress,
                     .results = results};
    size_t *order = dispatch_order(cases, n, jobs);
    p.dispatched = calloc(n ? n : 1, sizeof *p.dispatched);
    if (!order || !p.dispatched || pthread_mutex_init(&p.lock, NULL) != 0) {
        free(order);
        free(p.dispatched);
        return WS_ERR_NOMEM;
    }
    p.order = order;
    if (jobs > n)
        jobs = n ? n : 1;
    pthread_t *threads = calloc(jobs, sizeof *threads);
    size_t started = 0;
    if (threads) {
        for (size_t t = 0; t < jobs; t++) {
            if (pthread_create(&threads[t], NULL, worker, &p) != 0)
                break;
            started++;
        }
    }
    if (started == 0)
        worker(&p); /* no threads to be had: run on this one */
    for (size_t t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
    free(threads);
    if (opts->retry_timeouts)
        retry_timeouts(&p);
    pthread_mutex_destroy(&p.lock);

    for (size_t i = 0; i < n; i++)
        if (!p.dispatched[i])
            runner_mark_not_run(&results[i], &cases[i],
                                interrupted(opts) ? "not run: the run was interrupted"
                                                  : "not run: the run was stopped");
    free(order);
    free(p.dispatched);
    return interrupted(opts) ? WS_ERR_INTERRUPTED : 0;
}

bool runner_ended_abnormally(const struct case_result *r) {
    if (r->tr.error || r->tr.handshake_unanswered)
        return true;
    for (size_t i = 0; i < r->tr.event_count; i++) {
        enum tev_kind k = r->tr.events[i].kind;
        if (k == TEV_CLOSE)
            return false;
        if (k == TEV_EOF || k == TEV_RESET || k == TEV_WRITE_FAILED)
            return true;
    }
    return false;
}
