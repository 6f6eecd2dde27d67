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

static int parse_events(struct caseload_ctx *c, const json_t *arr, bool allow_empty,
                        struct expect_event **out, size_t *count);

/* One row of event_kinds (below): how an expected event of this kind is read. */
struct event_def {
    const char *name;      /* the key naming the event: {"ping": "x"} */
    enum expect_kind kind; /* set before parse runs, so events_free frees what it fills */
    /* Reads the event's value v (the path is at the kind's key) into e. */
    int (*parse)(struct caseload_ctx *c, const struct event_def *def, const json_t *v,
                 struct expect_event *e);
    const char *const *fields; /* the value's fields when it is an object of fields */
};

/* Beside the kind's key in every event. */
static const char *const event_options[] = {"times", "optional", NULL};
static const char *const message_fields[] = {"opcode", "payload", NULL};

static int parse_message_event(struct caseload_ctx *c, const struct event_def *def, const json_t *v,
                               struct expect_event *e) {
    if (!json_is_object(v))
        return caseload_fail(c, false, "expected an object with opcode and payload, got %s",
                             caseload_type_name(v));
    if (caseload_check_keys(c, v, def->fields) != 0 || caseload_require(c, v, "opcode") != 0 ||
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

/* A ping or a pong: its payload, or null for any payload. */
static int parse_control_event(struct caseload_ctx *c, const struct event_def *def, const json_t *v,
                               struct expect_event *e) {
    (void)def;
    if (json_is_null(v))
        return 0;
    if (caseload_payload(c, v, &e->payload) != 0)
        return -1;
    e->payload_set = true;
    return 0;
}

static int parse_mark_event(struct caseload_ctx *c, const struct event_def *def, const json_t *v,
                            struct expect_event *e) {
    (void)def;
    if (caseload_string_value(c, v, &e->mark) != 0)
        return -1;
    if (e->mark[0] == '\0')
        return caseload_fail(c, false, "a mark needs a name");
    return 0;
}

static int parse_any_of(struct caseload_ctx *c, const struct event_def *def, const json_t *v,
                        struct expect_event *e) {
    (void)def;
    return parse_events(c, v, false, &e->alternatives, &e->alternative_count);
}

/* Every event kind of cases/README.md "Outcomes": a new kind is one row
 * (and its parser). cases/schema.json "event" lists the same kinds. */
static const char *const series_fields[] = {"opcode", "dataset", "start", "units", "count", NULL};

/* {"series": {...}}: the echoes of a send_series, in order. */
static int parse_series_event(struct caseload_ctx *c, const struct event_def *def, const json_t *v,
                              struct expect_event *e) {
    if (!json_is_object(v))
        return caseload_fail(c, false, "expected an object with dataset, units and count, got %s",
                             caseload_type_name(v));
    e->opcode = 0x1;
    if (caseload_check_keys(c, v, def->fields) != 0)
        return -1;
    const json_t *op = json_object_get(v, "opcode");
    if (op &&
        (caseload_push_key(c, "opcode") != 0 || caseload_opcode_value(c, op, &e->opcode) != 0))
        return -1;
    if (op)
        caseload_pop(c);
    return caseload_series(c, v, &e->series);
}

static const struct event_def event_kinds[] = {
    {"message", EXPECT_MESSAGE, parse_message_event, message_fields},
    {"ping", EXPECT_PING, parse_control_event, NULL},
    {"pong", EXPECT_PONG, parse_control_event, NULL},
    {"mark", EXPECT_MARK, parse_mark_event, NULL},
    {"any_of", EXPECT_ANY_OF, parse_any_of, NULL},
    {"series", EXPECT_SERIES, parse_series_event, series_fields},
};
#define EVENT_KIND_COUNT (sizeof event_kinds / sizeof event_kinds[0])
#define EVENT_KEY_COUNT  (EVENT_KIND_COUNT + sizeof event_options / sizeof event_options[0])

static int parse_event(struct caseload_ctx *c, const json_t *v, struct expect_event *e) {
    const char *keys[EVENT_KEY_COUNT]; /* the kinds, then the options, then NULL */
    for (size_t k = 0; k < EVENT_KIND_COUNT; k++)
        keys[k] = event_kinds[k].name;
    memcpy(keys + EVENT_KIND_COUNT, event_options, sizeof event_options);
    if (!json_is_object(v))
        return caseload_fail(c, false, "expected an event object, got %s", caseload_type_name(v));
    if (caseload_check_keys(c, v, keys) != 0)
        return -1;
    const struct event_def *def = NULL;
    for (size_t k = 0; k < EVENT_KIND_COUNT; k++) {
        if (!json_object_get(v, event_kinds[k].name))
            continue;
        if (def) {
            caseload_push_key(c, event_kinds[k].name);
            return caseload_fail(c, true, "an event is one thing: \"%s\" and \"%s\" found",
                                 def->name, event_kinds[k].name);
        }
        def = &event_kinds[k];
    }
    if (!def) {
        char list[200];
        keys[EVENT_KIND_COUNT] = NULL;
        caseload_join(keys, list, sizeof list);
        return caseload_fail(c, false, "an event needs one of: %s", list);
    }
    uint64_t times = 1;
    if (caseload_get_uint(c, v, "times", 1, UINT32_MAX, &times) != 0 ||
        caseload_get_bool(c, v, "optional", &e->optional) != 0)
        return -1;
    e->times = (uint32_t)times;
    e->kind = def->kind;
    if (caseload_push_key(c, def->name) != 0 ||
        def->parse(c, def, json_object_get(v, def->name), e) != 0)
        return -1;
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
    /* What "by" names, and its meaning. */
    static const char *const by_names[] = {"peer", "us", "any", "none", NULL};
    static const enum close_by by_values[] = {CLOSE_BY_PEER, CLOSE_BY_US, CLOSE_BY_ANY,
                                              CLOSE_BY_NONE};
    const json_t *by = json_object_get(v, "by");
    if (by) {
        size_t i;
        if (caseload_push_key(c, "by") != 0 || caseload_choice(c, by, by_names, NULL, &i) != 0)
            return -1;
        ce->by = by_values[i];
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
    /* The judge compares the code of a reply to our close only when the case
     * is about it (6455:5.5.1: a reply "typically echos" the code): codes
     * that would be ignored are refused rather than silently not checked. */
    if (ce->by == CLOSE_BY_US && codes && !ce->exact) {
        caseload_push_key(c, "codes");
        return caseload_fail(c, true,
                             "a reply to our close may carry any valid code or none (6455:5.5.1 "
                             "\"typically echos\"), so \"codes\" with \"by\": \"us\" needs "
                             "\"exact\": true");
    }
    return 0;
}

/* ---- outcomes ---------------------------------------------------------- */

static int parse_verdict(struct caseload_ctx *c, const json_t *v, struct outcome *o) {
    /* The names come from the model's one table (verdict_name); "error" is
     * the harness's, never an outcome's. */
    const char *names[VERDICT_ERROR + 1];
    for (int i = 0; i < VERDICT_ERROR; i++)
        names[i] = verdict_name((enum verdict)i);
    names[VERDICT_ERROR] = NULL;
    size_t i;
    if (caseload_choice(c, v, names, NULL, &i) != 0)
        return -1;
    o->verdict = (enum verdict)i;
    return 0;
}

static int parse_note(struct caseload_ctx *c, const json_t *v, struct outcome *o) {
    return caseload_string_value(c, v, &o->note);
}

static int parse_outcome_events(struct caseload_ctx *c, const json_t *v, struct outcome *o) {
    if (json_is_string(v) && strcmp(json_string_value(v), "any") == 0) {
        o->any_events = true;
        return 0;
    }
    return parse_events(c, v, true, &o->events, &o->event_count);
}

static int parse_outcome_close(struct caseload_ctx *c, const json_t *v, struct outcome *o) {
    return parse_close(c, v, &o->close);
}

static int parse_outcome_handshake(struct caseload_ctx *c, const json_t *v, struct outcome *o) {
    return caseload_handshake_expect(c, v, &o->handshake);
}

/* "deflate": true / false: the outcome holds only when permessage-deflate
 * was (not) agreed in the opening handshake. */
static int parse_outcome_deflate(struct caseload_ctx *c, const json_t *v, struct outcome *o) {
    bool on = false;
    if (caseload_bool_value(c, v, &on) != 0)
        return -1;
    o->deflate = on ? DEFLATE_ON : DEFLATE_OFF;
    return 0;
}

static int parse_outcome_limit(struct caseload_ctx *c, const json_t *v, struct outcome *o) {
    return caseload_bool_value(c, v, &o->accept_limit);
}

/* The fields of an outcome (cases/README.md "Outcomes"), read in this
 * order; a new field is one row (and its parser). */
static const struct {
    const char *name;
    bool required;
    int (*parse)(struct caseload_ctx *c, const json_t *v, struct outcome *o);
} outcome_fields[] = {
    {"verdict", true, parse_verdict},
    {"note", false, parse_note},
    {"events", false, parse_outcome_events},
    {"close", false, parse_outcome_close},
    {"handshake", false, parse_outcome_handshake},
    {"limit", false, parse_outcome_limit},
    {"deflate", false, parse_outcome_deflate},
};
#define OUTCOME_FIELD_COUNT (sizeof outcome_fields / sizeof outcome_fields[0])

static int parse_outcome(struct caseload_ctx *c, const json_t *v, struct outcome *o) {
    const char *keys[OUTCOME_FIELD_COUNT + 1];
    for (size_t k = 0; k < OUTCOME_FIELD_COUNT; k++)
        keys[k] = outcome_fields[k].name;
    keys[OUTCOME_FIELD_COUNT] = NULL;
    if (!json_is_object(v))
        return caseload_fail(c, false, "expected an outcome object, got %s", caseload_type_name(v));
    if (caseload_check_keys(c, v, keys) != 0)
        return -1;
    for (size_t k = 0; k < OUTCOME_FIELD_COUNT; k++)
        if (outcome_fields[k].required && caseload_require(c, v, outcome_fields[k].name) != 0)
            return -1;
    o->close.by = CLOSE_BY_ANY;
    for (size_t k = 0; k < OUTCOME_FIELD_COUNT; k++) {
        const json_t *field = json_object_get(v, outcome_fields[k].name);
        if (!field)
            continue;
        if (caseload_push_key(c, outcome_fields[k].name) != 0 ||
            outcome_fields[k].parse(c, field, o) != 0)
            return -1;
        caseload_pop(c);
    }
    /* Without a 101 there is no WebSocket connection: nothing to send,
     * receive or close, so such fields could never be checked. */
    static const char *const ws_only[] = {"events", "close"};
    for (size_t k = 0; k < 2 && o->handshake.set && !handshake_expect_status(&o->handshake, 101);
         k++) {
        if (json_object_get(v, ws_only[k])) {
            caseload_push_key(c, ws_only[k]);
            return caseload_fail(c, true,
                                 "an outcome whose handshake status excludes 101 has no "
                                 "WebSocket connection: \"%s\" cannot be checked",
                                 ws_only[k]);
        }
    }
    return 0;
}

/* An outcome {"use": NAME}: the shared behaviour NAME's outcomes, spliced in
 * its place (caseload_shared.c). */
static bool is_use(const json_t *v) {
    return json_is_object(v) && json_object_get(v, "use");
}

static int parse_use(struct caseload_ctx *c, const json_t *v, struct outcome **out, size_t *count) {
    static const char *const keys[] = {"use", NULL};
    if (caseload_check_keys(c, v, keys) != 0 || caseload_push_key(c, "use") != 0 ||
        caseload_shared_outcomes(c, json_object_get(v, "use"), out, count) != 0)
        return -1;
    caseload_pop(c);
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
    struct outcome *o = NULL;
    size_t have = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_array_get(arr, i);
        struct outcome *shared = NULL;
        size_t shared_count = 1;
        if (caseload_push_index(c, i) != 0)
            goto fail;
        if (is_use(v) && parse_use(c, v, &shared, &shared_count) != 0)
            goto fail;
        struct outcome *grown = realloc(o, (have + shared_count) * sizeof *o);
        if (!grown) {
            outcomes_free(shared, shared_count);
            nomem(c);
            goto fail;
        }
        o = grown;
        if (shared) {
            memcpy(o + have, shared, shared_count * sizeof *o);
            free(shared);
            have += shared_count;
        } else {
            memset(&o[have], 0, sizeof o[have]);
            have++;
            if (parse_outcome(c, v, &o[have - 1]) != 0)
                goto fail;
        }
        caseload_pop(c);
    }
    *out = o;
    *count = have;
    return 0;
fail:
    outcomes_free(o, have);
    return -1;
}
