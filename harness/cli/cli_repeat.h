/* cli_repeat: `run --repeat N` (every selected case N times) and
 * `run --repeat-failed N` (the cases that failed or erred, N more times),
 * recording each attempt (reports/flaky.h) so that a case whose attempts
 * disagree is reported flaky. */
#ifndef WSSPEC_CLI_REPEAT_H
#define WSSPEC_CLI_REPEAT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "cli/cli_args.h"
#include "reports/flaky.h"
#include "run/runner.h"

/* Runs cases[0..m) once into results[0..m) (zeroed by the caller); returns
 * 0, or -1 when the run cannot go on (memory, the target died). */
typedef int (*cli_pass_fn)(void *ud, const struct wcase *cases, size_t m,
                           struct case_result *results);

/* After the first pass (results[0..n) of cases[0..n), recorded into
 * attempts[0..n) here too): the further passes --repeat and
 * --repeat-failed ask for, each through run_pass. A case keeps the result
 * of its first attempt with the most severe verdict (report_verdict_worse).
 * Stops early when *stop becomes non-zero or a pass fails. Returns 0, or
 * -1 when memory ran out. fail_on: which verdicts count as failed for
 * --repeat-failed (besides fail and error). */
int cli_repeat_run(const struct cli_args *a, const char *fail_on, const struct wcase *cases,
                   struct case_result *results, size_t n, struct report_attempts *attempts,
                   cli_pass_fn run_pass, void *ud, volatile sig_atomic_t *stop);

#endif
