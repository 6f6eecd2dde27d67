/* caseload_payload: payloads (cases/README.md "Payloads"), from an already
 * parameter-expanded JSON tree. A payload is a string (its UTF-8 bytes) or
 * an object naming one form: one table row per form (payload_forms). */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/errors.h"
#include "load/caseload_int.h"

/* A repeated unit is held in memory; larger units are surely a mistake. */
#define MAX_REPEAT_UNIT (1024u * 1024u)

static int nomem(struct caseload_ctx *c) {
    return caseload_fail(c, false, "out of memory");
}

int caseload_hex_digit(char ch) {
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* One row of payload_forms (below): how a payload object of this form is read. */
struct payload_form {
    const char *name; /* the key naming the form: {"hex": "ce ba"} */
    /* Reads the payload object obj (at the current path) into out, which is
     * zeroed; on error out owns nothing the caller must free but through
     * payload_free. */
    int (*parse)(struct caseload_ctx *c, const json_t *obj, struct payload *out);
    const char *const *fields; /* the object's keys, the name first */
};

static int parse_text(struct caseload_ctx *c, const json_t *obj, struct payload *out) {
    const json_t *t = json_object_get(obj, "text");
    if (caseload_push_key(c, "text") != 0)
        return -1;
    if (!json_is_string(t))
        return caseload_fail(c, false, "expected a string, got %s", caseload_type_name(t));
    caseload_pop(c);
    if (payload_from_bytes(out, (const uint8_t *)json_string_value(t), json_string_length(t)) != 0)
        return nomem(c);
    return 0;
}

/* {"hex": "ce ba"}: digits in pairs, whitespace anywhere ignored. */
static int parse_hex(struct caseload_ctx *c, const json_t *obj, struct payload *out) {
    const json_t *v = json_object_get(obj, "hex");
    if (caseload_push_key(c, "hex") != 0)
        return -1;
    if (!json_is_string(v))
        return caseload_fail(c, false, "expected a string of hex digits, got %s",
                             caseload_type_name(v));
    const char *s = json_string_value(v);
    size_t n = json_string_length(v), digits = 0;
    uint8_t *bytes = malloc(n / 2 + 1);
    if (!bytes)
        return nomem(c);
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r')
            continue;
        int d = caseload_hex_digit(ch);
        if (d < 0) {
            free(bytes);
            if ((unsigned char)ch < 0x20 || (unsigned char)ch >= 0x7f)
                return caseload_fail(c, false, "invalid hex digit (octet 0x%02x) at offset %zu",
                                     (unsigned)(unsigned char)ch, i);
            return caseload_fail(c, false, "invalid hex digit '%c' at offset %zu", ch, i);
        }
        if (digits % 2 == 0)
            bytes[digits / 2] = (uint8_t)(d << 4);
        else
            bytes[digits / 2] |= (uint8_t)d;
        digits++;
    }
    if (digits % 2 != 0) {
        free(bytes);
        return caseload_fail(c, false, "odd number of hex digits (%zu)", digits);
    }
    out->kind = PAYLOAD_BYTES;
    out->length = digits / 2;
    if (digits == 0) {
        free(bytes);
        bytes = NULL;
    }
    out->bytes = bytes;
    caseload_pop(c);
    return 0;
}

static int parse_repeat(struct caseload_ctx *c, const json_t *obj, struct payload *out) {
    uint64_t count = 0;
    if (caseload_require(c, obj, "count") != 0 ||
        caseload_get_uint(c, obj, "count", 0, INT64_MAX, &count) != 0)
        return -1;
    struct payload unit = {0};
    if (caseload_push_key(c, "repeat") != 0 ||
        caseload_payload(c, json_object_get(obj, "repeat"), &unit) != 0)
        return -1;
    if (unit.length == 0 || unit.length > MAX_REPEAT_UNIT) {
        payload_free(&unit);
        return caseload_fail(c, false, "the repeated unit must be 1..%u octets long",
                             MAX_REPEAT_UNIT);
    }
    uint8_t *bytes = payload_materialize(&unit, MAX_REPEAT_UNIT);
    size_t unit_len = (size_t)unit.length;
    payload_free(&unit);
    if (!bytes)
        return nomem(c);
    caseload_pop(c);
    out->kind = PAYLOAD_REPEAT;
    out->bytes = bytes;
    out->unit_len = unit_len;
    out->length = count;
    return 0;
}

static int parse_random(struct caseload_ctx *c, const json_t *obj, struct payload *out) {
    uint64_t len = 0, seed = 0;
    if (caseload_get_uint(c, obj, "random", 0, INT64_MAX, &len) != 0 ||
        caseload_get_uint(c, obj, "seed", 0, INT64_MAX, &seed) != 0)
        return -1;
    out->kind = PAYLOAD_RANDOM;
    out->length = len;
    out->seed = seed;
    return 0;
}

static int parse_concat(struct caseload_ctx *c, const json_t *obj, struct payload *out) {
    if (caseload_push_key(c, "concat") != 0)
        return -1;
    const json_t *list = json_object_get(obj, "concat");
    if (!json_is_array(list))
        return caseload_fail(c, false, "expected a list of payloads, got %s",
                             caseload_type_name(list));
    out->kind = PAYLOAD_CONCAT;
    size_t n = json_array_size(list);
    if (n > 0) {
        out->parts = calloc(n, sizeof *out->parts);
        if (!out->parts)
            return nomem(c);
    }
    for (size_t i = 0; i < n; i++) {
        if (caseload_push_index(c, i) != 0 ||
            caseload_payload(c, json_array_get(list, i), &out->parts[i]) != 0) {
            out->part_count = i + 1;
            payload_free(out);
            return -1;
        }
        out->part_count = i + 1;
        if (u64_add(out->length, out->parts[i].length, &out->length) != 0) {
            payload_free(out);
            return caseload_fail(c, false, "the total length overflows");
        }
        caseload_pop(c);
    }
    caseload_pop(c);
    return 0;
}

/* {"dataset": "json", "start": S, "units": N}: a window of a generated data
 * set (model/dataset.h), N code points (text sets) or octets from unit S. */
static int parse_dataset(struct caseload_ctx *c, const json_t *obj, struct payload *out) {
    const char *names[DATASET_COUNT + 1];
    for (int k = 0; k < DATASET_COUNT; k++)
        names[k] = dataset_name((enum dataset_kind)k);
    names[DATASET_COUNT] = NULL;
    size_t kind = 0;
    uint64_t start = 0, units = 0;
    if (caseload_push_key(c, "dataset") != 0 ||
        caseload_choice(c, json_object_get(obj, "dataset"), names, NULL, &kind) != 0)
        return -1;
    caseload_pop(c);
    if (caseload_get_uint(c, obj, "start", 0, INT64_MAX, &start) != 0 ||
        caseload_require(c, obj, "units") != 0 ||
        caseload_get_uint(c, obj, "units", 0, INT64_MAX, &units) != 0)
        return -1;
    int rc = payload_from_dataset(out, (enum dataset_kind)kind, start, units);
    if (rc == WS_ERR_LIMIT) {
        if (caseload_push_key(c, "units") != 0)
            return -1;
        return caseload_fail(c, false, "a window of %llu units of \"%s\" is 2^63 octets or longer",
                             (unsigned long long)units, names[kind]);
    }
    if (rc != 0)
        return nomem(c);
    return 0;
}

static const char *const text_fields[] = {"text", NULL};
static const char *const hex_fields[] = {"hex", NULL};
static const char *const repeat_fields[] = {"repeat", "count", NULL};
static const char *const random_fields[] = {"random", "seed", NULL};
static const char *const concat_fields[] = {"concat", NULL};
static const char *const dataset_fields[] = {"dataset", "start", "units", NULL};

/* Every payload form of cases/README.md "Payloads", in the order an object
 * is tried: a new form is one row (and its parser). cases/schema.json
 * "payload" lists the same forms. */
static const struct payload_form payload_forms[] = {
    {"text", parse_text, text_fields},       {"hex", parse_hex, hex_fields},
    {"repeat", parse_repeat, repeat_fields}, {"random", parse_random, random_fields},
    {"concat", parse_concat, concat_fields}, {"dataset", parse_dataset, dataset_fields},
};
#define FORM_COUNT    (sizeof payload_forms / sizeof payload_forms[0])
/* Every key of every form, and NULL: rows have at most 3 keys. */
#define FORM_KEYS_MAX (3 * FORM_COUNT + 1)

/* The form of a payload object: the first row whose name it holds. */
static const struct payload_form *form_of(const json_t *v) {
    for (size_t i = 0; json_is_object(v) && i < FORM_COUNT; i++)
        if (json_object_get(v, payload_forms[i].name))
            return &payload_forms[i];
    return NULL;
}

bool caseload_is_payload(const json_t *v) {
    return json_is_string(v) || form_of(v) != NULL;
}

int caseload_payload(struct caseload_ctx *c, const json_t *v, struct payload *out) {
    memset(out, 0, sizeof *out);
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (payload_from_bytes(out, (const uint8_t *)s, json_string_length(v)) != 0)
            return nomem(c);
        return 0;
    }
    const char *names[FORM_COUNT + 1], *keys[FORM_KEYS_MAX];
    size_t k = 0;
    for (size_t i = 0; i < FORM_COUNT; i++) {
        names[i] = payload_forms[i].name;
        for (const char *const *f = payload_forms[i].fields; *f; f++)
            keys[k++] = *f;
    }
    names[FORM_COUNT] = keys[k] = NULL;
    char list[200];
    caseload_join(names, list, sizeof list);
    if (!json_is_object(v))
        return caseload_fail(c, false,
                             "expected a payload (a string, or an object with one of: %s), got %s",
                             list, caseload_type_name(v));
    /* Keys of any form first: a typo is named with every key there is. */
    if (caseload_check_keys(c, v, keys) != 0)
        return -1;
    const struct payload_form *form = form_of(v);
    if (!form)
        return caseload_fail(c, false, "a payload object needs one of: %s", list);
    if (caseload_check_keys(c, v, form->fields) != 0)
        return -1;
    return form->parse(c, v, out);
}
