/* runner: one case = one connection (connect, opening handshake, steps,
 * closing phase, judge), and the worker pool that runs many (runner.h).
 *
 * Every wait of a case is bounded by its one deadline (timeout * scale), so
 * a hung or trickling target costs that case its deadline, never the run;
 * workers pull the next case index from a shared counter, so -j only changes
 * the order, and each case's prng is seeded from --seed and the case id, so
 * masks and keys do not depend on -j or order either. */
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

/* FNV-1a: a stable hash of the case id, mixed into the run's seed. */
static uint64_t id_hash(const char *id) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)(id ? id : ""); *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return h;
}

void runner_run_case(const struct wcase *c, const struct run_target *target,
                     const struct run_options *opts, struct case_result *out) {
    memset(out, 0, sizeof *out);
    out->c = c;
    out->ran = true;
    struct transcript *tr = &out->tr;
    transcript_init(tr, opts->wire_cap ? opts->wire_cap : DEFAULT_WIRE_CAP);
    out->started_wall_ms = tr->started_wall_ms = clock_wall_ms();

    struct exec ex;
    memset(&ex, 0, sizeof ex);
    ex.c = c;
    ex.tr = tr;
    ex.t0_ns = clock_now_ns();
    ex.scale = opts->timeout_scale > 0 ? opts->timeout_scale : 1.0;
    ex.chop_override = opts->chop;
    ex.interrupted = opts->interrupted;
    double timeout_s = c->timeout_s > 0 ? c->timeout_s : 10.0;
    ex.deadline_ms = clock_now_ms() + (int64_t)(timeout_s * ex.scale * 1000.0);
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
        transcript_set_error(tr, "out of memory");
    } else if (runner_open(&ex, target) == RUNNER_OPEN_WEBSOCKET) {
        runner_rx_buffered(&ex);
        if (runner_wants_websocket(c))
            runner_exec_steps(&ex, c->steps, c->step_count);
        else
            runner_close_unwanted(&ex);
        runner_exec_closing(&ex);
        if (ex.interrupt_hit)
            transcript_set_error(tr, "interrupted before the case finished");
    }
    if (ex.cl.rx || ex.cl.conn)
        wsclient_close(&ex.cl);
    runner_rx_free(&ex);
    buf_free(&ex.replies);
    buf_free(&ex.held);
    free(ex.gen);

    tr->duration_us = (clock_now_ns() - ex.t0_ns) / 1000;
    out->duration_s = (double)tr->duration_us / 1e6;
    judge_case(c, tr, &out->j);
}

void case_result_free(struct case_result *r) {
    transcript_free(&r->tr);
    judgement_free(&r->j);
}

/* ---- the worker pool ------------------------------------------------------ */

struct pool {
    const struct wcase *cases;
    size_t n;
    const struct run_target *target;
    const struct run_options *opts;
    const struct run_progress *progress;
    struct case_result *results;
    pthread_mutex_t lock; /* next, done and the progress callbacks */
    size_t next, done;
};

static bool interrupted(const struct run_options *opts) {
    return opts->interrupted && *opts->interrupted;
}

static bool stopped(const struct run_options *opts) {
    return opts->stop && *opts->stop;
}

static void *worker(void *arg) {
    struct pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        if (interrupted(p->opts) || stopped(p->opts) || p->next >= p->n) {
            pthread_mutex_unlock(&p->lock);
            return NULL;
        }
        size_t i = p->next++;
        struct case_result *r = &p->results[i];
        r->c = &p->cases[i];
        r->ran = true;
        if (p->progress && p->progress->started)
            p->progress->started(p->progress->ud, r, i);
        pthread_mutex_unlock(&p->lock);

        runner_run_case(&p->cases[i], p->target, p->opts, r);

        pthread_mutex_lock(&p->lock);
        p->done++;
        if (p->progress && p->progress->finished)
            p->progress->finished(p->progress->ud, r, i, p->done, p->n);
        pthread_mutex_unlock(&p->lock);
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

int runner_run_all(const struct wcase *cases, size_t n, const struct run_target *target,
                   const struct run_options *opts, const struct run_progress *progress,
                   struct case_result *results) {
    struct pool p = {.cases = cases,
                     .n = n,
                     .target = target,
                     .opts = opts,
                     .progress = progress,
                     .results = results};
    if (pthread_mutex_init(&p.lock, NULL) != 0)
        return WS_ERR_INTERNAL;
    size_t jobs = opts->jobs > 0 ? (size_t)opts->jobs : 1;
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
    pthread_mutex_destroy(&p.lock);

    for (size_t i = p.next; i < n; i++)
        runner_mark_not_run(&results[i], &cases[i],
                            interrupted(opts) ? "not run: the run was interrupted"
                                              : "not run: the run was stopped");
    return interrupted(opts) ? WS_ERR_INTERRUPTED : 0;
}
