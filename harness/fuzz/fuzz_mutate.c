/* fuzz_mutate: structure-aware mutants of cases (fuzz_mutate.h), along the
 * dimensions of ../shared/FUZZING.md section 5: A lengths, B masks, C control
 * frames and fragmentation, D UTF-8, E RSV bits, F deflate flags, H the
 * handshake, I segmentation and timing. Every mutation edits the steps of a
 * deep copy; a mutation that finds nothing to work on reports so, and
 * another is drawn. Payloads stay at most FUZZ_MAX_PAYLOAD octets, pauses
 * and chop delays short: a mutant runs in milliseconds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "codec/frame.h"
#include "fuzz/fuzz_mutate.h"
#include "load/casewrite.h"

#define FUZZ_MAX_PAYLOAD (256u * 1024u)
#define MAX_EXPLODE      64u
#define MAX_STEPS        4096u

static const char *const dim_names[FUZZ_DIM_COUNT] = {
    "length", "mask",      "rsv-opcode", "fragment", "control", "close",
    "utf8",   "handshake", "segment",    "timing",   "splice",  "deflate",
};

const char *fuzz_dim_name(enum fuzz_dim d) {
    return d < FUZZ_DIM_COUNT ? dim_names[d] : "unknown";
}

struct mut {
    struct wcase *c;
    const struct wcase *other;
    struct prng *rng;
    int err;
};

static uint64_t rnd(struct mut *m, uint64_t n) {
    return n ? prng_below(m->rng, n) : 0;
}

/* ---- steps ---- */

static bool is_data_send(const struct step *s) {
    return (s->kind == STEP_SEND_FRAME && !frame_opcode_is_control(s->u.frame.opcode)) ||
           s->kind == STEP_SEND_MESSAGE;
}

/* A random top-level step for which pred holds, or -1. */
static long pick(struct mut *m, bool (*pred)(const struct step *)) {
    long idx[MAX_STEPS];
    size_t n = 0;
    for (size_t i = 0; i < m->c->step_count && n < MAX_STEPS; i++)
        if (pred(&m->c->steps[i]))
            idx[n++] = (long)i;
    return n ? idx[rnd(m, n)] : -1;
}

static bool any_send(const struct step *s) {
    return s->kind == STEP_SEND_FRAME || s->kind == STEP_SEND_MESSAGE ||
           s->kind == STEP_SEND_CLOSE || s->kind == STEP_SEND_RAW;
}
static bool frame_step(const struct step *s) {
    return s->kind == STEP_SEND_FRAME;
}
static bool plain_message(const struct step *s) {
    return s->kind == STEP_SEND_MESSAGE && !s->u.message.compress;
}
static bool close_step(const struct step *s) {
    return s->kind == STEP_SEND_CLOSE;
}
static bool text_send(const struct step *s) {
    return (s->kind == STEP_SEND_MESSAGE && s->u.message.opcode == FRAME_OP_TEXT &&
            !s->u.message.compress) ||
           (s->kind == STEP_SEND_FRAME && s->u.frame.opcode == FRAME_OP_TEXT &&
            !s->u.frame.compress);
}
static bool maskable(const struct step *s) {
    return s->kind == STEP_SEND_FRAME || s->kind == STEP_SEND_MESSAGE || s->kind == STEP_SEND_CLOSE;
}

/* Insert *s (its contents now owned by the case) at index at. */
static bool insert_step(struct mut *m, size_t at, const struct step *s) {
    struct wcase *c = m->c;
    if (c->step_count >= MAX_STEPS)
        return false;
    struct step *p = realloc(c->steps, (c->step_count + 1) * sizeof *p);
    if (!p) {
        m->err = WS_ERR_NOMEM;
        return false;
    }
    c->steps = p;
    memmove(&p[at + 1], &p[at], (c->step_count - at) * sizeof *p);
    p[at] = *s;
    c->step_count++;
    return true;
}

/* Where our first close frame is (steps before it are the conversation), or
 * the end. */
static size_t first_close(const struct wcase *c) {
    for (size_t i = 0; i < c->step_count; i++)
        if (c->steps[i].kind == STEP_SEND_CLOSE ||
            (c->steps[i].kind == STEP_SEND_FRAME && c->steps[i].u.frame.opcode == FRAME_OP_CLOSE))
            return i;
    return c->step_count;
}

/* ---- payloads ---- */

static bool set_bytes(struct mut *m, struct payload *p, const uint8_t *data, size_t len) {
    struct payload n = {0};
    if (payload_from_bytes(&n, data, len) != 0) {
        m->err = WS_ERR_NOMEM;
        return false;
    }
    payload_free(p);
    *p = n;
    return true;
}

static bool set_repeat(struct mut *m, struct payload *p, uint8_t unit, uint64_t count) {
    if (count == 0)
        return set_bytes(m, p, NULL, 0);
    uint8_t *u = malloc(1);
    if (!u) {
        m->err = WS_ERR_NOMEM;
        return false;
    }
    u[0] = unit;
    payload_free(p);
    *p = (struct payload){.kind = PAYLOAD_REPEAT, .length = count, .bytes = u, .unit_len = 1};
    return true;
}

/* The payload's octets (at most FUZZ_MAX_PAYLOAD), or NULL. */
static uint8_t *octets(struct mut *m, const struct payload *p, size_t *len) {
    *len = p->length > FUZZ_MAX_PAYLOAD ? FUZZ_MAX_PAYLOAD : (size_t)p->length;
    uint8_t *b = malloc(*len ? *len : 1);
    if (!b) {
        m->err = WS_ERR_NOMEM;
        return NULL;
    }
    if (*len)
        payload_read(p, 0, b, *len);
    return b;
}

static struct payload *step_payload(struct step *s) {
    switch (s->kind) {
    case STEP_SEND_FRAME: return &s->u.frame.payload;
    case STEP_SEND_MESSAGE: return &s->u.message.payload;
    case STEP_SEND_RAW: return &s->u.raw;
    default: return NULL;
    }
}

static void clamp(struct mut *m, struct step *steps, size_t n) {
    for (size_t i = 0; i < n && !m->err; i++) {
        if (steps[i].kind == STEP_REPEAT) {
            clamp(m, steps[i].u.repeat.steps, steps[i].u.repeat.step_count);
            continue;
        }
        struct payload *p = step_payload(&steps[i]);
        if (p && p->length > FUZZ_MAX_PAYLOAD)
            set_repeat(m, p, '*', FUZZ_MAX_PAYLOAD);
        /* small chops only on short steps: 256 KiB one octet at a time would
         * take the whole case's time */
        if (p && p->length > 2048 && (steps[i].chop ? steps[i].chop : m->c->chop) < 1024 &&
            (steps[i].chop || m->c->chop)) {
            steps[i].chop = 1024;
            steps[i].chop_delay_s = 0;
        }
        if (steps[i].kind == STEP_SEND_FRAME) {
            /* a forced length form that no longer holds the length: the
             * 64-bit form holds every length */
            struct frame_step *f = &steps[i].u.frame;
            uint64_t len = f->declared_len_set ? f->declared_len : f->payload.length;
            if ((f->len_form == 7 && len > 125) || (f->len_form == 16 && len > 65535))
                f->len_form = 64;
        }
        if (steps[i].kind == STEP_PAUSE && steps[i].u.pause_s > 0.05)
            steps[i].u.pause_s = 0.05;
        if (steps[i].chop_delay_s > 0.01)
            steps[i].chop_delay_s = 0.01;
    }
}

/* ---- frames out of a message ---- */

/* Replace the send_message at i by the send_frame steps the runner would
 * write for it (runner_exec.c send_message_step), so each frame position can
 * be mutated. Returns how many frames, 0 when it cannot. */
static size_t explode(struct mut *m, size_t i) {
    struct step *s = &m->c->steps[i];
    if (!plain_message(s))
        return 0;
    const struct message_step *msg = &s->u.message;
    size_t len;
    uint8_t *data = octets(m, &msg->payload, &len);
    if (!data)
        return 0;
    struct step frames[MAX_EXPLODE];
    size_t n = 0, off = 0;
    bool ok = true;
    do {
        size_t size = len - off;
        if (msg->fragment_count > 0) {
            uint64_t want = msg->fragments[n < msg->fragment_count ? n : msg->fragment_count - 1];
            bool repeats = n >= msg->fragment_count - 1;
            if (want < size && !(repeats && want == 0))
                size = (size_t)want;
        }
        if (n == MAX_EXPLODE) {
            ok = false;
            break;
        }
        struct step f = {.kind = STEP_SEND_FRAME, .chop = s->chop, .coalesce = s->coalesce};
        f.u.frame = (struct frame_step){.fin = off + size == len,
                                        .rsv = n == 0 ? msg->rsv : 0,
                                        .opcode = n == 0 ? msg->opcode : FRAME_OP_CONT,
                                        .mask = msg->mask == MASK_NONE ? MASK_NONE : MASK_RANDOM};
        if (payload_from_bytes(&f.u.frame.payload, data + off, size) != 0) {
            m->err = WS_ERR_NOMEM;
            ok = false;
            break;
        }
        frames[n++] = f;
        off += size;
    } while (off < len);
    free(data);
    if (!ok || m->c->step_count + n > MAX_STEPS) {
        for (size_t k = 0; k < n; k++)
            payload_free(&frames[k].u.frame.payload);
        return 0;
    }
    struct step old = *s;
    m->c->steps[i] = frames[0];
    for (size_t k = 1; k < n; k++)
        if (!insert_step(m, i + k, &frames[k]))
            payload_free(&frames[k].u.frame.payload);
    payload_free(&old.u.message.payload);
    free(old.u.message.fragments);
    return n;
}

/* A frame step (a message exploded first), or -1. */
static long pick_frame(struct mut *m) {
    long i = pick(m, plain_message);
    size_t n = 0;
    if (i >= 0 && rnd(m, 2) && (n = explode(m, (size_t)i)) > 0)
        return i + (long)rnd(m, n);
    long f = pick(m, frame_step);
    if (f >= 0 || i < 0 || m->err)
        return f;
    n = explode(m, (size_t)i);
    return n > 0 ? i + (long)rnd(m, n) : -1;
}

static struct step new_frame(uint8_t opcode, bool fin) {
    struct step s = {.kind = STEP_SEND_FRAME};
    s.u.frame = (struct frame_step){.fin = fin, .opcode = opcode, .mask = MASK_RANDOM};
    return s;
}

/* ---- the dimensions ---- */

static const uint64_t boundary[] = {0,    1,     2,     125,   126,    127,    128,
                                    1000, 65535, 65536, 65537, 131072, 200000, 262144};

static bool mut_length(struct mut *m) {
    long i = pick(m, is_data_send);
    if (i < 0)
        return false;
    struct step *s = &m->c->steps[i];
    uint64_t len = boundary[rnd(m, sizeof boundary / sizeof boundary[0])];
    if (s->kind == STEP_SEND_MESSAGE || rnd(m, 5) == 0) {
        struct payload *p = step_payload(s);
        uint8_t unit =
            s->kind == STEP_SEND_FRAME && s->u.frame.opcode == FRAME_OP_BINARY ? 0xfe : '*';
        return set_repeat(m, p, unit, len);
    }
    struct frame_step *f = &s->u.frame;
    switch (rnd(m, 4)) {
    case 0: { /* 6455:5.2 a length not in the minimal form */
        uint64_t sent = f->declared_len_set ? f->declared_len : f->payload.length;
        f->len_form = sent <= 65535 && rnd(m, 2) ? 16 : 64;
        return true;
    }
    case 1: { /* declared longer than sent: the rest never comes, then our FIN */
        static const uint64_t more[] = {1, 2, 100, 65536, 1u << 20};
        f->declared_len_set = true;
        f->declared_len = f->payload.length + more[rnd(m, 5)];
        f->len_form = 0;
        f->mask = MASK_KEY;
        memset(f->mask_key, 0, 4);
        struct step sd = {.kind = STEP_SHUTDOWN};
        struct step pz = {.kind = STEP_PAUSE};
        pz.u.pause_s = 0.05;
        return insert_step(m, m->c->step_count, &pz) && insert_step(m, m->c->step_count, &sd);
    }
    case 2: { /* a 64-bit length no peer holds, or with its top bit set */
        static const uint64_t huge[] = {UINT64_C(0x7fffffffffffffff), UINT64_C(1) << 63,
                                        UINT64_MAX};
        f->len_form = 64;
        f->declared_len_set = true;
        f->declared_len = huge[rnd(m, 3)];
        return true;
    }
    default: /* declared shorter than sent: the rest is read as the next frame */
        if (f->payload.length == 0)
            return false;
        f->declared_len_set = true;
        f->declared_len = rnd(m, f->payload.length);
        f->len_form = 0;
        f->mask = rnd(m, 2) ? MASK_NONE : MASK_KEY;
        memset(f->mask_key, 0, 4);
        return true;
    }
}

static bool mut_mask(struct mut *m) {
    long i = pick(m, maskable);
    if (i < 0)
        return false;
    struct step *s = &m->c->steps[i];
    static const uint8_t keys[3][4] = {
        {0, 0, 0, 0}, {0xff, 0xff, 0xff, 0xff}, {0x37, 0xfa, 0x21, 0x3d}};
    enum mask_mode mode = rnd(m, 2) ? MASK_NONE : MASK_KEY;
    const uint8_t *key = keys[rnd(m, 3)];
    if (s->kind == STEP_SEND_FRAME) {
        s->u.frame.mask = mode;
        memcpy(s->u.frame.mask_key, key, 4);
    } else if (s->kind == STEP_SEND_MESSAGE) {
        s->u.message.mask = MASK_NONE; /* a message takes no explicit key */
    } else {
        s->u.close.mask = MASK_NONE;
    }
    return true;
}

static bool mut_rsv_opcode(struct mut *m) {
    long i = pick_frame(m);
    if (i < 0)
        return false;
    struct frame_step *f = &m->c->steps[i].u.frame;
    switch (rnd(m, 3)) {
    case 0: f->rsv = (uint8_t)(1 + rnd(m, 7)); break;
    case 1: f->opcode = (uint8_t)rnd(m, 16); break;
    default: f->fin = !f->fin; break;
    }
    return true;
}

static bool mut_fragment(struct mut *m) {
    long i = pick(m, plain_message);
    switch (rnd(m, 3)) {
    case 0: { /* split points, inside a code point too */
        if (i < 0)
            return false;
        struct message_step *msg = &m->c->steps[i].u.message;
        size_t n = 1 + rnd(m, 3);
        uint64_t *fr = malloc(n * sizeof *fr);
        if (!fr) {
            m->err = WS_ERR_NOMEM;
            return false;
        }
        for (size_t k = 0; k < n; k++)
            fr[k] = 1 + rnd(m, msg->payload.length > 1 ? msg->payload.length : 2);
        /* the last size repeats: at most about 32 frames */
        if (fr[n - 1] < msg->payload.length / 32)
            fr[n - 1] = msg->payload.length / 32;
        free(msg->fragments);
        msg->fragments = fr;
        msg->fragment_count = n;
        return true;
    }
    case 1: { /* a continuation that continues nothing: 6455:5.4 */
        long f = pick_frame(m);
        if (f < 0)
            return false;
        m->c->steps[f].u.frame.opcode = FRAME_OP_CONT;
        return true;
    }
    default: { /* a new message inside a fragmented one: 6455:5.4 */
        if (i < 0 || explode(m, (size_t)i) < 2)
            return false;
        struct step t = new_frame(rnd(m, 2) ? FRAME_OP_TEXT : FRAME_OP_BINARY, true);
        if (payload_from_bytes(&t.u.frame.payload, (const uint8_t *)"inside", 6) != 0) {
            m->err = WS_ERR_NOMEM;
            return false;
        }
        return insert_step(m, (size_t)i + 1, &t) || (payload_free(&t.u.frame.payload), false);
    }
    }
}

static bool mut_control(struct mut *m) {
    static const uint8_t ops[] = {FRAME_OP_PING, FRAME_OP_PING, FRAME_OP_PONG, FRAME_OP_CLOSE};
    static const uint64_t sizes[] = {0, 5, 125, 126};
    size_t at = first_close(m->c);
    long i = pick(m, plain_message);
    size_t frames = i >= 0 ? explode(m, (size_t)i) : 0;
    if (frames >= 2)
        at = (size_t)i + 1 + rnd(m, frames - 1);
    else
        at = rnd(m, at + 1);
    uint8_t op = ops[rnd(m, 4)];
    struct step c = new_frame(op, rnd(m, 8) != 0);
    uint64_t size = sizes[rnd(m, 4)];
    if (op == FRAME_OP_CLOSE) {
        uint8_t body[2] = {0x03, 0xe8};
        if (payload_from_bytes(&c.u.frame.payload, body, size >= 2 ? 2 : (size_t)size) != 0)
            m->err = WS_ERR_NOMEM;
    } else {
        c.u.frame.payload = (struct payload){0};
        if (!set_repeat(m, &c.u.frame.payload, 'p', size))
            return false;
    }
    if (m->err)
        return false;
    if (!insert_step(m, at, &c)) {
        payload_free(&c.u.frame.payload);
        return false;
    }
    return true;
}

static bool mut_close(struct mut *m) {
    static const uint16_t codes[] = {1000, 1001, 1002, 1003, 1007, 1008, 1009,
                                     1010, 1011, 1004, 1005, 1006, 1015, 1016,
                                     0,    999,  2999, 3000, 4999, 5000, 65535};
    long i = pick(m, close_step);
    if (i < 0) {
        struct step s = {.kind = STEP_SEND_CLOSE};
        s.u.close.has_code = true;
        s.u.close.code = 1000;
        if (!insert_step(m, m->c->step_count, &s))
            return false;
        i = (long)m->c->step_count - 1;
    }
    struct close_step *c = &m->c->steps[i].u.close;
    switch (rnd(m, 4)) {
    case 0:
        c->raw_set = false;
        c->has_code = true;
        c->code = codes[rnd(m, sizeof codes / sizeof codes[0])];
        return true;
    case 1: { /* reasons of 0, 123 and 124 octets (a 126-octet frame) */
        static const uint64_t lens[] = {0, 1, 123, 124};
        c->raw_set = false;
        c->has_code = true;
        return set_repeat(m, &c->reason, 'r', lens[rnd(m, 4)]);
    }
    case 2: { /* a reason that is not UTF-8 */
        static const uint8_t bad[] = {'b', 'y', 'e', 0xed, 0xa0, 0x80};
        c->raw_set = false;
        c->has_code = true;
        return set_bytes(m, &c->reason, bad, sizeof bad);
    }
    default: { /* 0 or 1 octet of payload */
        uint8_t one = 0x03;
        c->has_code = false;
        payload_free(&c->reason);
        c->raw_set = rnd(m, 2);
        return set_bytes(m, &c->raw, &one, c->raw_set ? 1 : 0);
    }
    }
}

static const struct {
    const char *what;
    uint8_t octets[6];
    size_t len;
} edges[] = {
    {"overlong-2", {0xc0, 0xaf}, 2},          {"overlong-3", {0xe0, 0x80, 0xaf}, 3},
    {"surrogate", {0xed, 0xa0, 0x80}, 3},     {"above-10ffff", {0xf4, 0x90, 0x80, 0x80}, 4},
    {"truncated", {0xe2, 0x82}, 2},           {"lone-continuation", {0x80}, 1},
    {"valid-4", {0xf0, 0x9f, 0x98, 0x80}, 4}, {"valid-3", {0xe2, 0x82, 0xac}, 3},
    {"lead-f5", {0xf5, 0x80, 0x80, 0x80}, 4}, {"noncharacter", {0xef, 0xbf, 0xbf}, 3},
};

static bool mut_utf8(struct mut *m) {
    long i = pick(m, text_send);
    if (i < 0)
        return false;
    struct step *s = &m->c->steps[i];
    struct payload *p = step_payload(s);
    size_t len;
    uint8_t *data = octets(m, p, &len);
    if (!data)
        return false;
    size_t e = rnd(m, sizeof edges / sizeof edges[0]);
    size_t at = rnd(m, len + 1);
    size_t elen = edges[e].len;
    uint8_t *n = malloc(len + elen);
    if (!n) {
        free(data);
        m->err = WS_ERR_NOMEM;
        return false;
    }
    memcpy(n, data, at);
    memcpy(n + at, edges[e].octets, elen);
    memcpy(n + at + elen, data + at, len - at);
    free(data);
    bool ok = set_bytes(m, p, n, len + elen);
    free(n);
    if (ok && s->kind == STEP_SEND_MESSAGE && rnd(m, 2)) {
        /* split inside the sequence: 6455:5.6 "a particular text frame might
         * include a partial UTF-8 sequence" */
        uint64_t *fr = malloc(2 * sizeof *fr);
        if (!fr) {
            m->err = WS_ERR_NOMEM;
            return false;
        }
        fr[0] = at + 1 + rnd(m, elen);
        fr[1] = rnd(m, 2) && len + elen <= 64 ? 1 : len + elen;
        free(s->u.message.fragments);
        s->u.message.fragments = fr;
        s->u.message.fragment_count = 2;
    }
    return ok;
}

static bool mut_handshake(struct mut *m) {
    struct handshake_override *h = &m->c->handshake;
    if (h->raw_set)
        return false;
    static const struct {
        int op;
        const char *name, *value;
    } ops[] = {
        {2, "Sec-WebSocket-Key", NULL},
        {2, "Upgrade", NULL},
        {2, "Connection", NULL},
        {2, "Sec-WebSocket-Version", NULL},
        {2, "Host", NULL},
        {1, "Sec-WebSocket-Version", "13"},
        {1, "Host", "example.com"},
        {1, "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
        {0, "sEC-wEBsOCKET-kEY", NULL},
        {0, "UPGRADE", NULL},
        {0, "Sec-WebSocket-Version", "8"},
        {0, "Sec-WebSocket-Version", "abc"},
        {0, "Upgrade", "websocket, h2c"},
        {0, "Connection", "keep-alive, Upgrade"},
        {1, "Origin", "http://example.com"},
        {0, "Sec-WebSocket-Key", "short"},
    };
    size_t k = rnd(m, sizeof ops / sizeof ops[0]);
    void *p = realloc(h->headers, (h->header_count + 1) * sizeof *h->headers);
    if (!p) {
        m->err = WS_ERR_NOMEM;
        return false;
    }
    h->headers = p;
    char *name = strdup(ops[k].name);
    char *value = ops[k].value ? strdup(ops[k].value) : NULL;
    if (!name || (ops[k].value && !value)) {
        free(name);
        free(value);
        m->err = WS_ERR_NOMEM;
        return false;
    }
    h->headers[h->header_count].op = ops[k].op;
    h->headers[h->header_count].name = name;
    h->headers[h->header_count].value = value;
    h->header_count++;
    m->c->has_handshake = true;
    return true;
}

/* A send step short enough to write in small chops (a fuzzer stays fast). */
static bool short_send(const struct step *s) {
    if (!any_send(s))
        return false;
    const struct payload *p = s->kind == STEP_SEND_FRAME     ? &s->u.frame.payload
                              : s->kind == STEP_SEND_MESSAGE ? &s->u.message.payload
                              : s->kind == STEP_SEND_RAW     ? &s->u.raw
                                                             : &s->u.close.reason;
    return p->length <= 2048;
}

static bool mut_segment(struct mut *m) {
    long i = pick(m, short_send);
    if (i < 0)
        return false;
    struct step *s = &m->c->steps[i];
    static const uint32_t chops[] = {1, 2, 3, 5, 6, 7, 13, 14, 17};
    if (rnd(m, 3) == 0 && (size_t)i + 1 < m->c->step_count)
        s->coalesce = true;
    else
        s->chop = chops[rnd(m, sizeof chops / sizeof chops[0])];
    return true;
}

static bool mut_timing(struct mut *m) {
    long i = pick(m, short_send);
    if (i >= 0 && rnd(m, 2)) {
        struct step *s = &m->c->steps[i];
        if (!s->chop)
            s->chop = 1 + (uint32_t)rnd(m, 8);
        s->chop_delay_s = 0.001 * (double)(1 + rnd(m, 5));
        s->coalesce = false;
        return true;
    }
    struct step p = {.kind = STEP_PAUSE};
    p.u.pause_s = 0.01 * (double)(1 + rnd(m, 5));
    return insert_step(m, rnd(m, first_close(m->c) + 1), &p);
}

static bool mut_splice(struct mut *m) {
    const struct wcase *o = m->other;
    if (!o || o->step_count == 0)
        return false;
    size_t end = first_close(o);
    if (end == 0)
        return false;
    size_t from = rnd(m, end), n = 1 + rnd(m, 3);
    if (from + n > end)
        n = end - from;
    struct step *copy = NULL;
    if (case_copy_steps(&copy, &o->steps[from], n) != 0) {
        m->err = WS_ERR_NOMEM;
        return false;
    }
    size_t at = rnd(m, first_close(m->c) + 1);
    size_t k = 0;
    for (; k < n && insert_step(m, at + k, &copy[k]); k++)
        ;
    if (k < n) {
        /* the steps not inserted are freed through a case that owns them */
        struct wcase tmp = {0};
        tmp.steps = calloc(n - k, sizeof *tmp.steps);
        if (tmp.steps) {
            memcpy(tmp.steps, copy + k, (n - k) * sizeof *tmp.steps);
            tmp.step_count = n - k;
            case_free(&tmp);
        }
    }
    free(copy);
    clamp(m, m->c->steps, m->c->step_count);
    return k > 0;
}

static bool mut_deflate(struct mut *m) {
    if (m->c->deflate.set) {
        long i = pick(m, is_data_send);
        if (i >= 0 && m->c->steps[i].kind == STEP_SEND_MESSAGE && rnd(m, 2)) {
            m->c->steps[i].u.message.compress = !m->c->steps[i].u.message.compress;
            return true;
        }
    }
    /* RSV1: 7692:6.1 on a control or continuation frame when agreed, 6455:5.2
     * on any frame when not */
    long f = pick_frame(m);
    if (f < 0)
        return false;
    m->c->steps[f].u.frame.rsv |= FRAME_RSV1;
    if (m->c->deflate.set && rnd(m, 2))
        m->c->steps[f].u.frame.compress = true;
    return true;
}

static bool (*const mutators[FUZZ_DIM_COUNT])(struct mut *) = {
    [FUZZ_DIM_LENGTH] = mut_length,
    [FUZZ_DIM_MASK] = mut_mask,
    [FUZZ_DIM_RSV_OPCODE] = mut_rsv_opcode,
    [FUZZ_DIM_FRAGMENT] = mut_fragment,
    [FUZZ_DIM_CONTROL] = mut_control,
    [FUZZ_DIM_CLOSE] = mut_close,
    [FUZZ_DIM_UTF8] = mut_utf8,
    [FUZZ_DIM_HANDSHAKE] = mut_handshake,
    [FUZZ_DIM_SEGMENT] = mut_segment,
    [FUZZ_DIM_TIMING] = mut_timing,
    [FUZZ_DIM_SPLICE] = mut_splice,
    [FUZZ_DIM_DEFLATE] = mut_deflate,
};

int fuzz_mutate(const struct wcase *base, const struct wcase *other, struct prng *rng,
                const char *tag, struct wcase *out, uint32_t *dims) {
    *dims = 0;
    if (case_copy(out, base) != 0)
        return WS_ERR_NOMEM;
    size_t idlen = strlen(base->id) + strlen(tag) + 2;
    char *id = malloc(idlen);
    if (!id) {
        case_free(out);
        return WS_ERR_NOMEM;
    }
    snprintf(id, idlen, "%s~%s", base->id, tag);
    free(out->id);
    out->id = id;
    free(out->stimulus);
    free(out->judging);
    out->stimulus = out->judging = NULL;
    struct mut m = {.c = out, .other = other, .rng = rng};
    clamp(&m, out->steps, out->step_count);
    size_t want = 1 + (size_t)prng_below(rng, 4), done = 0;
    for (size_t attempt = 0; done < want && attempt < 32 && !m.err; attempt++) {
        enum fuzz_dim d = (enum fuzz_dim)prng_below(rng, FUZZ_DIM_COUNT);
        if (mutators[d](&m)) {
            *dims |= 1u << d;
            done++;
        }
    }
    if (done == 0 && !m.err && mut_timing(&m))
        *dims |= 1u << FUZZ_DIM_TIMING;
    if (!m.err)
        clamp(&m, out->steps, out->step_count);
    /* Coalesced octets wait for the next send: before a wait (or at the
     * end) they would hold the conversation up. */
    for (size_t i = 0; i < out->step_count; i++) {
        if (!out->steps[i].coalesce)
            continue;
        bool sent = false;
        for (size_t k = i + 1; k < out->step_count && !sent; k++) {
            if (out->steps[k].kind == STEP_WAIT || out->steps[k].kind == STEP_SHUTDOWN ||
                out->steps[k].kind == STEP_REPEAT)
                break;
            sent = any_send(&out->steps[k]);
        }
        if (!sent)
            out->steps[i].coalesce = false;
    }
    if (m.err) {
        case_free(out);
        *dims = 0;
        return m.err;
    }
    return 0;
}

/* The default seeds: cases that run in a blink, not the series of many
 * messages, the floods, the large-message limits or the decompression
 * bombs. */
bool fuzz_seed_is_quick(const struct wcase *c) {
    if (!strncmp(c->id, "floods.", 7) || !strncmp(c->id, "limits.", 7))
        return false;
    for (size_t i = 0; i < c->tag_count; i++)
        if (!strcmp(c->tags[i], "bomb")) /* decompression bombs: seconds each */
            return false;
    for (size_t i = 0; i < c->step_count; i++) {
        const struct step *s = &c->steps[i];
        if (s->kind == STEP_SEND_SERIES || (s->kind == STEP_REPEAT && s->u.repeat.count > 64))
            return false;
        if (s->kind == STEP_SEND_MESSAGE && s->u.message.payload.length > (256u << 10))
            return false;
        if (s->kind == STEP_SEND_FRAME && s->u.frame.payload.length > (256u << 10))
            return false;
    }
    return true;
}
