/* runner: executes cases against a target: one connection per case, cases
 * in parallel (-j) on worker threads, each with its own deadline, so a hung
 * target costs one case its deadline, never the run. */
#ifndef WSSPEC_RUNNER_H
#define WSSPEC_RUNNER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec/url.h"
#include "judge/judge.h"
#include "model/casemodel.h"
#include "model/transcript.h"
#include "net/conn.h"

struct run_target {
    struct ws_url url;
    char url_text[URL_MAX_HOST + URL_MAX_RESOURCE + 32];
    struct tls_client_options tls;
};

struct run_options {
    int jobs;              /* worker threads (default 1) */
    double timeout_scale;  /* WSSPEC_TIMEOUT_SCALE (default 1) */
    uint64_t seed;         /* masks, keys, generated mutations */
    size_t wire_cap;       /* wire log octets kept per case (default 64 KiB) */
    uint32_t chop;         /* --chop N: every send without its own chop is written in
                                 chops of N octets (0 = as the case says) */
    double idle_timeout_s; /* the idle deadline: no octet from the peer for this long (scaled)
                              while an answer is due ends the wait. 0 = the default (3 s),
                              < 0 = none */
    size_t max_events;     /* events kept per case (0 = RUNNER_MAX_EVENTS) */
    bool retry_timeouts;   /* rerun a case that failed only by a timeout once, alone, after
                              the parallel pass (runner_failed_by_timeout; at most
                              RUNNER_RETRY_MAX cases a run) */
    /* May be NULL: receives fuzzing seeds recorded while the cases run
     * (`run --record-seeds DIR`), named by the fuzz target they are for:
     * "pmd_params" (our offers, NUL, the answer's Sec-WebSocket-Extensions),
     * "pmd_inflate" (a config octet, then a compressed message of the peer
     * twice), "hs_response" (the answer's head), and, cut from the wire log
     * once the case ran (runner_seeds.c), "hs_request", "refserver_conn",
     * "frame", "frame_parse", "close" and "utf8". Called from worker threads
     * at once: it must be thread-safe. */
    void (*record_seed)(void *ud, const char *target, const uint8_t *data, size_t len);
    void *record_seed_ud;
    volatile sig_atomic_t *interrupted; /* set by SIGINT: finish running cases, start no more */
    volatile sig_atomic_t *stop;        /* may be NULL; set by the caller (e.g. from a progress
                                    callback when a spawned target died): start no more
                                    cases, let running ones end on their own */
};

/* Cases rerun by retry_timeouts in one run, at most: when more fail only by
 * a timeout, the target is slow or broken across the board, not unlucky
 * under load; the rest keep their first verdict (case_retry.rerun false).
 * Reruns also stop at the first that fails by a timeout again: alone, with
 * no load of ours, it says the timeouts are the target's. */
#define RUNNER_RETRY_MAX 16

/* A case that failed only by a timeout, and what its first attempt gave. */
struct case_retry {
    bool pending;               /* (seen by the first attempt's finished callback only) it
                                   failed only by a timeout and will be rerun or settled
                                   after the parallel pass, with a finished callback again */
    bool eligible;              /* the first attempt failed only by a timeout */
    bool rerun;                 /* and was rerun alone (false: see why_not) */
    const char *why_not;        /* static: why it was not rerun, NULL when it was */
    enum verdict first_verdict; /* the first attempt's */
    char *first_reason;         /* owned */
    char *first_actual;         /* owned: the timeout it ended on */
    int64_t first_started_wall_ms;
    double first_duration_s;
};

struct case_result {
    const struct wcase *c; /* borrowed */
    bool ran;              /* false: not started (interrupted / target died) */
    struct transcript tr;
    struct judgement j; /* j.verdict is the case's verdict */
    int64_t started_wall_ms;
    double duration_s;
    struct case_retry retry; /* when retry.eligible: the verdict above is the rerun's */
};

/* Called from worker threads (serialised by the runner) when a case starts,
 * when it ran (settle: before it is judged, e.g. to find out whether a
 * spawned target died under it; its worker starts no other case until
 * settle returns) and when it finishes (judged). Each may be NULL. With
 * retry_timeouts, a case that failed only by a timeout finishes with
 * retry.pending set; after the parallel pass it finishes once more, rerun
 * (after started and settle again) or not (retry.rerun false). */
struct run_progress {
    void (*started)(void *ud, const struct case_result *r, size_t index);
    void (*settle)(void *ud, const struct case_result *r, size_t index);
    void (*finished)(void *ud, const struct case_result *r, size_t index, size_t done,
                     size_t total);
    void *ud;
};

/* Run one case (on the calling thread). The case's seed is derived from
 * opts->seed and the case id, so results do not depend on -j or order. */
void runner_run_case(const struct wcase *c, const struct run_target *target,
                     const struct run_options *opts, struct case_result *out);

/* Run cases[0..n) with opts->jobs workers; results[i] belongs to cases[i]
 * (caller allocates n results, zeroed). With more than one worker the
 * cases that pause longest start first (results stay in case order).
 * Returns 0, WS_ERR_NOMEM, or WS_ERR_INTERRUPTED when *opts->interrupted
 * stopped it early (not-started results have ran = false). When
 * *opts->stop ends it early it returns 0; the results not started have
 * ran = false and the reason "not run: the run was stopped". With
 * opts->retry_timeouts, the cases that failed only by a timeout are rerun
 * one at a time after the parallel pass (unless it was interrupted or
 * stopped), the first RUNNER_RETRY_MAX in case order. */
int runner_run_all(const struct wcase *cases, size_t n, const struct run_target *target,
                   const struct run_options *opts, const struct run_progress *progress,
                   struct case_result *results);

/* Whether a judged case failed only by a timeout: verdict FAIL, and what
 * departs from the closest outcome is one of our timeouts (a wait step's,
 * close_timeout, the idle deadline where the RFC requires the answer, the
 * case deadline; for a handshake case, no answer before the deadline), not
 * an event of the peer: it did nothing wrong we saw, it only did not do in
 * time what an outcome expects. Under load that may be our doing, so
 * retry_timeouts reruns such a case alone; a repeated timeout is the
 * verdict. */
bool runner_failed_by_timeout(const struct case_result *r);
/* Whether the case's connection ended without a close frame of the peer's
 * (EOF, reset, a failed write, an error, no answer to the handshake): what a
 * crash of the target looks like from here (`run --spawn`, `wsspec fuzz`). */
bool runner_ended_abnormally(const struct case_result *r);

/* The Sec-WebSocket-Extensions value offering the case's deflate offers
 * (runner_deflate.c; *out NULL when the case has none; caller frees).
 * Returns 0 or WS_ERR_NOMEM. */
int runner_deflate_offer_line(const struct wcase *c, char **out);

void case_result_free(struct case_result *r);
/* Make r a case that never ran (ran = false, verdict ERROR), with the reason
 * in the judgement and the transcript so every report shows it. Frees what
 * r held (r must be zeroed or a valid result). */
void runner_mark_not_run(struct case_result *r, const struct wcase *c, const char *reason);

#endif
