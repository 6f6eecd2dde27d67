/* example_fuzz: how another project's raw-byte harness takes wsmutator
 * (README.md). The project's parser here is a stand-in (toy_ws_*): an
 * incremental reader of frame headers that skips payloads. The harness is
 * what a project writes: include wsmutator_libfuzzer.h once, turn the input
 * into wire bytes and chunks, feed the chunks as separate reads.
 *
 * SPDX-License-Identifier: MIT (see wsmutator.h) */
#include <stdlib.h>
#include <string.h>

#include "wsmutator_libfuzzer.h"

/* ---- the project's code (a stand-in) -------------------------------- */

struct toy_ws {
    uint8_t head[14];
    size_t have;
    uint64_t skip; /* payload octets left in the current frame */
    unsigned frames;
};

static size_t toy_head_len(const uint8_t *h, size_t have) {
    if (have < 2)
        return 2;
    size_t n = 2 + ((h[1] & 0x7f) == 126 ? 2 : (h[1] & 0x7f) == 127 ? 8 : 0);
    return n + ((h[1] & 0x80) ? 4 : 0);
}

static void toy_ws_feed(struct toy_ws *t, const uint8_t *p, size_t len) {
    for (size_t i = 0; i < len;) {
        if (t->skip) {
            size_t n = len - i < t->skip ? len - i : (size_t)t->skip;
            t->skip -= n;
            i += n;
            continue;
        }
        t->head[t->have++] = p[i++];
        if (t->have < toy_head_len(t->head, t->have))
            continue;
        uint64_t v = t->head[1] & 0x7f;
        if (v >= 126)
            for (size_t k = 2, end = v == 126 ? 4 : 10; k < end; k++)
                v = v << 8 | t->head[k];
        t->skip = v;
        t->have = 0;
        t->frames++;
    }
}

/* ---- the harness ----------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct wsmut_wire w;
    wsmut_wire_from_input(data, size, &w);
    struct toy_ws t = {0};
    size_t start = 0;
    for (size_t i = 0; i < w.chunk_count; i++) {
        /* each read in its own exactly sized buffer, so ASan sees an over-read */
        size_t len = w.chunk_ends[i] - start;
        uint8_t *read = malloc(len);
        if (read == NULL)
            abort();
        memcpy(read, w.bytes + start, len);
        toy_ws_feed(&t, read, len);
        free(read);
        start = w.chunk_ends[i];
    }
    wsmut_wire_free(&w);
    return 0;
}
