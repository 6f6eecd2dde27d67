/* fuzz_summary: the reports of `wsspec fuzz` under --out DIR:
 *   summary.json   versioned (FUZZ_SUMMARY_VERSION): seed, budget, counts,
 *                  rates, per-dimension counts, findings with signature,
 *                  oracle, rule, RFC sentence and case file
 *   summary.md     the same for humans (e.g. $GITHUB_STEP_SUMMARY)
 *   summary.sarif  SARIF 2.1.0: one rule per finding class (ruleId: the RFC
 *                  oracle's rule id, or "crash", "hang", "canary"), one
 *                  result per finding pointing at its saved case file */
#ifndef WSSPEC_FUZZ_SUMMARY_H
#define WSSPEC_FUZZ_SUMMARY_H

#include <jansson.h>

#include "fuzz/fuzz_run.h"

#define FUZZ_SUMMARY_VERSION 1

struct fuzz_summary_meta {
    const char *target;  /* the URL fuzzed (first start) */
    const char *spawn;   /* the command, NULL for a URL */
    const char *version; /* wsspec's */
    int argc;
    char **argv;
};

/* The SARIF ruleId of a finding. */
const char *fuzz_finding_rule_id(const struct fuzz_finding *f);

json_t *fuzz_summary_json(const struct fuzz_config *cfg, const struct fuzz_result *res,
                          const struct fuzz_summary_meta *meta);
json_t *fuzz_summary_sarif(const struct fuzz_config *cfg, const struct fuzz_result *res,
                           const struct fuzz_summary_meta *meta);

/* Write the three files into cfg->out_dir (created). Returns 0, or -1
 * with errmsg naming the file that could not be written. */
int fuzz_summary_write(const struct fuzz_config *cfg, const struct fuzz_result *res,
                       const struct fuzz_summary_meta *meta, char *errmsg, size_t cap);

#endif
