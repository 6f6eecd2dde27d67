/* casecopy: case_copy and case_equal (casewrite.h), for mutators and
 * minimizers: a deep copy of a case, every owned field of struct wcase
 * (casemodel.h) duplicated so the copy is changed and freed (case_free) on
 * its own; and a field-by-field comparison of two cases. */
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "load/casewrite.h"

/* *dst = a copy of s (NULL stays NULL); -1 when memory ran out. */
static int dup_str(char **dst, const char *s) {
    *dst = NULL;
    if (!s)
        return 0;
    return (*dst = strdup(s)) ? 0 : -1;
}

/* A copy of n elements of size each (NULL for none). */
static int dup_mem(void **dst, const void *src, size_t n, size_t size) {
    *dst = NULL;
    if (n == 0 || !src)
        return 0;
    if (!(*dst = malloc(n * size)))
        return -1;
    memcpy(*dst, src, n * size);
    return 0;
}

static int dup_strs(char ***dst, char *const *src, size_t n) {
    *dst = NULL;
    if (n == 0)
        return 0;
    if (!(*dst = calloc(n, sizeof **dst)))
        return -1;
    for (size_t i = 0; i < n; i++)
        if (dup_str(&(*dst)[i], src[i]) != 0)
            return -1; /* the caller frees the zeroed rest through case_free */
    return 0;
}

/* Each copy starts from a bitwise copy of its source with every owned
 * pointer cleared, then fills them in; on failure what is filled so far is
 * owned by the destination, which case_free releases. */

static int copy_step(struct step *d, const struct step *s) {
    *d = *s;
    switch (s->kind) {
    case STEP_SEND_FRAME:
        memset(&d->u.frame.payload, 0, sizeof d->u.frame.payload);
        return payload_copy(&d->u.frame.payload, &s->u.frame.payload);
    case STEP_SEND_MESSAGE:
        memset(&d->u.message.payload, 0, sizeof d->u.message.payload);
        d->u.message.fragments = NULL;
        if (dup_mem((void **)&d->u.message.fragments, s->u.message.fragments,
                    s->u.message.fragment_count, sizeof *s->u.message.fragments) != 0) {
            d->u.message.fragment_count = 0;
            return -1;
        }
        return payload_copy(&d->u.message.payload, &s->u.message.payload);
    case STEP_SEND_SERIES:
        if (dup_mem((void **)&d->u.series.fragments, s->u.series.fragments,
                    s->u.series.fragment_count, sizeof *s->u.series.fragments) != 0) {
            d->u.series.fragment_count = 0;
            return -1;
        }
        return 0;
    case STEP_SEND_CLOSE:
        memset(&d->u.close.reason, 0, sizeof d->u.close.reason);
        memset(&d->u.close.raw, 0, sizeof d->u.close.raw);
        if (payload_copy(&d->u.close.reason, &s->u.close.reason) != 0)
            return -1;
        return payload_copy(&d->u.close.raw, &s->u.close.raw);
    case STEP_SEND_RAW:
        memset(&d->u.raw, 0, sizeof d->u.raw);
        return payload_copy(&d->u.raw, &s->u.raw);
    case STEP_MARK: return dup_str(&d->u.mark, s->u.mark);
    case STEP_REPEAT:
        d->u.repeat.steps = NULL;
        d->u.repeat.step_count = 0;
        if (case_copy_steps(&d->u.repeat.steps, s->u.repeat.steps, s->u.repeat.step_count) != 0)
            return -1;
        d->u.repeat.step_count = s->u.repeat.step_count;
        return 0;
    case STEP_PAUSE:
    case STEP_WAIT:
    case STEP_SHUTDOWN: return 0;
    }
    return 0;
}

int case_copy_steps(struct step **dst, const struct step *src, size_t n) {
    *dst = NULL;
    if (n == 0)
        return 0;
    struct step *steps = calloc(n, sizeof *steps);
    if (!steps)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (copy_step(&steps[i], &src[i]) != 0) {
            struct wcase tmp = {0};
            tmp.steps = steps;
            tmp.step_count = i + 1;
            case_free(&tmp);
            return -1;
        }
    }
    *dst = steps;
    return 0;
}

static int copy_events(struct expect_event **dst, size_t *count, const struct expect_event *src,
                       size_t n) {
    *dst = NULL;
    *count = 0;
    if (n == 0)
        return 0;
    struct expect_event *ev = calloc(n, sizeof *ev);
    if (!ev)
        return -1;
    *dst = ev;
    for (size_t i = 0; i < n; i++) {
        ev[i] = src[i];
        memset(&ev[i].payload, 0, sizeof ev[i].payload);
        ev[i].mark = NULL;
        ev[i].alternatives = NULL;
        ev[i].alternative_count = 0;
        *count = i + 1;
        if (payload_copy(&ev[i].payload, &src[i].payload) != 0 ||
            dup_str(&ev[i].mark, src[i].mark) != 0 ||
            copy_events(&ev[i].alternatives, &ev[i].alternative_count, src[i].alternatives,
                        src[i].alternative_count) != 0)
            return -1;
    }
    return 0;
}

static int copy_handshake_expect(struct handshake_expect *d, const struct handshake_expect *s) {
    *d = *s;
    d->statuses = NULL;
    d->headers = NULL;
    d->header_count = 0;
    d->absent = NULL;
    d->absent_count = 0;
    if (dup_mem((void **)&d->statuses, s->statuses, s->status_count, sizeof *s->statuses) != 0) {
        d->status_count = 0;
        return -1;
    }
    if (s->header_count > 0) {
        if (!(d->headers = calloc(s->header_count, sizeof *d->headers)))
            return -1;
        for (size_t i = 0; i < s->header_count; i++) {
            d->header_count = i + 1;
            if (dup_str(&d->headers[i].name, s->headers[i].name) != 0 ||
                dup_str(&d->headers[i].value, s->headers[i].value) != 0)
                return -1;
        }
    }
    d->absent_count = s->absent_count;
    return dup_strs(&d->absent, s->absent, s->absent_count);
}

static int copy_outcome(struct outcome *d, const struct outcome *s) {
    *d = *s;
    d->note = d->behaviour = NULL;
    d->events = NULL;
    d->event_count = 0;
    d->close.codes = NULL;
    d->close.code_count = 0;
    memset(&d->handshake, 0, sizeof d->handshake);
    if (dup_str(&d->note, s->note) != 0 || dup_str(&d->behaviour, s->behaviour) != 0 ||
        copy_events(&d->events, &d->event_count, s->events, s->event_count) != 0)
        return -1;
    if (dup_mem((void **)&d->close.codes, s->close.codes, s->close.code_count,
                sizeof *s->close.codes) != 0)
        return -1;
    d->close.code_count = s->close.code_count;
    return copy_handshake_expect(&d->handshake, &s->handshake);
}

static int copy_handshake(struct handshake_override *d, const struct handshake_override *s) {
    *d = *s;
    d->target = d->protocols = d->extensions = d->method = d->http_version = d->query = NULL;
    d->headers = NULL;
    d->header_count = 0;
    memset(&d->raw, 0, sizeof d->raw);
    if (dup_str(&d->target, s->target) != 0 || dup_str(&d->protocols, s->protocols) != 0 ||
        dup_str(&d->extensions, s->extensions) != 0 || dup_str(&d->method, s->method) != 0 ||
        dup_str(&d->http_version, s->http_version) != 0 || dup_str(&d->query, s->query) != 0 ||
        payload_copy(&d->raw, &s->raw) != 0)
        return -1;
    if (s->header_count > 0) {
        if (!(d->headers = calloc(s->header_count, sizeof *d->headers)))
            return -1;
        for (size_t i = 0; i < s->header_count; i++) {
            d->header_count = i + 1;
            d->headers[i].op = s->headers[i].op;
            if (dup_str(&d->headers[i].name, s->headers[i].name) != 0 ||
                dup_str(&d->headers[i].value, s->headers[i].value) != 0)
                return -1;
        }
    }
    return 0;
}

static int copy_case(struct wcase *d, const struct wcase *s) {
    *d = *s;
    d->id = d->title = d->description = d->requirement = d->autobahn = NULL;
    d->stimulus = d->judging = NULL;
    d->rfc = d->tags = NULL;
    d->rfc_count = d->tag_count = 0;
    memset(&d->handshake, 0, sizeof d->handshake);
    d->deflate.offers = NULL;
    d->deflate.offer_count = 0;
    d->steps = NULL;
    d->step_count = 0;
    d->outcomes = NULL;
    d->outcome_count = 0;
    d->pos.file = NULL;
    if (dup_str(&d->id, s->id) != 0 || dup_str(&d->title, s->title) != 0 ||
        dup_str(&d->description, s->description) != 0 ||
        dup_str(&d->requirement, s->requirement) != 0 || dup_str(&d->autobahn, s->autobahn) != 0 ||
        dup_str(&d->stimulus, s->stimulus) != 0 || dup_str(&d->judging, s->judging) != 0 ||
        dup_str(&d->pos.file, s->pos.file) != 0)
        return -1;
    d->rfc_count = s->rfc_count;
    if (dup_strs(&d->rfc, s->rfc, s->rfc_count) != 0)
        return -1;
    d->tag_count = s->tag_count;
    if (dup_strs(&d->tags, s->tags, s->tag_count) != 0 ||
        copy_handshake(&d->handshake, &s->handshake) != 0)
        return -1;
    if (dup_mem((void **)&d->deflate.offers, s->deflate.offers, s->deflate.offer_count,
                sizeof *s->deflate.offers) != 0)
        return -1;
    d->deflate.offer_count = s->deflate.offer_count;
    if (case_copy_steps(&d->steps, s->steps, s->step_count) != 0)
        return -1;
    d->step_count = s->step_count;
    if (s->outcome_count > 0) {
        if (!(d->outcomes = calloc(s->outcome_count, sizeof *d->outcomes)))
            return -1;
        for (size_t i = 0; i < s->outcome_count; i++) {
            d->outcome_count = i + 1;
            if (copy_outcome(&d->outcomes[i], &s->outcomes[i]) != 0)
                return -1;
        }
    }
    return 0;
}

int case_copy(struct wcase *dst, const struct wcase *src) {
    if (copy_case(dst, src) == 0)
        return 0;
    case_free(dst);
    return WS_ERR_NOMEM;
}

/* ---- equality ------------------------------------------------------------ */

static bool str_eq(const char *a, const char *b) {
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool strs_eq(char *const *a, size_t na, char *const *b, size_t nb) {
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (!str_eq(a[i], b[i]))
            return false;
    return true;
}

static bool mem_eq(const void *a, const void *b, size_t n) {
    return n == 0 || (a && b && memcmp(a, b, n) == 0);
}

static bool payload_eq(const struct payload *a, const struct payload *b) {
    if (a->kind != b->kind || a->length != b->length)
        return false;
    switch (a->kind) {
    case PAYLOAD_BYTES: return mem_eq(a->bytes, b->bytes, (size_t)a->length);
    case PAYLOAD_REPEAT:
        return a->unit_len == b->unit_len && mem_eq(a->bytes, b->bytes, a->unit_len);
    case PAYLOAD_RANDOM: return a->seed == b->seed;
    case PAYLOAD_CONCAT:
        if (a->part_count != b->part_count)
            return false;
        for (size_t i = 0; i < a->part_count; i++)
            if (!payload_eq(&a->parts[i], &b->parts[i]))
                return false;
        return true;
    case PAYLOAD_DATASET:
        return a->dataset.kind == b->dataset.kind && a->dataset.start == b->dataset.start &&
               a->dataset.units == b->dataset.units;
    }
    return false;
}

static bool series_eq(const struct series *a, const struct series *b) {
    return a->dataset == b->dataset && a->start == b->start && a->units == b->units &&
           a->count == b->count && a->full_count == b->full_count;
}

static bool steps_eq(const struct step *a, const struct step *b, size_t n);

static bool step_eq(const struct step *a, const struct step *b) {
    if (a->kind != b->kind || a->chop != b->chop || a->chop_delay_s != b->chop_delay_s ||
        a->coalesce != b->coalesce)
        return false;
    switch (a->kind) {
    case STEP_SEND_FRAME: {
        const struct frame_step *x = &a->u.frame, *y = &b->u.frame;
        return x->fin == y->fin && x->rsv == y->rsv && x->opcode == y->opcode &&
               x->mask == y->mask && (x->mask != MASK_KEY || mem_eq(x->mask_key, y->mask_key, 4)) &&
               x->len_form == y->len_form && x->compress == y->compress &&
               x->declared_len_set == y->declared_len_set &&
               (!x->declared_len_set || x->declared_len == y->declared_len) &&
               payload_eq(&x->payload, &y->payload);
    }
    case STEP_SEND_MESSAGE: {
        const struct message_step *x = &a->u.message, *y = &b->u.message;
        return x->opcode == y->opcode && x->rsv == y->rsv && x->mask == y->mask &&
               x->compress == y->compress && payload_eq(&x->payload, &y->payload) &&
               x->fragment_count == y->fragment_count &&
               mem_eq(x->fragments, y->fragments, x->fragment_count * sizeof *x->fragments);
    }
    case STEP_SEND_SERIES: {
        const struct series_step *x = &a->u.series, *y = &b->u.series;
        return x->opcode == y->opcode && series_eq(&x->series, &y->series) &&
               x->compress == y->compress && x->mask == y->mask &&
               x->fragment_count == y->fragment_count &&
               mem_eq(x->fragments, y->fragments, x->fragment_count * sizeof *x->fragments);
    }
    case STEP_SEND_CLOSE: {
        const struct close_step *x = &a->u.close, *y = &b->u.close;
        return x->has_code == y->has_code && (!x->has_code || x->code == y->code) &&
               payload_eq(&x->reason, &y->reason) && x->raw_set == y->raw_set &&
               payload_eq(&x->raw, &y->raw) && x->mask == y->mask;
    }
    case STEP_SEND_RAW: return payload_eq(&a->u.raw, &b->u.raw);
    case STEP_PAUSE: return a->u.pause_s == b->u.pause_s;
    case STEP_WAIT:
        return a->u.wait.what == b->u.wait.what && a->u.wait.count == b->u.wait.count &&
               a->u.wait.timeout_s == b->u.wait.timeout_s;
    case STEP_MARK: return str_eq(a->u.mark, b->u.mark);
    case STEP_REPEAT:
        return a->u.repeat.count == b->u.repeat.count &&
               a->u.repeat.step_count == b->u.repeat.step_count &&
               steps_eq(a->u.repeat.steps, b->u.repeat.steps, a->u.repeat.step_count);
    case STEP_SHUTDOWN: return true;
    }
    return false;
}

static bool steps_eq(const struct step *a, const struct step *b, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!step_eq(&a[i], &b[i]))
            return false;
    return true;
}

static bool events_eq(const struct expect_event *a, const struct expect_event *b, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const struct expect_event *x = &a[i], *y = &b[i];
        if (x->kind != y->kind || x->times != y->times || x->optional != y->optional ||
            x->payload_set != y->payload_set || !payload_eq(&x->payload, &y->payload) ||
            !str_eq(x->mark, y->mark) || x->alternative_count != y->alternative_count ||
            !events_eq(x->alternatives, y->alternatives, x->alternative_count))
            return false;
        if ((x->kind == EXPECT_MESSAGE || x->kind == EXPECT_SERIES) && x->opcode != y->opcode)
            return false;
        if (x->kind == EXPECT_SERIES && !series_eq(&x->series, &y->series))
            return false;
    }
    return true;
}

static bool handshake_expect_eq(const struct handshake_expect *a,
                                const struct handshake_expect *b) {
    if (a->set != b->set || a->status_count != b->status_count ||
        !mem_eq(a->statuses, b->statuses, a->status_count * sizeof *a->statuses) ||
        a->allow_no_response != b->allow_no_response || a->allow_silence != b->allow_silence ||
        a->header_count != b->header_count ||
        !strs_eq(a->absent, a->absent_count, b->absent, b->absent_count))
        return false;
    for (size_t i = 0; i < a->header_count; i++)
        if (!str_eq(a->headers[i].name, b->headers[i].name) ||
            !str_eq(a->headers[i].value, b->headers[i].value))
            return false;
    return true;
}

bool case_outcome_equal(const struct outcome *a, const struct outcome *b) {
    const struct close_expect *x = &a->close, *y = &b->close;
    return a->verdict == b->verdict && str_eq(a->note, b->note) &&
           str_eq(a->behaviour, b->behaviour) && a->any_events == b->any_events &&
           a->event_count == b->event_count && events_eq(a->events, b->events, a->event_count) &&
           x->by == y->by && x->code_count == y->code_count &&
           mem_eq(x->codes, y->codes, x->code_count * sizeof *x->codes) &&
           x->allow_no_code == y->allow_no_code && x->allow_drop == y->allow_drop &&
           x->exact == y->exact && handshake_expect_eq(&a->handshake, &b->handshake) &&
           a->deflate == b->deflate && a->accept_limit == b->accept_limit;
}

static bool handshake_eq(const struct handshake_override *a, const struct handshake_override *b) {
    if (!str_eq(a->target, b->target) || !str_eq(a->protocols, b->protocols) ||
        !str_eq(a->extensions, b->extensions) || !str_eq(a->method, b->method) ||
        !str_eq(a->http_version, b->http_version) || !str_eq(a->query, b->query) ||
        a->host_form != b->host_form || a->raw_set != b->raw_set || !payload_eq(&a->raw, &b->raw) ||
        a->header_count != b->header_count)
        return false;
    for (size_t i = 0; i < a->header_count; i++)
        if (a->headers[i].op != b->headers[i].op ||
            !str_eq(a->headers[i].name, b->headers[i].name) ||
            !str_eq(a->headers[i].value, b->headers[i].value))
            return false;
    return true;
}

static bool deflate_eq(const struct deflate_config *a, const struct deflate_config *b) {
    if (a->set != b->set || a->offer_count != b->offer_count || a->declined != b->declined ||
        a->keep_context != b->keep_context || a->window_bits != b->window_bits ||
        a->strict_window != b->strict_window)
        return false;
    for (size_t i = 0; i < a->offer_count; i++) {
        const struct deflate_offer *x = &a->offers[i], *y = &b->offers[i];
        if (x->server_no_context_takeover != y->server_no_context_takeover ||
            x->client_no_context_takeover != y->client_no_context_takeover ||
            x->server_max_window_bits != y->server_max_window_bits ||
            x->client_max_window_bits != y->client_max_window_bits ||
            x->client_max_window_bits_value != y->client_max_window_bits_value)
            return false;
    }
    return true;
}

bool case_equal(const struct wcase *a, const struct wcase *b) {
    if (!str_eq(a->id, b->id) || !str_eq(a->title, b->title) ||
        !str_eq(a->description, b->description) ||
        !strs_eq(a->rfc, a->rfc_count, b->rfc, b->rfc_count) ||
        !str_eq(a->requirement, b->requirement) ||
        !strs_eq(a->tags, a->tag_count, b->tags, b->tag_count) ||
        !str_eq(a->autobahn, b->autobahn) || a->timeout_s != b->timeout_s ||
        a->close_timeout_s != b->close_timeout_s || a->chop != b->chop ||
        a->chop_delay_s != b->chop_delay_s || a->max_message != b->max_message ||
        a->has_handshake != b->has_handshake || !handshake_eq(&a->handshake, &b->handshake) ||
        !deflate_eq(&a->deflate, &b->deflate) || a->step_count != b->step_count ||
        !steps_eq(a->steps, b->steps, a->step_count) || a->outcome_count != b->outcome_count)
        return false;
    for (size_t i = 0; i < a->outcome_count; i++)
        if (!case_outcome_equal(&a->outcomes[i], &b->outcomes[i]))
            return false;
    return true;
}
