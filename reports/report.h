/* report: the canonical JSON report of a run and every format rendered from
 * it (JUnit XML, HTML, Markdown, TAP, Autobahn-compatible index.json).
 *
 * The JSON document is built once from the run's results (report_build);
 * every other format is rendered from that json_t, so `wsspec report
 * FILE.json --junit OUT` re-renders a saved report to the same bytes a live
 * run writes. Files are written atomically (temporary file + rename).
 *
 * Document layout, version 2 (formal schema: reports/report.schema.json;
 * docs/reports.md says what changed from version 1):
 *   schema        "wsspec-report/2"
 *   tool          {name, version, openssl, zlib, jansson}
 *   target        {url, builtin (bool), spawn (command or null), agent (string)}
 *   options       {jobs, seed, timeout_scale, strict, argv: [...]}
 *   started, finished   ISO 8601 UTC with milliseconds; duration_s
 *   complete      false when interrupted or the target died; incomplete_reason
 *   summary       {total, pass, non-strict, informational, unimplemented, fail, error, not_run,
 *                  flaky (with --repeat)}
 *   baseline      (optional) {file, regressions: [ids], fixes: [ids], known: [ids]}
 *   corpus        {digest, cases, profile}           (cli_shard.h; report --merge checks it)
 *   shard         {index, count, selected, selection_digest, by_durations} or null
 *   gate          {fail_on, flaky, policy, failing, accepted, flaky_cases, expired,
 *                  unmatched}                        (policy.h: what decides exit 1)
 *   merged        (report --merge only) [{file, shard, started, duration_s, cases}]
 *   cases: [ {
 *     id, title, group, autobahn (or null), rfc: [...], requirement, tags: [...],
 *     file, line, verdict ("pass", "non-strict", "informational", "unimplemented",
 *     "fail", "error", "not-run"), ran, outcome (index or null), degraded,
 *     reason, expected, actual, first_unexpected (index into events, or null),
 *     baseline ("regression", "fixed", "known" or absent), started, duration_s,
 *     error, internal (bool: an error of ours, exit 4),
 *     fails_run, accepted {verdict, reason, entry, expires}   (policy.h)
 *     attempts [{verdict, started, duration_s, reason, retried}], flaky   (flaky.h)
 *     dropped: {events, events_lost, pongs}      (what the runner did not keep)
 *     handshake: {status, request, response}   (heads as text, capped)
 *     close: {peer_closed_first, we_sent_close, peer_sent_close, clean,
 *             we_dropped_tcp, peer_code (or null), peer_reason (or null)},
 *     events: [{index, t_ms, kind, opcode, length, sha256, head_hex, code, detail, rfc}],
 *     wire: {octets_out, octets_in, dropped_out, dropped_in,
 *            records: [{index, t_ms, dir ("out"/"in"), hex,
 *                       length + sha256 (cut) or length + head (HTTP head), frame_at}]}
 *     elided: {events, records, records_cut, octets_out, octets_in,   (what the
 *              event_gaps: [{first, count, kinds, payload_octets, sha256}],  report
 *              record_gaps: [{first, count, octets_out, octets_in}]}         left out)
 *   } ]
 * Of each transcript the report keeps a window (report_window.h): events
 * and wire records around the first unexpected event, the first and last
 * ones, records cut to a head.
 */
#ifndef WSSPEC_REPORT_H
#define WSSPEC_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "run/runner.h"

#define REPORT_SCHEMA_ID   "wsspec-report/2"
/* The layout before reports kept a window of each transcript (every event,
 * the wire log whole): `wsspec report` and --baseline still read it. */
#define REPORT_SCHEMA_ID_1 "wsspec-report/1"

struct report_meta {
    const char *target_url;
    bool builtin_target;
    const char *spawn_command; /* NULL when the target was not spawned */
    const char *agent;         /* name used in the Autobahn index; NULL = derived */
    int jobs;
    uint64_t seed;
    double timeout_scale;
    bool strict;
    bool retry_timeouts; /* --retry-timeouts (the default) */
    int argc;
    char **argv;
    int64_t started_wall_ms;
    int64_t finished_wall_ms;
    bool complete;
    const char *incomplete_reason; /* NULL when complete */
};

/* Build the canonical document (a new reference; caller json_decref()s).
 * results[i].c must be set for every i; results that did not run are
 * "not-run". Returns NULL when memory ran out. */
json_t *report_build(const struct report_meta *meta, const struct case_result *results, size_t n);

/* Whether schema (the document's "schema" field) is a layout the renderers
 * read: REPORT_SCHEMA_ID or REPORT_SCHEMA_ID_1. */
bool report_schema_readable(const char *schema);

/* Mark cases against a baseline report or a known-failures file (see
 * baseline.c) and fill the top-level "baseline" object. Returns 0,
 * or -1 with a message naming the file/line/field in errmsg. */
int report_apply_baseline(json_t *report, const char *baseline_path, char *errmsg, size_t cap);
/* Number of regressions recorded by report_apply_baseline (0 without one). */
size_t report_regressions(const json_t *report);

/* Renderers: each writes one format from the document. Return 0 or -1 with
 * errno set (I/O). */
int report_json_write(const json_t *report, FILE *out);
int report_junit_write(const json_t *report, FILE *out);
int report_html_write(const json_t *report, FILE *out);
int report_markdown_write(const json_t *report, FILE *out);
int report_tap_write(const json_t *report, FILE *out);
/* The Markdown summary with the failures first (--summary), never over
 * GitHub's 1 MiB step-summary limit (report_markdown_write keeps it too). */
int report_summary_write(const json_t *report, FILE *out);
/* GitHub Actions workflow commands (annotations.c): at most 10 ::error
 * and 10 ::warning lines, the worst first, the rest counted in one
 * ::notice line. */
int report_annotations_write(const json_t *report, FILE *out);
/* The Common Test Report Format document of the report (ctrf.c; a new
 * reference, NULL when memory ran out). run_id is shared by the shards of
 * one CI run: see report_ctrf_run_id. */
json_t *report_ctrf_build(const json_t *report, const char *run_id);
/* The run id: given (--run-id), else $WSSPEC_RUN_ID, else GitHub's
 * "github:REPO:RUN_ID:ATTEMPT", else GitLab's "gitlab:CI_PIPELINE_ID", else a
 * UUID derived from the report's start, target and seed. */
void report_ctrf_run_id(const json_t *report, const char *given, char *out, size_t cap);
/* Several targets side by side (compare.c): a comparison document
 * {targets: [{name, file, href, report}]}; report_compare_add keeps a
 * reference to report; href (may be NULL) is the target's HTML report,
 * which cells link to as href#case-ID. */
json_t *report_compare_doc(void);
int report_compare_add(json_t *cmp, json_t *report, const char *file, const char *href);
int report_compare_html_write(const json_t *cmp, FILE *out);
int report_compare_markdown_write(const json_t *cmp, FILE *out);
/* Autobahn|Testsuite layout: DIR/index.json plus DIR/<agent>_case_<id>.json
 * for every case that carries an Autobahn id. */
int report_autobahn_write_dir(const json_t *report, const char *dir, char *errmsg, size_t cap);

/* Create dir and its missing parents (mkdir -p). Returns 0, or -1 with a
 * message in errmsg. */
int report_mkdir_p(const char *dir, char *errmsg, size_t cap);

/* Write `render` output to path atomically (path.tmp + fsync + rename). */
int report_write_file(const json_t *report, const char *path, int (*render)(const json_t *, FILE *),
                      char *errmsg, size_t cap);

struct report_outputs {
    const char *dir; /* --report-dir: every format at once */
    const char *json;
    const char *junit;
    const char *html;
    const char *md;
    const char *summary;     /* --summary F: Markdown, failures first, <= 1 MiB */
    const char *ctrf;        /* --ctrf F: Common Test Report Format */
    const char *run_id;      /* --run-id ID of the CTRF report (NULL: derived) */
    const char *annotations; /* --annotations github=F: workflow commands to F */
};
/* Write every requested output; with dir: DIR/report.json, DIR/junit.xml,
 * DIR/report.html, DIR/summary.md, DIR/report.ctrf.json,
 * DIR/autobahn/index.json (+ per case).
 * Returns 0 or -1 after printing what failed to stderr (other outputs are
 * still written). */
int report_write_outputs(const json_t *report, const struct report_outputs *outs);

#endif
