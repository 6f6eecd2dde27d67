/* caseload_params: parametric cases (cases/README.md "Parameters").
 *
 * "params" is a list of objects (one expansion each) or an object of lists
 * (the cross product, the first parameter varying slowest). Every string
 * of the case gets "{name}" replaced by the parameter's value; a string
 * that is exactly "{name}" becomes the value itself, with its JSON type.
 * "{i}" is the 1-based index of the expansion. Substitution happens on the
 * JSON tree, before the tree is read into structs, so every field of the
 * format can be parametric. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "load/caseload_int.h"

/* More expansions than this from one case is surely a mistake. */
#define MAX_EXPANSIONS 100000u
/* Longest parameter name. */
#define MAX_NAME       64

static bool name_start(char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static bool name_char(char ch) {
    return name_start(ch) || (ch >= '0' && ch <= '9');
}

static int check_name(struct caseload_ctx *c, const char *name) {
    bool ok = name_start(name[0]) && strlen(name) < MAX_NAME;
    for (size_t i = 1; ok && name[i]; i++)
        ok = name_char(name[i]);
    if (!ok || strcmp(name, "i") == 0) {
        if (caseload_push_key(c, name) != 0)
            return -1;
        if (ok)
            return caseload_fail(c, true, "\"i\" is reserved: {i} is the expansion index");
        return caseload_fail(c, true,
                             "parameter name \"%s\" must be a letter or _ followed by letters, "
                             "digits or _ (at most %d)",
                             name, MAX_NAME - 1);
    }
    return 0;
}

static int rows_from_list(struct caseload_ctx *c, const json_t *params, json_t *rows) {
    size_t n = json_array_size(params);
    if (n == 0)
        return caseload_fail(c, false, "params is an empty list: the case would vanish");
    if (n > MAX_EXPANSIONS)
        return caseload_fail(c, false, "more than %u expansions", MAX_EXPANSIONS);
    for (size_t i = 0; i < n; i++) {
        json_t *row = json_array_get(params, i);
        const char *key;
        json_t *val;
        if (caseload_push_index(c, i) != 0)
            return -1;
        if (!json_is_object(row))
            return caseload_fail(c, false, "expected an object of parameter values, got %s",
                                 caseload_type_name(row));
        json_object_foreach(row, key, val) {
            if (check_name(c, key) != 0)
                return -1;
        }
        if (json_array_append(rows, row) != 0)
            return caseload_fail(c, false, "out of memory");
        caseload_pop(c);
    }
    return 0;
}

static int rows_from_object(struct caseload_ctx *c, const json_t *params, json_t *rows) {
    size_t nkeys = json_object_size(params);
    if (nkeys == 0)
        return caseload_fail(c, false, "params is an empty object: the case would vanish");
    const char **keys = calloc(nkeys, sizeof *keys);
    const json_t **lists = calloc(nkeys, sizeof *lists);
    size_t *idx = calloc(nkeys, sizeof *idx);
    int rc = -1;
    if (!keys || !lists || !idx) {
        caseload_fail(c, false, "out of memory");
        goto out;
    }
    size_t k = 0, total = 1;
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)params, key, val) {
        if (check_name(c, key) != 0)
            goto out;
        if (caseload_push_key(c, key) != 0)
            goto out;
        if (!json_is_array(val) || json_array_size(val) == 0) {
            caseload_fail(c, false, "expected a non-empty list of values, got %s",
                          json_is_array(val) ? "an empty list" : caseload_type_name(val));
            goto out;
        }
        size_t len = json_array_size(val);
        if (total > MAX_EXPANSIONS / len) {
            caseload_fail(c, false, "the cross product has more than %u expansions",
                          MAX_EXPANSIONS);
            goto out;
        }
        total *= len;
        caseload_pop(c);
        keys[k] = key;
        lists[k] = val;
        k++;
    }
    /* Row-major: the last parameter varies fastest. */
    for (size_t r = 0; r < total; r++) {
        json_t *row = json_object();
        if (!row || json_array_append_new(rows, row) != 0) {
            caseload_fail(c, false, "out of memory");
            goto out;
        }
        for (size_t j = 0; j < nkeys; j++) {
            if (json_object_set(row, keys[j], json_array_get(lists[j], idx[j])) != 0) {
                caseload_fail(c, false, "out of memory");
                goto out;
            }
        }
        /* Counting down without the `j-- > 0` idiom, whose last decrement
         * wraps (reported by the unsigned-integer-overflow fuzz build). */
        for (size_t j = nkeys; j > 0; j--) {
            if (++idx[j - 1] < json_array_size(lists[j - 1]))
                break;
            idx[j - 1] = 0;
        }
    }
    rc = 0;
out:
    free(idx);
    free(lists);
    free(keys);
    return rc;
}

int caseload_param_rows(struct caseload_ctx *c, const json_t *params, json_t **rows) {
    json_t *r = json_array();
    if (!r)
        return caseload_fail(c, false, "out of memory");
    int rc;
    if (json_is_array(params))
        rc = rows_from_list(c, params, r);
    else if (json_is_object(params))
        rc = rows_from_object(c, params, r);
    else
        rc = caseload_fail(c, false, "expected a list of objects or an object of lists, got %s",
                           caseload_type_name(params));
    if (rc != 0) {
        json_decref(r);
        return -1;
    }
    *rows = r;
    return 0;
}

/* ---- substitution ------------------------------------------------------ */

/* The value of parameter name[0..len) (a new reference), or NULL with the
 * error filled. */
static json_t *lookup(struct caseload_ctx *c, const json_t *row, size_t index, const char *name,
                      size_t len) {
    char key[MAX_NAME];
    if (len < sizeof key) {
        memcpy(key, name, len);
        key[len] = '\0';
        json_t *v = json_object_get(row, key);
        if (v)
            return json_incref(v);
        if (strcmp(key, "i") == 0) {
            json_t *i = json_integer((json_int_t)index);
            if (!i)
                caseload_fail(c, false, "out of memory");
            return i;
        }
    }
    caseload_fail(c, false, "unknown parameter {%.*s}", (int)(len < 200 ? len : 200), name);
    return NULL;
}

/* The text of a scalar parameter value inserted into a longer string. */
static int append_value(struct caseload_ctx *c, struct buf *b, const json_t *v, const char *name,
                        size_t len) {
    int rc;
    if (json_is_string(v)) {
        rc = buf_append(b, json_string_value(v), json_string_length(v));
    } else if (json_is_integer(v)) {
        rc = buf_appendf(b, "%lld", (long long)json_integer_value(v));
    } else if (json_is_number(v) || json_is_boolean(v) || json_is_null(v)) {
        char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        rc = text ? buf_append_str(b, text) : -1;
        free(text);
    } else {
        return caseload_fail(c, false,
                             "parameter {%.*s} holds %s: only a string that is exactly "
                             "\"{%.*s}\" can take it",
                             (int)len, name, caseload_type_name(v), (int)len, name);
    }
    return rc == 0 ? 0 : caseload_fail(c, false, "out of memory");
}

/* A placeholder at s[i]: '{', a name, '}'. Returns the name length or 0. */
static size_t placeholder_at(const char *s, size_t n, size_t i) {
    if (s[i] != '{' || i + 2 >= n || !name_start(s[i + 1]))
        return 0;
    size_t j = i + 2;
    while (j < n && name_char(s[j]))
        j++;
    return (j < n && s[j] == '}') ? j - i - 1 : 0;
}

static json_t *subst_string(struct caseload_ctx *c, json_t *v, const json_t *row, size_t index) {
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    size_t first = 0;
    while (first < n && !placeholder_at(s, n, first))
        first++;
    if (first == n)
        return json_incref(v); /* nothing to replace */
    size_t len = placeholder_at(s, n, first);
    if (first == 0 && len + 2 == n) /* exactly "{name}": the typed value */
        return lookup(c, row, index, s + 1, len);
    struct buf b = {0};
    json_t *out = NULL;
    if (buf_append(&b, s, first) != 0) {
        caseload_fail(c, false, "out of memory");
        goto done;
    }
    for (size_t i = first; i < n;) {
        len = placeholder_at(s, n, i);
        if (len == 0) {
            if (buf_append(&b, s + i, 1) != 0) {
                caseload_fail(c, false, "out of memory");
                goto done;
            }
            i++;
            continue;
        }
        json_t *val = lookup(c, row, index, s + i + 1, len);
        if (!val)
            goto done;
        int rc = append_value(c, &b, val, s + i + 1, len);
        json_decref(val);
        if (rc != 0)
            goto done;
        i += len + 2;
    }
    out = json_stringn(b.len ? (const char *)b.data : "", b.len);
    if (!out)
        caseload_fail(c, false, "out of memory");
done:
    buf_free(&b);
    return out;
}

static json_t *subst(struct caseload_ctx *c, json_t *v, const json_t *row, size_t index, bool top) {
    if (json_is_string(v))
        return subst_string(c, v, row, index);
    if (json_is_array(v)) {
        json_t *arr = json_array();
        if (!arr) {
            caseload_fail(c, false, "out of memory");
            return NULL;
        }
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *item = NULL;
            if (caseload_push_index(c, i) != 0 ||
                !(item = subst(c, json_array_get(v, i), row, index, false)) ||
                json_array_append_new(arr, item) != 0) {
                if (item)
                    caseload_fail(c, false, "out of memory");
                json_decref(arr);
                return NULL;
            }
            caseload_pop(c);
        }
        return arr;
    }
    if (json_is_object(v)) {
        json_t *obj = json_object();
        const char *key;
        json_t *member;
        if (!obj) {
            caseload_fail(c, false, "out of memory");
            return NULL;
        }
        json_object_foreach(v, key, member) {
            if (top && strcmp(key, "params") == 0)
                continue;
            json_t *item = NULL;
            if (caseload_push_key(c, key) != 0 || !(item = subst(c, member, row, index, false)) ||
                json_object_set_new(obj, key, item) != 0) {
                if (item)
                    caseload_fail(c, false, "out of memory");
                json_decref(obj);
                return NULL;
            }
            caseload_pop(c);
        }
        return obj;
    }
    return json_incref(v);
}

int caseload_substitute(struct caseload_ctx *c, const json_t *tmpl, const json_t *row, size_t index,
                        json_t **out) {
    json_t *r = subst(c, (json_t *)tmpl, row, index, true);
    if (!r)
        return -1;
    *out = r;
    return 0;
}
