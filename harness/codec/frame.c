/* frame: the incremental RFC 6455 section 5 frame parser (both roles) and
 * the names of opcodes and violations. The writer is in frame_write.c.
 *
 * State machine (enum frame_parser_state):
 *
 *   HEAD --octet 2, len7 < 126, unmasked--> (header complete) -> PAYLOAD
 *   HEAD --octet 2, len7 < 126, masked----> MASK_KEY
 *   HEAD --octet 2, len7 = 126 / 127------> EXT_LEN (2 / 8 more octets)
 *   EXT_LEN --last length octet-----------> MASK_KEY or (complete) PAYLOAD
 *   MASK_KEY --4th key octet--------------> (complete) PAYLOAD
 *   PAYLOAD --payload_left == 0, END------> HEAD
 *   any --violation-----------------------> FAILED (absorbing)
 *
 * Header octets are taken one at a time into p->head, so the parser behaves
 * identically however the stream is split; each check runs as soon as the
 * octet that proves it has arrived:
 *
 *   octet 1 (in this order): RESERVED_OPCODE, RSV_BITS, CONTROL_FRAGMENTED,
 *                            ORPHAN_CONTINUATION, EXPECTED_CONTINUATION
 *   octet 2:                 UNMASKED (server role) / MASKED (client role),
 *                            then, for a 7-bit length, CONTROL_TOO_LONG
 *                            cannot happen (0..125) and TOO_BIG is checked
 *   last extended-length octet (in this order): LENGTH_MSB (64-bit form
 *                            only), CONTROL_TOO_LONG, NON_MINIMAL_LENGTH
 *                            (only with limits.strict_length), TOO_BIG
 *
 * A control frame that uses the 126/127 form is not judged at octet 2: its
 * length may still be <= 125 (a non-minimal encoding, legal unless strict),
 * so CONTROL_TOO_LONG waits for the extended length. LENGTH_MSB and
 * NON_MINIMAL_LENGTH exclude each other (a value >= 2^63 needs 64 bits).
 * The cap (max_frame_payload) is compared with the declared length before
 * the masking key and before any payload octet, so a huge declared frame is
 * refused without reading, let alone buffering, its payload.
 *
 * Event stream offsets (ev->stream_offset), all counted from init:
 *   HEADER    offset of the frame's first octet
 *   PAYLOAD   offset of ev->data[0]
 *   END       offset just past the frame's last octet
 *   VIOLATION offset of the octet that proved the violation
 *   NONE      octets consumed so far
 * These do not depend on how the input was split, which the fuzz target
 * checks.
 */
#include "codec/frame.h"

#include <string.h>

#include "codec/mask.h"

enum { MAX_CONTROL_PAYLOAD = 125, LEN7_16BIT = 126, LEN7_64BIT = 127 };

/* Per-octet outcome of the header states. */
enum header_step {
    STEP_MORE,     /* need more header octets */
    STEP_COMPLETE, /* the header is complete: emit HEADER */
    STEP_FAILED,   /* p->violation is set */
};

static bool opcode_is_reserved(uint8_t opcode) {
    return (opcode >= 0x3 && opcode <= 0x7) || opcode >= 0xB;
}

static uint64_t read_be(const uint8_t *octets, unsigned count) {
    uint64_t value = 0;
    for (unsigned i = 0; i < count; i++)
        value = (value << 8) | octets[i];
    return value;
}

static enum header_step fail(struct frame_parser *p, enum frame_violation v) {
    p->violation = v;
    p->state = FRAME_S_FAILED;
    return STEP_FAILED;
}

/* Octet 1: FIN, RSV, opcode. Everything these four bits-fields can prove
 * is proved here, before the second octet arrives. */
static enum header_step on_octet1(struct frame_parser *p) {
    uint8_t b0 = p->head[0];
    struct frame_header *h = &p->hdr;
    h->fin = (b0 & 0x80) != 0;
    h->rsv = (uint8_t)((b0 >> 4) & 7);
    h->opcode = (uint8_t)(b0 & 0x0F);

    /* 6455:5.2 "If an unknown opcode is received, the receiving endpoint
     * MUST _Fail the WebSocket Connection_." */
    if (opcode_is_reserved(h->opcode))
        return fail(p, FRAME_V_RESERVED_OPCODE);
    /* 6455:5.2 "MUST be 0 unless an extension is negotiated that defines
     * meanings for non-zero values." */
    if ((h->rsv & (uint8_t)~p->limits.allowed_rsv) != 0)
        return fail(p, FRAME_V_RSV_BITS);
    if (frame_opcode_is_control(h->opcode)) {
        /* 6455:5.5 "All control frames MUST have a payload length of 125
         * bytes or less and MUST NOT be fragmented." */
        if (!h->fin)
            return fail(p, FRAME_V_CONTROL_FRAGMENTED);
    } else if (h->opcode == FRAME_OP_CONT) {
        /* 6455:5.4 "A fragmented message consists of a single frame with
         * the FIN bit clear and an opcode other than 0, followed by zero or
         * more frames with the FIN bit clear and the opcode set to 0" */
        if (!p->in_message)
            return fail(p, FRAME_V_ORPHAN_CONTINUATION);
    } else if (p->in_message) {
        /* 6455:5.4 "The fragments of one message MUST NOT be interleaved
         * between the fragments of another message unless an extension has
         * been negotiated that can interpret the interleaving." */
        return fail(p, FRAME_V_EXPECTED_CONTINUATION);
    }
    return STEP_MORE;
}

/* The payload length is known (from octet 2 or the extended length):
 * masking key next, or the header is complete. */
static enum header_step after_length(struct frame_parser *p) {
    struct frame_header *h = &p->hdr;
    if (frame_opcode_is_control(h->opcode) && h->payload_len > MAX_CONTROL_PAYLOAD)
        /* 6455:5.5 "All control frames MUST have a payload length of 125
         * bytes or less" */
        return fail(p, FRAME_V_CONTROL_TOO_LONG);
    /* 6455:5.2 "the minimal number of bytes MUST be used to encode the
     * length". Always recorded; a violation only when asked to be strict. */
    if (h->non_minimal && p->limits.strict_length)
        return fail(p, FRAME_V_NON_MINIMAL_LENGTH);
    /* Our own cap (a conforming endpoint closes with 1009), checked on the
     * declared length before a single payload octet is read. */
    if (p->limits.max_frame_payload != 0 && h->payload_len > p->limits.max_frame_payload)
        return fail(p, FRAME_V_TOO_BIG);
    if (h->masked) {
        p->state = FRAME_S_MASK_KEY;
        p->head_need = h->header_len;
        return STEP_MORE;
    }
    return STEP_COMPLETE;
}

/* Octet 2: MASK and the 7-bit length. */
static enum header_step on_octet2(struct frame_parser *p) {
    uint8_t b1 = p->head[1];
    struct frame_header *h = &p->hdr;
    h->masked = (b1 & 0x80) != 0;
    uint8_t len7 = (uint8_t)(b1 & 0x7F);

    if (p->role == FRAME_ROLE_SERVER && !h->masked)
        /* 6455:5.1 "The server MUST close the connection upon receiving a
         * frame that is not masked." */
        return fail(p, FRAME_V_UNMASKED);
    if (p->role == FRAME_ROLE_CLIENT && h->masked)
        /* 6455:5.1 "A client MUST close a connection if it detects a masked
         * frame." */
        return fail(p, FRAME_V_MASKED);

    unsigned ext = len7 == LEN7_16BIT ? 2 : len7 == LEN7_64BIT ? 8 : 0;
    h->header_len = (uint8_t)(2 + ext + (h->masked ? 4 : 0));
    if (ext != 0) {
        h->length_bits = ext == 2 ? 16 : 64;
        p->state = FRAME_S_EXT_LEN;
        p->head_need = (uint8_t)(2 + ext);
        return STEP_MORE;
    }
    h->length_bits = 7;
    h->payload_len = len7;
    return after_length(p);
}

/* Last octet of the 16- or 64-bit extended length. */
static enum header_step on_ext_len(struct frame_parser *p) {
    struct frame_header *h = &p->hdr;
    if (h->length_bits == 16) {
        h->payload_len = read_be(p->head + 2, 2);
        h->non_minimal = h->payload_len < LEN7_16BIT;
        return after_length(p);
    }
    h->payload_len = read_be(p->head + 2, 8);
    /* 6455:5.2 "If 127, the following 8 bytes interpreted as a 64-bit
     * unsigned integer (the most significant bit MUST be 0) are the payload
     * length." */
    if ((h->payload_len >> 63) != 0)
        return fail(p, FRAME_V_LENGTH_MSB);
    h->non_minimal = h->payload_len <= 0xFFFF;
    return after_length(p);
}

/* Feed one header octet (already stored in p->head). */
static enum header_step header_octet(struct frame_parser *p) {
    switch (p->state) {
    case FRAME_S_HEAD: return p->head_have == 1 ? on_octet1(p) : on_octet2(p);
    case FRAME_S_EXT_LEN: return p->head_have == p->head_need ? on_ext_len(p) : STEP_MORE;
    case FRAME_S_MASK_KEY:
        if (p->head_have < p->head_need)
            return STEP_MORE;
        memcpy(p->hdr.mask_key, p->head + p->head_need - 4, 4);
        return STEP_COMPLETE;
    case FRAME_S_PAYLOAD:
    case FRAME_S_FAILED: break;
    }
    return STEP_MORE; /* not reached: callers only feed header states */
}

/* Start a new frame: clear the header accumulator. */
static void begin_frame(struct frame_parser *p) {
    memset(&p->hdr, 0, sizeof p->hdr);
    p->state = FRAME_S_HEAD;
    p->head_have = 0;
    p->head_need = 2;
    p->payload_left = 0;
    p->payload_offset = 0;
}

/* The header is complete: update the fragmentation state. Control frames
 * never touch it (6455:5.4 "Control frames (see Section 5.5) MAY be
 * injected in the middle of a fragmented message."). */
static void header_done(struct frame_parser *p) {
    const struct frame_header *h = &p->hdr;
    p->state = FRAME_S_PAYLOAD;
    p->payload_left = h->payload_len;
    p->payload_offset = 0;
    if (frame_opcode_is_control(h->opcode))
        return;
    if (h->opcode != FRAME_OP_CONT) {
        p->in_message = !h->fin;
        p->message_opcode = h->opcode;
    } else if (h->fin) {
        p->in_message = false;
    }
}

/* frame_parser_init: set up *p for `role`. limits is borrowed and copied;
 * NULL means no cap, no RSV bits allowed, lenient length forms. */
void frame_parser_init(struct frame_parser *p, enum frame_role role,
                       const struct frame_limits *limits) {
    memset(p, 0, sizeof *p);
    p->role = role;
    if (limits)
        p->limits = *limits;
    begin_frame(p);
}

static size_t emit_violation(const struct frame_parser *p, struct frame_event *ev,
                             size_t consumed) {
    ev->kind = FRAME_EV_VIOLATION;
    ev->violation = p->violation;
    ev->hdr = p->hdr; /* the fields decoded before the violation */
    /* The proving octet is the last one consumed. */
    ev->stream_offset = p->stream_offset - 1;
    return consumed;
}

/* The body of frame_parse(). */
static size_t parse_step(struct frame_parser *p, uint8_t *buf, size_t len, struct frame_event *ev) {
    memset(ev, 0, sizeof *ev);
    if (p->state == FRAME_S_FAILED) {
        /* The violating octet was counted when the violation fired. */
        return emit_violation(p, ev, 0);
    }

    size_t used = 0;
    while (p->state != FRAME_S_PAYLOAD) {
        if (used == len) {
            ev->kind = FRAME_EV_NEED_MORE;
            ev->stream_offset = p->stream_offset;
            return used;
        }
        p->head[p->head_have++] = buf[used++];
        p->stream_offset++;
        enum header_step step = header_octet(p);
        if (step == STEP_FAILED)
            return emit_violation(p, ev, used);
        if (step == STEP_COMPLETE) {
            header_done(p);
            ev->kind = FRAME_EV_HEADER;
            ev->hdr = p->hdr;
            ev->stream_offset = p->stream_offset - p->hdr.header_len;
            return used;
        }
    }

    /* FRAME_S_PAYLOAD; the header event was returned by an earlier call. */
    if (p->payload_left == 0) {
        ev->kind = FRAME_EV_END;
        ev->hdr = p->hdr;
        ev->stream_offset = p->stream_offset;
        begin_frame(p);
        return 0;
    }
    if (len == 0) {
        ev->kind = FRAME_EV_NEED_MORE;
        ev->stream_offset = p->stream_offset;
        return 0;
    }
    size_t take = len;
    if ((uint64_t)take > p->payload_left)
        take = (size_t)p->payload_left;
    if (p->hdr.masked)
        mask_apply(buf, take, p->hdr.mask_key, p->payload_offset);
    ev->kind = FRAME_EV_PAYLOAD;
    ev->hdr = p->hdr;
    ev->data = buf;
    ev->len = take;
    ev->payload_offset = p->payload_offset;
    ev->stream_offset = p->stream_offset;
    /* No overflow: take <= payload_left, and payload_offset + payload_left
     * == payload_len, stream_offset counts octets actually seen. */
    p->payload_left -= take;
    p->payload_offset += take;
    p->stream_offset += take;
    return take;
}

/* frame_parse: consume bytes from buf[0..len) until one event is produced
 * or the input runs out; returns the number of bytes consumed and fills *ev
 * (see frame.h for the event kinds and the calling loop, and the top of
 * this file for the order of checks and the event stream offsets).
 *
 * buf is borrowed and modified: PAYLOAD events unmask their bytes in place
 * and ev->data points into buf. buf may be NULL when len is 0. p must have
 * been set up by frame_parser_init(). A peer's RFC violation is reported as
 * a FRAME_EV_VIOLATION event, never as an error; there are no errors.
 *
 * Once failed, every call returns 0 and the same VIOLATION event. An END
 * is returned with 0 bytes consumed (it follows the last PAYLOAD, or the
 * HEADER of an empty frame), so loop until a NONE event. */
size_t frame_parse(struct frame_parser *p, uint8_t *buf, size_t len, struct frame_event *ev) {
#if defined(__GNUC__) || defined(__clang__)
    /* Both are whole C objects, so they are aligned for their type. Saying
     * so lets the compiler fold the alignment check UBSan puts on every
     * field access through a pointer; that made the sanitizer-built fuzz
     * target about 1.5x slower. Release builds are unaffected. */
    p = __builtin_assume_aligned(p, _Alignof(struct frame_parser));
    ev = __builtin_assume_aligned(ev, _Alignof(struct frame_event));
#endif
    return parse_step(p, buf, len, ev);
}

/* frame_violation_name: a stable lower-case name for reports ("rsv-bits");
 * "none" for FRAME_V_NONE and "unknown" out of range. Never NULL. */
const char *frame_violation_name(enum frame_violation v) {
    switch (v) {
    case FRAME_V_NONE: return "none";
    case FRAME_V_RESERVED_OPCODE: return "reserved-opcode";
    case FRAME_V_RSV_BITS: return "rsv-bits";
    case FRAME_V_CONTROL_TOO_LONG: return "control-too-long";
    case FRAME_V_CONTROL_FRAGMENTED: return "control-fragmented";
    case FRAME_V_UNMASKED: return "unmasked";
    case FRAME_V_MASKED: return "masked";
    case FRAME_V_LENGTH_MSB: return "length-msb";
    case FRAME_V_NON_MINIMAL_LENGTH: return "non-minimal-length";
    case FRAME_V_ORPHAN_CONTINUATION: return "orphan-continuation";
    case FRAME_V_EXPECTED_CONTINUATION: return "expected-continuation";
    case FRAME_V_TOO_BIG: return "too-big";
    case FRAME_V_COUNT: break;
    }
    return "unknown";
}

/* frame_violation_close_code: the close code a conforming endpoint sends
 * when it fails the connection for v: 1009 (7.4.1 "message that is too big
 * for it to process") for TOO_BIG, 1002 (7.4.1 "protocol error") for every
 * other violation, 0 for FRAME_V_NONE or out of range. */
uint16_t frame_violation_close_code(enum frame_violation v) {
    if (v == FRAME_V_NONE || v >= FRAME_V_COUNT)
        return 0;
    return v == FRAME_V_TOO_BIG ? 1009 : 1002;
}

/* frame_opcode_name: "continuation", "text", "binary", "close", "ping",
 * "pong", or "reserved-N" (N in decimal, 3..7 and 11..15) for the others;
 * values above 15 give "invalid". Static strings, never NULL. */
const char *frame_opcode_name(uint8_t opcode) {
    static const char *const names[16] = {
        "continuation", "text",        "binary",      "reserved-3",  "reserved-4", "reserved-5",
        "reserved-6",   "reserved-7",  "close",       "ping",        "pong",       "reserved-11",
        "reserved-12",  "reserved-13", "reserved-14", "reserved-15",
    };
    return opcode < 16 ? names[opcode] : "invalid";
}
