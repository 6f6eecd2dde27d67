/* policy: which verdicts make a run fail (the gate CI builds on), from
 * --fail-on and a policy file (--policy FILE, docs/policy.md, schema
 * reports/policy.schema.json): case ids or globs mapped to the verdicts
 * accepted for them, each with a reason and an optional expiry date, and
 * whether a flaky case (its attempts gave different verdicts, --repeat)
 * fails the run.
 *
 * report_apply_policy marks each case of a report document:
 *   fails_run  (bool) this case makes the run exit 1 (before --baseline)
 *   accepted   {verdict, reason, entry ("FILE:LINE"), expires} or absent:
 *              a deviation the policy accepts, and why
 * and fills the top-level "gate":
 *   {fail_on, flaky ("fail"/"accept"), policy (file or null),
 *    failing: [ids], accepted: [ids], flaky_cases: [ids],
 *    expired: [{entry, cases, expires, reason}], unmatched: [{entry, cases}]}
 * An expired entry accepts nothing and fails the run; an entry that matches
 * no case of the run is a warning. --baseline is applied after the policy:
 * it compares the cases that still fail (fails_run, or error). */
#ifndef WSSPEC_POLICY_H
#define WSSPEC_POLICY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define POLICY_SCHEMA_ID "wsspec-policy/1"

struct policy;

/* Read and check a policy file. Returns it, or NULL with
 * "FILE:LINE:COLUMN: field \"accept[2].expires\": message" in errmsg. */
struct policy *policy_load(const char *path, char *errmsg, size_t cap);
void policy_free(struct policy *p);

/* The policy file's fail_on ("" when it names none). */
const char *policy_fail_on(const struct policy *p);

/* Whether s is fail, non-strict or informational. */
bool policy_fail_on_valid(const char *s);

/* Mark the report's cases and fill "gate" (see above). fail_on: the
 * command line's (NULL: the policy file's, else "fail"). p may be NULL.
 * today: "YYYY-MM-DD" (UTC), the date expiry dates are compared with.
 * Returns 0, or -1 when memory ran out. */
int report_apply_policy(json_t *report, const struct policy *p, const char *fail_on,
                        const char *today);

/* Cases that fail the run (gate.failing) and expired entries (gate.expired). */
size_t report_gate_failing(const json_t *report);
size_t report_gate_expired(const json_t *report);

/* For the console, before the summary line: one line per flaky case
 * ("flaky  ID  pass, fail, pass"), per accepted deviation ("accepted  ID
 * fail: REASON (FILE:LINE)"), per expired entry (to err, an error) and per
 * unmatched entry (to err, a warning). */
void report_gate_print(const json_t *report, FILE *out, FILE *err);

/* Today's UTC date as "YYYY-MM-DD" into out[11]. */
void policy_today(char out[11]);

#endif
