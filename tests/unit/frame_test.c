/* frame_test: RFC 6455 section 5 framing, writer and parser.
 *
 * Expected bytes are the examples of 6455:5.7 and encodings worked out by
 * hand from the 5.2 figure (first octet FIN|RSV1|RSV2|RSV3|opcode, second
 * octet MASK|len7, 126 -> 16-bit and 127 -> 64-bit network order length,
 * then the key). Every parser input is placed right before a PROT_NONE page
 * (one guard_copy per fed chunk) so that reading one byte past what we hand
 * the parser faults at once.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "base/buf.h"
#include "base/errors.h"
#include "codec/frame.h"
#include "test.h"

/* ---- a recorded parse ------------------------------------------------ */

enum { MAX_RECS = 512 };

/* One non-payload event; payload events are merged into trace.payload and
 * counted per frame in the END record (frame_payload). */
struct rec {
    enum frame_event_kind kind;
    struct frame_header hdr;
    enum frame_violation violation;
    uint64_t stream_offset;
    uint64_t frame_payload;
};

struct trace {
    struct rec recs[MAX_RECS];
    size_t n;
    struct buf payload; /* all PAYLOAD bytes, unmasked, in order */
    int errors;         /* broken calling-contract invariants seen */
};

static const struct frame_limits no_limits = {0, 0, false};

/* Parse bytes[0..len) fed in pieces of `chunk` octets (0: one piece), each
 * piece in its own guarded copy, and record the events. */
static void trace_parse(struct trace *t, enum frame_role role, const struct frame_limits *limits,
                        const uint8_t *bytes, size_t len, size_t chunk) {
    struct frame_parser p;
    memset(t, 0, sizeof *t);
    frame_parser_init(&p, role, limits);
    /* Never NULL, so an empty payload still compares with memcmp. */
    if (buf_reserve(&t->payload, 1) != 0)
        t->errors++;
    if (chunk == 0)
        chunk = len ? len : 1;
    uint64_t frame_payload = 0;
    size_t pos = 0;
    bool failed = false;
    /* One mapping whose first `chunk` octets end at the guard page; each
     * piece is copied so that it ends right there too. */
    struct guarded g = guard_copy(bytes, len < chunk ? len : chunk);
    uint8_t *guard = g.data + (len < chunk ? len : chunk);
    do {
        size_t piece = len - pos < chunk ? len - pos : chunk;
        uint8_t *data = guard - piece;
        if (piece)
            memcpy(data, bytes + pos, piece);
        size_t used = 0;
        for (int spins = 0;; spins++) {
            struct frame_event ev;
            size_t consumed = frame_parse(&p, data + used, piece - used, &ev);
            if (consumed > piece - used || spins > 1000000) {
                t->errors++;
                break;
            }
            if (ev.kind == FRAME_EV_PAYLOAD) {
                if (ev.data != data + used || ev.len != consumed || ev.len == 0 ||
                    ev.payload_offset != frame_payload ||
                    buf_append(&t->payload, ev.data, ev.len) != 0)
                    t->errors++;
                frame_payload += ev.len;
                used += consumed;
                continue;
            }
            used += consumed;
            if (ev.kind == FRAME_EV_NEED_MORE) {
                if (used != piece)
                    t->errors++;
                break;
            }
            if (t->n == MAX_RECS) {
                t->errors++;
                break;
            }
            struct rec *r = &t->recs[t->n++];
            r->kind = ev.kind;
            r->hdr = ev.hdr;
            r->violation = ev.violation;
            r->stream_offset = ev.stream_offset;
            r->frame_payload = frame_payload;
            if (ev.kind == FRAME_EV_END)
                frame_payload = 0;
            if (ev.kind == FRAME_EV_VIOLATION) {
                /* The parser stays failed: same violation, nothing consumed. */
                struct frame_event again;
                uint8_t more[3] = {0x81, 0x00, 0x00};
                if (frame_parse(&p, more, sizeof more, &again) != 0 ||
                    again.kind != FRAME_EV_VIOLATION || again.violation != ev.violation ||
                    again.stream_offset != ev.stream_offset || p.state != FRAME_S_FAILED)
                    t->errors++;
                failed = true;
                break;
            }
        }
        pos += piece;
    } while (pos < len && !failed);
    guard_free(&g);
}

static bool hdr_equal(const struct frame_header *a, const struct frame_header *b) {
    return a->fin == b->fin && a->rsv == b->rsv && a->opcode == b->opcode &&
           a->masked == b->masked && memcmp(a->mask_key, b->mask_key, 4) == 0 &&
           a->payload_len == b->payload_len && a->length_bits == b->length_bits &&
           a->non_minimal == b->non_minimal && a->header_len == b->header_len;
}

static bool trace_equal(const struct trace *a, const struct trace *b) {
    if (a->n != b->n || a->payload.len != b->payload.len ||
        (a->payload.len && memcmp(a->payload.data, b->payload.data, a->payload.len) != 0))
        return false;
    for (size_t i = 0; i < a->n; i++) {
        const struct rec *x = &a->recs[i], *y = &b->recs[i];
        if (x->kind != y->kind || !hdr_equal(&x->hdr, &y->hdr) || x->violation != y->violation ||
            x->stream_offset != y->stream_offset || x->frame_payload != y->frame_payload)
            return false;
    }
    return true;
}

static void trace_free(struct trace *t) {
    buf_free(&t->payload);
}

/* Parse whole, then 1, 2, 3, 5, 7 and 13 octets at a time: all must agree.
 * Leaves the whole-piece trace in *t. */
static void parse_every_way(struct trace *t, enum frame_role role,
                            const struct frame_limits *limits, const uint8_t *bytes, size_t len) {
    static const size_t chunks[] = {1, 2, 3, 5, 7, 13};
    trace_parse(t, role, limits, bytes, len, 0);
    CHECK_EQ(t->errors, 0);
    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        struct trace *other = malloc(sizeof *other);
        CHECK(other != NULL);
        if (!other)
            return;
        trace_parse(other, role, limits, bytes, len, chunks[i]);
        CHECK_EQ(other->errors, 0);
        CHECK(trace_equal(t, other));
        trace_free(other);
        free(other);
    }
}

static struct trace *trace_new(void) {
    struct trace *t = calloc(1, sizeof *t);
    if (!t) {
        perror("calloc");
        exit(2);
    }
    return t;
}

static void trace_delete(struct trace *t) {
    trace_free(t);
    free(t);
}

/* The single violation a stream must produce, at `offset`, after `events`
 * earlier non-payload events. */
static void expect_violation(enum frame_role role, const struct frame_limits *limits,
                             const uint8_t *bytes, size_t len, enum frame_violation v,
                             uint64_t offset, size_t events) {
    struct trace *t = trace_new();
    parse_every_way(t, role, limits, bytes, len);
    CHECK_EQ(t->n, events + 1);
    if (t->n == events + 1) {
        CHECK_EQ(t->recs[events].kind, FRAME_EV_VIOLATION);
        CHECK_STR(frame_violation_name(t->recs[events].violation), frame_violation_name(v));
        CHECK_EQ_U64(t->recs[events].stream_offset, offset);
    }
    trace_delete(t);
}

/* ---- 6455:5.7 examples ---------------------------------------------- */

static const uint8_t key_5_7[4] = {0x37, 0xfa, 0x21, 0x3d};
static const uint8_t hello[5] = {'H', 'e', 'l', 'l', 'o'};
static const uint8_t ex_text[] = {0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
static const uint8_t ex_text_masked[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
                                         0x7f, 0x9f, 0x4d, 0x51, 0x58};
static const uint8_t ex_frag1[] = {0x01, 0x03, 0x48, 0x65, 0x6c};
static const uint8_t ex_frag2[] = {0x80, 0x02, 0x6c, 0x6f};
static const uint8_t ex_ping[] = {0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
static const uint8_t ex_pong_masked[] = {0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d,
                                         0x7f, 0x9f, 0x4d, 0x51, 0x58};
static const uint8_t ex_256_head[] = {0x82, 0x7E, 0x01, 0x00};
static const uint8_t ex_64k_head[] = {0x82, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00};

static void check_build(const struct frame_spec *spec, const uint8_t *payload, size_t len,
                        const uint8_t *want, size_t want_len) {
    struct buf out = {0};
    CHECK_EQ(frame_build(spec, payload, len, &out), 0);
    CHECK_MEM(out.data, out.len, want, want_len);
    buf_free(&out);
}

static void test_write_5_7(void) {
    struct frame_spec text = {.fin = true, .opcode = FRAME_OP_TEXT};
    check_build(&text, hello, 5, ex_text, sizeof ex_text);
    struct frame_spec text_masked = text;
    text_masked.masked = true;
    memcpy(text_masked.mask_key, key_5_7, 4);
    check_build(&text_masked, hello, 5, ex_text_masked, sizeof ex_text_masked);
    struct frame_spec first = {.fin = false, .opcode = FRAME_OP_TEXT};
    check_build(&first, hello, 3, ex_frag1, sizeof ex_frag1);
    struct frame_spec last = {.fin = true, .opcode = FRAME_OP_CONT};
    check_build(&last, hello + 3, 2, ex_frag2, sizeof ex_frag2);
    struct frame_spec ping = {.fin = true, .opcode = FRAME_OP_PING};
    check_build(&ping, hello, 5, ex_ping, sizeof ex_ping);
    struct frame_spec pong = {.fin = true, .opcode = FRAME_OP_PONG, .masked = true};
    memcpy(pong.mask_key, key_5_7, 4);
    check_build(&pong, hello, 5, ex_pong_masked, sizeof ex_pong_masked);

    static uint8_t big[65536 + 10];
    for (size_t i = 0; i < 65536; i++)
        big[10 + i] = (uint8_t)(i * 7);
    struct frame_spec binary = {.fin = true, .opcode = FRAME_OP_BINARY};
    memcpy(big + 6, ex_256_head, 4);
    check_build(&binary, big + 10, 256, big + 6, 4 + 256);
    memcpy(big, ex_64k_head, 10);
    check_build(&binary, big + 10, 65536, big, sizeof big);
}

/* One frame: HEADER with the given fields, its payload, END. */
static void check_one_frame(const struct trace *t, bool fin, uint8_t opcode, bool masked,
                            uint64_t payload_len, uint8_t length_bits, const uint8_t *payload) {
    CHECK_EQ(t->n, 2);
    if (t->n != 2)
        return;
    const struct rec *h = &t->recs[0];
    CHECK_EQ(h->kind, FRAME_EV_HEADER);
    CHECK_EQ(h->hdr.fin, fin);
    CHECK_EQ(h->hdr.rsv, 0);
    CHECK_EQ(h->hdr.opcode, opcode);
    CHECK_EQ(h->hdr.masked, masked);
    CHECK_EQ_U64(h->hdr.payload_len, payload_len);
    CHECK_EQ(h->hdr.length_bits, length_bits);
    CHECK_EQ(h->hdr.non_minimal, false);
    CHECK_EQ(h->hdr.header_len, 2 +
                                    (length_bits == 16   ? 2
                                     : length_bits == 64 ? 8
                                                         : 0) +
                                    (masked ? 4 : 0));
    CHECK_EQ_U64(h->stream_offset, 0);
    CHECK_EQ(t->recs[1].kind, FRAME_EV_END);
    CHECK_EQ_U64(t->recs[1].frame_payload, payload_len);
    CHECK_EQ_U64(t->recs[1].stream_offset, h->hdr.header_len + payload_len);
    CHECK_MEM(t->payload.data, t->payload.len, payload, (size_t)payload_len);
}

static void test_parse_5_7(void) {
    struct trace *t = trace_new();
    /* Unmasked frames come from a server: parse in the client role. */
    parse_every_way(t, FRAME_ROLE_CLIENT, &no_limits, ex_text, sizeof ex_text);
    check_one_frame(t, true, FRAME_OP_TEXT, false, 5, 7, hello);
    trace_free(t);
    parse_every_way(t, FRAME_ROLE_SERVER, &no_limits, ex_text_masked, sizeof ex_text_masked);
    check_one_frame(t, true, FRAME_OP_TEXT, true, 5, 7, hello);
    CHECK_MEM(t->recs[0].hdr.mask_key, 4, key_5_7, 4);
    trace_free(t);
    parse_every_way(t, FRAME_ROLE_CLIENT, &no_limits, ex_ping, sizeof ex_ping);
    check_one_frame(t, true, FRAME_OP_PING, false, 5, 7, hello);
    trace_free(t);
    parse_every_way(t, FRAME_ROLE_SERVER, &no_limits, ex_pong_masked, sizeof ex_pong_masked);
    check_one_frame(t, true, FRAME_OP_PONG, true, 5, 7, hello);
    trace_free(t);

    /* "Hel" + "lo" as one stream. */
    uint8_t frag[sizeof ex_frag1 + sizeof ex_frag2];
    memcpy(frag, ex_frag1, sizeof ex_frag1);
    memcpy(frag + sizeof ex_frag1, ex_frag2, sizeof ex_frag2);
    parse_every_way(t, FRAME_ROLE_CLIENT, &no_limits, frag, sizeof frag);
    CHECK_EQ(t->n, 4);
    if (t->n == 4) {
        CHECK_EQ(t->recs[0].hdr.fin, false);
        CHECK_EQ(t->recs[0].hdr.opcode, FRAME_OP_TEXT);
        CHECK_EQ_U64(t->recs[1].frame_payload, 3);
        CHECK_EQ_U64(t->recs[1].stream_offset, 5);
        CHECK_EQ(t->recs[2].hdr.fin, true);
        CHECK_EQ(t->recs[2].hdr.opcode, FRAME_OP_CONT);
        CHECK_EQ_U64(t->recs[2].stream_offset, 5);
        CHECK_EQ_U64(t->recs[3].frame_payload, 2);
        CHECK_EQ_U64(t->recs[3].stream_offset, 9);
    }
    CHECK_MEM(t->payload.data, t->payload.len, hello, 5);
    trace_free(t);

    static uint8_t big[65536 + 10];
    for (size_t i = 0; i < 65536; i++)
        big[10 + i] = (uint8_t)(i * 7);
    memcpy(big + 6, ex_256_head, 4);
    parse_every_way(t, FRAME_ROLE_CLIENT, &no_limits, big + 6, 4 + 256);
    check_one_frame(t, true, FRAME_OP_BINARY, false, 256, 16, big + 10);
    trace_free(t);
    memcpy(big, ex_64k_head, 10);
    trace_parse(t, FRAME_ROLE_CLIENT, &no_limits, big, sizeof big, 0);
    CHECK_EQ(t->errors, 0);
    check_one_frame(t, true, FRAME_OP_BINARY, false, 65536, 64, big + 10);
    struct trace *bytewise = trace_new();
    trace_parse(bytewise, FRAME_ROLE_CLIENT, &no_limits, big, sizeof big, 1);
    CHECK(trace_equal(t, bytewise));
    trace_delete(bytewise);
    trace_delete(t);
}

/* ---- violations ------------------------------------------------------ */

/* An array literal and its size, as two function arguments. */
#define BYTES(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})
#define CHECK_BYTES(a, alen, ...)                                                                  \
    CHECK_MEM(a, alen, ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__}))

static void test_violations_octet1(void) {
    const enum frame_role C = FRAME_ROLE_CLIENT;
    /* 6455:5.2 %x3-7 and %xB-F are reserved. */
    for (uint8_t op = 0x3; op <= 0xF; op++) {
        if (op >= 0x8 && op <= 0xA)
            continue;
        uint8_t frame[2] = {(uint8_t)(0x80 | op), 0x00};
        expect_violation(C, &no_limits, frame, 2, FRAME_V_RESERVED_OPCODE, 0, 0);
    }
    /* RSV1, RSV2, RSV3 each, no extension. */
    expect_violation(C, &no_limits, BYTES(0xC1, 0x00), FRAME_V_RSV_BITS, 0, 0);
    expect_violation(C, &no_limits, BYTES(0xA1, 0x00), FRAME_V_RSV_BITS, 0, 0);
    expect_violation(C, &no_limits, BYTES(0x91, 0x00), FRAME_V_RSV_BITS, 0, 0);
    /* RSV1 negotiated: RSV1 passes, RSV2 still fails. */
    struct frame_limits rsv1 = {.allowed_rsv = FRAME_RSV1};
    struct trace *t = trace_new();
    parse_every_way(t, C, &rsv1, BYTES(0xC1, 0x00));
    CHECK_EQ(t->n, 2);
    CHECK_EQ(t->recs[0].hdr.rsv, FRAME_RSV1);
    trace_delete(t);
    expect_violation(C, &rsv1, BYTES(0xE1, 0x00), FRAME_V_RSV_BITS, 0, 0);
    /* 6455:5.5 control frames MUST NOT be fragmented: ping, pong, close with FIN=0. */
    expect_violation(C, &no_limits, BYTES(0x09, 0x00), FRAME_V_CONTROL_FRAGMENTED, 0, 0);
    expect_violation(C, &no_limits, BYTES(0x0A, 0x00), FRAME_V_CONTROL_FRAGMENTED, 0, 0);
    expect_violation(C, &no_limits, BYTES(0x08, 0x00), FRAME_V_CONTROL_FRAGMENTED, 0, 0);
    /* 6455:5.4 a continuation with no message open, first and after a complete one. */
    expect_violation(C, &no_limits, BYTES(0x80, 0x00), FRAME_V_ORPHAN_CONTINUATION, 0, 0);
    expect_violation(C, &no_limits, BYTES(0x00, 0x00), FRAME_V_ORPHAN_CONTINUATION, 0, 0);
    expect_violation(C, &no_limits, BYTES(0x81, 0x00, 0x80, 0x00), FRAME_V_ORPHAN_CONTINUATION, 2,
                     2);
    expect_violation(C, &no_limits, BYTES(0x01, 0x00, 0x80, 0x00, 0x80, 0x00),
                     FRAME_V_ORPHAN_CONTINUATION, 4, 4);
    /* 6455:5.4 a new TEXT/BINARY frame inside a fragmented message. */
    expect_violation(C, &no_limits, BYTES(0x01, 0x00, 0x81, 0x00), FRAME_V_EXPECTED_CONTINUATION, 2,
                     2);
    expect_violation(C, &no_limits, BYTES(0x02, 0x01, 0x41, 0x00, 0x00, 0x02, 0x00),
                     FRAME_V_EXPECTED_CONTINUATION, 5, 4);
    /* The violation is reported at octet 1, before octet 2 arrives. */
    expect_violation(C, &no_limits, BYTES(0x83), FRAME_V_RESERVED_OPCODE, 0, 0);
    expect_violation(C, &no_limits, BYTES(0x01, 0x00, 0x82), FRAME_V_EXPECTED_CONTINUATION, 2, 2);
}

static void test_violations_mask_and_length(void) {
    const enum frame_role C = FRAME_ROLE_CLIENT, S = FRAME_ROLE_SERVER;
    /* 6455:5.1 role rules, known at octet 2 (offset 1). */
    expect_violation(S, &no_limits, ex_text, sizeof ex_text, FRAME_V_UNMASKED, 1, 0);
    expect_violation(S, &no_limits, BYTES(0x88, 0x00), FRAME_V_UNMASKED, 1, 0);
    expect_violation(C, &no_limits, ex_text_masked, sizeof ex_text_masked, FRAME_V_MASKED, 1, 0);
    expect_violation(C, &no_limits, BYTES(0x81, 0x80), FRAME_V_MASKED, 1, 0);
    /* 6455:5.5 control payload > 125: 126 in the 16-bit form, offset 3. */
    expect_violation(C, &no_limits, BYTES(0x89, 0x7E, 0x00, 0x7E), FRAME_V_CONTROL_TOO_LONG, 3, 0);
    expect_violation(S, &no_limits, BYTES(0x88, 0xFE, 0xFF, 0xFF), FRAME_V_CONTROL_TOO_LONG, 3, 0);
    /* 200 in the 64-bit form: both too long and non-minimal; too long wins. */
    struct frame_limits strict = {.strict_length = true};
    expect_violation(C, &strict, BYTES(0x8A, 0x7F, 0, 0, 0, 0, 0, 0, 0, 0xC8),
                     FRAME_V_CONTROL_TOO_LONG, 9, 0);
    /* 6455:5.2 64-bit length with the most significant bit set: 2^63, at octet 10. */
    expect_violation(C, &no_limits, BYTES(0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0),
                     FRAME_V_LENGTH_MSB, 9, 0);
    expect_violation(S, &no_limits,
                     BYTES(0x82, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF),
                     FRAME_V_LENGTH_MSB, 9, 0);
    /* Our cap: 100 allowed, 101 refused at octet 2; 16-bit 300 at octet 4; 64-bit at octet 10. */
    struct frame_limits cap = {.max_frame_payload = 100};
    struct trace *t = trace_new();
    uint8_t at_cap[102] = {0x82, 0x64};
    parse_every_way(t, C, &cap, at_cap, sizeof at_cap);
    CHECK_EQ(t->n, 2);
    trace_delete(t);
    expect_violation(C, &cap, BYTES(0x82, 0x65), FRAME_V_TOO_BIG, 1, 0);
    expect_violation(C, &cap, BYTES(0x82, 0x7E, 0x01, 0x2C), FRAME_V_TOO_BIG, 3, 0);
    expect_violation(S, &cap, BYTES(0x82, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF),
                     FRAME_V_TOO_BIG, 9, 0);
}

/* When several rules are broken, the order documented in frame.c holds. */
static void test_violation_order(void) {
    const enum frame_role C = FRAME_ROLE_CLIENT, S = FRAME_ROLE_SERVER;
    /* FIN=0 RSV=7 opcode 0xB: reserved opcode first. */
    expect_violation(C, &no_limits, BYTES(0x7B, 0x00), FRAME_V_RESERVED_OPCODE, 0, 0);
    /* FIN=0 RSV1 ping: RSV before control-fragmented. */
    expect_violation(C, &no_limits, BYTES(0x49, 0x00), FRAME_V_RSV_BITS, 0, 0);
    /* RSV1 continuation with no message: RSV before orphan. */
    expect_violation(C, &no_limits, BYTES(0xC0, 0x00), FRAME_V_RSV_BITS, 0, 0);
    /* An unmasked, oversized ping in the server role: octet 1 is fine, the
     * mask rule fires at octet 2 before the length is even read. */
    expect_violation(S, &no_limits, BYTES(0x89, 0x7E, 0x00, 0x7E), FRAME_V_UNMASKED, 1, 0);
    /* Octet-1 checks come before the octet-2 mask rule. */
    expect_violation(S, &no_limits, BYTES(0x09, 0x00), FRAME_V_CONTROL_FRAGMENTED, 0, 0);
    /* Too long control beats our cap. */
    struct frame_limits cap = {.max_frame_payload = 10};
    expect_violation(C, &cap, BYTES(0x89, 0x7E, 0x00, 0x7E), FRAME_V_CONTROL_TOO_LONG, 3, 0);
    /* Non-minimal (strict) beats the cap: 16-bit form carrying 20. */
    struct frame_limits strict_cap = {.max_frame_payload = 10, .strict_length = true};
    expect_violation(C, &strict_cap, BYTES(0x82, 0x7E, 0x00, 0x14), FRAME_V_NON_MINIMAL_LENGTH, 3,
                     0);
}

/* ---- lengths ----------------------------------------------------------- */

static void test_length_boundaries(void) {
    static const struct {
        uint64_t len;
        uint8_t bits;
    } cases[] = {{0, 7}, {125, 7}, {126, 16}, {127, 16}, {65535, 16}, {65536, 64}};
    const uint8_t key[4] = {1, 2, 3, 4};
    uint8_t *payload = malloc(65536);
    CHECK(payload != NULL);
    if (!payload)
        return;
    for (size_t i = 0; i < 65536; i++)
        payload[i] = (uint8_t)(i ^ (i >> 8));
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        for (int masked = 0; masked <= 1; masked++) {
            struct frame_spec spec = {
                .fin = true, .opcode = FRAME_OP_BINARY, .masked = masked != 0};
            memcpy(spec.mask_key, key, 4);
            struct buf wire = {0};
            CHECK_EQ(frame_build(&spec, payload, (size_t)cases[c].len, &wire), 0);
            /* Hand-encoded length field of 6455:5.2. */
            uint8_t len7 = (uint8_t)(wire.data[1] & 0x7F);
            CHECK_EQ(wire.data[1] >> 7, masked);
            if (cases[c].bits == 7)
                CHECK_EQ_U64(len7, cases[c].len);
            else if (cases[c].bits == 16)
                CHECK(len7 == 126 && wire.data[2] == (cases[c].len >> 8) &&
                      wire.data[3] == (cases[c].len & 0xFF));
            else
                CHECK(len7 == 127 && wire.data[7] == 1 && wire.data[8] == 0 && wire.data[9] == 0);
            struct trace *t = trace_new();
            trace_parse(t, masked ? FRAME_ROLE_SERVER : FRAME_ROLE_CLIENT, &no_limits, wire.data,
                        wire.len, cases[c].len > 1000 ? 0 : 1);
            CHECK_EQ(t->errors, 0);
            check_one_frame(t, true, FRAME_OP_BINARY, masked != 0, cases[c].len, cases[c].bits,
                            payload);
            trace_delete(t);
            buf_free(&wire);
        }
    }
    free(payload);

    /* 2^63 - 1: a legal header announcing 8 EiB. Only the header is fed,
     * then 3 payload octets: nothing is allocated or waited for. */
    const uint8_t huge[] = {0x82, 0x7F, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF,
                            0xFF, 0xFF, 0xFF, 'a',  'b',  'c'};
    struct trace *t = trace_new();
    parse_every_way(t, FRAME_ROLE_CLIENT, &no_limits, huge, sizeof huge);
    CHECK_EQ(t->n, 1);
    CHECK_EQ(t->recs[0].kind, FRAME_EV_HEADER);
    CHECK_EQ_U64(t->recs[0].hdr.payload_len, UINT64_MAX >> 1);
    CHECK_EQ(t->recs[0].hdr.length_bits, 64);
    CHECK_EQ(t->recs[0].hdr.header_len, 10);
    CHECK_MEM(t->payload.data, t->payload.len, "abc", 3);
    trace_delete(t);
}

/* 6455:5.2 "the minimal number of bytes MUST be used to encode the length,
 * for example, the length of a 124-byte-long string can't be encoded as the
 * sequence 126, 0, 124." */
static void test_non_minimal(void) {
    struct frame_limits strict = {.strict_length = true};
    static const struct {
        uint8_t head[10];
        size_t head_len;
        uint64_t len;
        bool non_minimal;
    } cases[] = {
        {{0x82, 0x7E, 0x00, 0x05}, 4, 5, true},
        {{0x82, 0x7E, 0x00, 0x7C}, 4, 124, true}, /* the RFC's own example */
        {{0x82, 0x7E, 0x00, 0x7D}, 4, 125, true},
        {{0x82, 0x7E, 0x00, 0x7E}, 4, 126, false},
        {{0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0, 0xC8}, 10, 200, true},
        {{0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0, 0x05}, 10, 5, true},
        {{0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF}, 10, 65535, true},
        {{0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0}, 10, 65536, false},
        /* A ping with a non-minimal length is fine when lenient (length 5 <= 125). */
        {{0x89, 0x7E, 0x00, 0x05}, 4, 5, true},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct trace *t = trace_new();
        parse_every_way(t, FRAME_ROLE_CLIENT, &no_limits, cases[c].head, cases[c].head_len);
        CHECK_EQ(t->n, 1);
        CHECK_EQ(t->recs[0].kind, FRAME_EV_HEADER);
        CHECK_EQ_U64(t->recs[0].hdr.payload_len, cases[c].len);
        CHECK_EQ(t->recs[0].hdr.non_minimal, cases[c].non_minimal);
        trace_delete(t);
        if (cases[c].non_minimal)
            expect_violation(FRAME_ROLE_CLIENT, &strict, cases[c].head, cases[c].head_len,
                             FRAME_V_NON_MINIMAL_LENGTH, cases[c].head_len - 1, 0);
    }
}

/* ---- writer ------------------------------------------------------------ */

static void test_writer_forms(void) {
    uint8_t out[14];
    struct frame_spec s = {.fin = true, .opcode = FRAME_OP_BINARY, .len_form = FRAME_LEN_16};
    CHECK_EQ(frame_write_header(&s, 5, out), 4);
    CHECK_BYTES(out, 4, 0x82, 0x7E, 0x00, 0x05);
    s.len_form = FRAME_LEN_64;
    CHECK_EQ(frame_write_header(&s, 200, out), 10);
    CHECK_BYTES(out, 10, 0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0, 0xC8);
    s.len_form = FRAME_LEN_7;
    CHECK_EQ(frame_write_header(&s, 125, out), 2);
    CHECK_BYTES(out, 2, 0x82, 0x7D);
    CHECK_EQ(frame_write_header(&s, 126, out), WS_ERR_FRAME_LEN_FORM);
    s.len_form = FRAME_LEN_16;
    CHECK_EQ(frame_write_header(&s, 65535, out), 4);
    CHECK_BYTES(out, 4, 0x82, 0x7E, 0xFF, 0xFF);
    CHECK_EQ(frame_write_header(&s, 65536, out), WS_ERR_FRAME_LEN_FORM);
    /* The declared length is what has to fit. */
    s.declared_len_set = true;
    s.declared_len = 70000;
    CHECK_EQ(frame_write_header(&s, 3, out), WS_ERR_FRAME_LEN_FORM);
    s.declared_len = 3;
    s.len_form = FRAME_LEN_7;
    CHECK_EQ(frame_write_header(&s, 70000, out), 2);
    CHECK_BYTES(out, 2, 0x82, 0x03);
    /* A 64-bit length with the top bit set, automatically in the 64-bit form. */
    s.len_form = FRAME_LEN_AUTO;
    s.declared_len = 0x8000000000000001ull;
    CHECK_EQ(frame_write_header(&s, 0, out), 10);
    CHECK_BYTES(out, 10, 0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0x01);
    /* Every bit pattern of octet 1: FIN=0, RSV=7, opcode 0xF; masked with a key. */
    struct frame_spec odd = {.fin = false,
                             .rsv = 7,
                             .opcode = 0xF,
                             .masked = true,
                             .mask_key = {0xDE, 0xAD, 0xBE, 0xEF}};
    CHECK_EQ(frame_write_header(&odd, 0, out), 6);
    CHECK_BYTES(out, 6, 0x7F, 0x80, 0xDE, 0xAD, 0xBE, 0xEF);
    /* Out of range fields cannot be encoded at all. */
    odd.opcode = 16;
    CHECK_EQ(frame_write_header(&odd, 0, out), WS_ERR_FRAME_FIELD);
    odd.opcode = 0;
    odd.rsv = 8;
    CHECK_EQ(frame_write_header(&odd, 0, out), WS_ERR_FRAME_FIELD);
    odd.rsv = 0;
    odd.len_form = (enum frame_len_form)8;
    CHECK_EQ(frame_write_header(&odd, 0, out), WS_ERR_FRAME_FIELD);
}

static void test_build_lying_length(void) {
    /* Header says 10, three octets follow; masked with the 5.7 key: "Hel"
     * masks to 0x7f 0x9f 0x4d. */
    struct frame_spec s = {.fin = true,
                           .opcode = FRAME_OP_TEXT,
                           .masked = true,
                           .declared_len_set = true,
                           .declared_len = 10};
    memcpy(s.mask_key, key_5_7, 4);
    check_build(&s, hello, 3, BYTES(0x81, 0x8A, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d));
    /* The parser then hands out exactly the 3 octets and waits. */
    struct trace *t = trace_new();
    parse_every_way(t, FRAME_ROLE_SERVER, &no_limits,
                    BYTES(0x81, 0x8A, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d));
    CHECK_EQ(t->n, 1);
    CHECK_MEM(t->payload.data, t->payload.len, hello, 3);
    trace_delete(t);
    /* An error leaves the buffer as it was. */
    struct buf out = {0};
    CHECK_EQ(buf_append(&out, "xy", 2), 0);
    s.len_form = FRAME_LEN_7;
    s.declared_len = 126;
    CHECK_EQ(frame_build(&s, hello, 5, &out), WS_ERR_FRAME_LEN_FORM);
    CHECK_MEM(out.data, out.len, "xy", 2);
    /* Appends after what is there. */
    struct frame_spec ping = {.fin = true, .opcode = FRAME_OP_PING};
    CHECK_EQ(frame_build(&ping, NULL, 0, &out), 0);
    CHECK_BYTES(out.data, out.len, 'x', 'y', 0x89, 0x00);
    buf_free(&out);
}

/* ---- sequences ------------------------------------------------------------ */

/* 6455:5.4 "Control frames (see Section 5.5) MAY be injected in the middle
 * of a fragmented message." Server role, every frame masked with the 5.7
 * key: "Hel" (TEXT, FIN=0), empty ping, pong "x", "l" (CONT, FIN=0), close
 * with code 1000, "o" (CONT, FIN=1), then a new TEXT "" is allowed. */
static void test_continuation_with_controls(void) {
    static const struct {
        bool fin;
        uint8_t opcode;
        const char *payload;
        size_t len;
    } frames[] = {
        {false, FRAME_OP_TEXT, "Hel", 3},      {true, FRAME_OP_PING, "", 0},
        {true, FRAME_OP_PONG, "x", 1},         {false, FRAME_OP_CONT, "l", 1},
        {true, FRAME_OP_CLOSE, "\x03\xe8", 2}, {true, FRAME_OP_CONT, "o", 1},
        {true, FRAME_OP_TEXT, "", 0},
    };
    enum { NFRAMES = sizeof frames / sizeof frames[0] };
    struct buf wire = {0};
    uint64_t ends[NFRAMES];
    for (size_t i = 0; i < NFRAMES; i++) {
        struct frame_spec s = {.fin = frames[i].fin, .opcode = frames[i].opcode, .masked = true};
        memcpy(s.mask_key, key_5_7, 4);
        CHECK_EQ(frame_build(&s, (const uint8_t *)frames[i].payload, frames[i].len, &wire), 0);
        ends[i] = wire.len;
    }
    /* The first frame by hand: 0x01 0x83 key, then "Hel" masked. */
    CHECK_BYTES(wire.data, 9, 0x01, 0x83, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d);
    struct trace *t = trace_new();
    parse_every_way(t, FRAME_ROLE_SERVER, &no_limits, wire.data, wire.len);
    CHECK_EQ(t->n, 2 * NFRAMES);
    for (size_t i = 0; i < NFRAMES && t->n == 2 * NFRAMES; i++) {
        const struct rec *h = &t->recs[2 * i], *e = &t->recs[2 * i + 1];
        CHECK_EQ(h->kind, FRAME_EV_HEADER);
        CHECK_EQ(h->hdr.opcode, frames[i].opcode);
        CHECK_EQ(h->hdr.fin, frames[i].fin);
        CHECK_EQ_U64(h->stream_offset, i ? ends[i - 1] : 0);
        CHECK_EQ(e->kind, FRAME_EV_END);
        CHECK_EQ_U64(e->frame_payload, frames[i].len);
        CHECK_EQ_U64(e->stream_offset, ends[i]);
    }
    CHECK_BYTES(t->payload.data, t->payload.len, 'H', 'e', 'l', 'x', 'l', 0x03, 0xe8, 'o');
    trace_delete(t);

    /* The same stream with a TEXT frame where "o" should be: at its first octet. */
    struct buf bad = {0};
    CHECK_EQ(buf_append(&bad, wire.data, (size_t)ends[4]), 0);
    struct frame_spec text = {.fin = true, .opcode = FRAME_OP_TEXT, .masked = true};
    CHECK_EQ(frame_build(&text, (const uint8_t *)"o", 1, &bad), 0);
    expect_violation(FRAME_ROLE_SERVER, &no_limits, bad.data, bad.len,
                     FRAME_V_EXPECTED_CONTINUATION, ends[4], 10);
    buf_free(&bad);
    buf_free(&wire);
}

/* A zero-length frame gives HEADER then END, no PAYLOAD, also masked. */
static void test_zero_length(void) {
    struct trace *t = trace_new();
    parse_every_way(t, FRAME_ROLE_CLIENT, &no_limits, BYTES(0x81, 0x00, 0x8A, 0x00));
    CHECK_EQ(t->n, 4);
    CHECK_EQ(t->payload.len, 0);
    CHECK(t->n == 4 && t->recs[0].kind == FRAME_EV_HEADER && t->recs[1].kind == FRAME_EV_END &&
          t->recs[2].kind == FRAME_EV_HEADER && t->recs[3].kind == FRAME_EV_END);
    CHECK_EQ_U64(t->recs[3].stream_offset, 4);
    trace_delete(t);
    t = trace_new();
    parse_every_way(t, FRAME_ROLE_SERVER, &no_limits, BYTES(0x82, 0x80, 1, 2, 3, 4));
    CHECK_EQ(t->n, 2);
    CHECK_EQ(t->recs[0].hdr.header_len, 6);
    CHECK_BYTES(t->recs[0].hdr.mask_key, 4, 1, 2, 3, 4);
    trace_delete(t);

    /* Driving the parser by hand: HEADER consumes 2, END consumes 0, then NONE. */
    struct frame_parser p;
    struct frame_event ev;
    uint8_t two[2] = {0x81, 0x00};
    frame_parser_init(&p, FRAME_ROLE_CLIENT, NULL);
    CHECK_EQ(frame_parse(&p, two, 2, &ev), 2);
    CHECK_EQ(ev.kind, FRAME_EV_HEADER);
    CHECK_EQ(frame_parse(&p, two + 2, 0, &ev), 0);
    CHECK_EQ(ev.kind, FRAME_EV_END);
    CHECK_EQ(frame_parse(&p, NULL, 0, &ev), 0);
    CHECK_EQ(ev.kind, FRAME_EV_NEED_MORE);
    CHECK_EQ(p.state, FRAME_S_HEAD);
}

/* Everything above in one stream per role: one piece vs 1..13-octet pieces. */
static void test_split_invariance(void) {
    struct buf server = {0}, client = {0};
    const uint8_t key[4] = {0x80, 0x7F, 0x00, 0xFF};
    static uint8_t payload[70000];
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)(i * 13 + 1);
    static const size_t lens[] = {0, 1, 5, 125, 126, 127, 300, 65535, 65536, 66000};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        struct frame_spec s = {.fin = i % 3 != 1, .opcode = i % 3 == 2 ? 0 : FRAME_OP_BINARY};
        if (i == 0)
            s.fin = true;
        CHECK_EQ(frame_build(&s, payload, lens[i], &client), 0);
        s.masked = true;
        memcpy(s.mask_key, key, 4);
        CHECK_EQ(frame_build(&s, payload, lens[i], &server), 0);
        struct frame_spec ping = {.fin = true, .opcode = FRAME_OP_PING, .masked = true};
        CHECK_EQ(frame_build(&ping, payload, i * 12, &server), 0);
        ping.masked = false;
        CHECK_EQ(frame_build(&ping, payload, i * 12, &client), 0);
    }
    struct trace *t = trace_new();
    parse_every_way(t, FRAME_ROLE_SERVER, &no_limits, server.data, server.len);
    CHECK_EQ(t->n, 40);
    CHECK_EQ_U64(t->recs[39].stream_offset, server.len);
    trace_delete(t);
    t = trace_new();
    parse_every_way(t, FRAME_ROLE_CLIENT, &no_limits, client.data, client.len);
    CHECK_EQ(t->n, 40);
    CHECK_EQ_U64(t->recs[39].stream_offset, client.len);
    trace_delete(t);
    buf_free(&server);
    buf_free(&client);
}

static void test_names(void) {
    CHECK_STR(frame_opcode_name(FRAME_OP_CONT), "continuation");
    CHECK_STR(frame_opcode_name(FRAME_OP_TEXT), "text");
    CHECK_STR(frame_opcode_name(FRAME_OP_BINARY), "binary");
    CHECK_STR(frame_opcode_name(FRAME_OP_CLOSE), "close");
    CHECK_STR(frame_opcode_name(FRAME_OP_PING), "ping");
    CHECK_STR(frame_opcode_name(FRAME_OP_PONG), "pong");
    CHECK_STR(frame_opcode_name(3), "reserved-3");
    CHECK_STR(frame_opcode_name(0xB), "reserved-11");
    CHECK_STR(frame_opcode_name(0xF), "reserved-15");
    CHECK_STR(frame_opcode_name(16), "invalid");
    CHECK(frame_opcode_is_control(0x8) && frame_opcode_is_control(0xF));
    CHECK(!frame_opcode_is_control(0x0) && !frame_opcode_is_control(0x7));
    CHECK_STR(frame_violation_name(FRAME_V_NONE), "none");
    CHECK_EQ(frame_violation_close_code(FRAME_V_NONE), 0);
    for (int v = 1; v < FRAME_V_COUNT; v++) {
        const char *name = frame_violation_name((enum frame_violation)v);
        CHECK(strcmp(name, "unknown") != 0 && strcmp(name, "none") != 0);
        for (int w = 1; w < v; w++)
            CHECK(strcmp(name, frame_violation_name((enum frame_violation)w)) != 0);
        /* 7.4.1: 1009 "message that is too big", 1002 "protocol error". */
        CHECK_EQ(frame_violation_close_code((enum frame_violation)v),
                 v == FRAME_V_TOO_BIG ? 1009 : 1002);
    }
    CHECK_STR(frame_violation_name(FRAME_V_COUNT), "unknown");
}

int main(void) {
    RUN(test_write_5_7);
    RUN(test_parse_5_7);
    RUN(test_violations_octet1);
    RUN(test_violations_mask_and_length);
    RUN(test_violation_order);
    RUN(test_length_boundaries);
    RUN(test_non_minimal);
    RUN(test_writer_forms);
    RUN(test_build_lying_length);
    RUN(test_continuation_with_controls);
    RUN(test_zero_length);
    RUN(test_split_invariance);
    RUN(test_names);
    TEST_EXIT();
}
