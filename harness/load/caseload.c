/* caseload: reads case files (cases/README.md) into struct wcase.
 *
 * A file is read whole, parsed by jansson (syntax errors keep jansson's
 * line and column), then walked: the top level and each case here, params
 * in caseload_params.c, steps and payloads in caseload_steps.c, outcomes in
 * caseload_outcomes.c, the opening handshake (request and expected answer)
 * in caseload_handshake.c. Every problem names file, line, column and field
 * path; nothing is half-loaded. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "load/caseload_int.h"

/* Case files are text written by people; a larger one is a mistake. */
#define MAX_FILE_SIZE           (16u * 1024u * 1024u)
#define DEFAULT_TIMEOUT_S       10.0
#define DEFAULT_CLOSE_TIMEOUT_S 2.0
#define DEFAULT_MAX_MESSAGE     (64u * 1024u * 1024u)

static void plain_error(struct case_error *err, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void plain_error(struct case_error *err, const char *file, const char *fmt, ...) {
    memset(err, 0, sizeof *err);
    snprintf(err->file, sizeof err->file, "%s", file);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

static int read_text(const char *path, struct buf *text, struct case_error *err) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        plain_error(err, path, "cannot open: %s", strerror(errno));
        return -1;
    }
    int rc = 0;
    for (;;) {
        if (buf_reserve(text, 65536) != 0) {
            plain_error(err, path, "out of memory");
            rc = -1;
            break;
        }
        size_t got = fread(text->data + text->len, 1, text->cap - text->len, f);
        text->len += got;
        if (text->len > MAX_FILE_SIZE) {
            plain_error(err, path, "larger than %u octets: not a case file", MAX_FILE_SIZE);
            rc = -1;
            break;
        }
        if (got == 0) {
            if (ferror(f)) {
                plain_error(err, path, "cannot read: %s", strerror(errno));
                rc = -1;
            }
            break;
        }
    }
    fclose(f);
    return rc;
}

/* Ids are "<group>.<name>" of a-z 0-9 . _ - (stable, shell- and URL-safe). */
static bool id_chars(const char *s) {
    if (!s[0])
        return false;
    for (; *s; s++) {
        char ch = *s;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
              ch == '-'))
            return false;
    }
    return true;
}

/* "6455:5.5.1": ^[0-9]+:[0-9]+(\.[0-9]+)*$ */
static bool rfc_ref(const char *s) {
    size_t i = 0;
    while (s[i] >= '0' && s[i] <= '9')
        i++;
    if (i == 0 || s[i] != ':')
        return false;
    for (;;) {
        size_t start = ++i;
        while (s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == start)
            return false;
        if (s[i] == '\0')
            return true;
        if (s[i] != '.')
            return false;
    }
}

static int string_list(struct caseload_ctx *c, const json_t *obj, const char *key, bool rfc,
                       char ***out, size_t *count) {
    const json_t *v = json_object_get(obj, key);
    if (!v)
        return 0;
    if (caseload_push_key(c, key) != 0)
        return -1;
    if (!json_is_array(v))
        return caseload_fail(c, false, "expected a list of strings, got %s", caseload_type_name(v));
    size_t n = json_array_size(v);
    if (n == 0 && rfc)
        return caseload_fail(c, false, "name at least one RFC section, e.g. \"6455:5.5.1\"");
    if (n > 0 && !(*out = calloc(n, sizeof **out)))
        return caseload_fail(c, false, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (caseload_push_index(c, i) != 0 ||
            caseload_string_value(c, json_array_get(v, i), &(*out)[i]) != 0)
            return -1;
        *count = i + 1;
        if (rfc && !rfc_ref((*out)[i]))
            return caseload_fail(c, false, "\"%s\" is not an RFC section like \"6455:5.5.1\"",
                                 (*out)[i]);
        if (!rfc && (*out)[i][0] == '\0')
            return caseload_fail(c, false, "a tag must not be empty");
        caseload_pop(c);
    }
    caseload_pop(c);
    return 0;
}

static const char *const case_keys[] = {
    "name",        "title",     "description", "autobahn",      "rfc",      "requirement",
    "tags",        "params",    "timeout",     "close_timeout", "chop",     "chop_delay",
    "max_message", "handshake", "deflate",     "steps",         "outcomes", NULL};

/* One expanded case object into *w (the caller frees *w on error). */
static int parse_case(struct caseload_ctx *c, const json_t *obj, const char *group,
                      struct wcase *w) {
    static const char *const required[] = {"name", "title", "rfc", "steps", "outcomes", NULL};
    for (size_t i = 0; required[i]; i++)
        if (caseload_require(c, obj, required[i]) != 0)
            return -1;
    char *name = NULL;
    if (caseload_get_string(c, obj, "name", &name) != 0)
        return -1;
    if (!id_chars(name)) {
        caseload_push_key(c, "name");
        caseload_fail(c, false, "name \"%s\" may only hold a-z 0-9 . _ -", name);
        free(name);
        return -1;
    }
    struct buf id = {0};
    int rc = buf_appendf(&id, "%s.%s", group, name);
    free(name);
    if (rc != 0)
        return caseload_fail(c, false, "out of memory");
    w->id = (char *)id.data;
    uint64_t chop = 0, max_message = DEFAULT_MAX_MESSAGE;
    w->timeout_s = DEFAULT_TIMEOUT_S;
    w->close_timeout_s = DEFAULT_CLOSE_TIMEOUT_S;
    if (caseload_get_string(c, obj, "title", &w->title) != 0 ||
        caseload_get_string(c, obj, "description", &w->description) != 0 ||
        caseload_get_string(c, obj, "autobahn", &w->autobahn) != 0 ||
        caseload_get_string(c, obj, "requirement", &w->requirement) != 0 ||
        string_list(c, obj, "rfc", true, &w->rfc, &w->rfc_count) != 0 ||
        string_list(c, obj, "tags", false, &w->tags, &w->tag_count) != 0 ||
        caseload_get_seconds(c, obj, "timeout", false, &w->timeout_s) != 0 ||
        caseload_get_seconds(c, obj, "close_timeout", false, &w->close_timeout_s) != 0 ||
        caseload_get_uint(c, obj, "chop", 0, UINT32_MAX, &chop) != 0 ||
        caseload_get_seconds(c, obj, "chop_delay", true, &w->chop_delay_s) != 0 ||
        caseload_get_uint(c, obj, "max_message", 1, INT64_MAX, &max_message) != 0)
        return -1;
    if (strchr(w->title, '\n')) {
        caseload_push_key(c, "title");
        return caseload_fail(c, false, "a title is one line");
    }
    w->chop = (uint32_t)chop;
    w->max_message = max_message;
    c->case_chop = w->chop;
    c->case_chop_delay = w->chop_delay_s;
    const json_t *hs = json_object_get(obj, "handshake");
    if (hs) {
        w->has_handshake = true;
        if (caseload_push_key(c, "handshake") != 0 || caseload_handshake(c, hs, &w->handshake) != 0)
            return -1;
        caseload_pop(c);
    }
    const json_t *deflate = json_object_get(obj, "deflate");
    if (deflate) {
        if (caseload_push_key(c, "deflate") != 0 || caseload_deflate(c, deflate, &w->deflate) != 0)
            return -1;
        caseload_pop(c);
        /* One Sec-WebSocket-Extensions offer: ours, or the case's raw one. */
        if (w->has_handshake && (w->handshake.extensions || w->handshake.raw_set)) {
            caseload_push_key(c, "deflate");
            return caseload_fail(c, true,
                                 "a case offers extensions either with \"deflate\" or with "
                                 "handshake.extensions / handshake.raw, not both");
        }
    }
    const json_t *steps = json_object_get(obj, "steps");
    bool no_steps = json_is_array(steps) && json_array_size(steps) == 0;
    if (!no_steps && (caseload_push_key(c, "steps") != 0 ||
                      caseload_steps(c, steps, &w->steps, &w->step_count) != 0))
        return -1;
    if (!no_steps)
        caseload_pop(c);
    if (caseload_push_key(c, "outcomes") != 0 ||
        caseload_outcomes(c, json_object_get(obj, "outcomes"), &w->outcomes, &w->outcome_count) !=
            0)
        return -1;
    caseload_pop(c);
    /* Nothing to do after the handshake is only right for a case about the
     * handshake, where every outcome (shared ones included) judges the
     * peer's answer. */
    for (size_t i = 0; no_steps && i < w->outcome_count; i++)
        if (!w->outcomes[i].handshake.set) {
            caseload_push_key(c, "steps");
            return caseload_fail(c, false,
                                 "needs at least one step (only a case whose every "
                                 "outcome has a \"handshake\" expectation may have "
                                 "none)");
        }
    return 0;
}

static const struct wcase *find_id(const struct case_list *l, const char *id) {
    for (size_t i = 0; l && i < l->count; i++)
        if (strcmp(l->items[i].id, id) == 0)
            return &l->items[i];
    return NULL;
}

static int list_push(struct case_list *l, struct wcase *w) {
    struct wcase *items = realloc(l->items, (l->count + 1) * sizeof *items);
    if (!items)
        return -1;
    l->items = items;
    l->items[l->count++] = *w;
    memset(w, 0, sizeof *w);
    return 0;
}

/* The lists a new id must not be in: the file's cases so far, the cases of
 * earlier files of the same directory, and the caller's list (either of the
 * last two may be NULL). */
struct known_ids {
    const struct case_list *lists[3];
};

static const struct wcase *find_known(const struct known_ids *known, const char *id) {
    const struct wcase *w = NULL;
    for (size_t i = 0; i < 3 && !w; i++)
        w = find_id(known->lists[i], id);
    return w;
}

/* Expands and reads the case template at the current path (cases[k]) into
 * fresh (known->lists[0]). */
static int load_case(struct caseload_ctx *c, const json_t *tmpl, const char *group,
                     struct case_list *fresh, const struct known_ids *known) {
    if (!json_is_object(tmpl))
        return caseload_fail(c, false, "expected a case object, got %s", caseload_type_name(tmpl));
    if (caseload_check_keys(c, tmpl, case_keys) != 0)
        return -1;
    int line, column;
    caseload_locate(c->text, c->text_len, c->path, c->depth, false, &line, &column);
    const json_t *params = json_object_get(tmpl, "params");
    json_t *rows = NULL;
    if (params) {
        if (caseload_push_key(c, "params") != 0 || caseload_param_rows(c, params, &rows) != 0)
            return -1;
        caseload_pop(c);
    } else {
        rows = json_pack("[{}]");
        if (!rows)
            return caseload_fail(c, false, "out of memory");
    }
    int rc = 0;
    for (size_t r = 0; r < json_array_size(rows) && rc == 0; r++) {
        json_t *expanded = NULL;
        struct wcase w = {0};
        c->expansion = params ? r + 1 : 0;
        rc = caseload_substitute(c, tmpl, json_array_get(rows, r), r + 1, &expanded);
        if (rc == 0)
            rc = parse_case(c, expanded, group, &w);
        if (rc == 0)
            rc = caseload_keys(c, &w);
        if (rc == 0)
            rc = caseload_reach(c, expanded, &w);
        if (rc == 0 && !(w.pos.file = strdup(c->file)))
            rc = caseload_fail(c, false, "out of memory");
        w.pos.line = line;
        const struct wcase *dup = rc == 0 ? find_known(known, w.id) : NULL;
        if (dup) {
            caseload_push_key(c, "name");
            rc = caseload_fail(c, false, "duplicate id \"%s\" (first defined at %s:%d)", w.id,
                               dup->pos.file, dup->pos.line);
        }
        if (rc == 0 && list_push(fresh, &w) != 0)
            rc = caseload_fail(c, false, "out of memory");
        case_free(&w);
        json_decref(expanded);
    }
    c->expansion = 0;
    json_decref(rows);
    return rc;
}

static int load_root(struct caseload_ctx *c, const json_t *root, struct case_list *fresh,
                     const struct known_ids *known) {
    static const char *const keys[] = {"$schema", "group", "title", "cases", NULL};
    if (!json_is_object(root))
        return caseload_fail(c, false,
                             "a case file is an object with group, title and cases; "
                             "got %s",
                             caseload_type_name(root));
    char *group = NULL, *title = NULL, *schema = NULL;
    int rc = -1;
    if (caseload_check_keys(c, root, keys) != 0 || caseload_require(c, root, "group") != 0 ||
        caseload_require(c, root, "title") != 0 || caseload_require(c, root, "cases") != 0 ||
        caseload_get_string(c, root, "$schema", &schema) != 0 ||
        caseload_get_string(c, root, "group", &group) != 0 ||
        caseload_get_string(c, root, "title", &title) != 0)
        goto out;
    if (!id_chars(group)) {
        caseload_push_key(c, "group");
        caseload_fail(c, false, "group \"%s\" may only hold a-z 0-9 . _ -", group);
        goto out;
    }
    const json_t *cases = json_object_get(root, "cases");
    if (caseload_push_key(c, "cases") != 0)
        goto out;
    if (!json_is_array(cases) || json_array_size(cases) == 0) {
        caseload_fail(c, false, "expected a non-empty list of cases, got %s",
                      json_is_array(cases) ? "an empty list" : caseload_type_name(cases));
        goto out;
    }
    for (size_t i = 0; i < json_array_size(cases); i++) {
        if (caseload_push_index(c, i) != 0 ||
            load_case(c, json_array_get(cases, i), group, fresh, known) != 0)
            goto out;
        caseload_pop(c);
    }
    rc = 0;
out:
    free(schema);
    free(title);
    free(group);
    return rc;
}

static int append_list(struct case_list *out, struct case_list *fresh) {
    if (fresh->count == 0)
        return 0;
    struct wcase *items = realloc(out->items, (out->count + fresh->count) * sizeof *items);
    if (!items)
        return -1;
    memcpy(items + out->count, fresh->items, fresh->count * sizeof *items);
    out->items = items;
    out->count += fresh->count;
    free(fresh->items);
    fresh->items = NULL;
    fresh->count = 0;
    return 0;
}

/* Loads the text of a case file (named `name` in messages) into *into, ids
 * checked against *into and *earlier (may be NULL): every duplicate is
 * reported at the "name" of the case that repeats the id. */
static int load_text(const char *name, const uint8_t *data, size_t len, struct case_list *into,
                     const struct case_list *earlier, struct case_error *err) {
    struct case_list fresh = {0};
    json_t *root = NULL;
    struct caseload_ctx ctx = {0};
    int rc = -1;
    json_error_t jerr;
    /* Duplicate keys would silently lose a field; NUL is allowed for
     * payload strings ("\u0000") and rejected everywhere else. */
    root = json_loadb(len ? (const char *)data : "", len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
                      &jerr);
    if (!root) {
        plain_error(err, name, "%s", jerr.text);
        err->line = jerr.line;
        err->column = jerr.column;
        goto out;
    }
    ctx.file = name;
    ctx.text = (const char *)data;
    ctx.text_len = len;
    ctx.err = err;
    struct known_ids known = {{&fresh, into, earlier}};
    if (load_root(&ctx, root, &fresh, &known) != 0)
        goto out;
    if (append_list(into, &fresh) != 0) {
        plain_error(err, name, "out of memory");
        goto out;
    }
    rc = 0;
out:
    caseload_shared_free(&ctx);
    case_list_free(&fresh);
    json_decref(root);
    return rc;
}

static int load_file(const char *path, struct case_list *into, const struct case_list *earlier,
                     struct case_error *err) {
    struct buf text = {0};
    int rc = -1;
    if (read_text(path, &text, err) == 0)
        rc = load_text(path, text.data, text.len, into, earlier, err);
    buf_free(&text);
    return rc;
}

int case_load_file(const char *path, struct case_list *out, struct case_error *err) {
    memset(err, 0, sizeof *err);
    return load_file(path, out, NULL, err);
}

int case_load_buffer(const char *name, const uint8_t *data, size_t len, struct case_list *out,
                     struct case_error *err) {
    memset(err, 0, sizeof *err);
    if (len > MAX_FILE_SIZE) {
        plain_error(err, name, "larger than %u octets: not a case file", MAX_FILE_SIZE);
        return -1;
    }
    return load_text(name, data, len, out, NULL, err);
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_case_file(const char *name) {
    size_t n = strlen(name);
    return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".json") == 0 &&
           strcmp(name, "schema.json") != 0 && strcmp(name, "behaviours.json") != 0;
}

int case_load_path(const char *path, struct case_list *out, struct case_error *err) {
    memset(err, 0, sizeof *err);
    struct stat st;
    if (stat(path, &st) != 0) {
        plain_error(err, path, "cannot open: %s", strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return load_file(path, out, NULL, err);
    DIR *dir = opendir(path);
    if (!dir) {
        plain_error(err, path, "cannot open: %s", strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t count = 0;
    int rc = -1;
    struct dirent *de;
    while ((de = readdir(dir))) {
        if (!is_case_file(de->d_name))
            continue;
        char **grown = realloc(names, (count + 1) * sizeof *names);
        if (!grown || !(grown[count] = strdup(de->d_name))) {
            names = grown ? grown : names;
            plain_error(err, path, "out of memory");
            goto out;
        }
        names = grown;
        count++;
    }
    if (count == 0) {
        plain_error(err, path, "no case files (*.json) in this directory");
        goto out;
    }
    qsort(names, count, sizeof *names, by_name);
    struct case_list all = {0};
    for (size_t i = 0; i < count; i++) {
        struct buf file = {0};
        bool slash = path[0] && path[strlen(path) - 1] == '/';
        if (buf_appendf(&file, "%s%s%s", path, slash ? "" : "/", names[i]) != 0) {
            plain_error(err, path, "out of memory");
            case_list_free(&all);
            goto out;
        }
        int frc = load_file((const char *)file.data, &all, out, err);
        buf_free(&file);
        if (frc != 0) {
            case_list_free(&all);
            goto out;
        }
    }
    if (append_list(out, &all) != 0) {
        plain_error(err, path, "out of memory");
        case_list_free(&all);
        goto out;
    }
    rc = 0;
out:
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    closedir(dir);
    return rc;
}

void case_error_format(const struct case_error *err, char *out, size_t cap) {
    if (cap == 0)
        return;
    int n;
    if (err->line > 0)
        n = snprintf(out, cap, "%s:%d:%d: ", err->file, err->line, err->column);
    else
        n = snprintf(out, cap, "%s: ", err->file);
    if (n < 0 || (size_t)n >= cap)
        return;
    size_t used = (size_t)n;
    if (err->field[0]) {
        n = snprintf(out + used, cap - used, "%s: ", err->field);
        if (n < 0 || (size_t)n >= cap - used)
            return;
        used += (size_t)n;
    }
    snprintf(out + used, cap - used, "%s", err->message);
}
