/* casewrite: a case in memory written back as a case file (cases/README.md),
 * the reverse of caseload: the case object, its deflate config and its
 * outcomes here, steps, payloads and the request in casewrite_steps.c. The
 * canonical texts check-cases compares (wcase.stimulus, wcase.judging) are
 * written by the same code (case_write_keys), so a case read from a file and
 * the same case written and read back have the same texts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/errors.h"
#include "load/caseload_int.h"
#include "load/casewrite.h"
#include "load/casewrite_int.h"

/* The loader's defaults (caseload.c): a field equal to one is left out. */
#define DEFAULT_TIMEOUT_S       10.0
#define DEFAULT_CLOSE_TIMEOUT_S 2.0
#define DEFAULT_MAX_MESSAGE     (64u * 1024u * 1024u)

/* ---- outcomes --------------------------------------------------------------- */

static json_t *events_json(struct cw *w, const struct expect_event *ev, size_t n);

static json_t *event_body(struct cw *w, const struct expect_event *e) {
    json_t *v = NULL;
    switch (e->kind) {
    case EXPECT_MESSAGE:
        /* 6455:5.6: an echo is a text or a binary message. */
        v = json_pack("{s:o}", "opcode", cw_opcode(e->opcode));
        if (v && e->payload_set &&
            cw_put(w, v, "payload", cw_payload(w, &e->payload, "message.payload")) != 0) {
            json_decref(v);
            return NULL;
        }
        return v ? v : cw_nomem(w);
    case EXPECT_PING:
    case EXPECT_PONG: /* null: any payload */
        return e->payload_set ? cw_payload(w, &e->payload, "ping/pong event") : json_null();
    case EXPECT_MARK:
        return e->mark && e->mark[0] ? json_string(e->mark) : cw_fail(w, "mark: needs a name");
    case EXPECT_ANY_OF:
        if (e->alternative_count == 0)
            return cw_fail(w, "any_of: needs at least one event");
        return events_json(w, e->alternatives, e->alternative_count);
    case EXPECT_SERIES:
        v = json_pack("{s:o}", "opcode", cw_opcode(e->opcode));
        if (v && cw_series(w, v, &e->series) != 0) {
            json_decref(v);
            return NULL;
        }
        return v ? v : cw_nomem(w);
    }
    return cw_fail(w, "unknown event kind %d", (int)e->kind);
}

static json_t *events_json(struct cw *w, const struct expect_event *ev, size_t n) {
    static const char *const names[] = {
        [EXPECT_MESSAGE] = "message", [EXPECT_PING] = "ping",     [EXPECT_PONG] = "pong",
        [EXPECT_MARK] = "mark",       [EXPECT_ANY_OF] = "any_of", [EXPECT_SERIES] = "series"};
    json_t *list = json_array();
    if (!list)
        return cw_nomem(w);
    for (size_t i = 0; i < n; i++) {
        const struct expect_event *e = &ev[i];
        json_t *o = json_object();
        if (cw_append(w, list, o) != 0 || (unsigned)e->kind >= sizeof names / sizeof names[0] ||
            cw_put(w, o, names[e->kind], event_body(w, e)) != 0 ||
            (e->times != 1 && cw_put(w, o, "times", json_integer(e->times)) != 0) ||
            (e->optional && cw_put(w, o, "optional", json_true()) != 0)) {
            if (w->rc == 0)
                cw_fail(w, "event kind %d cannot be written", (int)e->kind);
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

static json_t *close_json(struct cw *w, const struct close_expect *c) {
    static const char *const by[] = {[CLOSE_BY_ANY] = "any",
                                     [CLOSE_BY_PEER] = "peer",
                                     [CLOSE_BY_US] = "us",
                                     [CLOSE_BY_NONE] = "none"};
    if ((unsigned)c->by >= sizeof by / sizeof by[0])
        return cw_fail(w, "close.by: %d", (int)c->by);
    json_t *o = json_pack("{s:s}", "by", by[c->by]);
    json_t *codes = json_array();
    if (!o || !codes) {
        json_decref(o);
        json_decref(codes);
        return cw_nomem(w);
    }
    for (size_t i = 0; i < c->code_count; i++)
        if (cw_append(w, codes, json_integer(c->codes[i])) != 0)
            goto fail;
    if ((c->code_count > 0 && cw_put(w, o, "codes", json_incref(codes)) != 0) ||
        (c->allow_no_code && cw_put(w, o, "allow_no_code", json_true()) != 0) ||
        (c->allow_drop && cw_put(w, o, "allow_drop", json_true()) != 0) ||
        (c->exact && cw_put(w, o, "exact", json_true()) != 0))
        goto fail;
    json_decref(codes);
    return o;
fail:
    json_decref(codes);
    json_decref(o);
    return NULL;
}

static json_t *handshake_expect_json(struct cw *w, const struct handshake_expect *h) {
    json_t *o = json_object(), *status = json_array();
    if (!o || !status || cw_put(w, o, "status", status) != 0) {
        json_decref(o);
        return cw_nomem(w);
    }
    for (size_t i = 0; i < h->status_count; i++) {
        /* 1..5 stands for a class ("4xx"). */
        char cls[4] = {(char)('0' + h->statuses[i]), 'x', 'x', '\0'};
        json_t *s = h->statuses[i] >= 1 && h->statuses[i] <= 5 ? json_string(cls)
                                                               : json_integer(h->statuses[i]);
        if (cw_append(w, status, s) != 0)
            goto fail;
    }
    if (h->header_count > 0) {
        json_t *headers = json_object();
        if (cw_put(w, o, "headers", headers) != 0)
            goto fail;
        for (size_t i = 0; i < h->header_count; i++) {
            /* One value per name: the loader reads them from an object. */
            if (json_object_get(headers, h->headers[i].name)) {
                cw_fail(w, "handshake.headers: \"%s\" twice", h->headers[i].name);
                goto fail;
            }
            if (cw_put(w, headers, h->headers[i].name, json_string(h->headers[i].value)) != 0)
                goto fail;
        }
    }
    if (h->absent_count > 0) {
        json_t *absent = json_array();
        if (cw_put(w, o, "absent_headers", absent) != 0)
            goto fail;
        for (size_t i = 0; i < h->absent_count; i++)
            if (cw_append(w, absent, json_string(h->absent[i])) != 0)
                goto fail;
    }
    if ((h->allow_no_response && cw_put(w, o, "allow_no_response", json_true()) != 0) ||
        (h->allow_silence && cw_put(w, o, "allow_silence", json_true()) != 0))
        goto fail;
    return o;
fail:
    json_decref(o);
    return NULL;
}

static json_t *outcome_json(struct cw *w, const struct outcome *o) {
    if ((unsigned)o->verdict >= VERDICT_ERROR)
        return cw_fail(w, "outcome verdict %d cannot be written", (int)o->verdict);
    json_t *j = json_pack("{s:s}", "verdict", verdict_name(o->verdict));
    if (!j)
        return cw_nomem(w);
    bool default_close = o->close.by == CLOSE_BY_ANY && o->close.code_count == 0 &&
                         !o->close.allow_no_code && !o->close.allow_drop && !o->close.exact;
    if ((w->notes && o->note && cw_put(w, j, "note", json_string(o->note)) != 0) ||
        (o->any_events && cw_put(w, j, "events", json_string("any")) != 0) ||
        (!o->any_events && o->event_count > 0 &&
         cw_put(w, j, "events", events_json(w, o->events, o->event_count)) != 0) ||
        (!default_close && cw_put(w, j, "close", close_json(w, &o->close)) != 0) ||
        (o->handshake.set &&
         cw_put(w, j, "handshake", handshake_expect_json(w, &o->handshake)) != 0) ||
        (o->accept_limit && cw_put(w, j, "limit", json_true()) != 0) ||
        (o->deflate != DEFLATE_ANY &&
         cw_put(w, j, "deflate", json_boolean(o->deflate == DEFLATE_ON)) != 0)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/* How many outcomes from o[0] (of n) are exactly the shared behaviour
 * o[0].behaviour names (cases/behaviours.json, as the loader reads it): its
 * outcome count, or 0 when they differ (a mutated copy) or it is unknown. */
static size_t shared_run(struct cw *w, const struct outcome *o, size_t n) {
    struct case_error err;
    struct caseload_ctx ctx = {0};
    ctx.file = "casewrite";
    ctx.text = "";
    ctx.err = &err;
    json_t *name = json_string(o[0].behaviour);
    struct outcome *shared = NULL;
    size_t count = 0, run = 0;
    if (!name) {
        cw_nomem(w);
        return 0;
    }
    if (caseload_shared_outcomes(&ctx, name, &shared, &count) == 0 && count <= n) {
        run = count;
        for (size_t k = 0; k < count && run; k++)
            if (!case_outcome_equal(&shared[k], &o[k]))
                run = 0;
    }
    struct wcase tmp = {0};
    tmp.outcomes = shared;
    tmp.outcome_count = count;
    case_free(&tmp);
    caseload_shared_free(&ctx);
    json_decref(name);
    return run;
}

/* The outcomes; with w->notes, the outcomes of a shared behaviour, as the
 * loader spliced them in, are written as {"use": NAME}, which the loader
 * reads back as the same outcomes with their behaviour named
 * (cases/behaviours.json is built into wsspec, so the file still replays on
 * its own); an outcome named after a behaviour but changed since is written
 * out, and reads back as the case's own. */
static json_t *outcomes_json(struct cw *w, const struct outcome *o, size_t n) {
    json_t *list = json_array();
    if (!list)
        return cw_nomem(w);
    for (size_t i = 0; i < n; i++) {
        size_t run = w->notes && o[i].behaviour ? shared_run(w, &o[i], n - i) : 0;
        if (w->rc != 0)
            goto fail;
        if (run > 0) {
            if (cw_append(w, list, json_pack("{s:s}", "use", o[i].behaviour)) != 0)
                goto fail;
            i += run - 1;
            continue;
        }
        if (cw_append(w, list, outcome_json(w, &o[i])) != 0)
            goto fail;
    }
    return list;
fail:
    json_decref(list);
    return NULL;
}

/* ---- the case ------------------------------------------------------------- */

static json_t *deflate_json(struct cw *w, const struct deflate_config *d) {
    json_t *o = json_object(), *offers = json_array();
    if (!o || !offers || cw_put(w, o, "offers", offers) != 0) {
        json_decref(o);
        return cw_nomem(w);
    }
    for (size_t i = 0; i < d->offer_count; i++) {
        const struct deflate_offer *f = &d->offers[i];
        json_t *j = json_object();
        if (cw_append(w, offers, j) != 0 ||
            (f->server_no_context_takeover &&
             cw_put(w, j, "server_no_context_takeover", json_true()) != 0) ||
            (f->client_no_context_takeover &&
             cw_put(w, j, "client_no_context_takeover", json_true()) != 0) ||
            (f->server_max_window_bits && cw_put(w, j, "server_max_window_bits",
                                                 json_integer(f->server_max_window_bits)) != 0) ||
            (f->client_max_window_bits &&
             cw_put(w, j, "client_max_window_bits",
                    f->client_max_window_bits_value ? json_integer(f->client_max_window_bits_value)
                                                    : json_true()) != 0))
            goto fail;
    }
    if ((d->declined == DEFLATE_DECLINED_RUN &&
         cw_put(w, o, "declined", json_string("run")) != 0) ||
        (d->keep_context && cw_put(w, o, "context", json_string("keep")) != 0) ||
        (d->window_bits && cw_put(w, o, "window_bits", json_integer(d->window_bits)) != 0) ||
        (d->strict_window && cw_put(w, o, "strict_window", json_true()) != 0))
        goto fail;
    return o;
fail:
    json_decref(o);
    return NULL;
}

static int put_strings(struct cw *w, json_t *o, const char *key, char *const *list, size_t n) {
    if (n == 0)
        return 0;
    json_t *arr = json_array();
    if (cw_put(w, o, key, arr) != 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (cw_append(w, arr, json_string(list[i] ? list[i] : "")) != 0)
            return -1;
    return 0;
}

static int put_text(struct cw *w, json_t *o, const char *key, const char *s) {
    return s ? cw_put(w, o, key, json_string(s)) : 0;
}

/* What the case sends (the stimulus part of it), into o. */
static int put_stimulus(struct cw *w, json_t *o, const struct wcase *c) {
    if (c->max_message != DEFAULT_MAX_MESSAGE &&
        cw_put(w, o, "max_message", cw_uint(w, c->max_message, "max_message")) != 0)
        return -1;
    if (c->has_handshake && cw_put(w, o, "handshake", cw_handshake(w, &c->handshake)) != 0)
        return -1;
    if (c->deflate.set && cw_put(w, o, "deflate", deflate_json(w, &c->deflate)) != 0)
        return -1;
    return cw_put(w, o, "steps", cw_steps(w, c->steps, c->step_count));
}

static json_t *case_json(struct cw *w, const char *group, const struct wcase *c) {
    size_t glen = strlen(group);
    if (!c->id || strncmp(c->id, group, glen) != 0 || c->id[glen] != '.' || !c->id[glen + 1])
        return cw_fail(w, "case \"%s\" is not of group \"%s\"", c->id ? c->id : "(none)", group);
    if (!c->title || c->rfc_count == 0 || c->outcome_count == 0)
        return cw_fail(w, "%s: a case needs a title, an RFC section and an outcome", c->id);
    w->chop = c->chop;
    w->chop_delay_s = c->chop_delay_s;
    json_t *o = json_pack("{s:s,s:s}", "name", c->id + glen + 1, "title", c->title);
    if (!o)
        return cw_nomem(w);
    if (put_text(w, o, "description", c->description) != 0 ||
        put_text(w, o, "autobahn", c->autobahn) != 0 ||
        put_strings(w, o, "rfc", c->rfc, c->rfc_count) != 0 ||
        put_text(w, o, "requirement", c->requirement) != 0 ||
        put_strings(w, o, "tags", c->tags, c->tag_count) != 0 ||
        (c->timeout_s != DEFAULT_TIMEOUT_S &&
         cw_put(w, o, "timeout", json_real(c->timeout_s)) != 0) ||
        (c->close_timeout_s != DEFAULT_CLOSE_TIMEOUT_S &&
         cw_put(w, o, "close_timeout", json_real(c->close_timeout_s)) != 0) ||
        (c->chop && cw_put(w, o, "chop", json_integer(c->chop)) != 0) ||
        (c->chop_delay_s != 0 && cw_put(w, o, "chop_delay", json_real(c->chop_delay_s)) != 0) ||
        put_stimulus(w, o, c) != 0 ||
        cw_put(w, o, "outcomes", outcomes_json(w, c->outcomes, c->outcome_count)) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

int case_write_file_text(const char *group, const char *title, const struct wcase *cases, size_t n,
                         char **out, char *errmsg, size_t cap) {
    struct cw w = {errmsg, cap, 0, true, true, false, 0, 0};
    *out = NULL;
    if (errmsg && cap)
        errmsg[0] = '\0';
    if (!group || !title || n == 0) {
        cw_fail(&w, "a case file needs a group, a title and at least one case");
        return w.rc;
    }
    json_t *list = json_array();
    json_t *root =
        list ? json_pack("{s:s,s:s,s:o}", "group", group, "title", title, "cases", list) : NULL;
    if (!root) {
        cw_nomem(&w);
        return w.rc;
    }
    for (size_t i = 0; i < n; i++) {
        if (cw_append(&w, list, case_json(&w, group, &cases[i])) != 0) {
            json_decref(root);
            return w.rc;
        }
    }
    /* Insertion order (jansson keeps it), two spaces, and a newline at the end. */
    char *text = json_dumps(root, JSON_INDENT(2));
    json_decref(root);
    size_t len = text ? strlen(text) : 0;
    char *with_nl = text ? realloc(text, len + 2) : NULL;
    if (!with_nl) {
        free(text);
        cw_nomem(&w);
        return w.rc;
    }
    with_nl[len] = '\n';
    with_nl[len + 1] = '\0';
    *out = with_nl;
    return 0;
}

int case_write_file(const char *path, const char *group, const char *title,
                    const struct wcase *cases, size_t n, char *errmsg, size_t cap) {
    char *text = NULL;
    int rc = case_write_file_text(group, title, cases, n, &text, errmsg, cap);
    if (rc != 0)
        return rc;
    /* A temporary file beside the target, renamed over it: a reader sees
     * the old file or the new one, never half of it. */
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 32);
    if (!tmp) {
        free(text);
        snprintf(errmsg, cap, "out of memory");
        return WS_ERR_NOMEM;
    }
    snprintf(tmp, plen + 32, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    size_t len = strlen(text);
    int err = 0;
    if (!f) {
        err = errno;
    } else {
        if (fwrite(text, 1, len, f) != len)
            err = errno ? errno : EIO;
        if (fclose(f) != 0 && !err)
            err = errno;
        if (!err && rename(tmp, path) != 0)
            err = errno;
        if (err)
            unlink(tmp);
    }
    free(text);
    free(tmp);
    if (err) {
        snprintf(errmsg, cap, "%s: cannot write: %s", path, strerror(err));
        return WS_ERR_IO;
    }
    return 0;
}

/* ---- the canonical texts ----------------------------------------------------- */

static char *dump_sorted(const json_t *v) {
    return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

int case_write_keys(const struct wcase *c, char **stimulus, char **judging, char *errmsg,
                    size_t cap) {
    /* Without the write options that change only timing, and outcomes
     * without notes, every outcome written out (a shared one too). */
    struct cw w = {errmsg, cap, 0, false, false, true, 0, 0};
    *stimulus = *judging = NULL;
    if (errmsg && cap)
        errmsg[0] = '\0';
    json_t *s = json_object();
    json_t *j = outcomes_json(&w, c->outcomes, c->outcome_count);
    if (s && j && put_stimulus(&w, s, c) == 0) {
        *stimulus = dump_sorted(s);
        *judging = dump_sorted(j);
    }
    json_decref(s);
    json_decref(j);
    if (w.rc == 0 && (!*stimulus || !*judging))
        cw_nomem(&w);
    if (w.rc != 0) {
        free(*stimulus);
        free(*judging);
        *stimulus = *judging = NULL;
    }
    return w.rc;
}
