/* refserver_conn_fuzz: the reference server's protocol state machine fed
 * arbitrary client bytes, with an arbitrary set of faults.
 *
 * Input: 4 octets of fault bits, 1 octet of split seed, 1 octet of flags
 * (bit 0: the input carries its own handshake instead of a valid one; bit 1:
 * our handshake offers permessage-deflate, bits 2-3 pick the offer's
 * parameters), then the client's bytes. Oracle: besides ASan/UBSan, the output must not
 * depend on how the bytes were split (whole vs. pseudo-random pieces). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/wrap.h"
#include "refserver/faults.h"
#include "refserver/refserver_conn.h"

static const char handshake[] = "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                                "Connection: Upgrade\r\n"
                                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                "Sec-WebSocket-Version: 13\r\n\r\n";

/* The permessage-deflate offers of flag bits 2-3 (RFC 7692 7.1). */
static const char *const deflate_offers[4] = {
    "permessage-deflate",
    "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
    "permessage-deflate; server_max_window_bits=8; client_max_window_bits=9",
    "permessage-deflate; client_max_window_bits, x-other",
};

/* The split generator, an LCG: it wraps modulo 2^32 by design. */
WS_WRAPS_ON_PURPOSE static uint32_t lcg_next(uint32_t *rng) {
    *rng = *rng * 1103515245u + 12345u;
    return *rng;
}

static void feed(const struct rs_config *cfg, const uint8_t *data, size_t len, unsigned seed,
                 struct buf *out) {
    struct rs_proto p;
    rs_proto_init(&p, cfg);
    uint8_t *copy = malloc(len ? len : 1);
    if (copy == NULL)
        abort();
    if (len)
        memcpy(copy, data, len);
    size_t pos = 0;
    uint32_t rng = seed;
    while (pos < len) {
        size_t n = len - pos;
        if (seed != 0) {
            size_t want = 1 + (lcg_next(&rng) >> 16) % 19;
            if (want < n)
                n = want;
        }
        if (rs_proto_input(&p, copy + pos, n, out) != 0)
            break;
        pos += n;
    }
    free(copy);
    rs_proto_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 6)
        return 0;
    uint64_t faults = ((uint64_t)data[0] | (uint64_t)data[1] << 8 | (uint64_t)data[2] << 16 |
                       (uint64_t)data[3] << 24) &
                      (((uint64_t)1 << FAULT_COUNT) - 1);
    unsigned seed = (unsigned)data[4] | 1u;
    bool own_handshake = data[5] & 1;
    bool offer_deflate = data[5] & 2;
    const char *offer = deflate_offers[(data[5] >> 2) & 3];
    data += 6;
    size -= 6;

    struct buf stream = {0};
    if (!own_handshake) {
        /* The head without its blank line, the offer, then the blank line. */
        if (buf_append(&stream, handshake, sizeof handshake - 5) != 0 ||
            (offer_deflate && (buf_append_str(&stream, "\r\nSec-WebSocket-Extensions: ") != 0 ||
                               buf_append_str(&stream, offer) != 0)) ||
            buf_append_str(&stream, "\r\n\r\n") != 0)
            abort();
    }
    if (buf_append(&stream, data, size) != 0)
        abort();
    /* Small caps keep the fuzzer fast; ignore-message-limit's 1 GiB is only
     * reachable by bytes that actually arrive, so it is safe too. */
    struct rs_config cfg = {.max_message = 512,
                            .message_cap = 512,
                            .faults = faults,
                            .deflate = true,
                            .inflate_cap = 512};
    if (fault_on(faults, FAULT_IGNORE_MESSAGE_LIMIT))
        cfg.message_cap = cfg.inflate_cap = (uint64_t)1 << 30;
    /* A bomb under inflate-unbounded would inflate a full GiB per input:
     * a larger cap than max_message is enough to take its path. */
    if (fault_on(faults, FAULT_INFLATE_UNBOUNDED))
        cfg.inflate_cap = 1 << 16;

    struct buf whole = {0}, split = {0};
    feed(&cfg, stream.data, stream.len, 0, &whole);
    feed(&cfg, stream.data, stream.len, seed, &split);
    if (whole.len != split.len || (whole.len && memcmp(whole.data, split.data, whole.len) != 0))
        abort(); /* the answer depended on how the bytes were split */
    buf_free(&whole);
    buf_free(&split);
    buf_free(&stream);
    return 0;
}
