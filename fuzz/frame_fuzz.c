/* frame_fuzz: the RFC 6455 frame parser, split-invariance and invariants.
 *
 * Input: octet 0 is the configuration, the rest is the byte stream.
 *   bit 0     role: 0 server (frames must be masked), 1 client
 *   bit 1     limits.strict_length
 *   bits 2-4  limits.allowed_rsv (RSV1 = 4, RSV2 = 2, RSV3 = 1)
 *   bits 5-7  chunking: the largest piece (1, 2, 3, 7, 16, 64, 512, 4096
 *             octets; 0 means one octet at a time), and a cap
 *             (limits.max_frame_payload = 100) for selectors 2 and 5
 * The piece sizes come from a small generator seeded by octet 0 and the
 * length, so the same input always splits the same way.
 *
 * The stream is parsed twice, on separate copies (parsing unmasks in place):
 * in one piece and in pieces. The two event sequences must be identical
 * (kinds, headers, per-frame payload bytes, violation and its stream
 * offset). On every event the calling contract and the RFC rules the parser
 * claims to enforce are checked, payload bytes are compared with the
 * original XOR the key, and every header is re-encoded with
 * frame_write_header() and compared with the octets it was parsed from.
 * Any mismatch aborts.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/frame.h"
#include "codec/mask.h"

struct rec {
    enum frame_event_kind kind;
    struct frame_header hdr;
    enum frame_violation violation;
    uint64_t stream_offset;
    uint64_t frame_payload; /* payload octets seen in the frame so far */
};

struct trace {
    struct rec *recs;
    size_t n;
    uint8_t *payload; /* every PAYLOAD octet in order */
    size_t payload_len;
};

struct run {
    enum frame_role role;
    struct frame_limits limits;
    const uint8_t *orig; /* the stream as received (still masked) */
    size_t len;
};

#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond))                                                                               \
            abort();                                                                               \
    } while (0)

static uint32_t next_rand(uint32_t *state) {
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

/* What the parser promises about every header it accepts. */
static void check_header(const struct run *r, const struct frame_header *h,
                         uint64_t stream_offset) {
    REQUIRE(h->rsv <= 7 && h->opcode <= 15);
    REQUIRE(h->masked == (r->role == FRAME_ROLE_SERVER));
    REQUIRE((h->rsv & ~r->limits.allowed_rsv) == 0);
    REQUIRE(!((h->opcode >= 3 && h->opcode <= 7) || h->opcode >= 0xB));
    if (frame_opcode_is_control(h->opcode))
        REQUIRE(h->fin && h->payload_len <= 125);
    REQUIRE((h->payload_len >> 63) == 0);
    if (r->limits.strict_length)
        REQUIRE(!h->non_minimal);
    if (r->limits.max_frame_payload)
        REQUIRE(h->payload_len <= r->limits.max_frame_payload);
    unsigned ext = h->length_bits == 7 ? 0 : h->length_bits == 16 ? 2 : 8;
    REQUIRE(h->length_bits == 7 || h->length_bits == 16 || h->length_bits == 64);
    REQUIRE(h->header_len == 2 + ext + (h->masked ? 4 : 0));
    REQUIRE(stream_offset + h->header_len <= r->len);

    /* The writer, given the parsed fields and the same length form,
     * reproduces the exact octets. */
    struct frame_spec spec = {
        .fin = h->fin,
        .rsv = h->rsv,
        .opcode = h->opcode,
        .masked = h->masked,
        .len_form = (enum frame_len_form)h->length_bits,
    };
    memcpy(spec.mask_key, h->mask_key, 4);
    uint8_t out[14];
    int n = frame_write_header(&spec, h->payload_len, out);
    REQUIRE(n == h->header_len);
    REQUIRE(memcmp(out, r->orig + stream_offset, (size_t)n) == 0);
}

/* Parse a copy of the stream in pieces (max_piece 0: one piece) and record
 * the events. buf is the caller's scratch copy of the stream. The hot
 * fields live in locals (fewer sanitizer checks per access). */
static void parse(const struct run *r, uint8_t *buf, size_t max_piece, uint32_t seed,
                  struct trace *t) {
    const uint8_t *orig = r->orig;
    const size_t len = r->len;
    struct rec *recs = t->recs;
    uint8_t *payload = t->payload;
    size_t n = 0, payload_len = 0;
    struct frame_parser p;
    frame_parser_init(&p, r->role, &r->limits);
    memcpy(buf, orig, len);
    size_t pos = 0;
    uint64_t frame_payload = 0;
    struct frame_header current = {0};
    int idle = 0;
    bool failed = false;
    while (!failed) {
        size_t piece = len - pos;
        if (max_piece && piece > 1)
            piece = 1 + next_rand(&seed) % (piece < max_piece ? piece : max_piece);
        size_t end = pos + piece;
        for (;;) {
            struct frame_event ev;
            size_t consumed = frame_parse(&p, buf + pos, end - pos, &ev);
            REQUIRE(consumed <= end - pos);
            idle = consumed ? 0 : idle + 1;
            REQUIRE(idle <= 2); /* only END and NONE may consume nothing */
            if (ev.kind == FRAME_EV_PAYLOAD) {
                REQUIRE(ev.data == buf + pos && ev.len == consumed && ev.len > 0);
                REQUIRE(ev.payload_offset == frame_payload);
                REQUIRE(ev.len <= current.payload_len - frame_payload);
                REQUIRE(ev.stream_offset == pos);
                /* Unmasked correctly: original XOR key, by the byte reference
                 * (for the one-piece parse; the split parse must then give
                 * the same bytes). */
                uint8_t *got = payload + payload_len;
                memcpy(got, ev.data, ev.len);
                if (max_piece == 0) {
                    if (current.masked)
                        mask_apply_bytewise(got, ev.len, current.mask_key, frame_payload);
                    REQUIRE(memcmp(got, orig + pos, ev.len) == 0);
                    memcpy(got, ev.data, ev.len);
                }
                payload_len += ev.len;
                frame_payload += ev.len;
                pos += consumed;
                continue;
            }
            pos += consumed;
            if (ev.kind == FRAME_EV_NEED_MORE) {
                REQUIRE(pos == end && ev.stream_offset == pos);
                break;
            }
            struct rec *rec = &recs[n++];
            rec->kind = ev.kind;
            rec->hdr = ev.hdr;
            rec->violation = ev.violation;
            rec->stream_offset = ev.stream_offset;
            rec->frame_payload = frame_payload;
            if (ev.kind == FRAME_EV_HEADER) {
                check_header(r, &ev.hdr, ev.stream_offset);
                REQUIRE(ev.stream_offset + ev.hdr.header_len == pos);
                current = ev.hdr;
                frame_payload = 0;
            } else if (ev.kind == FRAME_EV_END) {
                REQUIRE(frame_payload == current.payload_len && ev.stream_offset == pos);
                frame_payload = 0;
            } else {
                REQUIRE(ev.kind == FRAME_EV_VIOLATION);
                REQUIRE(ev.violation > FRAME_V_NONE && ev.violation < FRAME_V_COUNT);
                REQUIRE(ev.stream_offset + 1 == pos && p.state == FRAME_S_FAILED);
                struct frame_event again;
                REQUIRE(frame_parse(&p, buf + pos, len - pos, &again) == 0);
                REQUIRE(again.kind == FRAME_EV_VIOLATION && again.violation == ev.violation);
                REQUIRE(again.stream_offset == ev.stream_offset);
                failed = true;
                break;
            }
        }
        if (pos == len)
            break;
    }
    t->n = n;
    t->payload_len = payload_len;
}

/* Buffers for two traces and the stream copy, for inputs up to cap octets. */
struct scratch {
    size_t cap;
    struct rec *recs[2];
    uint8_t *payload[2];
    uint8_t *stream;
};

static bool scratch_reserve(struct scratch *s, size_t len) {
    if (len <= s->cap && s->stream)
        return true;
    size_t cap = len < 4096 ? 4096 : len;
    for (int i = 0; i < 2; i++) {
        free(s->recs[i]);
        free(s->payload[i]);
        s->recs[i] = malloc((cap + 2) * sizeof(struct rec));
        s->payload[i] = malloc(cap);
    }
    free(s->stream);
    s->stream = malloc(cap);
    s->cap = cap;
    return s->recs[0] && s->recs[1] && s->payload[0] && s->payload[1] && s->stream;
}

static bool same_trace(const struct trace *a, const struct trace *b) {
    if (a->n != b->n || a->payload_len != b->payload_len ||
        memcmp(a->payload, b->payload, a->payload_len) != 0)
        return false;
    for (size_t i = 0; i < a->n; i++) {
        const struct rec *x = &a->recs[i], *y = &b->recs[i];
        const struct frame_header *h = &x->hdr, *g = &y->hdr;
        if (x->kind != y->kind || x->violation != y->violation ||
            x->stream_offset != y->stream_offset || x->frame_payload != y->frame_payload ||
            h->fin != g->fin || h->rsv != g->rsv || h->opcode != g->opcode ||
            h->masked != g->masked || memcmp(h->mask_key, g->mask_key, 4) != 0 ||
            h->payload_len != g->payload_len || h->length_bits != g->length_bits ||
            h->non_minimal != g->non_minimal || h->header_len != g->header_len)
            return false;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const size_t max_pieces[8] = {1, 2, 3, 7, 16, 64, 512, 4096};
    if (size < 1)
        return 0;
    uint8_t config = data[0];
    unsigned selector = (unsigned)(config >> 5) & 7;
    struct run r = {
        .role = (config & 1) ? FRAME_ROLE_CLIENT : FRAME_ROLE_SERVER,
        .limits = {.max_frame_payload = (selector == 2 || selector == 5) ? 100 : 0,
                   .allowed_rsv = (uint8_t)((config >> 2) & 7),
                   .strict_length = (config & 2) != 0},
        .orig = data + 1,
        .len = size - 1,
    };
    /* Every frame takes at least 2 octets and gives at most 2 records
     * (HEADER, END); a violation adds one more. The scratch space is kept
     * between runs (grown, never shrunk): allocating and clearing it for
     * every input cost more than the parsing. */
    static struct scratch space;
    REQUIRE(scratch_reserve(&space, r.len));
    struct trace whole = {space.recs[0], 0, space.payload[0], 0};
    struct trace split = {space.recs[1], 0, space.payload[1], 0};

    parse(&r, space.stream, 0, 0, &whole);
    uint32_t seed = ((uint32_t)config << 16) ^ (uint32_t)r.len ^ 0x9E3779B9u;
    parse(&r, space.stream, max_pieces[selector], seed, &split);
    REQUIRE(same_trace(&whole, &split));
    return 0;
}
