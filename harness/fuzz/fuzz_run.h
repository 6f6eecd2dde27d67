/* fuzz_run: the loop of `wsspec fuzz`: mutants of the seed cases
 * (fuzz_mutate), their expected outcomes (fuzz_oracle_expect), run by the
 * runner of `wsspec run` against a target (fuzz_target.h) on -j workers;
 * four oracles (the target died or printed a sanitizer report; it stopped
 * answering a probe; a fresh connection no longer echoes; the judged
 * verdict is fail); each finding confirmed by replay, minimized
 * (fuzz_minimize.c), deduplicated by signature and saved as a case file.
 *
 * Deterministic for a seed: mutant k is made from (seed, k) only, whatever
 * -j; what a finding is and how it is minimized depends on the mutant and
 * the target's answers only. */
#ifndef WSSPEC_FUZZ_RUN_H
#define WSSPEC_FUZZ_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz/fuzz_mutate.h"
#include "model/casemodel.h"
#include "net/conn.h"

enum fuzz_oracle_kind {
    FUZZ_ORACLE_CRASH,  /* the spawned target died or printed a sanitizer report */
    FUZZ_ORACLE_HANG,   /* a probe got no answer before its deadline */
    FUZZ_ORACLE_CANARY, /* a fresh connection no longer completes handshake and echo */
    FUZZ_ORACLE_RFC,    /* the judged verdict is fail (with strict: or non-strict) */
    FUZZ_ORACLE_COUNT
};
const char *fuzz_oracle_kind_name(enum fuzz_oracle_kind k); /* "crash", "hang", ... */

struct fuzz_stats;

struct fuzz_config {
    const struct wcase *const *seeds; /* borrowed */
    size_t seed_count;
    uint64_t seed;       /* mutants and the runner's masks and keys */
    uint64_t runs;       /* stop after this many mutants (0 = no limit) */
    double time_s;       /* stop after this many seconds (0 = no limit) */
    int jobs;            /* workers */
    bool mutate;         /* false (--no-mutate): run the seeds as they are, judged by
                            their own outcomes */
    bool strict;         /* a non-strict verdict (a SHOULD missed) fires the RFC oracle */
    const char *out_dir; /* findings go to OUT/findings/ (NULL: not saved) */
    const char *spawn;   /* 'CMD {port}' started and restarted by us; NULL: url only */
    const char *url;     /* the target's URL (may hold {port}); NULL with spawn */
    struct tls_client_options tls;
    double scale;           /* WSSPEC_TIMEOUT_SCALE */
    double case_timeout_s;  /* cap of a mutant's whole-case deadline (unscaled) */
    double probe_timeout_s; /* the probe's deadline (unscaled) */
    unsigned probe_every;   /* probe after every N mutants (0: only after timeouts) */
    unsigned max_restarts;  /* of a spawned target, then the run stops */
    unsigned confirm_runs;  /* M: replays of a suspect */
    unsigned confirm_need;  /* N: of which must fire the same signature */
    unsigned minimize_runs; /* at most this many candidate runs per finding */
    unsigned max_findings;  /* stop once this many distinct findings are saved (0 = no limit) */
    volatile sig_atomic_t *interrupted;
    volatile sig_atomic_t *target_pgid; /* may be NULL: set to the spawned target's process
                                           group while it runs (0 otherwise) */
    /* Called (serialised) about every 250 ms and at the end, with the stats;
     * and with a line for each event worth a plain line (a finding, a
     * restart). Each may be NULL. */
    void (*tick)(void *ud, const struct fuzz_stats *st);
    void (*note)(void *ud, const char *line);
    void *ud;
};

struct fuzz_finding {
    char signature[192]; /* "<oracle>.<rule id>.<last step kind>", a file name */
    enum fuzz_oracle_kind oracle;
    char *rule_id, *rule_rfc, *rule_sentence; /* owned */
    char *evidence;                           /* owned: what fired, in words */
    char *base_id;                            /* owned: the seed case mutated */
    uint64_t mutant;                          /* k */
    uint32_t dims;                            /* fuzz_dim bits of the mutant */
    unsigned confirmed, replays;              /* N of M */
    size_t steps_found, steps_minimized;
    unsigned minimize_runs;
    char *file;    /* owned: the saved case file, NULL when not saved */
    uint64_t hits; /* mutants that fired this signature (the first included) */
};

struct fuzz_stats {
    uint64_t mutants;     /* made */
    uint64_t unsupported; /* skipped: the oracle does not model them */
    uint64_t executed;    /* run against the target */
    uint64_t connections; /* opened: cases, replays, probes */
    uint64_t probes, replays;
    uint64_t verdicts[VERDICT_COUNT]; /* of the mutants (not of replays) */
    uint64_t dims[FUZZ_DIM_COUNT];    /* mutants that mutated each dimension */
    uint64_t suspects[FUZZ_ORACLE_COUNT];
    uint64_t unconfirmed; /* suspects whose replays did not fire again */
    uint64_t hits;        /* findings and their duplicates */
    size_t findings;      /* distinct signatures */
    unsigned restarts;
    double elapsed_s;
};

struct fuzz_result {
    struct fuzz_stats stats;
    struct fuzz_finding *findings; /* owned, stats.findings of them */
    bool interrupted;
    char target_url[512];   /* where the target listened first */
    char stop_reason[1024]; /* why it stopped before its budget, "" when it did not */
    bool internal;          /* a failure of ours (out of memory, cannot write a finding) */
};

/* Run the loop. Returns 0 (the result says what happened, even when it
 * stopped early), or -1 with res->stop_reason saying why it could not start
 * (the target did not come up). */
int fuzz_run(const struct fuzz_config *cfg, struct fuzz_result *res);
void fuzz_result_free(struct fuzz_result *res);

#endif
