/* fuzz_run: the loop of `wsspec fuzz` (fuzz_run.h): workers, mutants, the
 * oracles after each run, the gate that gives a suspect the target alone. */
#include "fuzz/fuzz_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/errors.h"
#include "base/prng.h"
#include "fuzz/fuzz_mutate.h"
#include "fuzz/fuzz_oracle.h"
#include "fuzz/fuzz_run_int.h"
#include "load/casewrite.h"

#define SETTLE_MS   1000 /* a connection that ended abnormally: time for the target to exit */
#define TICK_MS     250
#define READY_S     10.0
#define MAX_WORKERS 64

const char *fuzz_oracle_kind_name(enum fuzz_oracle_kind k) {
    static const char *const names[FUZZ_ORACLE_COUNT] = {"crash", "hang", "canary", "rfc"};
    return k < FUZZ_ORACLE_COUNT ? names[k] : "?";
}

/* ---- the gate --------------------------------------------------------------- */

static void enter_shared(struct fuzz_ctx *x) {
    pthread_mutex_lock(&x->lock);
    while (x->exclusive || x->exclusive_wanted)
        pthread_cond_wait(&x->cond, &x->lock);
    x->active++;
    pthread_mutex_unlock(&x->lock);
}

static void leave_shared(struct fuzz_ctx *x) {
    pthread_mutex_lock(&x->lock);
    x->active--;
    pthread_cond_broadcast(&x->cond);
    pthread_mutex_unlock(&x->lock);
}

static void enter_exclusive(struct fuzz_ctx *x) {
    pthread_mutex_lock(&x->lock);
    /* One claimant at a time: a second one waits until the first is done. */
    while (x->exclusive || x->exclusive_wanted)
        pthread_cond_wait(&x->cond, &x->lock);
    x->exclusive_wanted = true;
    while (x->active > 0)
        pthread_cond_wait(&x->cond, &x->lock);
    x->exclusive = true;
    x->exclusive_wanted = false;
    pthread_mutex_unlock(&x->lock);
}

static void leave_exclusive(struct fuzz_ctx *x) {
    pthread_mutex_lock(&x->lock);
    x->exclusive = false;
    pthread_cond_broadcast(&x->cond);
    pthread_mutex_unlock(&x->lock);
}

/* ---- one attempt -------------------------------------------------------------- */

static bool timed_out(const struct case_result *r) {
    if (runner_failed_by_timeout(r))
        return true;
    for (size_t i = 0; i < r->tr.event_count; i++)
        if (r->tr.events[i].kind == TEV_TIMEOUT)
            return true;
    return false;
}

static char *text2(const char *a, const char *b, const char *c) {
    size_t len = strlen(a) + strlen(b) + strlen(c) + 1;
    char *s = malloc(len);
    if (s)
        snprintf(s, len, "%s%s%s", a, b, c);
    return s;
}

static void count(struct fuzz_ctx *x, uint64_t *field, uint64_t n) {
    pthread_mutex_lock(&x->lock);
    *field += n;
    pthread_mutex_unlock(&x->lock);
}

/* Whether the spawned target died, asked by one worker at a time (settling
 * connects and walks /proc; two at once would only race each other). */
static bool target_died(struct fuzz_ctx *x, bool abnormal) {
    pthread_mutex_lock(&x->watch);
    bool died = fuzz_target_died(&x->target, abnormal, SETTLE_MS);
    pthread_mutex_unlock(&x->watch);
    return died;
}

void fuzz_attempt_run(struct fuzz_ctx *x, const struct wcase *m, bool probe,
                      struct fuzz_attempt *a) {
    memset(a, 0, sizeof *a);
    struct run_target rt = x->target.rt; /* changes only under the exclusive gate */
    runner_run_case(m, &rt, &x->opts, &a->r);
    count(x, &x->res->stats.connections, 1);

    /* (1) the crash oracle: the spawned target died, or wrote a sanitizer
     * report and lives on (a sanitizer built with halt_on_error=0). */
    if (target_died(x, runner_ended_abnormally(&a->r))) {
        a->fired = true;
        a->kind = FUZZ_ORACLE_CRASH;
        char *death = fuzz_target_death(&x->target);
        a->evidence = text2("the target died: ", death ? death : "?", "");
        free(death);
        return;
    }
    char report[SPAWN_SANITIZER_CAP];
    fuzz_target_sanitizer(&x->target, report, sizeof report);
    if (*report) {
        a->fired = true;
        a->kind = FUZZ_ORACLE_CRASH;
        a->evidence = text2("Sanitizer report from the target:\n", report, "");
        return;
    }
    /* (2) hang and (3) canary: a fresh connection after a case that ended
     * in a timeout, and every probe_every mutants. */
    bool abnormal = runner_ended_abnormally(&a->r);
    if (probe || timed_out(&a->r) || (abnormal && !x->target.spawn_template)) {
        char why[1024];
        enum probe_result pr =
            fuzz_probe(&rt, x->cfg->probe_timeout_s, x->cfg->scale, why, sizeof why);
        count(x, &x->res->stats.probes, 1);
        count(x, &x->res->stats.connections, 1);
        if (pr == PROBE_BROKEN && target_died(x, true)) {
            a->fired = true;
            a->kind = FUZZ_ORACLE_CRASH;
            char *death = fuzz_target_death(&x->target);
            a->evidence = text2("the target died: ", death ? death : "?", "");
            free(death);
            return;
        }
        if (pr == PROBE_TIMEOUT || pr == PROBE_BROKEN) {
            a->fired = true;
            a->kind = pr == PROBE_TIMEOUT ? FUZZ_ORACLE_HANG : FUZZ_ORACLE_CANARY;
            a->evidence =
                text2(pr == PROBE_TIMEOUT ? "a probe after the case got no answer in time: "
                                          : "a fresh connection after the case failed: ",
                      why, "");
            return;
        }
    }
    /* (4) the RFC oracle: the verdict against the expected outcomes. */
    enum verdict v = a->r.j.verdict;
    if ((v == VERDICT_FAIL || (x->cfg->strict && v == VERDICT_NON_STRICT)) && !a->r.j.internal) {
        a->fired = true;
        a->kind = FUZZ_ORACLE_RFC;
        a->evidence = text2(a->r.j.reason ? a->r.j.reason : "fail",
                            a->r.j.actual ? "\nactual: " : "", a->r.j.actual ? a->r.j.actual : "");
    }
}

void fuzz_attempt_free(struct fuzz_attempt *a) {
    case_result_free(&a->r);
    free(a->evidence);
    memset(a, 0, sizeof *a);
}

bool fuzz_ensure_target(struct fuzz_ctx *x) {
    char why[512];
    if (!x->target.spawn_template) {
        /* A URL: nothing to restart; a target that no longer answers ends
         * the run (every mutant would fail for that alone). */
        enum probe_result pr =
            fuzz_probe(&x->target.rt, x->cfg->probe_timeout_s, x->cfg->scale, why, sizeof why);
        count(x, &x->res->stats.connections, 1);
        if (pr == PROBE_OK)
            return true;
        pthread_mutex_lock(&x->lock);
        snprintf(x->res->stop_reason, sizeof x->res->stop_reason,
                 "the target %.600s no longer answers: %.300s", x->target.rt.url_text, why);
        x->stop = true;
        pthread_mutex_unlock(&x->lock);
        return false;
    }
    bool dead = fuzz_target_died(&x->target, true, SETTLE_MS);
    char report[SPAWN_SANITIZER_CAP];
    fuzz_target_sanitizer(&x->target, report, sizeof report);
    if (!dead && !*report &&
        fuzz_probe(&x->target.rt, x->cfg->probe_timeout_s, x->cfg->scale, why, sizeof why) ==
            PROBE_OK)
        return true;
    count(x, &x->res->stats.connections, 1);
    if (x->target.restarts >= x->cfg->max_restarts) {
        pthread_mutex_lock(&x->lock);
        snprintf(x->res->stop_reason, sizeof x->res->stop_reason,
                 "the target was restarted %u times (--max-restarts)", x->target.restarts);
        x->stop = true;
        pthread_mutex_unlock(&x->lock);
        return false;
    }
    char err[1024];
    int rc = fuzz_target_restart(&x->target, err, sizeof err);
    pthread_mutex_lock(&x->lock);
    x->res->stats.restarts = x->target.restarts;
    if (rc != 0) {
        snprintf(x->res->stop_reason, sizeof x->res->stop_reason,
                 "the target could not be restarted: %.900s", err);
        x->stop = true;
    }
    pthread_mutex_unlock(&x->lock);
    if (rc == 0 && x->cfg->note) {
        char line[1200];
        snprintf(line, sizeof line, "restarted the target (%u): %.1000s", x->target.restarts,
                 x->target.rt.url_text);
        x->cfg->note(x->cfg->ud, line);
    }
    return rc == 0;
}

/* ---- mutants ------------------------------------------------------------------ */

/* The prng of mutant k: a function of (seed, k) only. */
static void mutant_prng(uint64_t seed, uint64_t k, struct prng *rng) {
    uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (k + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    prng_seed(rng, z ^ (z >> 31));
}

/* Make mutant k into *m (owned) with its rule. Returns 0, 1 when the oracle
 * does not model it (nothing to free), or WS_ERR_NOMEM. */
static int make_mutant(struct fuzz_ctx *x, uint64_t k, struct wcase *m, struct fuzz_rule *rule,
                       uint32_t *dims) {
    const struct fuzz_config *cfg = x->cfg;
    struct prng rng;
    mutant_prng(cfg->seed, k, &rng);
    const struct wcase *base = cfg->seeds[prng_below(&rng, cfg->seed_count)];
    const struct wcase *other = cfg->seeds[prng_below(&rng, cfg->seed_count)];
    *dims = 0;
    memset(m, 0, sizeof *m);
    if (!cfg->mutate) {
        if (case_copy(m, base) != 0)
            return WS_ERR_NOMEM;
        *rule = (struct fuzz_rule){base->id, base->rfc_count ? base->rfc[0] : "",
                                   base->requirement ? base->requirement : base->title};
    } else {
        char tag[32];
        snprintf(tag, sizeof tag, "k%llu", (unsigned long long)k);
        if (fuzz_mutate(base, other, &rng, tag, m, dims) != 0)
            return WS_ERR_NOMEM;
        struct oracle_verdict v;
        if (fuzz_oracle_expect(m, &v) != 0) {
            case_free(m);
            return WS_ERR_NOMEM;
        }
        if (!v.supported) {
            case_free(m);
            return 1;
        }
        *rule = (struct fuzz_rule){v.rule->id, v.rule->rfc, v.rule->sentence};
    }
    /* Fuzzing wants short deadlines: a hung target costs a few seconds. */
    if (m->timeout_s <= 0 || m->timeout_s > cfg->case_timeout_s)
        m->timeout_s = cfg->case_timeout_s;
    return 0;
}

/* ---- the workers ------------------------------------------------------------ */

static void maybe_tick(struct fuzz_ctx *x, bool force) {
    pthread_mutex_lock(&x->lock);
    int64_t now = clock_now_ms();
    if (force || now - x->last_tick_ms >= TICK_MS) {
        x->last_tick_ms = now;
        x->res->stats.elapsed_s = (double)(now - x->t0_ms) / 1000.0;
        if (x->cfg->tick)
            x->cfg->tick(x->cfg->ud, &x->res->stats);
    }
    pthread_mutex_unlock(&x->lock);
}

/* The next mutant index, or false when the budget is spent or we stop. */
static bool take_k(struct fuzz_ctx *x, uint64_t *k) {
    const struct fuzz_config *cfg = x->cfg;
    pthread_mutex_lock(&x->lock);
    if (cfg->interrupted && *cfg->interrupted) {
        x->res->interrupted = true;
        x->stop = true;
    }
    if (cfg->runs && x->next_k >= cfg->runs)
        x->stop = true;
    if (cfg->max_findings && x->res->stats.findings >= cfg->max_findings && !x->stop) {
        x->stop = true;
        snprintf(x->res->stop_reason, sizeof x->res->stop_reason,
                 "%u distinct finding%s (--max-findings)", cfg->max_findings,
                 cfg->max_findings == 1 ? "" : "s");
    }
    if (cfg->time_s > 0 && clock_now_ms() - x->t0_ms >= (int64_t)(cfg->time_s * 1000.0))
        x->stop = true;
    bool go = !x->stop;
    if (go)
        *k = x->next_k++;
    pthread_mutex_unlock(&x->lock);
    return go;
}

static void *worker(void *arg) {
    struct fuzz_ctx *x = arg;
    const struct fuzz_config *cfg = x->cfg;
    uint64_t k;
    while (take_k(x, &k)) {
        struct wcase m;
        struct fuzz_rule rule;
        uint32_t dims;
        int rc = make_mutant(x, k, &m, &rule, &dims);
        pthread_mutex_lock(&x->lock);
        x->res->stats.mutants++;
        x->res->stats.unsupported += rc == 1;
        for (int d = 0; d < FUZZ_DIM_COUNT; d++)
            x->res->stats.dims[d] += (dims >> d) & 1u;
        if (rc < 0) {
            x->res->internal = true;
            x->stop = true;
            snprintf(x->res->stop_reason, sizeof x->res->stop_reason,
                     "out of memory making mutant %llu", (unsigned long long)k);
        }
        pthread_mutex_unlock(&x->lock);
        if (rc != 0)
            continue;
        enter_shared(x);
        struct fuzz_attempt a;
        bool probe = cfg->probe_every && (k + 1) % cfg->probe_every == 0;
        fuzz_attempt_run(x, &m, probe, &a);
        pthread_mutex_lock(&x->lock);
        x->res->stats.executed++;
        x->res->stats.verdicts[a.r.j.verdict]++;
        pthread_mutex_unlock(&x->lock);
        leave_shared(x);
        if (a.fired && !(cfg->interrupted && *cfg->interrupted)) {
            count(x, &x->res->stats.suspects[a.kind], 1);
            enter_exclusive(x);
            fuzz_handle_suspect(x, &m, &rule, k, dims, &a);
            leave_exclusive(x);
        }
        fuzz_attempt_free(&a);
        case_free(&m);
        maybe_tick(x, false);
    }
    return NULL;
}

int fuzz_run(const struct fuzz_config *cfg, struct fuzz_result *res) {
    memset(res, 0, sizeof *res);
    struct fuzz_ctx x;
    memset(&x, 0, sizeof x);
    x.cfg = cfg;
    x.res = res;
    x.target = (struct fuzz_target){.spawn_template = cfg->spawn,
                                    .url_template = cfg->url,
                                    .tls = cfg->tls,
                                    .scale = cfg->scale,
                                    .ready_s = READY_S,
                                    .interrupted = cfg->interrupted,
                                    .pgid_slot = cfg->target_pgid};
    x.opts = (struct run_options){.jobs = 1,
                                  .timeout_scale = cfg->scale,
                                  .seed = cfg->seed,
                                  .wire_cap = 16 * 1024,
                                  .interrupted = cfg->interrupted};
    pthread_mutex_init(&x.lock, NULL);
    pthread_mutex_init(&x.watch, NULL);
    pthread_cond_init(&x.cond, NULL);
    x.t0_ms = clock_now_ms();
    int status = 0;
    if (fuzz_target_start(&x.target, res->stop_reason, sizeof res->stop_reason) != 0) {
        status = -1;
        goto out;
    }
    snprintf(res->target_url, sizeof res->target_url, "%.500s", x.target.rt.url_text);
    if (cfg->note) {
        char line[1200];
        snprintf(line, sizeof line, "fuzzing %.1000s%s with %zu seed cases, -j %d, seed %llu",
                 x.target.rt.url_text, cfg->spawn ? " (spawned)" : "", cfg->seed_count, cfg->jobs,
                 (unsigned long long)cfg->seed);
        cfg->note(cfg->ud, line);
    }
    int jobs = cfg->jobs < 1 ? 1 : cfg->jobs > MAX_WORKERS ? MAX_WORKERS : cfg->jobs;
    pthread_t threads[MAX_WORKERS];
    int started = 0;
    for (; started < jobs; started++)
        if (pthread_create(&threads[started], NULL, worker, &x) != 0)
            break;
    if (started == 0)
        worker(&x);
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    if (cfg->interrupted && *cfg->interrupted)
        res->interrupted = true;
out:
    fuzz_target_stop(&x.target);
    res->stats.elapsed_s = (double)(clock_now_ms() - x.t0_ms) / 1000.0;
    res->stats.restarts = x.target.restarts;
    if (cfg->tick)
        cfg->tick(cfg->ud, &res->stats);
    pthread_cond_destroy(&x.cond);
    pthread_mutex_destroy(&x.lock);
    pthread_mutex_destroy(&x.watch);
    return status;
}

void fuzz_result_free(struct fuzz_result *res) {
    for (size_t i = 0; i < res->stats.findings; i++) {
        struct fuzz_finding *f = &res->findings[i];
        free(f->rule_id);
        free(f->rule_rfc);
        free(f->rule_sentence);
        free(f->evidence);
        free(f->base_id);
        free(f->file);
    }
    free(res->findings);
    memset(res, 0, sizeof *res);
}
