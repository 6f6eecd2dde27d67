/* casewrite_steps: payloads, steps and the request of a case written back as
 * case-file JSON (cases/README.md "Payloads", "Steps", "The opening
 * handshake"): the reverse of caseload_payload.c, caseload_steps.c and
 * caseload_handshake.c. A field equal to the loader's default is left out;
 * everything else is written so that the loader reads back the same value. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "codec/handshake.h"
#include "codec/utf8.h"
#include "load/casewrite_int.h"
#include "model/dataset.h"

json_t *cw_fail(struct cw *w, const char *fmt, ...) {
    if (w->rc == 0) {
        w->rc = WS_ERR_ARG;
        if (w->errmsg && w->cap > 0) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(w->errmsg, w->cap, fmt, ap);
            va_end(ap);
        }
    }
    return NULL;
}

json_t *cw_nomem(struct cw *w) {
    if (w->rc == 0) {
        w->rc = WS_ERR_NOMEM;
        if (w->errmsg && w->cap > 0)
            snprintf(w->errmsg, w->cap, "out of memory");
    }
    return NULL;
}

int cw_put(struct cw *w, json_t *obj, const char *key, json_t *v) {
    if (!v) {
        cw_nomem(w); /* keeps an earlier failure's message */
        return -1;
    }
    if (json_object_set_new(obj, key, v) != 0) {
        cw_nomem(w);
        return -1;
    }
    return 0;
}

int cw_append(struct cw *w, json_t *arr, json_t *v) {
    if (!v) {
        cw_nomem(w);
        return -1;
    }
    if (json_array_append_new(arr, v) != 0) {
        cw_nomem(w);
        return -1;
    }
    return 0;
}

json_t *cw_uint(struct cw *w, uint64_t v, const char *field) {
    /* jansson's integers are signed 64-bit: the loader reads at most 2^63-1. */
    if (v > (uint64_t)INT64_MAX)
        return cw_fail(w, "%s: %llu is larger than a case file's integers (2^63-1)", field,
                       (unsigned long long)v);
    json_t *j = json_integer((json_int_t)v);
    return j ? j : cw_nomem(w);
}

/* ---- payloads ------------------------------------------------------------- */

/* Text when the octets are UTF-8 without control octets (6455:5.6 text is
 * UTF-8; a control octet would be an unreadable escape), hex otherwise. */
static json_t *bytes_json(struct cw *w, const uint8_t *b, size_t n) {
    bool text = utf8_is_valid(b, n, NULL);
    for (size_t i = 0; text && i < n; i++)
        text = b[i] >= 0x20 && b[i] != 0x7f;
    if (text) {
        json_t *s = json_stringn(n ? (const char *)b : "", n);
        return s ? s : cw_nomem(w);
    }
    static const char digits[] = "0123456789abcdef";
    char *hex = malloc(2 * n + 1);
    if (!hex)
        return cw_nomem(w);
    for (size_t i = 0; i < n; i++) {
        hex[2 * i] = digits[b[i] >> 4];
        hex[2 * i + 1] = digits[b[i] & 15];
    }
    hex[2 * n] = '\0';
    json_t *obj = json_pack("{s:s}", "hex", hex);
    free(hex);
    return obj ? obj : cw_nomem(w);
}

json_t *cw_payload(struct cw *w, const struct payload *p, const char *field) {
    json_t *obj = NULL;
    if (w->octets && p->kind != PAYLOAD_BYTES && p->length <= CW_OCTETS_MAX) {
        uint8_t *b = payload_materialize(p, CW_OCTETS_MAX);
        if (!b && p->length > 0)
            return cw_nomem(w);
        obj = bytes_json(w, b, (size_t)p->length);
        free(b);
        return obj;
    }
    switch (p->kind) {
    case PAYLOAD_BYTES:
        if (p->length > SIZE_MAX / 2 - 1 || (p->length > 0 && !p->bytes))
            return cw_fail(w, "%s: a literal payload of %llu octets is not in memory", field,
                           (unsigned long long)p->length);
        return bytes_json(w, p->bytes, (size_t)p->length);
    case PAYLOAD_REPEAT:
        if (p->unit_len == 0 || !p->bytes)
            return cw_fail(w, "%s: a repeated payload needs a unit of 1 octet or more", field);
        obj = json_object();
        if (!obj)
            return cw_nomem(w);
        if (cw_put(w, obj, "repeat", bytes_json(w, p->bytes, p->unit_len)) != 0 ||
            cw_put(w, obj, "count", cw_uint(w, p->length, field)) != 0)
            break;
        return obj;
    case PAYLOAD_RANDOM:
        obj = json_object();
        if (!obj)
            return cw_nomem(w);
        if (cw_put(w, obj, "random", cw_uint(w, p->length, field)) != 0 ||
            cw_put(w, obj, "seed", cw_uint(w, p->seed, field)) != 0)
            break;
        return obj;
    case PAYLOAD_CONCAT: {
        json_t *parts = json_array();
        if (!parts || !(obj = json_pack("{s:o}", "concat", parts)))
            return cw_nomem(w);
        for (size_t i = 0; i < p->part_count; i++)
            if (cw_append(w, parts, cw_payload(w, &p->parts[i], field)) != 0)
                goto fail;
        return obj;
    }
    case PAYLOAD_DATASET:
        if ((unsigned)p->dataset.kind >= DATASET_COUNT)
            return cw_fail(w, "%s: no data set %d", field, (int)p->dataset.kind);
        obj = json_object();
        if (!obj)
            return cw_nomem(w);
        if (cw_put(w, obj, "dataset", json_string(dataset_name(p->dataset.kind))) != 0 ||
            (p->dataset.start != 0 &&
             cw_put(w, obj, "start", cw_uint(w, p->dataset.start, field)) != 0) ||
            cw_put(w, obj, "units", cw_uint(w, p->dataset.units, field)) != 0)
            break;
        return obj;
    }
    if (!obj)
        return cw_fail(w, "%s: unknown payload kind %d", field, (int)p->kind);
fail:
    json_decref(obj);
    return NULL;
}

/* The loader's default of an absent payload field: no octets, as literal
 * ones (an empty repeat or random payload is written as it is). */
static bool payload_empty(const struct payload *p) {
    return p->kind == PAYLOAD_BYTES && p->length == 0;
}

/* ---- fields of steps ------------------------------------------------------ */

json_t *cw_opcode(uint8_t opcode) {
    /* 6455:5.2 "%x0 denotes a continuation frame ... %x1 denotes a text frame
     * ... %x2 denotes a binary frame ... %x8 denotes a connection close ...
     * %x9 denotes a ping ... %xA denotes a pong": the loader's names. */
    static const char *const names[16] = {"continuation", "text", "binary", NULL,   NULL,  NULL,
                                          NULL,           NULL,   "close",  "ping", "pong"};
    const char *name = opcode < 16 ? names[opcode] : NULL;
    return name ? json_string(name) : json_integer(opcode);
}

/* "mask": left out for a key from the seeded generator (the default), false
 * for none, the key's 8 hex digits where keys_ok. */
static int put_mask(struct cw *w, json_t *obj, enum mask_mode mode, const uint8_t key[4],
                    bool keys_ok, const char *field) {
    if (mode == MASK_RANDOM)
        return 0;
    if (mode == MASK_NONE)
        return cw_put(w, obj, "mask", json_false());
    if (mode != MASK_KEY || !keys_ok) {
        cw_fail(w, "%s.mask: only send_frame takes a mask key", field);
        return -1;
    }
    char hex[9];
    snprintf(hex, sizeof hex, "%02x%02x%02x%02x", key[0], key[1], key[2], key[3]);
    return cw_put(w, obj, "mask", json_string(hex));
}

static int put_fragments(struct cw *w, json_t *obj, const uint64_t *sizes, size_t n,
                         const char *field) {
    if (n == 0)
        return 0;
    json_t *list = json_array();
    if (cw_put(w, obj, "fragments", list) != 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (cw_append(w, list, cw_uint(w, sizes[i], field)) != 0)
            return -1;
    return 0;
}

int cw_series(struct cw *w, json_t *obj, const struct series *s) {
    if (s->dataset >= DATASET_COUNT) {
        cw_fail(w, "series: no data set %d", s->dataset);
        return -1;
    }
    /* full_count: the count as written (the quick profile is applied on load). */
    if (cw_put(w, obj, "dataset", json_string(dataset_name((enum dataset_kind)s->dataset))) != 0 ||
        (s->start != 0 && cw_put(w, obj, "start", cw_uint(w, s->start, "series.start")) != 0) ||
        cw_put(w, obj, "units", cw_uint(w, s->units, "series.units")) != 0 ||
        cw_put(w, obj, "count", json_integer(s->full_count)) != 0)
        return -1;
    return 0;
}

/* ---- steps ---------------------------------------------------------------- */

static json_t *frame_json(struct cw *w, const struct frame_step *f) {
    json_t *o = json_object();
    if (!o)
        return cw_nomem(w);
    if (cw_put(w, o, "opcode", cw_opcode(f->opcode)) != 0 ||
        (!f->fin && cw_put(w, o, "fin", json_false()) != 0) ||
        (f->rsv && cw_put(w, o, "rsv", json_integer(f->rsv)) != 0) ||
        put_mask(w, o, f->mask, f->mask_key, true, "send_frame") != 0)
        goto fail;
    if (f->len_form != 0 && f->len_form != 7 && f->len_form != 16 && f->len_form != 64) {
        cw_fail(w, "send_frame.len_form: %u is not 7, 16 or 64", f->len_form);
        goto fail;
    }
    if (f->len_form && cw_put(w, o, "len_form", json_integer(f->len_form)) != 0)
        goto fail;
    if (f->declared_len_set) {
        /* Above 2^63-1 (a length 6455:5.2 forbids: "the most significant bit
         * MUST be 0") as a string of digits, as the loader reads it. */
        char digits[24];
        snprintf(digits, sizeof digits, "%llu", (unsigned long long)f->declared_len);
        json_t *v = f->declared_len > (uint64_t)INT64_MAX
                        ? json_string(digits)
                        : json_integer((json_int_t)f->declared_len);
        if (cw_put(w, o, "declared_len", v) != 0)
            goto fail;
    }
    if ((f->compress && cw_put(w, o, "compress", json_true()) != 0) ||
        (!payload_empty(&f->payload) &&
         cw_put(w, o, "payload", cw_payload(w, &f->payload, "send_frame.payload")) != 0))
        goto fail;
    return o;
fail:
    json_decref(o);
    return NULL;
}

static json_t *message_json(struct cw *w, const struct message_step *m) {
    json_t *o = json_object();
    if (!o)
        return cw_nomem(w);
    if (cw_put(w, o, "opcode", cw_opcode(m->opcode)) != 0 ||
        (m->rsv && cw_put(w, o, "rsv", json_integer(m->rsv)) != 0) ||
        put_mask(w, o, m->mask, NULL, false, "send_message") != 0 ||
        (m->compress && cw_put(w, o, "compress", json_true()) != 0) ||
        (!payload_empty(&m->payload) &&
         cw_put(w, o, "payload", cw_payload(w, &m->payload, "send_message.payload")) != 0) ||
        put_fragments(w, o, m->fragments, m->fragment_count, "send_message.fragments") != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *series_json(struct cw *w, const struct series_step *s) {
    json_t *o = json_object();
    if (!o)
        return cw_nomem(w);
    if (cw_put(w, o, "opcode", cw_opcode(s->opcode)) != 0 || cw_series(w, o, &s->series) != 0 ||
        put_mask(w, o, s->mask, NULL, false, "send_series") != 0 ||
        (s->compress && cw_put(w, o, "compress", json_true()) != 0) ||
        put_fragments(w, o, s->fragments, s->fragment_count, "send_series.fragments") != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *close_json(struct cw *w, const struct close_step *c) {
    json_t *o = json_object();
    if (!o)
        return cw_nomem(w);
    if (put_mask(w, o, c->mask, NULL, false, "send_close") != 0)
        goto fail;
    if (c->raw_set) {
        /* "payload" replaces "code" and "reason". */
        if (c->has_code || !payload_empty(&c->reason)) {
            cw_fail(w, "send_close: a raw payload cannot go with a code or a reason");
            goto fail;
        }
        if (cw_put(w, o, "payload", cw_payload(w, &c->raw, "send_close.payload")) != 0)
            goto fail;
    } else if (c->has_code) {
        if (cw_put(w, o, "code", json_integer(c->code)) != 0 ||
            (!payload_empty(&c->reason) &&
             cw_put(w, o, "reason", cw_payload(w, &c->reason, "send_close.reason")) != 0))
            goto fail;
    } else if (!payload_empty(&c->reason)) {
        cw_fail(w, "send_close.reason: a reason needs a code");
        goto fail;
    }
    return o;
fail:
    json_decref(o);
    return NULL;
}

static json_t *wait_json(struct cw *w, const struct wait_step *s) {
    static const char *const names[] = {
        [WAIT_MESSAGE] = "message", [WAIT_PING] = "ping", [WAIT_PONG] = "pong",
        [WAIT_CLOSE] = "close",     [WAIT_ANY] = "any",   [WAIT_EOF] = "eof"};
    if ((unsigned)s->what >= sizeof names / sizeof names[0] || s->count == 0)
        return cw_fail(w, "wait: kind %d, count %u cannot be written", (int)s->what, s->count);
    json_t *o = json_pack("{s:s}", "for", names[s->what]);
    if (!o)
        return cw_nomem(w);
    if ((s->count != 1 && cw_put(w, o, "count", json_integer(s->count)) != 0) ||
        (s->timeout_s != 0 && cw_put(w, o, "timeout", json_real(s->timeout_s)) != 0)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static bool is_send(enum step_kind k) {
    return k == STEP_SEND_FRAME || k == STEP_SEND_MESSAGE || k == STEP_SEND_CLOSE ||
           k == STEP_SEND_RAW || k == STEP_SEND_SERIES;
}

/* The write options beside a send step's key, where they differ from the
 * case's defaults (which the loader gives every send step). */
static int put_write_options(struct cw *w, json_t *o, const struct step *s) {
    if (!is_send(s->kind)) {
        if (s->chop || s->chop_delay_s != 0 || s->coalesce) {
            cw_fail(w, "a step of kind %d has write options: only send steps take them",
                    (int)s->kind);
            return -1;
        }
        return 0;
    }
    if (!w->timing)
        return 0;
    if ((s->chop != w->chop && cw_put(w, o, "chop", json_integer(s->chop)) != 0) ||
        (s->chop_delay_s != w->chop_delay_s &&
         cw_put(w, o, "chop_delay", json_real(s->chop_delay_s)) != 0) ||
        (s->coalesce && cw_put(w, o, "coalesce", json_true()) != 0))
        return -1;
    return 0;
}

static json_t *step_json(struct cw *w, const struct step *s) {
    json_t *o = json_object();
    if (!o)
        return cw_nomem(w);
    const char *key = NULL;
    json_t *v = NULL;
    switch (s->kind) {
    case STEP_SEND_FRAME: key = "send_frame", v = frame_json(w, &s->u.frame); break;
    case STEP_SEND_MESSAGE: key = "send_message", v = message_json(w, &s->u.message); break;
    case STEP_SEND_CLOSE: key = "send_close", v = close_json(w, &s->u.close); break;
    case STEP_SEND_RAW: key = "send_raw", v = cw_payload(w, &s->u.raw, "send_raw"); break;
    case STEP_PAUSE: key = "pause", v = json_real(s->u.pause_s); break;
    case STEP_WAIT: key = "wait", v = wait_json(w, &s->u.wait); break;
    case STEP_MARK:
        key = "mark";
        v = s->u.mark && s->u.mark[0] ? json_string(s->u.mark)
                                      : cw_fail(w, "mark: a mark needs a name");
        break;
    case STEP_REPEAT:
        key = "repeat";
        if (s->u.repeat.step_count == 0)
            v = cw_fail(w, "repeat: needs at least one step");
        else
            v = json_pack("{s:i,s:o}", "count", (json_int_t)s->u.repeat.count, "steps",
                          cw_steps(w, s->u.repeat.steps, s->u.repeat.step_count));
        break;
    case STEP_SHUTDOWN: key = "shutdown", v = json_true(); break;
    case STEP_SEND_SERIES: key = "send_series", v = series_json(w, &s->u.series); break;
    }
    if (!key)
        cw_fail(w, "unknown step kind %d", (int)s->kind);
    if (!key || cw_put(w, o, key, v) != 0 || put_write_options(w, o, s) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *cw_steps(struct cw *w, const struct step *steps, size_t n) {
    json_t *list = json_array();
    if (!list)
        return cw_nomem(w);
    for (size_t i = 0; i < n; i++) {
        if (cw_append(w, list, step_json(w, &steps[i])) != 0) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

/* ---- the request ------------------------------------------------------------ */

static int put_string(struct cw *w, json_t *o, const char *key, const char *s) {
    return s ? cw_put(w, o, key, json_string(s)) : 0;
}

static json_t *headers_json(struct cw *w, const struct handshake_override *h) {
    json_t *list = json_array();
    if (!list)
        return cw_nomem(w);
    for (size_t i = 0; i < h->header_count; i++) {
        const char *op = h->headers[i].op == HANDSHAKE_HDR_SET    ? "set"
                         : h->headers[i].op == HANDSHAKE_HDR_ADD  ? "add"
                         : h->headers[i].op == HANDSHAKE_HDR_OMIT ? "omit"
                                                                  : NULL;
        json_t *e = op && h->headers[i].name
                        ? json_pack("{s:s}", op, h->headers[i].name)
                        : cw_fail(w, "handshake.headers[%zu]: no op or name", i);
        if (cw_append(w, list, e) != 0 || put_string(w, e, "value", h->headers[i].value) != 0) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

json_t *cw_handshake(struct cw *w, const struct handshake_override *h) {
    json_t *o = json_object();
    if (!o)
        return cw_nomem(w);
    if (h->raw_set) {
        /* "raw" is the whole request: no other field goes with it. */
        if (h->target || h->protocols || h->extensions || h->header_count || h->method ||
            h->http_version || h->query || h->host_form != HOST_FORM_URL) {
            cw_fail(w, "handshake: a raw request cannot go with other fields");
            goto fail;
        }
        if (cw_put(w, o, "raw", cw_payload(w, &h->raw, "handshake.raw")) != 0)
            goto fail;
        return o;
    }
    if (put_string(w, o, "target", h->target) != 0 || put_string(w, o, "query", h->query) != 0 ||
        put_string(w, o, "method", h->method) != 0 ||
        put_string(w, o, "http_version", h->http_version) != 0 ||
        (h->host_form != HOST_FORM_URL &&
         cw_put(w, o, "host_port", json_boolean(h->host_form == HOST_FORM_PORT)) != 0) ||
        put_string(w, o, "protocols", h->protocols) != 0 ||
        put_string(w, o, "extensions", h->extensions) != 0 ||
        (h->header_count > 0 && cw_put(w, o, "headers", headers_json(w, h)) != 0))
        goto fail;
    return o;
fail:
    json_decref(o);
    return NULL;
}
