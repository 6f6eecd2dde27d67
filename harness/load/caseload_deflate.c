/* caseload_deflate: a case's "deflate" object (cases/README.md
 * "permessage-deflate"): the offers we send and how our compressor behaves.
 *
 *   "deflate": {"offers": [OFFER, ...], "declined": "unimplemented" | "run",
 *               "context": "agreed" | "keep", "window_bits": 8..15,
 *               "strict_window": bool}
 *   OFFER = {"server_no_context_takeover": true, "client_no_context_takeover": true,
 *            "server_max_window_bits": 8..15, "client_max_window_bits": true | 8..15}
 *
 * Offers are written by the runner as one Sec-WebSocket-Extensions line, so
 * they are always valid offers (7692:7.1): an offer that breaks a rule is
 * written raw with handshake.extensions instead. */
#include <stdlib.h>
#include <string.h>

#include "load/caseload_int.h"
#include "model/dataset.h"

/* 7692:7.1.2.1 / 7.1.2.2: window bits are "a decimal integer value without
 * leading zeros between 8 to 15, inclusive". */
#define WINDOW_BITS_MIN 8
#define WINDOW_BITS_MAX 15

static const char *const offer_keys[] = {"server_no_context_takeover", "client_no_context_takeover",
                                         "server_max_window_bits", "client_max_window_bits", NULL};

/* A flag parameter: only true (an offer either carries it or not). */
static int flag(struct caseload_ctx *c, const json_t *obj, const char *key, bool *out) {
    const json_t *v = json_object_get(obj, key);
    if (!v)
        return 0;
    if (caseload_push_key(c, key) != 0)
        return -1;
    if (!json_is_true(v))
        return caseload_fail(c, false,
                             "a flag parameter is true (leave it out to not offer it), got %s",
                             json_is_false(v) ? "false" : caseload_type_name(v));
    caseload_pop(c);
    *out = true;
    return 0;
}

static int parse_offer(struct caseload_ctx *c, const json_t *v, struct deflate_offer *o) {
    if (!json_is_object(v))
        return caseload_fail(c, false, "expected an offer object, got %s", caseload_type_name(v));
    if (caseload_check_keys(c, v, offer_keys) != 0 ||
        flag(c, v, "server_no_context_takeover", &o->server_no_context_takeover) != 0 ||
        flag(c, v, "client_no_context_takeover", &o->client_no_context_takeover) != 0)
        return -1;
    uint64_t bits = 0;
    if (json_object_get(v, "server_max_window_bits")) {
        if (caseload_get_uint(c, v, "server_max_window_bits", WINDOW_BITS_MIN, WINDOW_BITS_MAX,
                              &bits) != 0)
            return -1;
        o->server_max_window_bits = (uint8_t)bits;
    }
    const json_t *cb = json_object_get(v, "client_max_window_bits");
    if (cb) {
        o->client_max_window_bits = true;
        /* 7692:7.1.2.2 "This parameter has no value or a decimal integer
         * value": true offers it without a value. */
        if (json_is_true(cb))
            return 0;
        if (caseload_push_key(c, "client_max_window_bits") != 0)
            return -1;
        if (!json_is_integer(cb))
            return caseload_fail(c, false, "expected true or 8..15, got %s",
                                 caseload_type_name(cb));
        if (caseload_uint_value(c, cb, WINDOW_BITS_MIN, WINDOW_BITS_MAX, &bits) != 0)
            return -1;
        caseload_pop(c);
        o->client_max_window_bits_value = (uint8_t)bits;
    }
    return 0;
}

static int parse_offers(struct caseload_ctx *c, const json_t *v, struct deflate_config *d) {
    if (caseload_push_key(c, "offers") != 0)
        return -1;
    if (!json_is_array(v))
        return caseload_fail(c, false, "expected a list of offers, got %s", caseload_type_name(v));
    size_t n = json_array_size(v);
    if (n == 0)
        return caseload_fail(c, false, "at least one offer");
    if (n > 16)
        return caseload_fail(c, false, "at most 16 offers, got %zu", n);
    d->offers = calloc(n, sizeof *d->offers);
    if (!d->offers)
        return caseload_fail(c, false, "out of memory");
    d->offer_count = n;
    for (size_t i = 0; i < n; i++) {
        if (caseload_push_index(c, i) != 0 ||
            parse_offer(c, json_array_get(v, i), &d->offers[i]) != 0)
            return -1;
        caseload_pop(c);
    }
    caseload_pop(c);
    return 0;
}

int caseload_deflate(struct caseload_ctx *c, const json_t *obj, struct deflate_config *d) {
    static const char *const keys[] = {"offers",      "declined",      "context",
                                       "window_bits", "strict_window", NULL};
    static const char *const declined_names[] = {"unimplemented", "run", NULL};
    static const char *const context_names[] = {"agreed", "keep", NULL};
    if (!json_is_object(obj))
        return caseload_fail(c, false, "expected an object, got %s", caseload_type_name(obj));
    if (caseload_check_keys(c, obj, keys) != 0 || caseload_require(c, obj, "offers") != 0 ||
        parse_offers(c, json_object_get(obj, "offers"), d) != 0)
        return -1;
    d->set = true;
    const json_t *v = json_object_get(obj, "declined");
    size_t choice = 0;
    if (v) {
        if (caseload_push_key(c, "declined") != 0 ||
            caseload_choice(c, v, declined_names, NULL, &choice) != 0)
            return -1;
        caseload_pop(c);
        d->declined = choice == 1 ? DEFLATE_DECLINED_RUN : DEFLATE_DECLINED_UNIMPLEMENTED;
    }
    if ((v = json_object_get(obj, "context"))) {
        if (caseload_push_key(c, "context") != 0 ||
            caseload_choice(c, v, context_names, NULL, &choice) != 0)
            return -1;
        caseload_pop(c);
        d->keep_context = choice == 1;
    }
    uint64_t bits = 0;
    if (json_object_get(obj, "window_bits")) {
        if (caseload_get_uint(c, obj, "window_bits", WINDOW_BITS_MIN, WINDOW_BITS_MAX, &bits) != 0)
            return -1;
        d->window_bits = (uint8_t)bits;
    }
    return caseload_get_bool(c, obj, "strict_window", &d->strict_window);
}

/* ---- series (send_series steps and series events) ------------------------ */

int caseload_series(struct caseload_ctx *c, const json_t *obj, struct series *s) {
    const json_t *name = json_object_get(obj, "dataset");
    if (caseload_require(c, obj, "dataset") != 0 || caseload_require(c, obj, "units") != 0 ||
        caseload_require(c, obj, "count") != 0 || caseload_push_key(c, "dataset") != 0)
        return -1;
    enum dataset_kind kind;
    if (!json_is_string(name) || dataset_lookup(json_string_value(name), &kind) != 0) {
        const char *names[DATASET_COUNT + 1];
        for (int k = 0; k < DATASET_COUNT; k++)
            names[k] = dataset_name((enum dataset_kind)k);
        names[DATASET_COUNT] = NULL;
        char list[200];
        caseload_join(names, list, sizeof list);
        return caseload_fail(c, false, "expected the name of a data set (%s), got \"%s\"", list,
                             json_is_string(name) ? json_string_value(name)
                                                  : caseload_type_name(name));
    }
    caseload_pop(c);
    s->dataset = (uint8_t)kind;
    uint64_t count = 0;
    /* A message of a series is at most 64 MiB of units: the echo must fit
     * the default max_message, and the data set's window stays far from
     * 64-bit lengths. */
    if (caseload_get_uint(c, obj, "start", 0, INT64_MAX, &s->start) != 0 ||
        caseload_get_uint(c, obj, "units", 0, 64u << 20, &s->units) != 0 ||
        caseload_get_uint(c, obj, "count", 1, 100000, &count) != 0)
        return -1;
    s->count = s->full_count = (uint32_t)count;
    return 0;
}
