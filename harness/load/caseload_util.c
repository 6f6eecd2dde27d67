/* caseload_util: error reporting with positions, the path stack, and the
 * typed field readers the rest of the loader is built from. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load/caseload_int.h"

/* ---- the path stack and errors ---------------------------------------- */

static void render_path(const struct caseload_ctx *c, size_t depth, char *out, size_t cap) {
    size_t used = 0;
    out[0] = '\0';
    for (size_t d = 0; d < depth && used < cap; d++) {
        int n;
        if (c->path[d].key)
            n = snprintf(out + used, cap - used, "%s%s", d ? "." : "", c->path[d].key);
        else
            n = snprintf(out + used, cap - used, "[%zu]", c->path[d].index);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

int caseload_fail(struct caseload_ctx *c, bool at_key, const char *fmt, ...) {
    struct case_error *e = c->err;
    memset(e, 0, sizeof *e);
    snprintf(e->file, sizeof e->file, "%s", c->file);
    render_path(c, c->depth, e->field, sizeof e->field);
    caseload_locate(c->text, c->text_len, c->path, c->depth, at_key, &e->line, &e->column);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    /* A parametric case is checked once per expansion; say which one. */
    if (c->expansion > 0 && n >= 0 && (size_t)n < sizeof e->message)
        snprintf(e->message + n, sizeof e->message - (size_t)n, " (parameter expansion %zu)",
                 c->expansion);
    return -1;
}

int caseload_push_key(struct caseload_ctx *c, const char *key) {
    if (c->depth >= CASELOAD_MAX_DEPTH)
        return caseload_fail(c, false, "nested more than %d levels deep", CASELOAD_MAX_DEPTH);
    c->path[c->depth].key = key;
    c->path[c->depth].index = 0;
    c->depth++;
    return 0;
}

int caseload_push_index(struct caseload_ctx *c, size_t index) {
    if (c->depth >= CASELOAD_MAX_DEPTH)
        return caseload_fail(c, false, "nested more than %d levels deep", CASELOAD_MAX_DEPTH);
    c->path[c->depth].key = NULL;
    c->path[c->depth].index = index;
    c->depth++;
    return 0;
}

void caseload_pop(struct caseload_ctx *c) {
    if (c->depth > 0)
        c->depth--;
}

/* ---- finding a path in the file text ---------------------------------- */

/* The text was accepted by jansson, so it is valid JSON; these scanners
 * still stop at the end of the text whatever they meet. */

static bool is_ws(char ch) {
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static size_t skip_ws(const char *s, size_t n, size_t i) {
    while (i < n && is_ws(s[i]))
        i++;
    return i;
}

/* s[i] is the opening quote; returns the index after the closing one. */
static size_t skip_string(const char *s, size_t n, size_t i) {
    for (i++; i < n; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '"')
            return i + 1;
    }
    return n;
}

static size_t skip_value(const char *s, size_t n, size_t i) {
    if (i >= n)
        return n;
    if (s[i] == '"')
        return skip_string(s, n, i);
    if (s[i] == '{' || s[i] == '[') {
        size_t depth = 0;
        while (i < n) {
            char ch = s[i];
            if (ch == '"') {
                i = skip_string(s, n, i);
                continue;
            }
            if (ch == '{' || ch == '[')
                depth++;
            else if ((ch == '}' || ch == ']') && --depth == 0)
                return i + 1;
            i++;
        }
        return n;
    }
    size_t start = i;
    while (i < n && !is_ws(s[i]) && s[i] != ',' && s[i] != ']' && s[i] != '}')
        i++;
    return i > start ? i : i + 1; /* always make progress */
}

static int hex4(const char *s, size_t n, size_t i, unsigned *out) {
    unsigned v = 0;
    if (i + 4 > n)
        return -1;
    for (size_t k = i; k < i + 4; k++) {
        char ch = s[k];
        unsigned d;
        if (ch >= '0' && ch <= '9')
            d = (unsigned)(ch - '0');
        else if (ch >= 'a' && ch <= 'f')
            d = (unsigned)(ch - 'a' + 10);
        else if (ch >= 'A' && ch <= 'F')
            d = (unsigned)(ch - 'A' + 10);
        else
            return -1;
        v = v * 16 + d;
    }
    *out = v;
    return 0;
}

static size_t utf8_encode(unsigned cp, char out[4]) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Does the string literal at s[i] decode to exactly key? */
static bool string_equals(const char *s, size_t n, size_t i, const char *key) {
    size_t klen = strlen(key), kpos = 0;
    for (i++; i < n && s[i] != '"';) {
        char buf[4];
        size_t blen = 1;
        if (s[i] != '\\') {
            buf[0] = s[i++];
        } else if (i + 1 >= n) {
            return false;
        } else {
            char esc = s[i + 1];
            i += 2;
            switch (esc) {
            case 'b': buf[0] = '\b'; break;
            case 'f': buf[0] = '\f'; break;
            case 'n': buf[0] = '\n'; break;
            case 'r': buf[0] = '\r'; break;
            case 't': buf[0] = '\t'; break;
            case 'u': {
                unsigned cp, lo;
                if (hex4(s, n, i, &cp) != 0)
                    return false;
                i += 4;
                if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < n && s[i] == '\\' && s[i + 1] == 'u' &&
                    hex4(s, n, i + 2, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                }
                blen = utf8_encode(cp, buf);
                break;
            }
            default: buf[0] = esc; break; /* \" \\ \/ */
            }
        }
        if (kpos + blen > klen || memcmp(key + kpos, buf, blen) != 0)
            return false;
        kpos += blen;
    }
    return i < n && kpos == klen;
}

void caseload_locate(const char *text, size_t len, const struct caseload_comp *path, size_t depth,
                     bool at_key, int *line, int *column) {
    const char *s = text;
    size_t n = text ? len : 0;
    size_t pos = skip_ws(s, n, 0);
    size_t key_pos = 0;
    bool complete = true;
    for (size_t d = 0; d < depth && complete; d++) {
        bool found = false;
        if (pos >= n) {
            complete = false;
        } else if (path[d].key && s[pos] == '{') {
            size_t i = skip_ws(s, n, pos + 1);
            while (i < n && s[i] == '"') {
                size_t kp = i;
                bool match = string_equals(s, n, i, path[d].key);
                i = skip_ws(s, n, skip_string(s, n, i));
                if (i < n && s[i] == ':')
                    i = skip_ws(s, n, i + 1);
                if (match) {
                    key_pos = kp;
                    pos = i;
                    found = true;
                    break;
                }
                i = skip_ws(s, n, skip_value(s, n, i));
                if (i >= n || s[i] != ',')
                    break;
                i = skip_ws(s, n, i + 1);
            }
        } else if (!path[d].key && s[pos] == '[') {
            size_t i = skip_ws(s, n, pos + 1);
            for (size_t k = 0; i < n && s[i] != ']'; k++) {
                if (k == path[d].index) {
                    pos = i;
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
            complete = false;
    }
    size_t target = pos;
    if (at_key && complete && depth > 0 && path[depth - 1].key)
        target = key_pos;
    if (target > n)
        target = n;
    /* Columns count characters, not octets, as jansson's do. */
    int ln = 1, col = 1;
    for (size_t j = 0; j < target; j++) {
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

/* ---- typed fields ------------------------------------------------------ */

const char *caseload_type_name(const json_t *v) {
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

void caseload_join(const char *const *names, char *out, size_t cap) {
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; names[i] && used < cap; i++) {
        int w = snprintf(out + used, cap - used, "%s%s", i ? ", " : "", names[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

int caseload_check_keys(struct caseload_ctx *c, const json_t *obj, const char *const *allowed) {
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        bool ok = false;
        for (size_t i = 0; allowed[i] && !ok; i++)
            ok = strcmp(key, allowed[i]) == 0;
        if (ok)
            continue;
        char list[400];
        caseload_join(allowed, list, sizeof list);
        if (caseload_push_key(c, key) != 0)
            return -1;
        return caseload_fail(c, true, "unknown field \"%s\" (expected one of: %s)", key, list);
    }
    return 0;
}

int caseload_choice(struct caseload_ctx *c, const json_t *v, const char *const *names,
                    const char *others, size_t *index) {
    for (size_t i = 0; json_is_string(v) && names[i]; i++) {
        if (strcmp(json_string_value(v), names[i]) == 0) {
            *index = i;
            return 0;
        }
    }
    char list[400], got[96];
    caseload_join(names, list, sizeof list);
    if (json_is_string(v))
        snprintf(got, sizeof got, "\"%.60s\"", json_string_value(v));
    else
        snprintf(got, sizeof got, "%s", caseload_type_name(v));
    return caseload_fail(c, false, "expected one of: %s%s%s; got %s", list, others ? ", or " : "",
                         others ? others : "", got);
}

int caseload_require(struct caseload_ctx *c, const json_t *obj, const char *key) {
    if (json_object_get(obj, key))
        return 0;
    return caseload_fail(c, false, "missing field \"%s\"", key);
}

int caseload_uint_value(struct caseload_ctx *c, const json_t *v, uint64_t min, uint64_t max,
                        uint64_t *out) {
    if (!json_is_integer(v))
        return caseload_fail(c, false, "expected an integer, got %s", caseload_type_name(v));
    json_int_t x = json_integer_value(v);
    if (x < 0 || (uint64_t)x < min || (uint64_t)x > max) {
        if (max >= (uint64_t)INT64_MAX)
            return caseload_fail(c, false, "%lld is out of range (at least %llu)", (long long)x,
                                 (unsigned long long)min);
        return caseload_fail(c, false, "%lld is out of range %llu..%llu", (long long)x,
                             (unsigned long long)min, (unsigned long long)max);
    }
    *out = (uint64_t)x;
    return 0;
}

int caseload_get_uint(struct caseload_ctx *c, const json_t *obj, const char *key, uint64_t min,
                      uint64_t max, uint64_t *out) {
    const json_t *v = json_object_get(obj, key);
    if (!v)
        return 0;
    if (caseload_push_key(c, key) != 0 || caseload_uint_value(c, v, min, max, out) != 0)
        return -1;
    caseload_pop(c);
    return 0;
}

/* Longest duration a case may ask for: beyond it a typo is likelier. */
#define MAX_SECONDS 86400.0

int caseload_seconds_value(struct caseload_ctx *c, const json_t *v, bool allow_zero, double *out) {
    if (!json_is_number(v))
        return caseload_fail(c, false, "expected seconds (a number), got %s",
                             caseload_type_name(v));
    double s = json_number_value(v);
    if (!isfinite(s) || s < 0 || (s == 0 && !allow_zero) || s > MAX_SECONDS)
        return caseload_fail(c, false, "%g seconds is out of range (%s %g)", s,
                             allow_zero ? "0 to" : "above 0, at most", MAX_SECONDS);
    *out = s;
    return 0;
}

int caseload_get_seconds(struct caseload_ctx *c, const json_t *obj, const char *key,
                         bool allow_zero, double *out) {
    const json_t *v = json_object_get(obj, key);
    if (!v)
        return 0;
    if (caseload_push_key(c, key) != 0 || caseload_seconds_value(c, v, allow_zero, out) != 0)
        return -1;
    caseload_pop(c);
    return 0;
}

int caseload_bool_value(struct caseload_ctx *c, const json_t *v, bool *out) {
    if (!json_is_boolean(v))
        return caseload_fail(c, false, "expected true or false, got %s", caseload_type_name(v));
    *out = json_is_true(v);
    return 0;
}

int caseload_get_bool(struct caseload_ctx *c, const json_t *obj, const char *key, bool *out) {
    const json_t *v = json_object_get(obj, key);
    if (!v)
        return 0;
    if (caseload_push_key(c, key) != 0 || caseload_bool_value(c, v, out) != 0)
        return -1;
    caseload_pop(c);
    return 0;
}

int caseload_string_value(struct caseload_ctx *c, const json_t *v, char **out) {
    if (!json_is_string(v))
        return caseload_fail(c, false, "expected a string, got %s", caseload_type_name(v));
    const char *s = json_string_value(v);
    if (strlen(s) != json_string_length(v))
        return caseload_fail(c, false, "a NUL character (\\u0000) is only allowed in payloads");
    char *copy = strdup(s);
    if (!copy)
        return caseload_fail(c, false, "out of memory");
    *out = copy;
    return 0;
}

int caseload_get_string(struct caseload_ctx *c, const json_t *obj, const char *key, char **out) {
    const json_t *v = json_object_get(obj, key);
    if (!v)
        return 0;
    char *s = NULL;
    if (caseload_push_key(c, key) != 0 || caseload_string_value(c, v, &s) != 0)
        return -1;
    caseload_pop(c);
    free(*out);
    *out = s;
    return 0;
}

/* 6455:5.2 "%x0 denotes a continuation frame ... %x1 denotes a text frame
 * ... %x2 denotes a binary frame ... %x8 denotes a connection close ... %x9
 * denotes a ping ... %xA denotes a pong": the names, and their codes. */
static const char *const opcode_names[] = {"continuation", "text", "binary", "close",
                                           "ping",         "pong", NULL};
static const uint8_t opcode_codes[] = {0x0, 0x1, 0x2, 0x8, 0x9, 0xA};

int caseload_opcode_value(struct caseload_ctx *c, const json_t *v, uint8_t *out) {
    if (json_is_integer(v)) {
        uint64_t x;
        if (caseload_uint_value(c, v, 0, 15, &x) != 0)
            return -1;
        *out = (uint8_t)x;
        return 0;
    }
    size_t i;
    if (caseload_choice(c, v, opcode_names, "an integer 0..15", &i) != 0)
        return -1;
    *out = opcode_codes[i];
    return 0;
}
