/* baseline: compare a run with what was known to fail before (report.h,
 * report_apply_baseline), so that CI gates on regressions only.
 *
 * The baseline is either an earlier JSON report of wsspec (its failing
 * cases are the known ones) or a known-failures file, one case per line
 * with the reason it is allowed to fail (format in docs/ci.md):
 *
 *     # comment
 *     framing.rsv.rsv1-on-text    we do not validate RSV bits yet (#123)
 *     utf8.*                      text frames are not validated (#99)
 *
 * A case "needs attention" when it fails the run after --fail-on and the
 * policy (its fails_run, policy.h: the policy is applied first) or is in
 * error; in a report without fails_run, when its verdict is fail or error
 * (and non-strict under --strict). Then, for each case that ran:
 *   needs attention, known before   -> "known"      (an expected failure)
 *   needs attention, not known      -> "regression" (exit 1)
 *   fine now, known before          -> "fixed"      (time to update the baseline)
 * Cases that did not run are not compared. */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"

#define LINE_MAX_LEN 4096

/* The ids (or globs) known to fail, with a reason each when the file gave one. */
struct known {
    char **ids;
    char **reasons;
    size_t count, cap;
};

static void known_free(struct known *k) {
    for (size_t i = 0; i < k->count; i++) {
        free(k->ids[i]);
        free(k->reasons[i]);
    }
    free(k->ids);
    free(k->reasons);
}

static int known_add(struct known *k, const char *id, size_t id_len, const char *reason) {
    if (k->count == k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 16;
        char **ids = realloc(k->ids, cap * sizeof *ids);
        if (!ids)
            return -1;
        k->ids = ids;
        char **reasons = realloc(k->reasons, cap * sizeof *reasons);
        if (!reasons)
            return -1;
        k->reasons = reasons;
        k->cap = cap;
    }
    k->ids[k->count] = strndup(id, id_len);
    k->reasons[k->count] = reason ? strdup(reason) : NULL;
    if (!k->ids[k->count] || (reason && !k->reasons[k->count])) {
        free(k->ids[k->count]);
        free(k->reasons[k->count]);
        return -1;
    }
    k->count++;
    return 0;
}

/* The index of the entry matching id (exact or glob), or -1. */
static long known_find(const struct known *k, const char *id) {
    for (size_t i = 0; i < k->count; i++)
        if (strcmp(k->ids[i], id) == 0 || fnmatch(k->ids[i], id, 0) == 0)
            return (long)i;
    return -1;
}

/* A case marked by the gate (policy.h: fails_run, after --fail-on and the
 * policy) needs attention when it fails the run or is in error; a case of
 * an older report, by its verdict. */
static bool needs_attention(const json_t *c, const char *verdict, bool strict) {
    const json_t *fails = json_object_get(c, "fails_run");
    if (json_is_boolean(fails))
        return json_is_true(fails) || strcmp(verdict, "error") == 0;
    return strcmp(verdict, "fail") == 0 || strcmp(verdict, "error") == 0 ||
           (strict && strcmp(verdict, "non-strict") == 0);
}

/* ---- the two baseline formats ---------------------------------------------- */

static int load_report(json_t *old, const char *path, bool strict, struct known *k, char *errmsg,
                       size_t cap) {
    json_t *cases = json_object_get(old, "cases");
    if (!json_is_array(cases)) {
        snprintf(errmsg, cap, "%s: field \"cases\": missing or not an array", path);
        return -1;
    }
    size_t i;
    json_t *c;
    json_array_foreach(cases, i, c) {
        const char *id = json_string_value(json_object_get(c, "id"));
        const char *verdict = json_string_value(json_object_get(c, "verdict"));
        if (!id || !verdict) {
            snprintf(errmsg, cap, "%s: field \"cases[%zu].%s\": missing or not a string", path, i,
                     id ? "verdict" : "id");
            return -1;
        }
        if (needs_attention(c, verdict, strict)) {
            char reason[160];
            snprintf(reason, sizeof reason, "%s in the baseline report", verdict);
            if (known_add(k, id, strlen(id), reason) != 0) {
                snprintf(errmsg, cap, "%s: out of memory", path);
                return -1;
            }
        }
    }
    return 0;
}

static char *trim(char *s) {
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static int load_text(FILE *f, const char *path, struct known *k, char *errmsg, size_t cap) {
    char line[LINE_MAX_LEN];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n') {
            snprintf(errmsg, cap, "%s:%d: line longer than %d characters", path, lineno,
                     LINE_MAX_LEN - 2);
            return -1;
        }
        char *hash = strchr(line, '#');
        if (hash && (hash == line || isspace((unsigned char)hash[-1])))
            *hash = '\0'; /* a comment: "#" at the start or after a blank */
        char *s = trim(line);
        if (!*s)
            continue;
        size_t id_len = strcspn(s, " \t");
        char *reason = trim(s + id_len);
        if (!*reason) {
            snprintf(errmsg, cap,
                     "%s:%d: field \"reason\": missing after the case id '%.*s' (every known "
                     "failure needs a reason: \"ID  why it may fail\")",
                     path, lineno, (int)id_len, s);
            return -1;
        }
        if (known_add(k, s, id_len, reason) != 0) {
            snprintf(errmsg, cap, "%s: out of memory", path);
            return -1;
        }
    }
    if (ferror(f)) {
        snprintf(errmsg, cap, "%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* A JSON document (it starts with '{') must be a wsspec report; anything
 * else is read as a known-failures file. */
static int load_baseline(const char *path, bool strict, struct known *k, char *errmsg, size_t cap) {
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(errmsg, cap, "%s: %s", path, strerror(errno));
        return -1;
    }
    int first;
    do
        first = fgetc(f);
    while (first != EOF && isspace(first));
    rewind(f);
    int rc;
    if (first == '{') {
        json_error_t jerr;
        json_t *old = json_loadf(f, 0, &jerr);
        if (!old) {
            snprintf(errmsg, cap, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
            rc = -1;
        } else {
            const char *schema = json_string_value(json_object_get(old, "schema"));
            if (!schema || strncmp(schema, "wsspec-report/", 14) != 0) {
                snprintf(errmsg, cap,
                         "%s: field \"schema\": %s (a baseline is a wsspec JSON report or a "
                         "known-failures text file)",
                         path, schema ? "not a wsspec report" : "missing");
                rc = -1;
            } else {
                rc = load_report(old, path, strict, k, errmsg, cap);
            }
            json_decref(old);
        }
    } else {
        rc = load_text(f, path, k, errmsg, cap);
    }
    fclose(f);
    return rc;
}

/* ---- marking the report ------------------------------------------------------ */

int report_apply_baseline(json_t *report, const char *baseline_path, char *errmsg, size_t cap) {
    bool strict = json_is_true(json_object_get(json_object_get(report, "options"), "strict"));
    struct known k = {0};
    if (load_baseline(baseline_path, strict, &k, errmsg, cap) != 0) {
        known_free(&k);
        return -1;
    }
    json_t *regressions = json_array(), *fixes = json_array(), *known = json_array();
    json_t *summary = json_object();
    int rc = -1;
    if (!regressions || !fixes || !known || !summary) {
        snprintf(errmsg, cap, "out of memory");
        goto out;
    }
    json_t *cases = json_object_get(report, "cases");
    size_t i;
    json_t *c;
    json_array_foreach(cases, i, c) {
        const char *id = json_string_value(json_object_get(c, "id"));
        const char *verdict = json_string_value(json_object_get(c, "verdict"));
        if (!id || !verdict || strcmp(verdict, "not-run") == 0)
            continue;
        long at = known_find(&k, id);
        const char *mark = NULL;
        if (needs_attention(c, verdict, strict)) {
            mark = at >= 0 ? "known" : "regression";
            json_array_append_new(at >= 0 ? known : regressions, json_string(id));
        } else if (at >= 0) {
            mark = "fixed";
            json_array_append_new(fixes, json_string(id));
        }
        if (mark)
            json_object_set_new(c, "baseline", json_string(mark));
        if (mark && at >= 0 && k.reasons[at])
            json_object_set_new(c, "baseline_reason", json_string(k.reasons[at]));
    }
    json_object_set_new(summary, "file", json_string(baseline_path));
    json_object_set(summary, "regressions", regressions);
    json_object_set(summary, "fixes", fixes);
    json_object_set(summary, "known", known);
    json_object_set(report, "baseline", summary);
    rc = 0;
out:
    json_decref(regressions);
    json_decref(fixes);
    json_decref(known);
    json_decref(summary);
    known_free(&k);
    return rc;
}

size_t report_regressions(const json_t *report) {
    json_t *b = json_object_get(report, "baseline");
    return json_array_size(json_object_get(b, "regressions"));
}
