/* report_doc: tolerant read access to a report document, and the few
 * decisions every CI format shares (how a verdict maps to pass / fail /
 * error / skip, the re-run command). */
#include "reports/render/report_doc.h"

#include <stdio.h>
#include <string.h>

const char *report_doc_str(const json_t *obj, const char *key, const char *dflt) {
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : dflt;
}

long long report_doc_int(const json_t *obj, const char *key, long long dflt) {
    const json_t *v = json_object_get(obj, key);
    if (json_is_integer(v))
        return json_integer_value(v);
    if (json_is_real(v))
        return (long long)json_real_value(v);
    return dflt;
}

double report_doc_num(const json_t *obj, const char *key, double dflt) {
    const json_t *v = json_object_get(obj, key);
    return json_is_number(v) ? json_number_value(v) : dflt;
}

bool report_doc_bool(const json_t *obj, const char *key, bool dflt) {
    const json_t *v = json_object_get(obj, key);
    return json_is_boolean(v) ? json_is_true(v) : dflt;
}

const json_t *report_doc_obj(const json_t *obj, const char *key) {
    const json_t *v = json_object_get(obj, key);
    return json_is_object(v) ? v : NULL;
}

size_t report_doc_case_count(const json_t *doc) {
    return json_array_size(json_object_get(doc, "cases"));
}

const json_t *report_doc_case(const json_t *doc, size_t i) {
    const json_t *c = json_array_get(json_object_get(doc, "cases"), i);
    return json_is_object(c) ? c : NULL;
}

void report_doc_seed(const json_t *doc, char *out, size_t cap) {
    const json_t *seed = json_object_get(report_doc_obj(doc, "options"), "seed");
    if (json_is_integer(seed))
        snprintf(out, cap, "%lld", (long long)json_integer_value(seed));
    else if (json_is_string(seed))
        snprintf(out, cap, "%s", json_string_value(seed));
    else
        snprintf(out, cap, "1");
}

void report_doc_rfc_list(const json_t *c, char *out, size_t cap) {
    const json_t *rfc = json_object_get(c, "rfc");
    size_t used = 0;
    if (cap)
        out[0] = '\0';
    for (size_t i = 0; i < json_array_size(rfc) && used < cap; i++) {
        const char *s = json_string_value(json_array_get(rfc, i));
        if (!s)
            continue;
        int n = snprintf(out + used, cap - used, "%s%s", used ? ", " : "", s);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

/* Appends word to out, single-quoted for a POSIX shell when it needs it. */
static void append_shell_word(char *out, size_t cap, const char *word) {
    size_t used = strlen(out);
    bool plain = *word != '\0';
    for (const char *p = word; *p && plain; p++)
        plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:/@%+=,-",
                       *p) != NULL;
    if (used + 1 >= cap)
        return;
    out[used++] = ' ';
    if (!plain && used + 1 < cap)
        out[used++] = '\'';
    for (const char *p = word; *p && used + 5 < cap; p++) {
        if (*p == '\'' && !plain) {
            memcpy(out + used, "'\\''", 4);
            used += 4;
        } else {
            out[used++] = *p;
        }
    }
    if (!plain && used + 1 < cap)
        out[used++] = '\'';
    out[used] = '\0';
}

void report_doc_rerun(const json_t *doc, const json_t *c, char *out, size_t cap) {
    if (cap == 0)
        return;
    const json_t *target = report_doc_obj(doc, "target");
    const json_t *options = report_doc_obj(doc, "options");
    snprintf(out, cap, "wsspec run");
    /* A spawned target's URL holds the port picked for that run: the
     * command (with its {port}) is what re-runs it. */
    const char *spawn = report_doc_str(target, "spawn", NULL);
    if (spawn) {
        append_shell_word(out, cap, "--spawn");
        append_shell_word(out, cap, spawn);
    } else if (!report_doc_bool(target, "builtin", false)) {
        append_shell_word(out, cap, report_doc_str(target, "url", ""));
    }
    /* The options of the original command line that change which cases
     * exist or how long they may take. */
    const json_t *argv = json_object_get(options, "argv");
    for (size_t i = 1; i + 1 < json_array_size(argv); i++) {
        const char *word = json_string_value(json_array_get(argv, i));
        const char *value = json_string_value(json_array_get(argv, i + 1));
        if (!word || !value)
            continue;
        if (strcmp(word, "--case-file") == 0 || strcmp(word, "--cases-dir") == 0 ||
            strcmp(word, "--timeout") == 0 || strcmp(word, "--chop") == 0) {
            append_shell_word(out, cap, word);
            append_shell_word(out, cap, value);
            i++;
        }
    }
    append_shell_word(out, cap, report_doc_str(c, "id", "?"));
    char seed[32];
    report_doc_seed(doc, seed, sizeof seed);
    append_shell_word(out, cap, "--seed");
    append_shell_word(out, cap, seed);
    if (report_doc_bool(options, "strict", false))
        append_shell_word(out, cap, "--strict");
    append_shell_word(out, cap, "-v");
}

enum report_doc_class report_doc_classify(const json_t *doc, const json_t *c) {
    const char *v = report_doc_str(c, "verdict", "");
    bool strict = report_doc_bool(report_doc_obj(doc, "options"), "strict", false);
    /* The gate (policy.h), when the report has one: --fail-on may count
     * informational too; a deviation the policy accepts passes with a
     * remark; a flaky case fails or not as the gate decided. */
    const char *fail_on = report_doc_str(report_doc_obj(doc, "gate"), "fail_on", "");
    bool info_fails = strcmp(fail_on, "informational") == 0;
    strict = strict || info_fails || strcmp(fail_on, "non-strict") == 0;
    bool judged = strcmp(v, "pass") == 0 || strcmp(v, "non-strict") == 0 ||
                  strcmp(v, "informational") == 0 || strcmp(v, "fail") == 0;
    if (judged && report_doc_obj(c, "accepted"))
        return REPORT_DOC_NOTE;
    if (judged && report_doc_bool(c, "flaky", false))
        return report_doc_bool(c, "fails_run", true) ? REPORT_DOC_FAIL : REPORT_DOC_NOTE;
    if (strcmp(v, "pass") == 0)
        return REPORT_DOC_PASS;
    if (strcmp(v, "non-strict") == 0)
        return strict ? REPORT_DOC_FAIL : REPORT_DOC_NOTE;
    if (strcmp(v, "informational") == 0)
        return info_fails ? REPORT_DOC_FAIL : REPORT_DOC_NOTE;
    if (strcmp(v, "unimplemented") == 0 || strcmp(v, "not-run") == 0)
        return REPORT_DOC_SKIP;
    if (strcmp(v, "fail") == 0)
        return REPORT_DOC_FAIL;
    return REPORT_DOC_ERROR; /* "error", or a verdict this version does not know */
}

void report_doc_skip_reason(const json_t *doc, const json_t *c, char *out, size_t cap) {
    const char *v = report_doc_str(c, "verdict", "");
    if (strcmp(v, "unimplemented") == 0) {
        const char *why = report_doc_str(c, "reason", NULL);
        snprintf(out, cap, "unimplemented: %s",
                 why && *why ? why : "the peer does not offer this optional feature");
        return;
    }
    const char *why = report_doc_str(doc, "incomplete_reason", NULL);
    snprintf(out, cap, "not run: %s", why && *why ? why : "the run stopped before this case");
}

/* The first line of s into out. */
static void first_line(const char *s, char *out, size_t cap) {
    size_t n = strcspn(s, "\n");
    snprintf(out, cap, "%.*s", (int)(n < 4096 ? n : 4096), s);
}

void report_doc_headline(const json_t *c, char *out, size_t cap) {
    const char *verdict = report_doc_str(c, "verdict", "");
    const char *error = report_doc_str(c, "error", NULL);
    const char *actual = report_doc_str(c, "actual", NULL);
    const char *rfc = json_string_value(json_array_get(json_object_get(c, "rfc"), 0));
    char line[1024];
    if (strcmp(verdict, "error") == 0) {
        first_line(error && *error ? error : report_doc_str(c, "reason", "?"), line, sizeof line);
        snprintf(out, cap, "could not run: %s", line);
    } else if (actual && *actual) {
        first_line(actual, line, sizeof line);
        snprintf(out, cap, "%s%s%s", rfc ? rfc : "", rfc ? " not met: " : "", line);
    } else {
        first_line(report_doc_str(c, "reason", verdict), line, sizeof line);
        snprintf(out, cap, "%s", line);
    }
}
