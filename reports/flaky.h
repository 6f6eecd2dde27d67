/* flaky: the attempts of a case run more than once (`run --repeat N`,
 * `--repeat-failed N`) and whether their verdicts agree.
 *
 * In the report each case run more than once gets
 *   attempts: [{verdict, started, duration_s, reason, retried}]   in run order
 *   flaky:    true when the attempts' verdicts differ
 * and summary.flaky counts the flaky cases. The case's own verdict and
 * transcript are those of its first attempt with the most severe verdict
 * (fail, error, non-strict, informational, unimplemented, pass: the
 * evidence of the problem). Each attempt is one whole run of the case,
 * with its own --retry-timeouts rerun: `retried` says the attempt failed
 * only by a timeout and was rerun alone, its verdict being the rerun's. */
#ifndef WSSPEC_FLAKY_H
#define WSSPEC_FLAKY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "run/runner.h"

struct report_attempt {
    enum verdict verdict;
    int64_t started_wall_ms;
    double duration_s;
    char *reason; /* owned */
    bool retried;
};

struct report_attempts {
    struct report_attempt *items;
    size_t count, cap;
};

/* Append r's outcome (nothing when r did not run). Returns 0 or -1 (memory). */
int report_attempts_add(struct report_attempts *a, const struct case_result *r);
void report_attempts_free(struct report_attempts *a);
/* Whether verdict a is more severe than b (fail > error > non-strict >
 * informational > unimplemented > pass): which attempt a case keeps. */
bool report_verdict_worse(enum verdict a, enum verdict b);
/* Set attempts and flaky on every case of the report run more than once
 * (per_case[i] belongs to the report's cases[i]) and summary.flaky.
 * Returns the number of flaky cases, or -1 when memory ran out. */
long report_set_attempts(json_t *report, const struct report_attempts *per_case, size_t n);

#endif
