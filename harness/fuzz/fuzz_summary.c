/* fuzz_summary: summary.json, summary.md and summary.sarif of a fuzz run
 * (fuzz_summary.h). */
#include "fuzz/fuzz_summary.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "fuzz/fuzz_mutate.h"
#include "fuzz/fuzz_oracle.h"

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"
#define TOOL_URI     "https://github.com/wsspec/wsspec"

const char *fuzz_finding_rule_id(const struct fuzz_finding *f) {
    return f->oracle == FUZZ_ORACLE_RFC ? f->rule_id : fuzz_oracle_kind_name(f->oracle);
}

/* The case file relative to the output directory ("findings/S.json"). */
static void finding_file(const struct fuzz_finding *f, char *out, size_t cap) {
    snprintf(out, cap, "findings/%s.json", f->signature);
}

static json_t *num_or_null(double v, bool set) {
    return set ? json_real(v) : json_null();
}

/* word in single quotes for a POSIX shell, appended to b. */
static void shell_quote(struct buf *b, const char *word) {
    buf_append(b, "'", 1);
    for (const char *p = word; *p; p++)
        buf_append(b, *p == '\'' ? "'\\''" : p, *p == '\'' ? 4 : 1);
    buf_append(b, "'", 1);
}

/* `wsspec run` of the saved case against the same kind of target. */
static json_t *replay_command(const struct fuzz_config *cfg, const struct fuzz_finding *f,
                              const struct fuzz_summary_meta *meta) {
    char head[1024];
    snprintf(head, sizeof head, "wsspec run --seed %llu --case-file ",
             (unsigned long long)cfg->seed);
    struct buf b = {0};
    buf_append(&b, head, strlen(head));
    char file[400];
    snprintf(file, sizeof file, "%s/findings/%s.json", cfg->out_dir ? cfg->out_dir : ".",
             f->signature);
    shell_quote(&b, file);
    if (meta->spawn) {
        buf_append(&b, " --spawn ", 9);
        shell_quote(&b, meta->spawn);
    } else {
        buf_append(&b, " ", 1);
        shell_quote(&b, meta->target ? meta->target : "URL");
    }
    buf_append(&b, "", 1);
    json_t *s = b.data ? json_string((const char *)b.data) : NULL;
    buf_free(&b);
    return s ? s : json_null();
}

json_t *fuzz_summary_json(const struct fuzz_config *cfg, const struct fuzz_result *res,
                          const struct fuzz_summary_meta *meta) {
    const struct fuzz_stats *st = &res->stats;
    json_t *counts = json_pack(
        "{s:I, s:I, s:I, s:I, s:I, s:I, s:i, s:I, s:I, s:i}", "mutants", (json_int_t)st->mutants,
        "unsupported", (json_int_t)st->unsupported, "executed", (json_int_t)st->executed,
        "connections", (json_int_t)st->connections, "probes", (json_int_t)st->probes, "replays",
        (json_int_t)st->replays, "restarts", (int)st->restarts, "unconfirmed",
        (json_int_t)st->unconfirmed, "hits", (json_int_t)st->hits, "findings", (int)st->findings);
    json_t *suspects = json_object(), *verdicts = json_object(), *dims = json_object();
    for (int k = 0; k < FUZZ_ORACLE_COUNT; k++)
        json_object_set_new(suspects, fuzz_oracle_kind_name(k),
                            json_integer((json_int_t)st->suspects[k]));
    json_object_set_new(counts, "suspects", suspects);
    for (int v = 0; v < VERDICT_COUNT; v++)
        json_object_set_new(verdicts, verdict_name(v), json_integer((json_int_t)st->verdicts[v]));
    for (int d = 0; d < FUZZ_DIM_COUNT; d++)
        json_object_set_new(dims, fuzz_dim_name(d), json_integer((json_int_t)st->dims[d]));
    double t = st->elapsed_s > 0 ? st->elapsed_s : 1e-9;
    json_t *findings = json_array();
    for (size_t i = 0; i < st->findings; i++) {
        const struct fuzz_finding *f = &res->findings[i];
        char file[256];
        finding_file(f, file, sizeof file);
        json_t *fd = json_array();
        for (int d = 0; d < FUZZ_DIM_COUNT; d++)
            if (f->dims >> d & 1u)
                json_array_append_new(fd, json_string(fuzz_dim_name(d)));
        json_array_append_new(
            findings,
            json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:I, s:I, s:s, s:o, s:i, s:i, s:I, s:I, "
                      "s:i, s:s, s:o, s:o}",
                      "signature", f->signature, "oracle", fuzz_oracle_kind_name(f->oracle),
                      "rule_id", fuzz_finding_rule_id(f), "rule", "id", f->rule_id, "rfc",
                      f->rule_rfc, "sentence", f->rule_sentence, "hits", (json_int_t)f->hits,
                      "mutant", (json_int_t)f->mutant, "base_case", f->base_id, "dimensions", fd,
                      "confirmed", (int)f->confirmed, "replays", (int)f->replays, "steps",
                      (json_int_t)f->steps_found, "steps_minimized", (json_int_t)f->steps_minimized,
                      "minimize_runs", (int)f->minimize_runs, "evidence", f->evidence, "file",
                      f->file ? json_string(file) : json_null(), "replay",
                      f->file ? replay_command(cfg, f, meta) : json_null()));
    }
    json_t *argv = json_array();
    for (int i = 0; i < meta->argc; i++)
        json_array_append_new(argv, json_string(meta->argv[i]));
    return json_pack(
        "{s:i, s:s, s:s, s:o, s:s, s:o, s:I, s:b, s:i, s:{s:o, s:o}, s:b, s:b, s:o, s:f, "
        "s:{s:f, s:f}, s:o, s:o, s:o, s:o, s:o}",
        "version", FUZZ_SUMMARY_VERSION, "tool", "wsspec fuzz", "wsspec_version", meta->version,
        "argv", argv, "target", meta->target ? meta->target : "", "spawn",
        meta->spawn ? json_string(meta->spawn) : json_null(), "seed", (json_int_t)cfg->seed,
        "mutate", cfg->mutate, "jobs", cfg->jobs, "budget", "runs",
        cfg->runs ? json_integer((json_int_t)cfg->runs) : json_null(), "time_s",
        num_or_null(cfg->time_s, cfg->time_s > 0), "complete",
        !res->interrupted && !*res->stop_reason, "interrupted", res->interrupted, "stop_reason",
        *res->stop_reason ? json_string(res->stop_reason) : json_null(), "elapsed_s", st->elapsed_s,
        "rates", "inputs_per_s", (double)st->executed / t, "connections_per_s",
        (double)st->connections / t, "counts", counts, "verdicts", verdicts, "dimensions", dims,
        "findings", findings, "signatures", json_integer((json_int_t)st->findings));
}

json_t *fuzz_summary_sarif(const struct fuzz_config *cfg, const struct fuzz_result *res,
                           const struct fuzz_summary_meta *meta) {
    (void)cfg;
    json_t *rules = json_array(), *results = json_array();
    const struct fuzz_stats *st = &res->stats;
    for (size_t i = 0; i < st->findings; i++) {
        const struct fuzz_finding *f = &res->findings[i];
        const char *rule_id = fuzz_finding_rule_id(f);
        size_t index = json_array_size(rules);
        for (size_t r = 0; r < json_array_size(rules); r++)
            if (strcmp(json_string_value(json_object_get(json_array_get(rules, r), "id")),
                       rule_id) == 0)
                index = r;
        if (index == json_array_size(rules)) {
            char short_text[512];
            if (f->oracle == FUZZ_ORACLE_RFC)
                snprintf(short_text, sizeof short_text, "RFC %s: %s", f->rule_rfc, f->rule_id);
            else
                snprintf(short_text, sizeof short_text, "the target %s",
                         f->oracle == FUZZ_ORACLE_CRASH  ? "crashed or reported a sanitizer error"
                         : f->oracle == FUZZ_ORACLE_HANG ? "stopped answering (a probe timed out)"
                                                         : "no longer echoes on a new connection");
            json_array_append_new(
                rules,
                json_pack("{s:s, s:s, s:{s:s}, s:{s:s}, s:{s:s}}", "id", rule_id, "name", rule_id,
                          "shortDescription", "text", short_text, "fullDescription", "text",
                          f->oracle == FUZZ_ORACLE_RFC ? f->rule_sentence : short_text,
                          "properties", "rfc", f->rule_rfc));
        }
        char file[256], message[2048];
        finding_file(f, file, sizeof file);
        snprintf(message, sizeof message,
                 "%s oracle: %s (RFC %s, rule %s), seen %llu times; minimized case: %s",
                 fuzz_oracle_kind_name(f->oracle), f->signature, f->rule_rfc, f->rule_id,
                 (unsigned long long)f->hits, file);
        json_array_append_new(
            results, json_pack("{s:s, s:i, s:s, s:{s:s}, s:[{s:{s:{s:s, s:s}}}], s:{s:s}}",
                               "ruleId", rule_id, "ruleIndex", (int)index, "level", "error",
                               "message", "text", message, "locations", "physicalLocation",
                               "artifactLocation", "uri", file, "uriBaseId", "FUZZOUT",
                               "partialFingerprints", "wsspecSignature/v1", f->signature));
    }
    return json_pack("{s:s, s:s, s:[{s:{s:{s:s, s:s, s:s, s:o}}, s:o, s:{s:{s:s}}}]}", "$schema",
                     SARIF_SCHEMA, "version", "2.1.0", "runs", "tool", "driver", "name",
                     "wsspec fuzz", "version", meta->version, "informationUri", TOOL_URI, "rules",
                     rules, "results", results, "originalUriBaseIds", "FUZZOUT", "description",
                     "the --out directory of wsspec fuzz");
}

static void md_escape(struct buf *b, const char *s, size_t max) {
    for (size_t i = 0; s[i] && i < max; i++) {
        char c = s[i] == '\n' ? ' ' : s[i];
        if (c == '|')
            buf_append(b, "\\|", 2);
        else
            buf_append(b, &c, 1);
    }
}

static char *summary_md(const struct fuzz_config *cfg, const struct fuzz_result *res) {
    const struct fuzz_stats *st = &res->stats;
    struct buf b = {0};
    char line[2048];
    double t = st->elapsed_s > 0 ? st->elapsed_s : 1e-9;
    snprintf(line, sizeof line,
             "# wsspec fuzz\n\nSeed %llu, %llu mutants (%llu run, %llu not modelled by the "
             "oracle) in %.1f s: %.1f inputs/s, %.1f connections/s. %zu finding%s (%llu "
             "hits), %llu suspects not confirmed, %u restarts.%s%.1000s\n\n",
             (unsigned long long)cfg->seed, (unsigned long long)st->mutants,
             (unsigned long long)st->executed, (unsigned long long)st->unsupported, st->elapsed_s,
             (double)st->executed / t, (double)st->connections / t, st->findings,
             st->findings == 1 ? "" : "s", (unsigned long long)st->hits,
             (unsigned long long)st->unconfirmed, st->restarts,
             *res->stop_reason  ? " Stopped early: "
             : res->interrupted ? " Interrupted."
                                : "",
             *res->stop_reason ? res->stop_reason : "");
    buf_append(&b, line, strlen(line));
    if (st->findings) {
        const char *head = "| Signature | Oracle | Rule | RFC | Hits | Case file |\n"
                           "|---|---|---|---|---|---|\n";
        buf_append(&b, head, strlen(head));
        for (size_t i = 0; i < st->findings; i++) {
            const struct fuzz_finding *f = &res->findings[i];
            char file[256];
            finding_file(f, file, sizeof file);
            snprintf(line, sizeof line, "| `%s` | %s | %s | %s | %llu | %s |\n", f->signature,
                     fuzz_oracle_kind_name(f->oracle), f->rule_id, f->rule_rfc,
                     (unsigned long long)f->hits, f->file ? file : "(not saved)");
            buf_append(&b, line, strlen(line));
        }
        buf_append(&b, "\n", 1);
        for (size_t i = 0; i < st->findings; i++) {
            const struct fuzz_finding *f = &res->findings[i];
            snprintf(line, sizeof line, "- `%s`: RFC %s: ", f->signature, f->rule_rfc);
            buf_append(&b, line, strlen(line));
            md_escape(&b, f->rule_sentence, 600);
            buf_append(&b, "\n", 1);
        }
        buf_append(&b, "\n", 1);
    }
    buf_append(&b, "| Dimension | Mutants |\n|---|---|\n", 34);
    for (int d = 0; d < FUZZ_DIM_COUNT; d++) {
        snprintf(line, sizeof line, "| %s | %llu |\n", fuzz_dim_name(d),
                 (unsigned long long)st->dims[d]);
        buf_append(&b, line, strlen(line));
    }
    buf_append(&b, "", 1); /* NUL */
    return (char *)b.data;
}

/* Write text to dir/name through a temporary file renamed. */
static int write_file(const char *dir, const char *name, const char *text, char *errmsg,
                      size_t cap) {
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    bool ok = f && fputs(text, f) >= 0;
    if (f && fclose(f) != 0)
        ok = false;
    if (!ok || rename(tmp, path) != 0) {
        snprintf(errmsg, cap, "%s: %s", path, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}

static int write_json(const char *dir, const char *name, json_t *doc, char *errmsg, size_t cap) {
    char *text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_ENSURE_ASCII) : NULL;
    json_decref(doc);
    if (!text) {
        snprintf(errmsg, cap, "%s/%s: out of memory", dir, name);
        return -1;
    }
    size_t len = strlen(text);
    char *with_nl = realloc(text, len + 2);
    if (with_nl) {
        text = with_nl;
        memcpy(text + len, "\n", 2);
    }
    int rc = write_file(dir, name, text, errmsg, cap);
    free(text);
    return rc;
}

int fuzz_summary_write(const struct fuzz_config *cfg, const struct fuzz_result *res,
                       const struct fuzz_summary_meta *meta, char *errmsg, size_t cap) {
    const char *dir = cfg->out_dir;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        snprintf(errmsg, cap, "%s: %s", dir, strerror(errno));
        return -1;
    }
    if (write_json(dir, "summary.json", fuzz_summary_json(cfg, res, meta), errmsg, cap) != 0)
        return -1;
    if (write_json(dir, "summary.sarif", fuzz_summary_sarif(cfg, res, meta), errmsg, cap) != 0)
        return -1;
    char *md = summary_md(cfg, res);
    if (!md) {
        snprintf(errmsg, cap, "%s/summary.md: out of memory", dir);
        return -1;
    }
    int rc = write_file(dir, "summary.md", md, errmsg, cap);
    free(md);
    return rc;
}
