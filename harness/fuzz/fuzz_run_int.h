/* fuzz_run_int: what fuzz_run.c, fuzz_finding.c and fuzz_minimize.c share:
 * the loop's state, one attempt (a case run and what the oracles said of
 * it), the rule a mutant is judged by. Internal to harness/fuzz. */
#ifndef WSSPEC_FUZZ_RUN_INT_H
#define WSSPEC_FUZZ_RUN_INT_H

#include <pthread.h>

#include "fuzz/fuzz_run.h"
#include "fuzz/fuzz_target.h"
#include "run/runner.h"

/* The rule a mutant's outcomes stand for: the RFC oracle's (static), or,
 * without mutation, the seed case itself (borrowed from it). */
struct fuzz_rule {
    const char *id, *rfc, *sentence;
};

struct fuzz_ctx {
    const struct fuzz_config *cfg;
    struct fuzz_result *res;
    struct fuzz_target target;
    struct run_options opts;
    int64_t t0_ms;
    /* The gate: cases run shared; a suspect is handled (replays, restarts,
     * minimization) exclusive, with no other case running. */
    pthread_mutex_t watch; /* one worker at a time asks whether the target died */
    pthread_mutex_t lock;  /* everything below, the stats and the findings */
    pthread_cond_t cond;
    int active;
    bool exclusive, exclusive_wanted;
    uint64_t next_k;
    bool stop; /* budget spent, interrupted, or the target gone */
    int64_t last_tick_ms;
    size_t findings_cap;
};

/* One run of a case and the oracles' reading of it. */
struct fuzz_attempt {
    struct case_result r;
    bool fired;
    enum fuzz_oracle_kind kind;
    char *evidence; /* owned */
};

/* Run m against the current target (shared or exclusive, as the caller
 * holds the gate), then ask the oracles: probe is whether to probe the
 * target afterwards even without a timeout. Counts connections. */
void fuzz_attempt_run(struct fuzz_ctx *x, const struct wcase *m, bool probe,
                      struct fuzz_attempt *a);
void fuzz_attempt_free(struct fuzz_attempt *a);

/* Exclusive: a spawned target that is dead or no longer answers is
 * restarted (counted; false when it cannot be: x->stop is then set with
 * the reason). */
bool fuzz_ensure_target(struct fuzz_ctx *x);

/* "<oracle>.<rule id>.<kind of the last step that sends>", in [a-z0-9._-]. */
void fuzz_signature(enum fuzz_oracle_kind kind, const struct fuzz_rule *rule, const struct wcase *m,
                    char *out, size_t cap);

/* Exclusive: handle a suspect (m owned by the caller, renamed here):
 * deduplicate, confirm by replay, minimize, save, record. */
void fuzz_handle_suspect(struct fuzz_ctx *x, struct wcase *m, const struct fuzz_rule *rule,
                         uint64_t k, uint32_t dims, const struct fuzz_attempt *first);

/* Whether candidate c (owned by the caller; its outcomes replaced by the
 * oracle's when mutating) still fires kind with the same signature; the
 * minimizer's test. */
struct fuzz_repro {
    struct fuzz_ctx *x;
    enum fuzz_oracle_kind kind;
    const char *signature;
    struct fuzz_rule rule;
    bool semantic; /* reductions that change what the peer must do are allowed */
};
bool fuzz_reproduces(const struct fuzz_repro *p, struct wcase *c);

/* Structural delta debugging of *m in place (fuzz_minimize.c): drop steps,
 * shrink payloads, reset fields to defaults, coarsen chops, keeping each
 * change that reproduces; at most max_runs candidate runs. Returns the
 * candidate runs made. */
unsigned fuzz_minimize(const struct fuzz_repro *p, struct wcase *m, unsigned max_runs);

#endif
