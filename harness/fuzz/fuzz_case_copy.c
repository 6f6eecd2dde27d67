/* fuzz_case_copy: a deep copy of a case for the mutator. Stands in for
 * case_copy (load/casewrite.h) until that lands on main; the lead folds the
 * two (fuzz_mutate.c then calls case_copy). */
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "fuzz/fuzz_mutate_int.h"

static int dup_str(char **dst, const char *src) {
    *dst = NULL;
    if (!src)
        return 0;
    *dst = strdup(src);
    return *dst ? 0 : -1;
}

static int dup_strs(char ***dst, const char *const *src, size_t n) {
    *dst = NULL;
    if (n == 0)
        return 0;
    *dst = calloc(n, sizeof **dst);
    if (!*dst)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (dup_str(&(*dst)[i], src[i]) != 0)
            return -1;
    return 0;
}

static int dup_mem(void **dst, const void *src, size_t n) {
    *dst = NULL;
    if (n == 0 || !src)
        return 0;
    *dst = malloc(n);
    if (!*dst)
        return -1;
    memcpy(*dst, src, n);
    return 0;
}

int fuzz_copy_steps(struct step **dst, const struct step *src, size_t n) {
    *dst = n ? calloc(n, sizeof **dst) : NULL;
    if (n && !*dst)
        return -1;
    for (size_t i = 0; i < n; i++) {
        struct step *d = &(*dst)[i];
        const struct step *s = &src[i];
        *d = *s;
        int rc = 0;
        switch (s->kind) {
        case STEP_SEND_FRAME:
            memset(&d->u.frame.payload, 0, sizeof d->u.frame.payload);
            rc = payload_copy(&d->u.frame.payload, &s->u.frame.payload);
            break;
        case STEP_SEND_MESSAGE:
            memset(&d->u.message.payload, 0, sizeof d->u.message.payload);
            d->u.message.fragments = NULL;
            rc = payload_copy(&d->u.message.payload, &s->u.message.payload) ||
                 dup_mem((void **)&d->u.message.fragments, s->u.message.fragments,
                         s->u.message.fragment_count * sizeof *s->u.message.fragments);
            break;
        case STEP_SEND_SERIES:
            d->u.series.fragments = NULL;
            rc = dup_mem((void **)&d->u.series.fragments, s->u.series.fragments,
                         s->u.series.fragment_count * sizeof *s->u.series.fragments);
            break;
        case STEP_SEND_CLOSE:
            memset(&d->u.close.reason, 0, sizeof d->u.close.reason);
            memset(&d->u.close.raw, 0, sizeof d->u.close.raw);
            rc = payload_copy(&d->u.close.reason, &s->u.close.reason) ||
                 payload_copy(&d->u.close.raw, &s->u.close.raw);
            break;
        case STEP_SEND_RAW:
            memset(&d->u.raw, 0, sizeof d->u.raw);
            rc = payload_copy(&d->u.raw, &s->u.raw);
            break;
        case STEP_MARK: rc = dup_str(&d->u.mark, s->u.mark); break;
        case STEP_REPEAT:
            d->u.repeat.steps = NULL;
            rc = fuzz_copy_steps(&d->u.repeat.steps, s->u.repeat.steps, s->u.repeat.step_count);
            if (rc != 0)
                d->u.repeat.step_count = 0;
            break;
        default: break;
        }
        if (rc != 0) {
            /* what is copied so far is freed by the caller's case_free */
            for (size_t j = i + 1; j < n; j++)
                (*dst)[j].kind = STEP_PAUSE;
            return -1;
        }
    }
    return 0;
}

static int copy_events(struct expect_event **dst, const struct expect_event *src, size_t n) {
    *dst = n ? calloc(n, sizeof **dst) : NULL;
    if (n && !*dst)
        return -1;
    for (size_t i = 0; i < n; i++) {
        struct expect_event *d = &(*dst)[i];
        *d = src[i];
        memset(&d->payload, 0, sizeof d->payload);
        d->mark = NULL;
        d->alternatives = NULL;
        d->alternative_count = 0;
        if (payload_copy(&d->payload, &src[i].payload) != 0 || dup_str(&d->mark, src[i].mark) ||
            copy_events(&d->alternatives, src[i].alternatives, src[i].alternative_count) != 0)
            return -1;
        d->alternative_count = src[i].alternative_count;
    }
    return 0;
}

static int copy_outcomes(struct wcase *dst, const struct wcase *src) {
    size_t n = src->outcome_count;
    dst->outcomes = n ? calloc(n, sizeof *dst->outcomes) : NULL;
    if (n && !dst->outcomes)
        return -1;
    dst->outcome_count = n;
    for (size_t i = 0; i < n; i++) {
        struct outcome *d = &dst->outcomes[i];
        const struct outcome *s = &src->outcomes[i];
        *d = *s;
        d->note = d->behaviour = NULL;
        d->events = NULL;
        d->event_count = 0;
        d->close.codes = NULL;
        d->handshake.statuses = NULL;
        d->handshake.headers = NULL;
        d->handshake.header_count = 0;
        d->handshake.absent = NULL;
        d->handshake.absent_count = 0;
        if (dup_str(&d->note, s->note) || dup_str(&d->behaviour, s->behaviour) ||
            copy_events(&d->events, s->events, s->event_count) != 0)
            return -1;
        d->event_count = s->event_count;
        if (dup_mem((void **)&d->close.codes, s->close.codes,
                    s->close.code_count * sizeof *s->close.codes) ||
            dup_mem((void **)&d->handshake.statuses, s->handshake.statuses,
                    s->handshake.status_count * sizeof *s->handshake.statuses))
            return -1;
        if (s->handshake.header_count) {
            d->handshake.headers = calloc(s->handshake.header_count, sizeof *d->handshake.headers);
            if (!d->handshake.headers)
                return -1;
            d->handshake.header_count = s->handshake.header_count;
            for (size_t k = 0; k < s->handshake.header_count; k++)
                if (dup_str(&d->handshake.headers[k].name, s->handshake.headers[k].name) ||
                    dup_str(&d->handshake.headers[k].value, s->handshake.headers[k].value))
                    return -1;
        }
        if (dup_strs(&d->handshake.absent, (const char *const *)s->handshake.absent,
                     s->handshake.absent_count) != 0)
            return -1;
        d->handshake.absent_count = s->handshake.absent_count;
    }
    return 0;
}

static int copy_handshake(struct handshake_override *d, const struct handshake_override *s) {
    *d = *s;
    d->target = d->protocols = d->extensions = d->method = d->http_version = d->query = NULL;
    d->headers = NULL;
    d->header_count = 0;
    memset(&d->raw, 0, sizeof d->raw);
    if (dup_str(&d->target, s->target) || dup_str(&d->protocols, s->protocols) ||
        dup_str(&d->extensions, s->extensions) || dup_str(&d->method, s->method) ||
        dup_str(&d->http_version, s->http_version) || dup_str(&d->query, s->query) ||
        payload_copy(&d->raw, &s->raw) != 0)
        return -1;
    if (s->header_count) {
        d->headers = calloc(s->header_count, sizeof *d->headers);
        if (!d->headers)
            return -1;
        d->header_count = s->header_count;
        for (size_t i = 0; i < s->header_count; i++) {
            d->headers[i].op = s->headers[i].op;
            if (dup_str(&d->headers[i].name, s->headers[i].name) ||
                dup_str(&d->headers[i].value, s->headers[i].value))
                return -1;
        }
    }
    return 0;
}

int fuzz_case_copy(struct wcase *dst, const struct wcase *src) {
    memset(dst, 0, sizeof *dst);
    struct wcase *d = dst;
    d->timeout_s = src->timeout_s;
    d->close_timeout_s = src->close_timeout_s;
    d->chop = src->chop;
    d->chop_delay_s = src->chop_delay_s;
    d->max_message = src->max_message;
    d->has_handshake = src->has_handshake;
    d->deflate = src->deflate;
    d->deflate.offers = NULL;
    d->deflate.offer_count = 0;
    d->pos.line = src->pos.line;
    int rc = dup_str(&d->id, src->id) || dup_str(&d->title, src->title) ||
             dup_str(&d->description, src->description) ||
             dup_str(&d->requirement, src->requirement) || dup_str(&d->autobahn, src->autobahn) ||
             dup_str(&d->pos.file, src->pos.file) ||
             dup_strs(&d->rfc, (const char *const *)src->rfc, src->rfc_count) ||
             dup_strs(&d->tags, (const char *const *)src->tags, src->tag_count);
    if (rc == 0) {
        d->rfc_count = src->rfc_count;
        d->tag_count = src->tag_count;
        rc = copy_handshake(&d->handshake, &src->handshake) ||
             dup_mem((void **)&d->deflate.offers, src->deflate.offers,
                     src->deflate.offer_count * sizeof *src->deflate.offers);
    }
    if (rc == 0) {
        d->deflate.offer_count = src->deflate.offer_count;
        rc = fuzz_copy_steps(&d->steps, src->steps, src->step_count);
        d->step_count = d->steps ? src->step_count : 0;
    }
    if (rc == 0)
        rc = copy_outcomes(d, src);
    if (rc != 0) {
        case_free(d);
        return WS_ERR_NOMEM;
    }
    return 0;
}
