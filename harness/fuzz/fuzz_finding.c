/* fuzz_finding: what happens to a suspect (fuzz_run_int.h): its signature,
 * deduplication, confirmation by replay (N of M, a fresh target when it
 * crashed), minimization, and the case file it is saved as, which
 * `wsspec run --seed S --case-file F URL` replays with the same verdict. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/clock.h"
#include "base/errors.h"
#include "fuzz/fuzz_mutate.h"
#include "fuzz/fuzz_oracle.h"
#include "fuzz/fuzz_run_int.h"
#include "load/casewrite.h"

#define FINDING_GROUP "fuzz"

static const char *step_kind_name(enum step_kind k) {
    switch (k) {
    case STEP_SEND_FRAME: return "send_frame";
    case STEP_SEND_MESSAGE: return "send_message";
    case STEP_SEND_CLOSE: return "send_close";
    case STEP_SEND_RAW: return "send_raw";
    case STEP_PAUSE: return "pause";
    case STEP_WAIT: return "wait";
    case STEP_MARK: return "mark";
    case STEP_REPEAT: return "repeat";
    case STEP_SHUTDOWN: return "shutdown";
    case STEP_SEND_SERIES: return "send_series";
    }
    return "step";
}

/* The kind of the last step that sends something (or shuts down): what
 * the target reacted to; "handshake" for a case without one. */
static const char *last_send_kind(const struct wcase *m) {
    for (size_t i = m->step_count; i-- > 0;) {
        enum step_kind k = m->steps[i].kind;
        if (k != STEP_PAUSE && k != STEP_WAIT && k != STEP_MARK)
            return step_kind_name(k);
    }
    return "handshake";
}

void fuzz_signature(enum fuzz_oracle_kind kind, const struct fuzz_rule *rule, const struct wcase *m,
                    char *out, size_t cap) {
    snprintf(out, cap, "%s.%s.%s", fuzz_oracle_kind_name(kind), rule->id, last_send_kind(m));
    for (char *p = out; *p; p++) {
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
        else if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789._-", *p))
            *p = '-';
    }
}

/* ---- replays ---------------------------------------------------------------- */

/* Exclusive: one replay of m alone; whether it fires kind again. */
static bool replay_fires(struct fuzz_ctx *x, const struct wcase *m, enum fuzz_oracle_kind kind) {
    if (!fuzz_ensure_target(x))
        return false;
    struct fuzz_attempt a;
    /* A hang or a dead canary shows in the probe after the case. */
    fuzz_attempt_run(x, m, kind == FUZZ_ORACLE_HANG || kind == FUZZ_ORACLE_CANARY, &a);
    pthread_mutex_lock(&x->lock);
    x->res->stats.replays++;
    pthread_mutex_unlock(&x->lock);
    bool same = a.fired && a.kind == kind;
    fuzz_attempt_free(&a);
    return same;
}

bool fuzz_reproduces(const struct fuzz_repro *p, struct wcase *c) {
    struct fuzz_ctx *x = p->x;
    if (x->cfg->interrupted && *x->cfg->interrupted)
        return false;
    /* Minimizing stops with the --time budget. */
    if (x->cfg->time_s > 0 && clock_now_ms() - x->t0_ms >= (int64_t)(x->cfg->time_s * 1000.0))
        return false;
    if (x->cfg->mutate) {
        struct oracle_verdict v;
        if (fuzz_oracle_expect(c, &v) != 0 || !v.supported || strcmp(v.rule->id, p->rule.id))
            return false;
    }
    char sig[sizeof((struct fuzz_finding *)0)->signature];
    fuzz_signature(p->kind, &p->rule, c, sig, sizeof sig);
    return strcmp(sig, p->signature) == 0 && replay_fires(x, c, p->kind);
}

/* ---- saving ------------------------------------------------------------------ */

static char *dup_or_empty(const char *s) {
    return strdup(s ? s : "");
}

/* Write the finding's case to OUT/findings/<signature>.json. Returns the
 * path (owned) or NULL after noting why. */
static char *save_case(struct fuzz_ctx *x, struct wcase *m, const struct fuzz_finding *f) {
    const char *out = x->cfg->out_dir;
    if (!out)
        return NULL;
    size_t cap = strlen(out) + sizeof f->signature + 32;
    char *path = malloc(cap);
    if (!path)
        return NULL;
    snprintf(path, cap, "%s/findings", out);
    if (mkdir(out, 0777) != 0 && errno != EEXIST)
        goto fail;
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        goto fail;
    snprintf(path, cap, "%s/findings/%s.json", out, f->signature);
    /* The description says where it came from and how to replay it. */
    char desc[1024];
    snprintf(desc, sizeof desc,
             "Found by wsspec fuzz --seed %llu: mutant %llu of %s (%s oracle). Replay: wsspec "
             "run --seed %llu --case-file %s.json URL",
             (unsigned long long)x->cfg->seed, (unsigned long long)f->mutant, f->base_id,
             fuzz_oracle_kind_name(f->oracle), (unsigned long long)x->cfg->seed, f->signature);
    char *old = m->description;
    m->description = strdup(desc);
    char err[512];
    int rc = m->description ? case_write_file(path, FINDING_GROUP, "wsspec fuzz finding", m, 1, err,
                                              sizeof err)
                            : WS_ERR_NOMEM;
    free(m->description);
    m->description = old;
    if (rc == 0)
        return path;
    if (x->cfg->note) {
        char line[1024];
        snprintf(line, sizeof line, "cannot save finding %s: %s", f->signature,
                 rc == WS_ERR_NOMEM ? "out of memory" : err);
        x->cfg->note(x->cfg->ud, line);
    }
    x->res->internal = true;
    free(path);
    return NULL;
fail:
    if (x->cfg->note) {
        char line[1024];
        snprintf(line, sizeof line, "cannot create %s: %s", path, strerror(errno));
        x->cfg->note(x->cfg->ud, line);
    }
    x->res->internal = true;
    free(path);
    return NULL;
}

/* ---- a suspect ---------------------------------------------------------------- */

static struct fuzz_finding *find(struct fuzz_result *res, const char *sig) {
    for (size_t i = 0; i < res->stats.findings; i++)
        if (strcmp(res->findings[i].signature, sig) == 0)
            return &res->findings[i];
    return NULL;
}

static struct fuzz_finding *add(struct fuzz_ctx *x) {
    struct fuzz_result *res = x->res;
    if (res->stats.findings == x->findings_cap) {
        size_t cap = x->findings_cap ? 2 * x->findings_cap : 8;
        struct fuzz_finding *grown = realloc(res->findings, cap * sizeof *grown);
        if (!grown)
            return NULL;
        res->findings = grown;
        x->findings_cap = cap;
    }
    struct fuzz_finding *f = &res->findings[res->stats.findings++];
    memset(f, 0, sizeof *f);
    return f;
}

static void note_finding(struct fuzz_ctx *x, const struct fuzz_finding *f) {
    if (!x->cfg->note)
        return;
    char line[1400];
    snprintf(line, sizeof line, "FINDING %s (%s, %s %s), confirmed %u of %u, %zu -> %zu steps%s%s",
             f->signature, fuzz_oracle_kind_name(f->oracle), f->rule_id, f->rule_rfc, f->confirmed,
             f->replays, f->steps_found, f->steps_minimized, f->file ? ": " : "",
             f->file ? f->file : "");
    x->cfg->note(x->cfg->ud, line);
}

void fuzz_handle_suspect(struct fuzz_ctx *x, struct wcase *m, const struct fuzz_rule *rule,
                         uint64_t k, uint32_t dims, const struct fuzz_attempt *first) {
    const struct fuzz_config *cfg = x->cfg;
    enum fuzz_oracle_kind kind = first->kind;
    char sig[sizeof((struct fuzz_finding *)0)->signature];
    fuzz_signature(kind, rule, m, sig, sizeof sig);
    /* A crashed or hung target is restarted before anything else. */
    bool target_up = fuzz_ensure_target(x);
    pthread_mutex_lock(&x->lock);
    struct fuzz_finding *known = find(x->res, sig);
    if (known) {
        known->hits++;
        x->res->stats.hits++;
    }
    pthread_mutex_unlock(&x->lock);
    if (known)
        return;
    /* A URL target that stopped answering after this mutant cannot be
     * replayed against: the finding is kept as it is, unconfirmed. */
    bool keep_unconfirmed =
        !target_up && !cfg->spawn && (kind == FUZZ_ORACLE_HANG || kind == FUZZ_ORACLE_CANARY);
    if (!target_up && !keep_unconfirmed)
        return;

    /* Renamed first: the replays, the minimizer and a later `wsspec run
     * --case-file` run the same id, so the same masks and keys. */
    char id[sizeof sig + 8];
    snprintf(id, sizeof id, "%s.%s", FINDING_GROUP, sig);
    char *base_id = m->id;
    m->id = strdup(id);
    if (!m->id) {
        m->id = base_id;
        x->res->internal = true;
        return;
    }
    /* The seed case's id: a mutant's is "<seed id>~<tag>". */
    char *tilde = strchr(base_id, '~');
    if (tilde)
        *tilde = '\0';
    unsigned confirmed = 0, replays = 0;
    unsigned need = cfg->confirm_need ? cfg->confirm_need : 1;
    for (; !keep_unconfirmed && replays < cfg->confirm_runs && confirmed < need; replays++) {
        if (replays - confirmed > cfg->confirm_runs - need)
            break; /* N of M can no longer be reached */
        confirmed += replay_fires(x, m, kind);
    }
    if (confirmed < need && !keep_unconfirmed) {
        pthread_mutex_lock(&x->lock);
        x->res->stats.unconfirmed++;
        pthread_mutex_unlock(&x->lock);
        if (cfg->note) {
            char line[600];
            snprintf(line, sizeof line, "suspect %s (mutant %llu) not confirmed: %u of %u replays",
                     sig, (unsigned long long)k, confirmed, replays);
            cfg->note(cfg->ud, line);
        }
        if (tilde)
            *tilde = '~';
        free(m->id);
        m->id = base_id;
        return;
    }
    size_t steps_found = m->step_count;
    /* Without the RFC oracle (--no-mutate) the outcomes are the seed's: a
     * reduction that changes what the peer must do would fail against them
     * for that alone, so only timing reductions are tried for a verdict. */
    struct fuzz_repro p = {.x = x,
                           .kind = kind,
                           .signature = sig,
                           .rule = *rule,
                           .semantic = cfg->mutate || kind != FUZZ_ORACLE_RFC};
    /* (A kept candidate holds the oracle's outcomes for its own steps.) */
    unsigned min_runs = keep_unconfirmed ? 0 : fuzz_minimize(&p, m, cfg->minimize_runs);

    pthread_mutex_lock(&x->lock);
    struct fuzz_finding *f = add(x);
    if (!f) {
        x->res->internal = true;
        pthread_mutex_unlock(&x->lock);
        free(base_id);
        return;
    }
    f->oracle = kind;
    snprintf(f->signature, sizeof f->signature, "%s", sig);
    f->rule_id = dup_or_empty(rule->id);
    f->rule_rfc = dup_or_empty(rule->rfc);
    f->rule_sentence = dup_or_empty(rule->sentence);
    f->evidence = dup_or_empty(first->evidence);
    f->base_id = base_id;
    f->mutant = k;
    f->dims = dims;
    f->confirmed = confirmed;
    f->replays = replays;
    f->steps_found = steps_found;
    f->steps_minimized = m->step_count;
    f->minimize_runs = min_runs;
    f->hits = 1;
    x->res->stats.hits++;
    f->file = save_case(x, m, f);
    note_finding(x, f);
    pthread_mutex_unlock(&x->lock);
}
