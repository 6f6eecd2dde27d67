/* casemodel: names and destructors of the case model (casemodel.h). */
#include "model/casemodel.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "model/dataset.h"

const char *verdict_name(enum verdict v) {
    switch (v) {
    case VERDICT_PASS: return "pass";
    case VERDICT_NON_STRICT: return "non-strict";
    case VERDICT_INFORMATIONAL: return "informational";
    case VERDICT_UNIMPLEMENTED: return "unimplemented";
    case VERDICT_FAIL: return "fail";
    case VERDICT_ERROR: return "error";
    case VERDICT_COUNT: break;
    }
    return "?";
}

bool handshake_expect_status(const struct handshake_expect *h, int status) {
    for (size_t i = 0; i < h->status_count; i++) {
        int want = h->statuses[i];
        if (want == status || (want < 10 && status / 100 == want))
            return true;
    }
    return false;
}

static void steps_free(struct step *steps, size_t n);

static void step_free(struct step *s) {
    switch (s->kind) {
    case STEP_SEND_FRAME: payload_free(&s->u.frame.payload); break;
    case STEP_SEND_MESSAGE:
        payload_free(&s->u.message.payload);
        free(s->u.message.fragments);
        break;
    case STEP_SEND_CLOSE:
        payload_free(&s->u.close.reason);
        payload_free(&s->u.close.raw);
        break;
    case STEP_SEND_RAW: payload_free(&s->u.raw); break;
    case STEP_SEND_SERIES: free(s->u.series.fragments); break;
    case STEP_MARK: free(s->u.mark); break;
    case STEP_REPEAT: steps_free(s->u.repeat.steps, s->u.repeat.step_count); break;
    case STEP_PAUSE:
    case STEP_WAIT:
    case STEP_SHUTDOWN: break;
    }
    memset(s, 0, sizeof *s);
}

static void steps_free(struct step *steps, size_t n) {
    for (size_t i = 0; i < n && steps; i++)
        step_free(&steps[i]);
    free(steps);
}

static void events_free(struct expect_event *ev, size_t n) {
    for (size_t i = 0; i < n && ev; i++) {
        payload_free(&ev[i].payload);
        free(ev[i].mark);
        events_free(ev[i].alternatives, ev[i].alternative_count);
    }
    free(ev);
}

static void strings_free(char **v, size_t n) {
    for (size_t i = 0; i < n && v; i++)
        free(v[i]);
    free(v);
}

static void handshake_expect_free(struct handshake_expect *h) {
    free(h->statuses);
    for (size_t i = 0; i < h->header_count && h->headers; i++) {
        free(h->headers[i].name);
        free(h->headers[i].value);
    }
    free(h->headers);
    strings_free(h->absent, h->absent_count);
    memset(h, 0, sizeof *h);
}

/* Frees everything the case owns and zeroes it; NULL and a zeroed case are
 * fine. */
void case_free(struct wcase *c) {
    if (!c)
        return;
    free(c->id);
    free(c->title);
    free(c->description);
    strings_free(c->rfc, c->rfc_count);
    free(c->requirement);
    strings_free(c->tags, c->tag_count);
    free(c->autobahn);
    free(c->handshake.target);
    free(c->handshake.protocols);
    free(c->handshake.extensions);
    for (size_t i = 0; i < c->handshake.header_count && c->handshake.headers; i++) {
        free(c->handshake.headers[i].name);
        free(c->handshake.headers[i].value);
    }
    free(c->handshake.headers);
    free(c->handshake.method);
    free(c->stimulus);
    free(c->judging);
    free(c->handshake.http_version);
    free(c->handshake.query);
    free(c->deflate.offers);
    payload_free(&c->handshake.raw);
    steps_free(c->steps, c->step_count);
    for (size_t i = 0; i < c->outcome_count && c->outcomes; i++) {
        free(c->outcomes[i].note);
        free(c->outcomes[i].behaviour);
        events_free(c->outcomes[i].events, c->outcomes[i].event_count);
        free(c->outcomes[i].close.codes);
        handshake_expect_free(&c->outcomes[i].handshake);
    }
    free(c->outcomes);
    free(c->pos.file);
    memset(c, 0, sizeof *c);
}

const struct dataset *series_window(const struct series *s, uint32_t k, uint64_t *start) {
    const struct dataset *d = dataset_get((enum dataset_kind)s->dataset);
    if (d)
        *start = (s->start + (uint64_t)k * s->units) % d->units;
    return d;
}

int series_digest(const struct series *s, uint32_t k, uint64_t *octets, uint8_t sha[32]) {
    uint64_t start = 0;
    const struct dataset *d = series_window(s, k, &start);
    if (!d)
        return -1;
    *octets = dataset_window_octets(d, start, s->units);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1;
    uint8_t chunk[4096];
    for (uint64_t off = 0; ok && off < *octets;) {
        size_t n = *octets - off < sizeof chunk ? (size_t)(*octets - off) : sizeof chunk;
        dataset_window_read(d, start, s->units, off, chunk, n);
        ok = EVP_DigestUpdate(md, chunk, n) == 1;
        off += n;
    }
    unsigned int len = 0;
    ok = ok && EVP_DigestFinal_ex(md, sha, &len) == 1 && len == 32;
    EVP_MD_CTX_free(md);
    return ok ? 0 : -1;
}

static void series_profile(struct series *s, bool quick) {
    s->count = quick && s->full_count > SERIES_QUICK_COUNT ? SERIES_QUICK_COUNT : s->full_count;
}

static void steps_profile(struct step *steps, size_t n, bool quick) {
    for (size_t i = 0; i < n; i++) {
        if (steps[i].kind == STEP_SEND_SERIES)
            series_profile(&steps[i].u.series.series, quick);
        else if (steps[i].kind == STEP_REPEAT)
            steps_profile(steps[i].u.repeat.steps, steps[i].u.repeat.step_count, quick);
    }
}

static void events_profile(struct expect_event *ev, size_t n, bool quick) {
    for (size_t i = 0; i < n; i++) {
        if (ev[i].kind == EXPECT_SERIES)
            series_profile(&ev[i].series, quick);
        events_profile(ev[i].alternatives, ev[i].alternative_count, quick);
    }
}

void case_apply_profile(struct wcase *c, bool quick) {
    steps_profile(c->steps, c->step_count, quick);
    for (size_t i = 0; i < c->outcome_count; i++)
        events_profile(c->outcomes[i].events, c->outcomes[i].event_count, quick);
}

void case_list_free(struct case_list *l) {
    if (!l)
        return;
    for (size_t i = 0; i < l->count; i++)
        case_free(&l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}
