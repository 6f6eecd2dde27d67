/* bench_datasets: the generated data sets (model/dataset.h) measured: size,
 * units, generation time, and how zlib compresses them, as cases/README.md
 * "Data sets" reports.
 *
 * Per set:
 *   gen ms       fastest of 5 generations from scratch (the generator itself,
 *                not the cache)
 *   z6 / z9      size / zlib output at level 6 / 9, the whole set at once
 *                (window 15)
 *   w9           raw deflate, level 6, window 9 (what zlib uses for an
 *                agreed window of 8 or 9 bits)
 *   msg 256/4096 Autobahn 12.x-like: 1000 messages of 256 / 4096 units taken
 *                as sliding windows (message i starts at unit i * LEN), each
 *                compressed alone (no context takeover, level 6, window 15,
 *                the 00 00 ff ff tail removed as 7692:7.2.1 says): total
 *                payload / total compressed
 * Usage: bench_datasets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "base/buf.h"
#include "base/clock.h"
#include "model/dataset.h"
#include "model/dataset_gen.h"

static int (*const generators[DATASET_COUNT])(struct buf *) = {
    [DATASET_JSON] = dataset_text_json,     [DATASET_IMAGE] = dataset_binary_image,
    [DATASET_PROSE] = dataset_text_prose,   [DATASET_MARKUP] = dataset_text_markup,
    [DATASET_MIXED] = dataset_binary_mixed,
};

/* Octets deflate makes of data (level, window bits; raw when negative),
 * with a sync flush at the end as permessage-deflate does; the 4-octet
 * 00 00 ff ff tail not counted. 0 on a zlib failure. */
static size_t deflated_size(const uint8_t *data, size_t len, int level, int window_bits) {
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return 0;
    size_t cap = deflateBound(&z, (uLong)len) + 16, total = 0;
    uint8_t *out = malloc(cap);
    if (!out) {
        deflateEnd(&z);
        return 0;
    }
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, window_bits < 0 ? Z_SYNC_FLUSH : Z_FINISH);
    total = cap - z.avail_out;
    deflateEnd(&z);
    free(out);
    if (rc != Z_OK && rc != Z_STREAM_END)
        return 0;
    return window_bits < 0 && total >= 4 ? total - 4 : total;
}

static double ratio(size_t in, size_t out) {
    return out ? (double)in / (double)out : 0.0;
}

/* 1000 sliding windows of len units, each compressed alone. */
static double messages_ratio(const struct dataset *d, uint64_t len) {
    uint64_t in = 0, out = 0;
    uint8_t *msg = NULL;
    size_t msg_cap = 0;
    for (uint64_t i = 0; i < 1000; i++) {
        uint64_t n = dataset_window_octets(d, i * len, len);
        if (n > msg_cap) {
            free(msg);
            msg_cap = (size_t)n;
            msg = malloc(msg_cap);
            if (!msg)
                return 0.0;
        }
        dataset_window_read(d, i * len, len, 0, msg, (size_t)n);
        in += n;
        out += deflated_size(msg, (size_t)n, 6, -15);
    }
    free(msg);
    return out ? (double)in / (double)out : 0.0;
}

int main(void) {
    printf("%-7s %8s %8s %7s %6s %6s %6s %8s %9s\n", "set", "octets", "units", "gen ms", "z6", "z9",
           "w9", "msg 256", "msg 4096");
    for (int k = 0; k < DATASET_COUNT; k++) {
        const struct dataset *d = dataset_get((enum dataset_kind)k);
        if (!d) {
            fprintf(stderr, "out of memory\n");
            return 1;
        }
        int64_t best = INT64_MAX;
        for (int run = 0; run < 5; run++) {
            struct buf b = {0};
            int64_t t0 = clock_now_ns();
            int rc = generators[k](&b);
            int64_t t = clock_now_ns() - t0;
            if (rc != 0 || b.len != d->size || memcmp(b.data, d->bytes, d->size) != 0) {
                fprintf(stderr, "%s: generation differs\n", d->name);
                return 1;
            }
            buf_free(&b);
            if (t < best)
                best = t;
        }
        printf("%-7s %8zu %8zu %7.1f %6.2f %6.2f %6.2f %8.2f %9.2f\n", d->name, d->size, d->units,
               (double)best / 1e6, ratio(d->size, deflated_size(d->bytes, d->size, 6, 15)),
               ratio(d->size, deflated_size(d->bytes, d->size, 9, 15)),
               ratio(d->size, deflated_size(d->bytes, d->size, 6, -9)), messages_ratio(d, 256),
               messages_ratio(d, 4096));
    }
    return 0;
}
