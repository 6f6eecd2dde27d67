/* console: what a person sees while `wsspec run` works (STYLE.md
 * "Conventions a CI user expects"):
 *   - not a TTY (or -q): one line per case on stdout: verdict, id, title,
 *     duration; nothing with \r or cursor codes;
 *   - a TTY (stderr): a live progress bar with counts and the slowest
 *     running case, redrawn in place; the per-case lines still go to stdout
 *     for failures;
 *   - each failure: the RFC requirement with its section, every acceptable
 *     outcome as Expected, the first unexpected event as Actual, and a
 *     re-run command;
 *   - -v: details for every case plus frame summaries; -vv: a hex dump of
 *     the wire log;
 *   - the summary is the last line of stdout, in a fixed grammar:
 *     "wsspec: N cases: A pass, B non-strict, C informational,
 *      D unimplemented, E fail, F error, G not run in S.SS s"
 *     (plus ", R regressions, X fixed" with a baseline).
 *   - colour: --color auto|always|never; auto = stdout is a TTY, NO_COLOR
 *     unset, TERM not "dumb".
 * Thread-safe: callbacks may come from worker threads (the runner
 * serialises them, the console locks anyway). */
#ifndef WSSPEC_CONSOLE_H
#define WSSPEC_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "run/runner.h"

enum console_color { CONSOLE_COLOR_AUTO, CONSOLE_COLOR_ALWAYS, CONSOLE_COLOR_NEVER };

struct console_options {
    int verbosity; /* -1 quiet (failures and summary only), 0, 1 (-v), 2 (-vv) */
    enum console_color color;
    bool strict;            /* non-strict counts as a failure */
    const char *target_arg; /* URL as given ("" for the built-in server), for re-run hints */
    uint64_t seed;
    FILE *out;              /* results (stdout) */
    FILE *err;              /* progress (stderr) */
    bool machine_on_stdout; /* --format tap: all human text goes to err */
};

struct console;

struct console *console_new(const struct console_options *o, size_t total);
/* Runner progress callbacks (struct run_progress, ud = the console). */
void console_case_started(void *ud, const struct case_result *r, size_t index);
void console_case_finished(void *ud, const struct case_result *r, size_t index, size_t done,
                           size_t total);
/* After the run: the last line. `baseline` lines (regressions, fixes) are
 * printed first when regressions/fixed are non-NULL. */
void console_summary(struct console *c, const struct case_result *results, size_t n, double wall_s,
                     const char *const *regressions, size_t regression_count,
                     const char *const *fixed, size_t fixed_count);
void console_free(struct console *c);
/* Whether colour is on for these options and this stream. */
bool console_use_color(enum console_color mode, FILE *stream);

#endif
