/* policy: the policy file and the gate of a run (policy.h, docs/policy.md).
 *
 * The loader checks what reports/policy.schema.json says, and names the
 * file, line, column and field of every problem, like the case loader: the
 * document is parsed by jansson (which knows no positions) and each
 * problem's position is found again by walking the text along the field's
 * path (locate below). */
#include "reports/policy.h"
#include "reports/policy_int.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const accept_names[] = {"fail", "non-strict", "informational", "flaky", NULL};

/* ---- positions ------------------------------------------------------------- */

struct comp {
    const char *key; /* NULL: index */
    size_t index;
};

static size_t skip_ws(const char *s, size_t n, size_t i) {
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

static size_t skip_string(const char *s, size_t n, size_t i) {
    for (i++; i < n && s[i] != '"'; i++)
        if (s[i] == '\\')
            i++;
    return i < n ? i + 1 : n;
}

static size_t skip_value(const char *s, size_t n, size_t i) {
    if (i >= n)
        return n;
    if (s[i] == '"')
        return skip_string(s, n, i);
    if (s[i] != '{' && s[i] != '[') {
        while (i < n && !strchr(",]} \t\r\n", s[i]))
            i++;
        return i;
    }
    int depth = 0;
    for (; i < n; i++) {
        if (s[i] == '"') {
            i = skip_string(s, n, i) - 1;
        } else if (s[i] == '{' || s[i] == '[') {
            depth++;
        } else if ((s[i] == '}' || s[i] == ']') && --depth == 0) {
            return i + 1;
        }
    }
    return n;
}

/* The string at s[i] (a JSON string without escapes) equals key. */
static bool key_is(const char *s, size_t n, size_t i, const char *key) {
    size_t k = strlen(key);
    return i + k + 1 < n && s[i] == '"' && strncmp(s + i + 1, key, k) == 0 && s[i + 1 + k] == '"';
}

/* Line and column (1-based) of the value at path (or of its last key with
 * at_key); as deep as the text goes. */
static void locate(const char *s, size_t n, const struct comp *path, size_t depth, bool at_key,
                   int *line, int *column) {
    size_t pos = skip_ws(s, n, 0), target = pos;
    for (size_t d = 0; d < depth; d++) {
        bool found = false;
        size_t i = skip_ws(s, n, pos + 1);
        if (pos < n && path[d].key && s[pos] == '{') {
            while (i < n && s[i] == '"') {
                size_t kp = i;
                bool match = key_is(s, n, i, path[d].key);
                i = skip_ws(s, n, skip_string(s, n, i));
                if (i < n && s[i] == ':')
                    i = skip_ws(s, n, i + 1);
                if (match) {
                    target = at_key && d + 1 == depth ? kp : i;
                    pos = i;
                    found = true;
                    break;
                }
                i = skip_ws(s, n, skip_value(s, n, i));
                if (i >= n || s[i] != ',')
                    break;
                i = skip_ws(s, n, i + 1);
            }
        } else if (pos < n && !path[d].key && s[pos] == '[') {
            for (size_t k = 0; i < n && s[i] != ']'; k++) {
                if (k == path[d].index) {
                    target = pos = i;
                    found = true;
                    break;
                }
                i = skip_ws(s, n, skip_value(s, n, i));
                if (i >= n || s[i] != ',')
                    break;
                i = skip_ws(s, n, i + 1);
            }
        }
        if (!found)
            break;
    }
    int ln = 1, col = 1;
    for (size_t j = 0; j < target && j < n; j++) {
        if (s[j] == '\n') {
            ln++;
            col = 1;
        } else if (((unsigned char)s[j] & 0xC0) != 0x80) {
            col++;
        }
    }
    *line = ln;
    *column = col;
}

/* ---- loading ----------------------------------------------------------------- */

struct loader {
    const char *path;
    const char *text;
    size_t len;
    char *err;
    size_t cap;
};

/* "FILE:LINE:COL: field \"F\": message" for the value (or key) at path. */
static int fail(const struct loader *l, const struct comp *path, size_t depth, bool at_key,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int fail(const struct loader *l, const struct comp *path, size_t depth, bool at_key,
                const char *fmt, ...) {
    int line, col;
    locate(l->text, l->len, path, depth, at_key, &line, &col);
    char field[256] = "";
    size_t used = 0;
    for (size_t d = 0; d < depth && used < sizeof field; d++) {
        int w = path[d].key
                    ? snprintf(field + used, sizeof field - used, "%s%s", d ? "." : "", path[d].key)
                    : snprintf(field + used, sizeof field - used, "[%zu]", path[d].index);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(l->err, l->cap, "%s:%d:%d: field \"%s\": %s", l->path, line, col, field, msg);
    return -1;
}

static const char *type_name(const json_t *v) {
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "a list";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "a value";
}

static int check_keys(const struct loader *l, const json_t *obj, struct comp *path, size_t depth,
                      const char *const *allowed, const char *allowed_text) {
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        bool ok = false;
        for (size_t i = 0; allowed[i] && !ok; i++)
            ok = strcmp(allowed[i], key) == 0;
        if (!ok) {
            path[depth] = (struct comp){.key = key};
            return fail(l, path, depth + 1, true, "unknown field \"%s\" (expected one of: %s)", key,
                        allowed_text);
        }
    }
    return 0;
}

static bool leap(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* "YYYY-MM-DD", a real date. */
static bool valid_date(const char *s) {
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    if (m < 1 || m > 12 || d < 1)
        return false;
    return d <= days[m - 1] + (m == 2 && leap(y));
}

static int add_pattern(struct policy_entry *e, const char *p) {
    char **grown = realloc(e->patterns, (e->pattern_count + 1) * sizeof *grown);
    if (!grown)
        return -1;
    e->patterns = grown;
    if (!(e->patterns[e->pattern_count] = strdup(p)))
        return -1;
    e->pattern_count++;
    size_t old = e->cases_text ? strlen(e->cases_text) : 0;
    char *t = realloc(e->cases_text, old + strlen(p) + 3);
    if (!t)
        return -1;
    snprintf(t + old, strlen(p) + 3, "%s%s", old ? ", " : "", p);
    e->cases_text = t;
    return 0;
}

static int load_entry(const struct loader *l, const json_t *v, struct comp *path,
                      struct policy_entry *e) {
    static const char *const keys[] = {"cases", "verdicts", "reason", "expires", NULL};
    int col;
    locate(l->text, l->len, path, 2, false, &e->line, &col);
    if (!json_is_object(v))
        return fail(l, path, 2, false, "expected an object, got %s", type_name(v));
    if (check_keys(l, v, path, 2, keys, "cases, verdicts, reason, expires") != 0)
        return -1;
    for (size_t k = 0; k < 3; k++)
        if (!json_object_get(v, keys[k])) {
            return fail(l, path, 2, false,
                        "missing field \"%s\" (every entry needs cases, "
                        "verdicts and a reason)",
                        keys[k]);
        }
    const json_t *cases = json_object_get(v, "cases");
    path[2] = (struct comp){.key = "cases"};
    if (json_is_string(cases)) {
        if (!*json_string_value(cases))
            return fail(l, path, 3, false, "an empty case id or glob");
        if (add_pattern(e, json_string_value(cases)) != 0)
            return fail(l, path, 3, false, "out of memory");
    } else if (json_is_array(cases) && json_array_size(cases) > 0) {
        size_t i;
        json_t *p;
        json_array_foreach(cases, i, p) {
            path[3] = (struct comp){.index = i};
            if (!json_is_string(p) || !*json_string_value(p))
                return fail(l, path, 4, false, "expected a case id or glob, got %s",
                            json_is_string(p) ? "an empty string" : type_name(p));
            if (add_pattern(e, json_string_value(p)) != 0)
                return fail(l, path, 4, false, "out of memory");
        }
    } else {
        return fail(l, path, 3, false,
                    "expected a case id or glob, or a non-empty list of them; "
                    "got %s",
                    json_is_array(cases) ? "an empty list" : type_name(cases));
    }
    const json_t *verdicts = json_object_get(v, "verdicts");
    path[2] = (struct comp){.key = "verdicts"};
    if (!json_is_array(verdicts) || json_array_size(verdicts) == 0)
        return fail(l, path, 3, false,
                    "expected a non-empty list of fail, non-strict, informational, flaky; got %s",
                    json_is_array(verdicts) ? "an empty list" : type_name(verdicts));
    size_t i;
    json_t *vv;
    json_array_foreach(verdicts, i, vv) {
        path[3] = (struct comp){.index = i};
        const char *name = json_string_value(vv);
        unsigned bit = 0;
        for (unsigned k = 0; name && accept_names[k]; k++)
            if (strcmp(name, accept_names[k]) == 0)
                bit = 1u << k;
        if (!bit)
            return fail(l, path, 4, false,
                        "expected one of: fail, non-strict, informational, flaky; got %s%s%s%s",
                        name ? "\"" : "", name ? name : type_name(vv), name ? "\"" : "",
                        name && strcmp(name, "error") == 0
                            ? " (an error is wsspec's failure to run or judge the case, not a "
                              "deviation of the peer: it cannot be accepted)"
                            : "");
        e->verdicts |= bit;
    }
    const json_t *reason = json_object_get(v, "reason");
    path[2] = (struct comp){.key = "reason"};
    if (!json_is_string(reason) || !*json_string_value(reason))
        return fail(l, path, 3, false, "expected a non-empty string saying why, got %s",
                    json_is_string(reason) ? "an empty string" : type_name(reason));
    if (!(e->reason = strdup(json_string_value(reason))))
        return fail(l, path, 3, false, "out of memory");
    const json_t *expires = json_object_get(v, "expires");
    if (expires) {
        path[2] = (struct comp){.key = "expires"};
        if (!json_is_string(expires) || !valid_date(json_string_value(expires)))
            return fail(l, path, 3, false, "expected a date YYYY-MM-DD, got %s%s%s",
                        json_is_string(expires) ? "\"" : "",
                        json_is_string(expires) ? json_string_value(expires) : type_name(expires),
                        json_is_string(expires) ? "\"" : "");
        snprintf(e->expires, sizeof e->expires, "%s", json_string_value(expires));
    }
    return 0;
}

static int load_doc(const struct loader *l, const json_t *doc, struct policy *p) {
    static const char *const keys[] = {"$schema", "schema", "fail_on", "flaky", "accept", NULL};
    struct comp path[6] = {{0}};
    if (!json_is_object(doc))
        return fail(l, path, 0, false, "the policy is %s, expected an object", type_name(doc));
    if (check_keys(l, doc, path, 0, keys, "$schema, schema, fail_on, flaky, accept") != 0)
        return -1;
    const json_t *schema = json_object_get(doc, "schema");
    path[0] = (struct comp){.key = "schema"};
    if (schema &&
        (!json_is_string(schema) || strcmp(json_string_value(schema), POLICY_SCHEMA_ID) != 0))
        return fail(l, path, 1, false, "expected \"%s\"", POLICY_SCHEMA_ID);
    const json_t *fail_on = json_object_get(doc, "fail_on");
    path[0] = (struct comp){.key = "fail_on"};
    if (fail_on && !policy_fail_on_valid(json_string_value(fail_on)))
        return fail(l, path, 1, false, "expected one of: fail, non-strict, informational");
    if (fail_on)
        snprintf(p->fail_on, sizeof p->fail_on, "%s", json_string_value(fail_on));
    const json_t *flaky = json_object_get(doc, "flaky");
    path[0] = (struct comp){.key = "flaky"};
    const char *fl = json_string_value(flaky);
    if (flaky && (!fl || (strcmp(fl, "fail") != 0 && strcmp(fl, "accept") != 0)))
        return fail(l, path, 1, false, "expected \"fail\" or \"accept\"");
    p->flaky_accept = fl && strcmp(fl, "accept") == 0;
    const json_t *accept = json_object_get(doc, "accept");
    path[0] = (struct comp){.key = "accept"};
    if (accept && !json_is_array(accept))
        return fail(l, path, 1, false, "expected a list of entries, got %s", type_name(accept));
    size_t n = json_array_size(accept);
    p->entries = calloc(n ? n : 1, sizeof *p->entries);
    if (!p->entries)
        return fail(l, path, 1, false, "out of memory");
    for (size_t i = 0; i < n; i++) {
        path[1] = (struct comp){.index = i};
        p->count = i + 1;
        if (load_entry(l, json_array_get(accept, i), path, &p->entries[i]) != 0)
            return -1;
    }
    return 0;
}

struct policy *policy_load(const char *path, char *errmsg, size_t cap) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(errmsg, cap, "%s: %s", path, strerror(errno));
        return NULL;
    }
    char *text = NULL;
    size_t len = 0, got;
    char chunk[8192];
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        char *grown = realloc(text, len + got + 1);
        if (!grown) {
            free(text);
            fclose(f);
            snprintf(errmsg, cap, "%s: out of memory", path);
            return NULL;
        }
        text = grown;
        memcpy(text + len, chunk, got);
        len += got;
    }
    fclose(f);
    json_error_t jerr;
    json_t *doc = json_loadb(text ? text : "", len, JSON_REJECT_DUPLICATES, &jerr);
    struct policy *p = NULL;
    if (!doc) {
        snprintf(errmsg, cap, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
    } else {
        p = calloc(1, sizeof *p);
        struct loader l = {.path = path, .text = text, .len = len, .err = errmsg, .cap = cap};
        if (!p || !(p->path = strdup(path)) || load_doc(&l, doc, p) != 0) {
            if (!p)
                snprintf(errmsg, cap, "%s: out of memory", path);
            policy_free(p);
            p = NULL;
        }
    }
    json_decref(doc);
    free(text);
    return p;
}

void policy_free(struct policy *p) {
    if (!p)
        return;
    for (size_t i = 0; i < p->count; i++) {
        struct policy_entry *e = &p->entries[i];
        for (size_t k = 0; k < e->pattern_count; k++)
            free(e->patterns[k]);
        free(e->patterns);
        free(e->cases_text);
        free(e->reason);
    }
    free(p->entries);
    free(p->path);
    free(p);
}

const char *policy_fail_on(const struct policy *p) {
    return p ? p->fail_on : "";
}

bool policy_fail_on_valid(const char *s) {
    return s && (strcmp(s, "fail") == 0 || strcmp(s, "non-strict") == 0 ||
                 strcmp(s, "informational") == 0);
}

void policy_today(char out[11]) {
    time_t now = time(NULL);
    struct tm tm;
    if (!gmtime_r(&now, &tm)) {
        snprintf(out, 11, "1970-01-01");
        return;
    }
    strftime(out, 11, "%Y-%m-%d", &tm);
}
