/* ctrf: the Common Test Report Format (CTRF, specVersion 0.0.0: ctrf.io),
 * built from the report document as a JSON document of its own:
 *
 *   {reportFormat: "CTRF", specVersion: "0.0.0", reportId (UUID), runId,
 *    timestamp, generatedBy: "wsspec",
 *    results: {tool: {name: "wsspec", version},
 *              summary: {tests, passed, failed, skipped, pending, other,
 *                        start, stop, duration, extra: {verdicts...}},
 *              tests: [{name, status, duration, start, stop, suite: [group],
 *                       message, trace, filePath, line, rawStatus, tags,
 *                       labels: {id, rfc, autobahn}, extra: {...}}],
 *              environment: {reportName, appName, osPlatform},
 *              extra: {schema, complete, incomplete_reason, seed, strict}}}
 *
 * Verdicts map onto CTRF's five statuses (rawStatus keeps ours):
 *   pass -> passed; fail, error -> failed (non-strict too under --strict);
 *   unimplemented, not-run -> skipped; non-strict, informational -> other.
 * extra.verdict is always our verdict; extra.class says why a case is
 * "failed" ("fail" or "error": the target broke a rule, or we could not
 * judge it).
 *
 * runId is shared by the shards of one CI run (report_ctrf_run_id);
 * reportId identifies this document and is derived from the report's
 * content (a UUID of version 8, RFC 9562's custom layout, from SHA-256), so
 * `wsspec report` renders the same bytes again. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reports/render/report_doc.h"
#include "reports/report.h"

#define CTRF_SPEC_VERSION "0.0.0"
#define TRACE_CAP         8000 /* characters of a test's trace */

/* "2026-12-03T05:24:26.123Z" -> milliseconds since the epoch (0 when the
 * text is not that shape). */
static long long iso_ms(const char *s) {
    if (!s)
        return 0;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int ms = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec, &ms) < 6)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    return t < 0 ? 0 : (long long)t * 1000 + ms;
}

/* SHA-256 of text as a UUID string (version 8, variant 10). */
static void uuid_of(const char *text, char out[37]) {
    unsigned char h[32];
    unsigned int len = 0;
    if (EVP_Digest(text, strlen(text), h, &len, EVP_sha256(), NULL) != 1)
        memset(h, 0, sizeof h);
    h[6] = (unsigned char)((h[6] & 0x0F) | 0x80); /* version 8 */
    h[8] = (unsigned char)((h[8] & 0x3F) | 0x80); /* variant 10 */
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        snprintf(out + o, 3, "%02x", h[i]);
        o += 2;
    }
    out[o] = '\0';
}

/* What identifies the run a report belongs to: its start, target and seed. */
static void run_fingerprint(const json_t *doc, char *out, size_t cap) {
    const json_t *target = report_doc_obj(doc, "target");
    char seed[32];
    report_doc_seed(doc, seed, sizeof seed);
    snprintf(out, cap, "wsspec run|%s|%s|%s|%s", report_doc_str(doc, "started", ""),
             report_doc_str(target, "url", ""), report_doc_str(target, "spawn", ""), seed);
}

void report_ctrf_run_id(const json_t *report, const char *given, char *out, size_t cap) {
    const char *env = getenv("WSSPEC_RUN_ID");
    const char *gh = getenv("GITHUB_RUN_ID");
    const char *gl = getenv("CI_PIPELINE_ID");
    if (given && *given) {
        snprintf(out, cap, "%s", given);
    } else if (env && *env) {
        snprintf(out, cap, "%s", env);
    } else if (gh && *gh) {
        /* Every job (shard) of one workflow run shares these; a re-run
         * of the workflow gets a new attempt number. */
        const char *attempt = getenv("GITHUB_RUN_ATTEMPT");
        const char *repo = getenv("GITHUB_REPOSITORY");
        snprintf(out, cap, "github:%s:%s:%s", repo && *repo ? repo : "-", gh,
                 attempt && *attempt ? attempt : "1");
    } else if (gl && *gl) {
        snprintf(out, cap, "gitlab:%s", gl);
    } else {
        char fp[4096], uuid[37];
        run_fingerprint(report, fp, sizeof fp);
        uuid_of(fp, uuid);
        snprintf(out, cap, "%s", uuid);
    }
}

static const char *ctrf_status(const json_t *doc, const json_t *c) {
    switch (report_doc_classify(doc, c)) {
    case REPORT_DOC_PASS: return "passed";
    case REPORT_DOC_NOTE: return "other";
    case REPORT_DOC_FAIL:
    case REPORT_DOC_ERROR: return "failed";
    case REPORT_DOC_SKIP: return "skipped";
    }
    return "other";
}

/* A string member only when it is a non-empty string. */
static void set_str(json_t *obj, const char *key, const char *value) {
    if (value && *value)
        json_object_set_new(obj, key, json_string(value));
}

/* Expected / Actual / Why as one trace text, capped. */
static json_t *trace_of(const json_t *doc, const json_t *c) {
    char rerun[1024], rfc[256];
    report_doc_rerun(doc, c, rerun, sizeof rerun);
    report_doc_rfc_list(c, rfc, sizeof rfc);
    const char *parts[][2] = {
        {"RFC", rfc},
        {"Requirement", report_doc_str(c, "requirement", NULL)},
        {"Error", report_doc_str(c, "error", NULL)},
        {"Expected", report_doc_str(c, "expected", NULL)},
        {"Actual", report_doc_str(c, "actual", NULL)},
        {"Why", report_doc_str(c, "reason", NULL)},
        {"Re-run", rerun},
    };
    size_t cap = TRACE_CAP + 64, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        return json_null();
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof parts / sizeof parts[0] && len < TRACE_CAP; i++) {
        if (!parts[i][1] || !*parts[i][1])
            continue;
        int n = snprintf(buf + len, TRACE_CAP - len, "%s%s: %s", len ? "\n" : "", parts[i][0],
                         parts[i][1]);
        if (n < 0)
            break;
        len += (size_t)n;
    }
    if (len >= TRACE_CAP) {
        len = TRACE_CAP - 1;
        while (len > 0 && ((unsigned char)buf[len] & 0xC0) == 0x80)
            len--; /* do not cut a UTF-8 sequence */
        snprintf(buf + len, cap - len, "\n[... cut at %d characters]", TRACE_CAP);
    }
    json_t *s = json_string(buf);
    free(buf);
    return s ? s : json_null();
}

static json_t *test_of(const json_t *doc, const json_t *c, size_t index) {
    json_t *t = json_object();
    if (!t)
        return NULL;
    const char *id = report_doc_str(c, "id", "?");
    const char *verdict = report_doc_str(c, "verdict", "error");
    char name[1024], headline[1024];
    snprintf(name, sizeof name, "%s: %s", id, report_doc_str(c, "title", ""));
    json_object_set_new(t, "name", json_string(name));
    json_object_set_new(t, "status", json_string(ctrf_status(doc, c)));
    long long duration = (long long)(report_doc_num(c, "duration_s", 0) * 1000.0 + 0.5);
    json_object_set_new(t, "duration", json_integer(duration));
    long long start = iso_ms(report_doc_str(c, "started", NULL));
    if (start) {
        json_object_set_new(t, "start", json_integer(start));
        json_object_set_new(t, "stop", json_integer(start + duration));
    }
    json_object_set_new(t, "suite", json_pack("[s]", report_doc_str(c, "group", "cases")));
    enum report_doc_class k = report_doc_classify(doc, c);
    if (k == REPORT_DOC_FAIL || k == REPORT_DOC_ERROR) {
        report_doc_headline(c, headline, sizeof headline);
        json_object_set_new(t, "message", json_string(headline));
        json_object_set_new(t, "trace", trace_of(doc, c));
    } else if (k == REPORT_DOC_SKIP) {
        report_doc_skip_reason(doc, c, headline, sizeof headline);
        json_object_set_new(t, "message", json_string(headline));
    } else if (k == REPORT_DOC_NOTE) {
        snprintf(headline, sizeof headline, "%s (passed): %.900s", verdict,
                 report_doc_str(c, "reason", ""));
        json_object_set_new(t, "message", json_string(headline));
    }
    set_str(t, "filePath", report_doc_str(c, "file", NULL));
    long long line = report_doc_int(c, "line", 0);
    if (line > 0)
        json_object_set_new(t, "line", json_integer(line));
    json_object_set_new(t, "rawStatus", json_string(verdict));
    const json_t *tags = json_object_get(c, "tags");
    json_t *tag_list = json_array();
    for (size_t i = 0; i < json_array_size(tags); i++)
        if (json_is_string(json_array_get(tags, i)))
            json_array_append(tag_list, json_array_get(tags, i));
    json_object_set_new(t, "tags", tag_list);
    /* labels: scalars or non-empty arrays of scalars. */
    json_t *labels = json_object();
    json_object_set_new(labels, "id", json_string(id));
    const json_t *rfc = json_object_get(c, "rfc");
    json_t *rfc_list = json_array();
    for (size_t i = 0; i < json_array_size(rfc); i++)
        if (json_is_string(json_array_get(rfc, i)))
            json_array_append(rfc_list, json_array_get(rfc, i));
    if (json_array_size(rfc_list))
        json_object_set_new(labels, "rfc", rfc_list);
    else
        json_decref(rfc_list);
    set_str(labels, "autobahn", report_doc_str(c, "autobahn", NULL));
    json_object_set_new(t, "labels", labels);
    json_t *extra = json_object();
    json_object_set_new(extra, "verdict", json_string(verdict));
    json_object_set_new(extra, "index", json_integer((json_int_t)index));
    if (k == REPORT_DOC_FAIL || k == REPORT_DOC_ERROR)
        json_object_set_new(extra, "class", json_string(k == REPORT_DOC_FAIL ? "fail" : "error"));
    set_str(extra, "baseline", report_doc_str(c, "baseline", NULL));
    if (report_doc_bool(c, "internal", false))
        json_object_set_new(extra, "internal", json_true());
    json_object_set_new(t, "extra", extra);
    return t;
}

json_t *report_ctrf_build(const json_t *report, const char *run_id) {
    const json_t *tool = report_doc_obj(report, "tool");
    const json_t *target = report_doc_obj(report, "target");
    const json_t *summary = report_doc_obj(report, "summary");
    json_t *tests = json_array();
    long long counts[5] = {0}; /* passed, failed, skipped, pending, other */
    size_t n = report_doc_case_count(report);
    for (size_t i = 0; tests && i < n; i++) {
        const json_t *c = report_doc_case(report, i);
        json_t *t = c ? test_of(report, c, i) : NULL;
        if (!t)
            continue;
        const char *st = json_string_value(json_object_get(t, "status"));
        counts[strcmp(st, "passed") == 0    ? 0
               : strcmp(st, "failed") == 0  ? 1
               : strcmp(st, "skipped") == 0 ? 2
                                            : 4]++;
        json_array_append_new(tests, t);
    }
    long long start = iso_ms(report_doc_str(report, "started", NULL));
    long long stop = iso_ms(report_doc_str(report, "finished", NULL));
    if (stop < start)
        stop = start;
    char seed[32], fp[4096], uuid[37];
    report_doc_seed(report, seed, sizeof seed);
    run_fingerprint(report, fp, sizeof fp);
    size_t used = strlen(fp);
    snprintf(fp + used, sizeof fp - used, "|ctrf|%s", run_id ? run_id : "");
    uuid_of(fp, uuid);
    json_t *verdicts = json_object();
    static const char *const names[] = {"pass", "non-strict", "informational", "unimplemented",
                                        "fail", "error",      "not_run"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        json_object_set_new(verdicts, names[i], json_integer(report_doc_int(summary, names[i], 0)));
    json_t *sum =
        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:{s:o}}", "tests", (json_int_t)n,
                  "passed", (json_int_t)counts[0], "failed", (json_int_t)counts[1], "skipped",
                  (json_int_t)counts[2], "pending", (json_int_t)counts[3], "other",
                  (json_int_t)counts[4], "start", (json_int_t)start, "stop", (json_int_t)stop,
                  "duration", (json_int_t)(stop - start), "extra", "verdicts", verdicts);
    json_t *extra =
        json_pack("{s:s, s:b, s:s, s:b, s:s}", "schema", report_doc_str(report, "schema", ""),
                  "complete", report_doc_bool(report, "complete", true), "seed", seed, "strict",
                  report_doc_bool(report_doc_obj(report, "options"), "strict", false), "target",
                  report_doc_str(target, "url", ""));
    if (extra && !report_doc_bool(report, "complete", true))
        set_str(extra, "incomplete_reason", report_doc_str(report, "incomplete_reason", NULL));
    const char *agent = report_doc_str(target, "agent", "");
    char report_name[600];
    snprintf(report_name, sizeof report_name, "wsspec: %s",
             report_doc_bool(target, "builtin", false) ? "built-in reference server"
                                                       : report_doc_str(target, "url", "?"));
    json_t *env = json_pack("{s:s, s:s}", "reportName", report_name, "osPlatform", "linux");
    if (env)
        set_str(env, "appName", agent);
    json_t *doc =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:{s:s, s:s}, s:o, s:o, s:o, s:o}}",
                  "reportFormat", "CTRF", "specVersion", CTRF_SPEC_VERSION, "reportId", uuid,
                  "runId", run_id && *run_id ? run_id : uuid, "timestamp",
                  report_doc_str(report, "finished",
                                 report_doc_str(report, "started", "1970-01-01T00:00:00Z")),
                  "generatedBy", "wsspec", "results", "tool", "name", "wsspec", "version",
                  report_doc_str(tool, "version", "?"), "summary", sum, "tests", tests,
                  "environment", env, "extra", extra);
    return doc;
}
