/* frame_parse_sa_fuzz: the frame parser (server role unless the config says
 * client), fed frames built by wsmutator (structure-aware: the input is an encoded frame
 * sequence, fuzz/wsmutator/wsmutator.h), cut into reads by the sequence's
 * chunk plan, each read in its own exactly sized heap buffer.
 *
 * Config word: bit 0 strict lengths, bits 1-3 allowed RSV bits, bit 4 a
 * 100-octet frame cap, bit 5 parse as a client (server frames, unmasked). Invariants (abort on failure): those of
 * frame_parse_fuzz (progress, no more payload than declared, views inside
 * the read, a failed parser stays failed, control frames as 6455:5.5
 * demands), and the differential check of FUZZING.md 6.4: the events are
 * the same whether the bytes arrive in one read or as the plan cuts them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/wrap.h"
#include "codec/frame.h"
#include "wsmutator_libfuzzer.h"

#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond))                                                                               \
            abort();                                                                               \
    } while (0)

/* What the parser reported, independent of how the bytes were cut: a
 * running hash of headers and frame ends, the payload octets handed out
 * (at most the wire's length), and the violation. */
struct summary {
    uint64_t hash;
    uint8_t *payload; /* owned; capacity: the wire's length */
    size_t payload_len;
    uint64_t declared, handed_out; /* of the current frame */
    bool failed;
    enum frame_violation violation;
    uint64_t violation_offset;
};

/* FNV-1a style: the multiplication wraps modulo 2^64 on purpose. */
WS_WRAPS_ON_PURPOSE static void mix(struct summary *s, uint64_t v) {
    s->hash = (s->hash ^ v) * 0x100000001b3u;
}

/* Parse one read; false once the parser failed. */
static bool parse_read(struct frame_parser *p, const uint8_t *bytes, size_t len,
                       struct summary *s) {
    uint8_t *buf = malloc(len ? len : 1); /* exactly sized: ASan sees an over-read */
    REQUIRE(buf != NULL);
    if (len)
        memcpy(buf, bytes, len);
    size_t pos = 0;
    for (;;) {
        struct frame_event ev;
        size_t used = frame_parse(p, buf + pos, len - pos, &ev);
        REQUIRE(used <= len - pos);
        pos += used;
        if (ev.kind == FRAME_EV_NEED_MORE) {
            REQUIRE(pos == len);
            break;
        }
        if (ev.kind == FRAME_EV_VIOLATION) {
            struct frame_event again;
            REQUIRE(frame_parse(p, buf + pos, len - pos, &again) == 0);
            REQUIRE(again.kind == FRAME_EV_VIOLATION && again.violation == ev.violation);
            s->failed = true;
            s->violation = ev.violation;
            s->violation_offset = ev.stream_offset;
            break;
        }
        if (ev.kind == FRAME_EV_HEADER) {
            s->declared = ev.hdr.payload_len;
            s->handed_out = 0;
            /* 6455:5.5 "All control frames MUST have a payload length of 125
             * bytes or less and MUST NOT be fragmented." */
            REQUIRE(!frame_opcode_is_control(ev.hdr.opcode) ||
                    (ev.hdr.fin && ev.hdr.payload_len <= 125));
            /* 6455:5.1 "a server MUST close the connection upon receiving a
             * frame that is not masked" and "A client MUST close a connection
             * if it detects a masked frame": no such header gets through. */
            REQUIRE(ev.hdr.masked == (p->role == FRAME_ROLE_SERVER));
            mix(s, 1);
            mix(s, (uint64_t)ev.hdr.fin << 12 | (uint64_t)ev.hdr.rsv << 4 | ev.hdr.opcode);
            mix(s, ev.hdr.payload_len);
        } else if (ev.kind == FRAME_EV_PAYLOAD) {
            REQUIRE(ev.data >= buf && ev.data + ev.len <= buf + len);
            REQUIRE(ev.payload_offset == s->handed_out);
            s->handed_out += ev.len;
            REQUIRE(s->handed_out <= s->declared);
            memcpy(s->payload + s->payload_len, ev.data, ev.len);
            s->payload_len += ev.len;
        } else if (ev.kind == FRAME_EV_END) {
            REQUIRE(s->handed_out == s->declared);
            mix(s, 2);
        }
    }
    free(buf);
    return !s->failed;
}

static void parse_all(const struct wsmut_wire *w, bool chunked, struct summary *s) {
    struct frame_limits limits = {
        .strict_length = (w->config & 1) != 0,
        .allowed_rsv = (uint8_t)((w->config >> 1) & 7),
        .max_frame_payload = (w->config & 16) ? 100 : 0,
    };
    struct frame_parser p;
    frame_parser_init(&p, (w->config & 32) ? FRAME_ROLE_CLIENT : FRAME_ROLE_SERVER, &limits);
    memset(s, 0, sizeof *s);
    s->hash = 0xcbf29ce484222325u;
    s->payload = malloc(w->len ? w->len : 1); /* payload octets are wire octets */
    REQUIRE(s->payload != NULL);
    if (!chunked) {
        parse_read(&p, w->bytes, w->len, s);
        return;
    }
    size_t start = 0;
    for (size_t i = 0; i < w->chunk_count; i++) {
        if (!parse_read(&p, w->bytes + start, w->chunk_ends[i] - start, s))
            return;
        start = w->chunk_ends[i];
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct wsmut_wire w;
    wsmut_wire_from_input(data, size, &w);
    struct summary whole, chunked;
    parse_all(&w, false, &whole);
    parse_all(&w, true, &chunked);
    REQUIRE(whole.hash == chunked.hash && whole.failed == chunked.failed);
    REQUIRE(whole.payload_len == chunked.payload_len &&
            memcmp(whole.payload, chunked.payload, whole.payload_len) == 0);
    REQUIRE(!whole.failed || (whole.violation == chunked.violation &&
                              whole.violation_offset == chunked.violation_offset));
    free(whole.payload);
    free(chunked.payload);
    wsmut_wire_free(&w);
    return 0;
}
