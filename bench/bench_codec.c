/* bench_codec: frame codec throughput next to memcpy, in one process.
 *
 * For each buffer size (1 MiB: cache-resident on most machines; 16 MiB:
 * mostly memory-bound) each kernel runs back-to-back passes over the whole
 * buffer for about BENCH_SECONDS (default 0.5 s); the fastest pass counts
 * (best-of-N, so a preemption or a page fault does not). Kernels:
 *
 *   memcpy               src -> dst, the baseline
 *   mask_apply           in place, aligned start, payload offset varies
 *   mask_apply +1        in place, start one octet past alignment
 *   mask_apply_bytewise  the byte-at-a-time reference
 *   frame_parse 4K       server role, a buffer of masked 4 KiB frames, one call
 *                        sequence over the whole buffer (unmasking included)
 *   frame_parse 64K      the same with 64 KiB frames
 *   frame_parse 64K/16K  64 KiB frames fed in 16 KiB pieces, as a socket
 *                        read loop would
 *
 * Every result feeds a checksum that is printed, so no pass can be
 * optimised away. Output: one line per kernel with GB/s (10^9 bytes/s) and
 * the ratio to memcpy of the same size. Usage: bench_codec [seconds].
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/prng.h"
#include "codec/frame.h"
#include "codec/mask.h"

enum kernel {
    K_MEMCPY,
    K_MASK,
    K_MASK_UNALIGNED,
    K_MASK_BYTEWISE,
    K_PARSE_4K,
    K_PARSE_64K,
    K_PARSE_64K_PIECES,
    K_COUNT
};

static const char *const kernel_names[K_COUNT] = {
    "memcpy",         "mask_apply",      "mask_apply +1",       "mask_apply_bytewise",
    "frame_parse 4K", "frame_parse 64K", "frame_parse 64K/16K",
};

struct bench {
    size_t size;
    uint8_t *src, *dst; /* memcpy and mask buffers, size + 64 each */
    uint8_t *frames_4k; /* masked frames, filled up to size */
    size_t frames_4k_len;
    uint8_t *frames_64k;
    size_t frames_64k_len;
    uint8_t key[4];
    uint64_t checksum; /* printed at the end: keeps every pass alive */
};

/* Fill out[0..cap) with as many masked binary frames of payload_len as fit.
 * Returns the octets used. */
static size_t fill_frames(uint8_t *out, size_t cap, size_t payload_len, struct prng *rng) {
    struct buf frame = {0};
    uint8_t *payload = malloc(payload_len);
    if (!payload)
        return 0;
    prng_fill(rng, payload, payload_len);
    struct frame_spec spec = {.fin = true, .opcode = FRAME_OP_BINARY, .masked = true};
    size_t used = 0;
    for (;;) {
        prng_fill(rng, spec.mask_key, 4);
        buf_clear(&frame);
        if (frame_build(&spec, payload, payload_len, &frame) != 0 || cap - used < frame.len)
            break;
        memcpy(out + used, frame.data, frame.len);
        used += frame.len;
    }
    buf_free(&frame);
    free(payload);
    return used;
}

/* Parse buf[0..len) (client frames, server role) in pieces of at most `piece`
 * octets; returns a checksum of the events. Aborts on a violation: the
 * buffer holds only valid frames. */
static uint64_t parse_all(uint8_t *buf, size_t len, size_t piece) {
    struct frame_limits limits = {0};
    struct frame_parser p;
    frame_parser_init(&p, FRAME_ROLE_SERVER, &limits);
    uint64_t sum = 0;
    size_t pos = 0;
    while (pos < len) {
        size_t end = len - pos > piece ? pos + piece : len;
        for (;;) {
            struct frame_event ev;
            pos += frame_parse(&p, buf + pos, end - pos, &ev);
            if (ev.kind == FRAME_EV_NEED_MORE)
                break;
            if (ev.kind == FRAME_EV_PAYLOAD)
                sum += ev.len + ev.data[ev.len - 1];
            else if (ev.kind == FRAME_EV_VIOLATION)
                abort();
            else
                sum++;
        }
    }
    return sum;
}

/* One pass of kernel k; returns the octets it processed. */
static size_t run_pass(struct bench *b, enum kernel k, unsigned pass) {
    switch (k) {
    case K_MEMCPY:
        memcpy(b->dst, b->src, b->size);
        b->checksum += b->dst[pass % b->size];
        return b->size;
    case K_MASK:
        mask_apply(b->dst, b->size, b->key, pass);
        b->checksum += b->dst[pass % b->size];
        return b->size;
    case K_MASK_UNALIGNED:
        mask_apply(b->dst + 1, b->size, b->key, pass);
        b->checksum += b->dst[1 + pass % b->size];
        return b->size;
    case K_MASK_BYTEWISE:
        mask_apply_bytewise(b->dst, b->size, b->key, pass);
        b->checksum += b->dst[pass % b->size];
        return b->size;
    case K_PARSE_4K:
        b->checksum += parse_all(b->frames_4k, b->frames_4k_len, SIZE_MAX);
        return b->frames_4k_len;
    case K_PARSE_64K:
        b->checksum += parse_all(b->frames_64k, b->frames_64k_len, SIZE_MAX);
        return b->frames_64k_len;
    case K_PARSE_64K_PIECES:
        b->checksum += parse_all(b->frames_64k, b->frames_64k_len, 16384);
        return b->frames_64k_len;
    case K_COUNT: break;
    }
    return 0;
}

/* Best GB/s of kernel k over passes run for `seconds`. */
static double measure(struct bench *b, enum kernel k, double seconds) {
    int64_t budget = (int64_t)(seconds * 1e9);
    int64_t start = clock_now_ns(), best = INT64_MAX;
    size_t bytes = 0;
    run_pass(b, k, 0); /* warm-up: page faults, caches */
    for (unsigned pass = 1; clock_now_ns() - start < budget || pass < 4; pass++) {
        int64_t t0 = clock_now_ns();
        bytes = run_pass(b, k, pass);
        int64_t took = clock_now_ns() - t0;
        if (took > 0 && took < best)
            best = took;
    }
    return best == INT64_MAX ? 0.0 : (double)bytes / (double)best;
}

static int bench_size(size_t size, double seconds, struct prng *rng, uint64_t *checksum) {
    struct bench b = {.size = size};
    int rc = 1;
    b.src = malloc(size + 64);
    b.dst = malloc(size + 64);
    b.frames_4k = malloc(size);
    b.frames_64k = malloc(size);
    if (!b.src || !b.dst || !b.frames_4k || !b.frames_64k) {
        fprintf(stderr, "bench_codec: out of memory\n");
        goto out;
    }
    prng_fill(rng, b.src, size + 64);
    memcpy(b.dst, b.src, size + 64);
    prng_fill(rng, b.key, 4);
    b.frames_4k_len = fill_frames(b.frames_4k, size, 4096, rng);
    b.frames_64k_len = fill_frames(b.frames_64k, size, 65536, rng);

    double gbps[K_COUNT];
    for (int k = 0; k < K_COUNT; k++)
        gbps[k] = measure(&b, (enum kernel)k, seconds);
    for (int k = 0; k < K_COUNT; k++)
        printf("%6zu MiB  %-22s %7.2f GB/s  %5.2fx memcpy\n", size >> 20, kernel_names[k], gbps[k],
               gbps[K_MEMCPY] > 0 ? gbps[k] / gbps[K_MEMCPY] : 0.0);
    *checksum += b.checksum;
    rc = 0;
out:
    free(b.frames_64k);
    free(b.frames_4k);
    free(b.dst);
    free(b.src);
    return rc;
}

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 0.5;
    if (seconds <= 0)
        seconds = 0.5;
    static const size_t sizes[] = {1u << 20, 16u << 20};
    struct prng rng;
    prng_seed(&rng, 6455);
    uint64_t checksum = 0;
    printf("bench_codec: best pass of %.2f s per kernel, GB/s = 10^9 bytes/s\n", seconds);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        if (bench_size(sizes[i], seconds, &rng, &checksum) != 0)
            return 1;
    printf("checksum %llu\n", (unsigned long long)checksum);
    return 0;
}
