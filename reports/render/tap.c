/* tap: TAP version 14 (testanything.org/tap-version-14-specification):
 *
 *   TAP version 14
 *   1..N
 *   ok 1 - framing.text-short Short text message
 *   not ok 2 - pings.ping-126 Ping with 126 octets
 *     ---
 *     message: "..."
 *     severity: fail
 *     ...
 *     ...
 *   ok 3 - limits.x Big message # SKIP not run: ...
 *
 * pass -> ok; non-strict and informational -> ok followed by a "# verdict:
 * reason" comment line (TAP's only directives are SKIP and TODO, neither
 * fits); under --strict non-strict is "not ok". fail and error -> not ok
 * with a YAML diagnostic block (severity tells them apart); unimplemented
 * and not-run -> ok with "# SKIP reason". A failure a --baseline already
 * lists is "not ok ... # TODO known failure (baseline)". Every YAML value is a JSON string,
 * which YAML reads as a double-quoted scalar, so nothing needs YAML quoting
 * rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/render/report_doc.h"
#include "reports/report.h"

/* A test point description: one line; '#' and '\' escaped (TAP 14). */
static void description(FILE *out, const char *s) {
    for (const char *p = s ? s : ""; *p; p++) {
        if (*p == '#' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if ((unsigned char)*p < 0x20)
            fputc(' ', out);
        else
            fputc(*p, out);
    }
}

/* A directive reason or comment: one line. */
static void one_line(FILE *out, const char *s) {
    for (const char *p = s ? s : ""; *p; p++)
        fputc((unsigned char)*p < 0x20 ? ' ' : *p, out);
}

/* "  key: "value"\n" with the value as a JSON string (skipped when NULL). */
static void yaml_field(FILE *out, const char *key, const char *value) {
    if (!value)
        return;
    json_t *s = json_string(value);
    char *text = s ? json_dumps(s, JSON_ENCODE_ANY) : NULL;
    fprintf(out, "  %s: %s\n", key, text ? text : "\"\"");
    free(text);
    json_decref(s);
}

static void yaml_block(FILE *out, const json_t *doc, const json_t *c) {
    char rfc[256], rerun[1024], where[600];
    report_doc_rfc_list(c, rfc, sizeof rfc);
    report_doc_rerun(doc, c, rerun, sizeof rerun);
    snprintf(where, sizeof where, "%s:%lld", report_doc_str(c, "file", "?"),
             report_doc_int(c, "line", 0));
    char message[1024];
    report_doc_headline(c, message, sizeof message);
    fputs("  ---\n", out);
    yaml_field(out, "message", message);
    yaml_field(out, "severity", report_doc_str(c, "verdict", "error"));
    yaml_field(out, "reason", report_doc_str(c, "reason", NULL));
    yaml_field(out, "error", report_doc_str(c, "error", NULL));
    yaml_field(out, "baseline", report_doc_str(c, "baseline", NULL));
    yaml_field(out, "rfc", rfc);
    yaml_field(out, "requirement", report_doc_str(c, "requirement", NULL));
    yaml_field(out, "expected", report_doc_str(c, "expected", NULL));
    yaml_field(out, "actual", report_doc_str(c, "actual", NULL));
    const json_t *ev = json_array_get(json_object_get(c, "events"),
                                      (size_t)report_doc_int(c, "first_unexpected", -1));
    const char *hex = report_doc_str(ev, "head_hex", NULL);
    if (hex && *hex)
        yaml_field(out, "actual_payload_hex", hex);
    yaml_field(out, "case_file", where);
    yaml_field(out, "rerun", rerun);
    fprintf(out, "  duration_ms: %.3f\n", report_doc_num(c, "duration_s", 0) * 1000.0);
    fputs("  ...\n", out);
}

int report_tap_write(const json_t *report, FILE *out) {
    size_t n = report_doc_case_count(report);
    fprintf(out, "TAP version 14\n1..%zu\n", n);
    for (size_t i = 0; i < n; i++) {
        const json_t *c = report_doc_case(report, i);
        enum report_doc_class k = report_doc_classify(report, c);
        bool bad = k == REPORT_DOC_FAIL || k == REPORT_DOC_ERROR;
        fprintf(out, "%s %zu - ", bad ? "not ok" : "ok", i + 1);
        description(out, report_doc_str(c, "id", "?"));
        fputc(' ', out);
        description(out, report_doc_str(c, "title", ""));
        if (k == REPORT_DOC_SKIP) {
            char why[1024];
            report_doc_skip_reason(report, c, why, sizeof why);
            fputs(" # SKIP ", out);
            one_line(out, why);
        } else if (bad && strcmp(report_doc_str(c, "baseline", ""), "known") == 0) {
            /* A failure the baseline already lists: TAP's "expected to fail". */
            fputs(" # TODO known failure (baseline)", out);
            const char *why = report_doc_str(c, "baseline_reason", NULL);
            if (why) {
                fputs(": ", out);
                one_line(out, why);
            }
        }
        fputc('\n', out);
        if (bad) {
            yaml_block(out, report, c);
        } else if (k == REPORT_DOC_NOTE) {
            fprintf(out, "# %s: ", report_doc_str(c, "verdict", ""));
            one_line(out, report_doc_str(c, "reason", ""));
            fputc('\n', out);
            const json_t *acc = report_doc_obj(c, "accepted");
            if (acc) { /* policy.h: the deviation accepted, and why */
                fprintf(out,
                        "# %s accepted by the policy (%s): ", report_doc_str(acc, "verdict", "?"),
                        report_doc_str(acc, "entry", "?"));
                one_line(out, report_doc_str(acc, "reason", ""));
                fputc('\n', out);
            }
        }
        if (report_doc_bool(c, "flaky", false)) { /* flaky.h */
            fputs("# flaky:", out);
            size_t k2;
            json_t *a;
            json_array_foreach(json_object_get(c, "attempts"), k2, a) {
                fprintf(out, "%s %s", k2 ? "," : "", report_doc_str(a, "verdict", "?"));
            }
            fputc('\n', out);
        }
    }
    if (!report_doc_bool(report, "complete", true)) {
        fputs("# run incomplete: ", out);
        one_line(out, report_doc_str(report, "incomplete_reason", ""));
        fputc('\n', out);
    }
    if (ferror(out))
        return -1;
    return 0;
}
