/* frame_parse_fuzz: the frame parser alone, fed in one piece, for speed
 * (frame_fuzz is the thorough differential target; this one spends every
 * execution inside frame_parse).
 *
 * Input: octet 0 picks the role (bit 0), strict lengths (bit 1), allowed
 * RSV bits (bits 2-4) and a 100-octet frame cap (bit 5); the rest is the
 * stream. Invariants (abort on failure): progress on every call, no more
 * payload handed out than a header declared, payload views inside the
 * buffer, and a failed parser stays failed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/frame.h"

#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond))                                                                               \
            abort();                                                                               \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    uint8_t config = data[0];
    struct frame_limits limits = {
        .strict_length = (config & 2) != 0,
        .allowed_rsv = (uint8_t)((config >> 2) & 7),
        .max_frame_payload = (config & 32) ? 100 : 0,
    };
    struct frame_parser p;
    frame_parser_init(&p, (config & 1) ? FRAME_ROLE_CLIENT : FRAME_ROLE_SERVER, &limits);

    size_t len = size - 1;
    uint8_t *buf = malloc(len ? len : 1); /* exactly sized: ASan sees an over-read */
    if (!buf)
        return 0;
    memcpy(buf, data + 1, len);

    size_t pos = 0;
    uint64_t declared = 0, handed_out = 0;
    for (;;) {
        struct frame_event ev;
        size_t used = frame_parse(&p, buf + pos, len - pos, &ev);
        REQUIRE(used <= len - pos);
        pos += used;
        if (ev.kind == FRAME_EV_NEED_MORE) {
            REQUIRE(pos == len);
            break;
        }
        if (ev.kind == FRAME_EV_VIOLATION) {
            struct frame_event again;
            REQUIRE(frame_parse(&p, buf + pos, len - pos, &again) == 0);
            REQUIRE(again.kind == FRAME_EV_VIOLATION && again.violation == ev.violation);
            break;
        }
        if (ev.kind == FRAME_EV_HEADER) {
            declared = ev.hdr.payload_len;
            handed_out = 0;
            /* 6455:5.5 "All control frames MUST have a payload length of 125
             * bytes or less and MUST NOT be fragmented." */
            REQUIRE(!frame_opcode_is_control(ev.hdr.opcode) ||
                    (ev.hdr.fin && ev.hdr.payload_len <= 125));
        } else if (ev.kind == FRAME_EV_PAYLOAD) {
            REQUIRE(ev.data >= buf && ev.data + ev.len <= buf + len);
            handed_out += ev.len;
            REQUIRE(handed_out <= declared);
        } else if (ev.kind == FRAME_EV_END) {
            REQUIRE(handed_out == declared);
        }
    }
    free(buf);
    return 0;
}
