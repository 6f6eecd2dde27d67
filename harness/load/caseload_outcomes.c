/* caseload_outcomes: the outcomes of a case (cases/README.md "Outcomes"),
 * from an already parameter-expanded tree (their "handshake" expectations
 * are read by caseload_handshake.c). */
#include <stdlib.h>
#include <string.h>

#include "load/caseload_int.h"

static int nomem(struct caseload_ctx *c) {
    return caseload_fail(c, false, "out of memory");
}

/* Frees the first n outcomes through case_free, which knows every field. */
static void outcomes_free(struct outcome *o, size_t n) {
    struct wcase tmp = {0};
    tmp.outcomes = o;
    tmp.outcome_count = n;
    case_free(&tmp);
}

/* ---- events ------------------------------------------------------------ */

static void events_free(struct expect_event *ev, size_t n) {
    for (size_t i = 0; i < n; i++) {
        payload_free(&ev[i].payload);
        free(ev[i].mark);
        events_free(ev[i].alternatives, ev[i].alternative_count);
    }
    free(ev);
}

static const char *const event_kinds[] = {"message", "ping", "pong", "mark", "any_of", NULL};

static int parse_events(struct caseload_ctx *c, const json_t *arr, bool allow_empty,
                        struct expect_event **out, size_t *count);

static int parse_message_event(struct caseload_ctx *c, const json_t *v, struct expect_event *e) {
    static const char *const keys[] = {"opcode", "payload", NULL};
    if (!json_is_object(v))
        return caseload_fail(c, false, "expected an object with opcode and payload, got %s",
                             caseload_type_name(v));
    if (caseload_check_keys(c, v, keys) != 0 || caseload_require(c, v, "opcode") != 0 ||
        caseload_push_key(c, "opcode") != 0 ||
        caseload_opcode_value(c, json_object_get(v, "opcode"), &e->opcode) != 0)
        return -1;
    /* 6455:5.6 "Currently defined opcodes for data frames include 0x1
     * (Text), 0x2 (Binary)." An echo server echoes nothing else. */
    if (e->opcode != 0x1 && e->opcode != 0x2)
        return caseload_fail(c, false, "a message is \"text\" or \"binary\"");
    caseload_pop(c);
    const json_t *p = json_object_get(v, "payload");
    if (p) {
        if (caseload_push_key(c, "payload") != 0 || caseload_payload(c, p, &e->payload) != 0)
            return -1;
        e->payload_set = true;
        caseload_pop(c);
    }
    return 0;
}

static int parse_event(struct caseload_ctx *c, const json_t *v, struct expect_event *e) {
    static const char *const keys[] = {"message", "ping",  "pong",     "mark",
                                       "any_of",  "times", "optional", NULL};
    if (!json_is_object(v))
        return caseload_fail(c, false, "expected an event object, got %s", caseload_type_name(v));
    if (caseload_check_keys(c, v, keys) != 0)
        return -1;
    size_t kind = SIZE_MAX;
    for (size_t k = 0; event_kinds[k]; k++) {
        if (!json_object_get(v, event_kinds[k]))
            continue;
        if (kind != SIZE_MAX) {
            caseload_push_key(c, event_kinds[k]);
            return caseload_fail(c, true, "an event is one thing: \"%s\" and \"%s\" found",
                                 event_kinds[kind], event_kinds[k]);
        }
        kind = k;
    }
    if (kind == SIZE_MAX)
        return caseload_fail(c, false, "an event needs one of: message, ping, pong, mark, any_of");
    uint64_t times = 1;
    if (caseload_get_uint(c, v, "times", 1, UINT32_MAX, &times) != 0 ||
        caseload_get_bool(c, v, "optional", &e->optional) != 0)
        return -1;
    e->times = (uint32_t)times;
    const char *name = event_kinds[kind];
    const json_t *body = json_object_get(v, name);
    if (kind == 3) { /* mark */
        e->kind = EXPECT_MARK;
        if (caseload_get_string(c, v, "mark", &e->mark) != 0)
            return -1;
        if (e->mark[0] == '\0') {
            caseload_push_key(c, "mark");
            return caseload_fail(c, false, "a mark needs a name");
        }
        return 0;
    }
    if (caseload_push_key(c, name) != 0)
        return -1;
    switch (kind) {
    case 0:
        e->kind = EXPECT_MESSAGE;
        if (parse_message_event(c, body, e) != 0)
            return -1;
        break;
    case 1:
    case 2:
        e->kind = kind == 1 ? EXPECT_PING : EXPECT_PONG;
        if (!json_is_null(body)) { /* null = any payload */
            if (caseload_payload(c, body, &e->payload) != 0)
                return -1;
            e->payload_set = true;
        }
        break;
    default:
        e->kind = EXPECT_ANY_OF;
        if (parse_events(c, body, false, &e->alternatives, &e->alternative_count) != 0)
            return -1;
        break;
    }
    caseload_pop(c);
    return 0;
}

static int parse_events(struct caseload_ctx *c, const json_t *arr, bool allow_empty,
                        struct expect_event **out, size_t *count) {
    if (!json_is_array(arr))
        return caseload_fail(c, false, "expected a list of events%s, got %s",
                             allow_empty ? " or \"any\"" : "", caseload_type_name(arr));
    size_t n = json_array_size(arr);
    if (n == 0 && !allow_empty)
        return caseload_fail(c, false, "needs at least one event");
    if (n == 0)
        return 0;
    struct expect_event *ev = calloc(n, sizeof *ev);
    if (!ev)
        return nomem(c);
    for (size_t i = 0; i < n; i++) {
        if (caseload_push_index(c, i) != 0 || parse_event(c, json_array_get(arr, i), &ev[i]) != 0) {
            events_free(ev, i + 1);
            return -1;
        }
        caseload_pop(c);
    }
    *out = ev;
    *count = n;
    return 0;
}

/* ---- close ------------------------------------------------------------- */

static int parse_close(struct caseload_ctx *c, const json_t *v, struct close_expect *ce) {
    static const char *const keys[] = {"by", "codes", "allow_no_code", "allow_drop", "exact", NULL};
    if (!json_is_object(v))
        return caseload_fail(c, false, "expected an object, got %s", caseload_type_name(v));
    if (caseload_check_keys(c, v, keys) != 0 ||
        caseload_get_bool(c, v, "allow_no_code", &ce->allow_no_code) != 0 ||
        caseload_get_bool(c, v, "allow_drop", &ce->allow_drop) != 0 ||
        caseload_get_bool(c, v, "exact", &ce->exact) != 0)
        return -1;
    const json_t *by = json_object_get(v, "by");
    if (by) {
        static const struct {
            const char *name;
            enum close_by by;
        } names[] = {{"peer", CLOSE_BY_PEER},
                     {"us", CLOSE_BY_US},
                     {"any", CLOSE_BY_ANY},
                     {"none", CLOSE_BY_NONE}};
        size_t i = 0;
        while (i < 4 && !(json_is_string(by) && strcmp(json_string_value(by), names[i].name) == 0))
            i++;
        if (caseload_push_key(c, "by") != 0)
            return -1;
        if (i == 4)
            return caseload_fail(c, false, "expected \"peer\", \"us\", \"any\" or \"none\"");
        ce->by = names[i].by;
        caseload_pop(c);
    }
    const json_t *codes = json_object_get(v, "codes");
    if (codes) {
        if (caseload_push_key(c, "codes") != 0)
            return -1;
        if (!json_is_array(codes))
            return caseload_fail(c, false, "expected a list of close codes, got %s",
                                 caseload_type_name(codes));
        size_t n = json_array_size(codes);
        if (n > 0 && !(ce->codes = calloc(n, sizeof *ce->codes)))
            return nomem(c);
        for (size_t i = 0; i < n; i++) {
            uint64_t code;
            if (caseload_push_index(c, i) != 0 ||
                caseload_uint_value(c, json_array_get(codes, i), 0, 65535, &code) != 0)
                return -1;
            ce->codes[i] = (uint16_t)code;
            ce->code_count = i + 1;
            caseload_pop(c);
        }
        caseload_pop(c);
    }
    return 0;
}

/* ---- outcomes ---------------------------------------------------------- */

static const char *const verdict_names[] = {"pass", "non-strict", "informational", "unimplemented",
                                            "fail"};

static int parse_outcome(struct caseload_ctx *c, const json_t *v, struct outcome *o) {
    static const char *const keys[] = {"verdict",   "note",  "events", "close",
                                       "handshake", "limit", NULL};
    if (!json_is_object(v))
        return caseload_fail(c, false, "expected an outcome object, got %s", caseload_type_name(v));
    if (caseload_check_keys(c, v, keys) != 0 || caseload_require(c, v, "verdict") != 0 ||
        caseload_get_string(c, v, "note", &o->note) != 0 ||
        caseload_get_bool(c, v, "limit", &o->accept_limit) != 0)
        return -1;
    const json_t *verdict = json_object_get(v, "verdict");
    size_t i = 0;
    while (i < 5 &&
           !(json_is_string(verdict) && strcmp(json_string_value(verdict), verdict_names[i]) == 0))
        i++;
    if (caseload_push_key(c, "verdict") != 0)
        return -1;
    if (i == 5)
        return caseload_fail(c, false,
                             "expected pass, non-strict, informational, "
                             "unimplemented or fail");
    /* The order of verdict_names is the order of enum verdict. */
    o->verdict = (enum verdict)i;
    caseload_pop(c);
    o->close.by = CLOSE_BY_ANY;
    const json_t *events = json_object_get(v, "events");
    if (events) {
        if (caseload_push_key(c, "events") != 0)
            return -1;
        if (json_is_string(events) && strcmp(json_string_value(events), "any") == 0)
            o->any_events = true;
        else if (parse_events(c, events, true, &o->events, &o->event_count) != 0)
            return -1;
        caseload_pop(c);
    }
    const json_t *close = json_object_get(v, "close");
    if (close) {
        if (caseload_push_key(c, "close") != 0 || parse_close(c, close, &o->close) != 0)
            return -1;
        caseload_pop(c);
    }
    const json_t *hs = json_object_get(v, "handshake");
    if (hs) {
        if (caseload_push_key(c, "handshake") != 0 ||
            caseload_handshake_expect(c, hs, &o->handshake) != 0)
            return -1;
        caseload_pop(c);
        /* Without a 101 there is no WebSocket connection: nothing to send,
         * receive or close, so such fields could never be checked. */
        static const char *const ws_only[] = {"events", "close"};
        for (size_t k = 0; k < 2 && !handshake_expect_status(&o->handshake, 101); k++) {
            if (json_object_get(v, ws_only[k])) {
                caseload_push_key(c, ws_only[k]);
                return caseload_fail(c, true,
                                     "an outcome whose handshake status excludes 101 has no "
                                     "WebSocket connection: \"%s\" cannot be checked",
                                     ws_only[k]);
            }
        }
    }
    return 0;
}

int caseload_outcomes(struct caseload_ctx *c, const json_t *arr, struct outcome **out,
                      size_t *count) {
    if (!json_is_array(arr))
        return caseload_fail(c, false, "expected a list of outcomes, got %s",
                             caseload_type_name(arr));
    size_t n = json_array_size(arr);
    if (n == 0)
        return caseload_fail(c, false, "needs at least one outcome");
    struct outcome *o = calloc(n, sizeof *o);
    if (!o)
        return nomem(c);
    for (size_t i = 0; i < n; i++) {
        if (caseload_push_index(c, i) != 0 ||
            parse_outcome(c, json_array_get(arr, i), &o[i]) != 0) {
            outcomes_free(o, i + 1);
            return -1;
        }
        caseload_pop(c);
    }
    *out = o;
    *count = n;
    return 0;
}
