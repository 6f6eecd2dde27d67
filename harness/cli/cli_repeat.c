/* cli_repeat: further passes for --repeat and --repeat-failed (cli_repeat.h). */
#include "cli/cli_repeat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Record pass results into the attempts; keep the more severe result. */
static int record(const size_t *index, size_t m, struct case_result *pass,
                  struct case_result *results, struct report_attempts *attempts) {
    int rc = 0;
    for (size_t k = 0; k < m; k++) {
        struct case_result *r = &pass[k], *kept = &results[index[k]];
        if (r->ran && report_attempts_add(&attempts[index[k]], r) != 0)
            rc = -1;
        if (r->ran && report_verdict_worse(r->j.verdict, kept->j.verdict)) {
            /* r->c is the pass's copy of the case: the kept result names
             * the run's own. */
            const struct wcase *c = kept->c;
            struct case_result t = *kept;
            *kept = *r;
            kept->c = c;
            *r = t;
        }
        case_result_free(r);
    }
    return rc;
}

static bool counts_as_failed(const struct case_result *r, const char *fail_on) {
    if (!r->ran)
        return false;
    enum verdict v = r->j.verdict;
    if (v == VERDICT_FAIL || v == VERDICT_ERROR)
        return true;
    if (v == VERDICT_NON_STRICT)
        return strcmp(fail_on, "fail") != 0;
    return v == VERDICT_INFORMATIONAL && strcmp(fail_on, "informational") == 0;
}

/* times passes over the cases index[0..m), numbered from numbered_from + 1. */
static int passes(const struct cli_args *a, const char *label, unsigned numbered_from,
                  unsigned times, const struct wcase *cases, const size_t *index, size_t m,
                  struct case_result *results, struct report_attempts *attempts,
                  cli_pass_fn run_pass, void *ud, volatile sig_atomic_t *stop) {
    struct wcase *sub = calloc(m ? m : 1, sizeof *sub);
    struct case_result *pass = calloc(m ? m : 1, sizeof *pass);
    int rc = sub && pass ? 0 : -1;
    for (size_t k = 0; rc == 0 && k < m; k++)
        sub[k] = cases[index[k]];
    for (unsigned t = 0; rc == 0 && t < times && m && !(stop && *stop); t++) {
        if (a->verbosity >= 0)
            fprintf(stderr, "wsspec: %s %u of %u: %zu case%s\n", label, t + 1 + numbered_from,
                    times + numbered_from, m, m == 1 ? "" : "s");
        memset(pass, 0, m * sizeof *pass);
        int ran = run_pass(ud, sub, m, pass);
        if (record(index, m, pass, results, attempts) != 0)
            rc = -1;
        if (ran != 0)
            break;
    }
    free(sub);
    free(pass);
    return rc;
}

int cli_repeat_run(const struct cli_args *a, const char *fail_on, const struct wcase *cases,
                   struct case_result *results, size_t n, struct report_attempts *attempts,
                   cli_pass_fn run_pass, void *ud, volatile sig_atomic_t *stop) {
    size_t *index = calloc(n ? n : 1, sizeof *index);
    if (!index)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        index[i] = i;
        if (report_attempts_add(&attempts[i], &results[i]) != 0)
            rc = -1;
    }
    if (rc == 0 && a->repeat > 1)
        rc = passes(a, "--repeat: attempt", 1, a->repeat - 1, cases, index, n, results, attempts,
                    run_pass, ud, stop);
    if (rc == 0 && a->repeat_failed > 0) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (counts_as_failed(&results[i], fail_on))
                index[m++] = i;
        rc = passes(a, "--repeat-failed: rerun", 0, a->repeat_failed, cases, index, m, results,
                    attempts, run_pass, ud, stop);
    }
    free(index);
    return rc;
}
