/* caseload_steps: the steps of a case (cases/README.md "Steps"), from an
 * already parameter-expanded JSON tree: one table row per step kind. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "load/caseload_int.h"

static int nomem(struct caseload_ctx *c) {
    return caseload_fail(c, false, "out of memory");
}

/* An optional payload field; absent = empty. */
static int get_payload(struct caseload_ctx *c, const json_t *obj, const char *key,
                       struct payload *out) {
    const json_t *v = json_object_get(obj, key);
    if (!v)
        return 0;
    if (caseload_push_key(c, key) != 0 || caseload_payload(c, v, out) != 0)
        return -1;
    caseload_pop(c);
    return 0;
}

/* ---- fields of send steps ---------------------------------------------- */

static int get_mask(struct caseload_ctx *c, const json_t *obj, enum mask_mode *mode,
                    uint8_t key[4]) {
    const json_t *v = json_object_get(obj, "mask");
    if (!v)
        return 0;
    if (caseload_push_key(c, "mask") != 0)
        return -1;
    if (json_is_boolean(v)) {
        /* 6455:5.3 "The masking key is a 32-bit value chosen at random by
         * the client." true draws it from the case's seeded generator. */
        *mode = json_is_true(v) ? MASK_RANDOM : MASK_NONE;
    } else if (json_is_string(v) && json_string_length(v) == 8) {
        const char *s = json_string_value(v);
        for (int i = 0; i < 8; i++) {
            int d = caseload_hex_digit(s[i]);
            if (d < 0)
                return caseload_fail(c, false, "a mask key is 8 hex digits, got \"%s\"", s);
            if (i % 2 == 0)
                key[i / 2] = (uint8_t)(d << 4);
            else
                key[i / 2] |= (uint8_t)d;
        }
        *mode = MASK_KEY;
    } else {
        return caseload_fail(c, false, "expected true, false or an 8-hex-digit key, got %s",
                             caseload_type_name(v));
    }
    caseload_pop(c);
    return 0;
}

static int get_rsv(struct caseload_ctx *c, const json_t *obj, uint8_t *rsv) {
    uint64_t v = *rsv;
    /* 6455:5.2 RSV1, RSV2, RSV3: 4, 2 and 1 of this value. */
    if (caseload_get_uint(c, obj, "rsv", 0, 7, &v) != 0)
        return -1;
    *rsv = (uint8_t)v;
    return 0;
}

static int get_opcode(struct caseload_ctx *c, const json_t *obj, uint8_t *op) {
    const json_t *v = json_object_get(obj, "opcode");
    if (!v)
        return 0;
    if (caseload_push_key(c, "opcode") != 0 || caseload_opcode_value(c, v, op) != 0)
        return -1;
    caseload_pop(c);
    return 0;
}

/* declared_len: an integer, or a string of decimal digits for lengths
 * jansson's signed integers cannot hold (a 64-bit length with the top bit
 * set, which 6455:5.2 forbids: "the most significant bit MUST be 0"). */
static int get_declared_len(struct caseload_ctx *c, const json_t *obj, struct frame_step *f) {
    const json_t *v = json_object_get(obj, "declared_len");
    if (!v)
        return 0;
    if (caseload_push_key(c, "declared_len") != 0)
        return -1;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t n = strlen(s);
        bool digits = n > 0 && n <= 20 && n == json_string_length(v);
        for (size_t i = 0; i < n && digits; i++)
            digits = s[i] >= '0' && s[i] <= '9';
        errno = 0;
        unsigned long long x = digits ? strtoull(s, NULL, 10) : 0;
        if (!digits || errno == ERANGE)
            return caseload_fail(c, false, "expected a length 0..18446744073709551615, got \"%s\"",
                                 s);
        f->declared_len = x;
    } else if (caseload_uint_value(c, v, 0, INT64_MAX, &f->declared_len) != 0) {
        return -1;
    }
    f->declared_len_set = true;
    caseload_pop(c);
    return 0;
}

/* Everything of send_frame but the opcode (send_ping/send_pong set it). */
static int frame_fields(struct caseload_ctx *c, const json_t *obj, struct frame_step *f) {
    uint64_t form = 0;
    if (get_rsv(c, obj, &f->rsv) != 0 || caseload_get_bool(c, obj, "fin", &f->fin) != 0 ||
        get_mask(c, obj, &f->mask, f->mask_key) != 0 || get_declared_len(c, obj, f) != 0 ||
        caseload_get_uint(c, obj, "len_form", 0, 64, &form) != 0 ||
        caseload_get_bool(c, obj, "compress", &f->compress) != 0 ||
        get_payload(c, obj, "payload", &f->payload) != 0)
        return -1;
    if (json_object_get(obj, "len_form")) {
        /* 6455:5.2: a 7-bit length, 126 + 16 bits, or 127 + 64 bits. */
        if (form != 7 && form != 16 && form != 64) {
            caseload_push_key(c, "len_form");
            return caseload_fail(c, false, "len_form is 7, 16 or 64, got %llu",
                                 (unsigned long long)form);
        }
        f->len_form = (uint8_t)form;
    }
    return 0;
}

static int require_object(struct caseload_ctx *c, const json_t *v) {
    if (json_is_object(v))
        return 0;
    return caseload_fail(c, false, "expected an object, got %s", caseload_type_name(v));
}

/* ---- step kinds -------------------------------------------------------- */

/* One row of step_kinds (below): how a step of this kind is read. */
struct step_def {
    const char *name;    /* the key naming the step: {"send_frame": {...}} */
    enum step_kind kind; /* set before parse runs, so case_free frees what it fills */
    /* Reads the step's value v (the path is at the kind's key) into s. */
    int (*parse)(struct caseload_ctx *c, const struct step_def *def, const json_t *v,
                 struct step *s);
    /* The fields of the value when it is an object of fields; NULL when the
     * value is a number, a string, a payload or true. */
    const char *const *fields;
    bool sends; /* takes the write options (write_options) beside its key */
};

/* Write options of send steps, beside the step's key (cases/README.md). */
static const char *const write_options[] = {"chop", "chop_delay", "coalesce", NULL};

static const char *const send_frame_fields[] = {
    "opcode", "fin", "rsv", "mask", "len_form", "declared_len", "payload", "compress", NULL};
/* send_ping / send_pong: the opcode is the step's. */
static const char *const control_fields[] = {"fin",          "rsv",     "mask",     "len_form",
                                             "declared_len", "payload", "compress", NULL};
static const char *const message_fields[] = {"opcode", "payload",  "fragments", "rsv",
                                             "mask",   "compress", NULL};
static const char *const series_fields[] = {"opcode", "dataset",  "start",     "units", "count",
                                            "mask",   "compress", "fragments", NULL};
static const char *const close_fields[] = {"code", "reason", "payload", "mask", NULL};
static const char *const wait_fields[] = {"for", "count", "timeout", NULL};
static const char *const repeat_fields[] = {"count", "steps", NULL};

static int parse_send_frame(struct caseload_ctx *c, const struct step_def *def, const json_t *v,
                            struct step *s) {
    struct frame_step *f = &s->u.frame;
    /* fin defaults to true (6455:5.2 FIN "Indicates that this is the final
     * fragment in a message"). */
    f->fin = true;
    if (require_object(c, v) != 0 || caseload_check_keys(c, v, def->fields) != 0 ||
        caseload_require(c, v, "opcode") != 0 || get_opcode(c, v, &f->opcode) != 0)
        return -1;
    return frame_fields(c, v, f);
}

/* send_ping / send_pong: a payload, or an object of send_frame fields. */
static int parse_control(struct caseload_ctx *c, const struct step_def *def, const json_t *v,
                         uint8_t opcode, struct frame_step *f) {
    f->opcode = opcode;
    f->fin = true;
    if (caseload_is_payload(v))
        return caseload_payload(c, v, &f->payload);
    if (!json_is_object(v))
        return caseload_fail(c, false, "expected a payload or an object with \"payload\", got %s",
                             caseload_type_name(v));
    if (caseload_check_keys(c, v, def->fields) != 0)
        return -1;
    return frame_fields(c, v, f);
}

/* 6455:5.5.2 "A Ping frame contains an opcode of 0x9." */
static int parse_send_ping(struct caseload_ctx *c, const struct step_def *def, const json_t *v,
                           struct step *s) {
    return parse_control(c, def, v, 0x9, &s->u.frame);
}

/* 6455:5.5.3 "A Pong frame contains an opcode of 0xA." */
static int parse_send_pong(struct caseload_ctx *c, const struct step_def *def, const json_t *v,
                           struct step *s) {
    return parse_control(c, def, v, 0xA, &s->u.frame);
}

/* fragments of a message of payload_len octets (UINT64_MAX: any length). */
static int parse_fragments(struct caseload_ctx *c, const json_t *v, uint64_t payload_len,
                           uint64_t **fragments, size_t *fragment_count) {
    if (caseload_push_key(c, "fragments") != 0)
        return -1;
    if (!json_is_array(v))
        return caseload_fail(c, false, "expected a list of frame sizes, got %s",
                             caseload_type_name(v));
    size_t n = json_array_size(v);
    uint64_t *sizes = NULL;
    if (n > 0 && !(sizes = *fragments = calloc(n, sizeof *sizes)))
        return nomem(c);
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (caseload_push_index(c, i) != 0 ||
            caseload_uint_value(c, json_array_get(v, i), 0, INT64_MAX, &sizes[i]) != 0)
            return -1;
        *fragment_count = i + 1;
        sum = (u64_add(sum, sizes[i], &sum) != 0) ? UINT64_MAX : sum;
        caseload_pop(c);
    }
    /* The last size repeats until the payload is used up: 0 would never end. */
    if (n > 0 && sizes[n - 1] == 0 && sum < payload_len) {
        caseload_push_index(c, n - 1);
        return caseload_fail(c, false,
                             "the last size repeats until the payload is used up, so it must "
                             "not be 0 here");
    }
    caseload_pop(c);
    return 0;
}

static int parse_send_message(struct caseload_ctx *c, const struct step_def *def, const json_t *v,
                              struct step *s) {
    struct message_step *m = &s->u.message;
    m->opcode = 0x1;
    if (require_object(c, v) != 0 || caseload_check_keys(c, v, def->fields) != 0 ||
        get_opcode(c, v, &m->opcode) != 0 || get_rsv(c, v, &m->rsv) != 0 ||
        get_mask(c, v, &m->mask, (uint8_t[4]){0}) != 0 ||
        caseload_get_bool(c, v, "compress", &m->compress) != 0 ||
        get_payload(c, v, "payload", &m->payload) != 0)
        return -1;
    if (json_object_get(v, "mask") && m->mask == MASK_KEY) {
        caseload_push_key(c, "mask");
        return caseload_fail(c, false, "a message takes true or false (one key per frame)");
    }
    const json_t *frags = json_object_get(v, "fragments");
    return frags ? parse_fragments(c, frags, m->payload.length, &m->fragments, &m->fragment_count)
                 : 0;
}

/* send_series: the Autobahn 12.x/13.x pattern (cases/README.md "Series"). */
static int parse_send_series(struct caseload_ctx *c, const struct step_def *def, const json_t *v,
                             struct step *s) {
    struct series_step *m = &s->u.series;
    m->opcode = 0x1;
    if (require_object(c, v) != 0 || caseload_check_keys(c, v, def->fields) != 0 ||
        get_opcode(c, v, &m->opcode) != 0 || get_mask(c, v, &m->mask, (uint8_t[4]){0}) != 0 ||
        caseload_get_bool(c, v, "compress", &m->compress) != 0 ||
        caseload_series(c, v, &m->series) != 0)
        return -1;
    if (json_object_get(v, "mask") && m->mask == MASK_KEY) {
        caseload_push_key(c, "mask");
        return caseload_fail(c, false, "a series takes true or false (one key per frame)");
    }
    const json_t *frags = json_object_get(v, "fragments");
    return frags ? parse_fragments(c, frags, UINT64_MAX, &m->fragments, &m->fragment_count) : 0;
}

static int parse_send_close(struct caseload_ctx *c, const struct step_def *def, const json_t *v,
                            struct step *s) {
    struct close_step *cl = &s->u.close;
    uint64_t code = 0;
    uint8_t key[4] = {0};
    if (require_object(c, v) != 0 || caseload_check_keys(c, v, def->fields) != 0 ||
        get_mask(c, v, &cl->mask, key) != 0)
        return -1;
    if (cl->mask == MASK_KEY) {
        caseload_push_key(c, "mask");
        return caseload_fail(c, false,
                             "send_close takes true or false; use send_frame for a "
                             "given key");
    }
    if (json_object_get(v, "payload")) {
        if (json_object_get(v, "code") || json_object_get(v, "reason")) {
            caseload_push_key(c, "payload");
            return caseload_fail(c, true,
                                 "\"payload\" replaces \"code\" and \"reason\"; "
                                 "give one or the other");
        }
        cl->raw_set = true;
        return get_payload(c, v, "payload", &cl->raw);
    }
    if (json_object_get(v, "reason") && !json_object_get(v, "code")) {
        caseload_push_key(c, "reason");
        return caseload_fail(c, true, "a reason needs a code");
    }
    /* Any 16-bit value: the harness must be able to send invalid codes. */
    if (caseload_get_uint(c, v, "code", 0, 65535, &code) != 0 ||
        get_payload(c, v, "reason", &cl->reason) != 0)
        return -1;
    cl->has_code = json_object_get(v, "code") != NULL;
    cl->code = (uint16_t)code;
    return 0;
}

static int parse_send_raw(struct caseload_ctx *c, const struct step_def *def, const json_t *v,
                          struct step *s) {
    (void)def;
    return caseload_payload(c, v, &s->u.raw);
}

static int parse_pause(struct caseload_ctx *c, const struct step_def *def, const json_t *v,
                       struct step *s) {
    (void)def;
    return caseload_seconds_value(c, v, true, &s->u.pause_s);
}

/* What "for" names, and its meaning. */
static const char *const wait_names[] = {"message", "ping", "pong", "close", "eof", "any", NULL};
static const enum wait_for wait_values[] = {WAIT_MESSAGE, WAIT_PING, WAIT_PONG,
                                            WAIT_CLOSE,   WAIT_EOF,  WAIT_ANY};
_Static_assert(sizeof wait_values / sizeof wait_values[0] ==
                   sizeof wait_names / sizeof wait_names[0] - 1,
               "one meaning per name");

static int parse_wait(struct caseload_ctx *c, const struct step_def *def, const json_t *v,
                      struct step *s) {
    struct wait_step *w = &s->u.wait;
    uint64_t count = 1;
    size_t what;
    if (require_object(c, v) != 0 || caseload_check_keys(c, v, def->fields) != 0 ||
        caseload_require(c, v, "for") != 0 ||
        caseload_get_uint(c, v, "count", 1, UINT32_MAX, &count) != 0 ||
        caseload_get_seconds(c, v, "timeout", true, &w->timeout_s) != 0 ||
        caseload_push_key(c, "for") != 0 ||
        caseload_choice(c, json_object_get(v, "for"), wait_names, NULL, &what) != 0)
        return -1;
    caseload_pop(c);
    w->count = (uint32_t)count;
    w->what = wait_values[what];
    return 0;
}

static int parse_mark(struct caseload_ctx *c, const struct step_def *def, const json_t *v,
                      struct step *s) {
    (void)def;
    if (caseload_string_value(c, v, &s->u.mark) != 0)
        return -1;
    if (s->u.mark[0] == '\0')
        return caseload_fail(c, false, "a mark needs a name");
    return 0;
}

static int parse_repeat_step(struct caseload_ctx *c, const struct step_def *def, const json_t *v,
                             struct step *s) {
    uint64_t count = 0;
    if (require_object(c, v) != 0 || caseload_check_keys(c, v, def->fields) != 0 ||
        caseload_require(c, v, "count") != 0 || caseload_require(c, v, "steps") != 0 ||
        caseload_get_uint(c, v, "count", 0, UINT32_MAX, &count) != 0 ||
        caseload_push_key(c, "steps") != 0)
        return -1;
    s->u.repeat.count = (uint32_t)count;
    if (caseload_steps(c, json_object_get(v, "steps"), &s->u.repeat.steps,
                       &s->u.repeat.step_count) != 0)
        return -1;
    caseload_pop(c);
    return 0;
}

static int parse_shutdown(struct caseload_ctx *c, const struct step_def *def, const json_t *v,
                          struct step *s) {
    (void)def;
    (void)s;
    bool on = false;
    if (caseload_bool_value(c, v, &on) != 0)
        return -1;
    if (!on)
        return caseload_fail(c, false, "shutdown takes true (leave the step out otherwise)");
    return 0;
}

/* Every step kind of cases/README.md "Steps": a new kind is one row (and
 * its parser). cases/schema.json "step" lists the same kinds and fields. */
static const struct step_def step_kinds[] = {
    {"send_frame", STEP_SEND_FRAME, parse_send_frame, send_frame_fields, true},
    {"send_message", STEP_SEND_MESSAGE, parse_send_message, message_fields, true},
    {"send_close", STEP_SEND_CLOSE, parse_send_close, close_fields, true},
    {"send_series", STEP_SEND_SERIES, parse_send_series, series_fields, true},
    {"send_ping", STEP_SEND_FRAME, parse_send_ping, control_fields, true},
    {"send_pong", STEP_SEND_FRAME, parse_send_pong, control_fields, true},
    {"send_raw", STEP_SEND_RAW, parse_send_raw, NULL, true},
    {"pause", STEP_PAUSE, parse_pause, NULL, false},
    {"wait", STEP_WAIT, parse_wait, wait_fields, false},
    {"mark", STEP_MARK, parse_mark, NULL, false},
    {"repeat", STEP_REPEAT, parse_repeat_step, repeat_fields, false},
    {"shutdown", STEP_SHUTDOWN, parse_shutdown, NULL, false},
};
#define STEP_KIND_COUNT (sizeof step_kinds / sizeof step_kinds[0])
#define OPTION_COUNT    (sizeof write_options / sizeof write_options[0] - 1)

/* The keys a step object may hold: every kind (def NULL), or def's name
 * and, when it sends, the write options. NULL-terminated in out. */
static void step_keys(const struct step_def *def,
                      const char *out[STEP_KIND_COUNT + OPTION_COUNT + 1]) {
    size_t n = 0;
    for (size_t k = 0; k < STEP_KIND_COUNT; k++)
        if (!def || def == &step_kinds[k])
            out[n++] = step_kinds[k].name;
    for (size_t o = 0; o < OPTION_COUNT && (!def || def->sends); o++)
        out[n++] = write_options[o];
    out[n] = NULL;
}

static int parse_step(struct caseload_ctx *c, const json_t *v, struct step *s) {
    const char *keys[STEP_KIND_COUNT + OPTION_COUNT + 1];
    step_keys(NULL, keys);
    if (require_object(c, v) != 0 || caseload_check_keys(c, v, keys) != 0)
        return -1;
    const struct step_def *def = NULL;
    for (size_t k = 0; k < STEP_KIND_COUNT; k++) {
        if (!json_object_get(v, step_kinds[k].name))
            continue;
        if (def) {
            caseload_push_key(c, step_kinds[k].name);
            return caseload_fail(c, true, "a step does one thing: \"%s\" and \"%s\" found",
                                 def->name, step_kinds[k].name);
        }
        def = &step_kinds[k];
    }
    if (!def) {
        char list[300];
        keys[STEP_KIND_COUNT] = NULL; /* the kinds, without the write options */
        caseload_join(keys, list, sizeof list);
        return caseload_fail(c, false, "a step needs one of: %s", list);
    }
    step_keys(def, keys);
    if (caseload_check_keys(c, v, keys) != 0)
        return -1;
    if (def->sends) { /* write options, defaulting to the case's */
        uint64_t chop = c->case_chop;
        s->chop_delay_s = c->case_chop_delay;
        if (caseload_get_uint(c, v, "chop", 0, UINT32_MAX, &chop) != 0 ||
            caseload_get_seconds(c, v, "chop_delay", true, &s->chop_delay_s) != 0 ||
            caseload_get_bool(c, v, "coalesce", &s->coalesce) != 0)
            return -1;
        s->chop = (uint32_t)chop;
    }
    s->kind = def->kind;
    if (caseload_push_key(c, def->name) != 0 ||
        def->parse(c, def, json_object_get(v, def->name), s) != 0)
        return -1;
    caseload_pop(c);
    return 0;
}

int caseload_steps(struct caseload_ctx *c, const json_t *arr, struct step **out, size_t *count) {
    if (!json_is_array(arr))
        return caseload_fail(c, false, "expected a list of steps, got %s", caseload_type_name(arr));
    size_t n = json_array_size(arr);
    if (n == 0)
        return caseload_fail(c, false, "needs at least one step");
    struct step *steps = calloc(n, sizeof *steps);
    if (!steps)
        return nomem(c);
    for (size_t i = 0; i < n; i++) {
        int rc = caseload_push_index(c, i);
        if (rc == 0) {
            steps[i].kind = STEP_PAUSE; /* owns nothing until a kind is parsed */
            rc = parse_step(c, json_array_get(arr, i), &steps[i]);
        }
        if (rc != 0) {
            /* case_free frees whatever each step owns so far. */
            struct wcase tmp = {0};
            tmp.steps = steps;
            tmp.step_count = i + 1;
            case_free(&tmp);
            return -1;
        }
        caseload_pop(c);
    }
    *out = steps;
    *count = n;
    return 0;
}
