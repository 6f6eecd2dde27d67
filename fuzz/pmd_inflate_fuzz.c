/* pmd_inflate_fuzz: pmd_inflate on arbitrary compressed messages with a
 * small cap. The first octet picks the window bits (8 + low 3 bits), context
 * takeover (bit 3) and the piece size (high 4 bits, 0: one piece); the rest
 * is two messages, split at the middle. Invariants:
 * - no ws_error (ours) for any input: what is wrong with it is a problem;
 * - the sink gets at most PMD_CHUNK octets at once and never more than the
 *   cap in all, and message_octets counts exactly what it got;
 * - with strict_window, feeding the message in one piece and in pieces gives
 *   the same octets and the same result (input splits change nothing);
 * - a message the strict inflater accepts, the fast one accepts the same.
 * Any broken invariant aborts. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/pmd_stream.h"

#define FUZZ_CAP 65536

struct fuzz_sink {
    uint8_t data[FUZZ_CAP];
    size_t len;
};

static void fail(const char *what, size_t size) {
    fprintf(stderr, "pmd_inflate_fuzz: invariant broken: %s (input %zu octets)\n", what, size);
    abort();
}

static int fuzz_sink_fn(void *ctx, const uint8_t *p, size_t n) {
    struct fuzz_sink *s = ctx;
    if (n == 0 || n > PMD_CHUNK || n > sizeof s->data - s->len)
        abort(); /* more than the cap, or a chunk too big */
    memcpy(s->data + s->len, p, n);
    s->len += n;
    return 0;
}

struct run {
    struct pmd_inflate_result res[2];
    struct fuzz_sink out[2];
};

static void run_messages(const struct pmd_direction *dir, bool strict, size_t step,
                         const uint8_t *data, size_t size, struct run *r) {
    struct pmd_inflater_options opt = {.max_message_octets = FUZZ_CAP, .strict_window = strict};
    struct pmd_inflater *inf = NULL;
    if (pmd_inflater_new(&inf, dir, &opt) != 0)
        fail("pmd_inflater_new", size);
    size_t half = size / 2;
    const uint8_t *msg[2] = {data, data + half};
    size_t len[2] = {half, size - half};
    memset(r, 0, sizeof *r);
    for (int m = 0; m < 2; m++) {
        struct pmd_inflate_result *res = &r->res[m];
        size_t off = 0, piece = step ? step : (len[m] ? len[m] : 1);
        do {
            size_t take = len[m] - off < piece ? len[m] - off : piece;
            if (pmd_inflate(inf, msg[m] + off, take, off + take == len[m], fuzz_sink_fn, &r->out[m],
                            res) != 0)
                fail("a ws_error for peer input", size);
            off += take;
        } while (off < len[m] && res->state == PMD_IN_MORE);
        if (res->message_octets != r->out[m].len)
            fail("message_octets differs from what the sink got", size);
        if (res->state == PMD_IN_MORE)
            fail("message_end given but the message is not over", size);
        if ((res->state == PMD_IN_PROBLEM) != (res->problem != PMD_INFLATE_OK))
            fail("problem set without PROBLEM state, or the reverse", size);
        if (res->state == PMD_IN_CAP && res->message_octets != FUZZ_CAP)
            fail("CAP before the cap", size);
        if (res->state != PMD_IN_DONE)
            break;
    }
    pmd_inflater_free(inf);
}

static bool same(const struct run *a, const struct run *b) {
    for (int m = 0; m < 2; m++) {
        if (a->res[m].state != b->res[m].state || a->res[m].problem != b->res[m].problem ||
            a->out[m].len != b->out[m].len ||
            memcmp(a->out[m].data, b->out[m].data, a->out[m].len) != 0)
            return false;
        if (a->res[m].state != PMD_IN_DONE)
            break;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > 4096)
        return 0;
    struct pmd_direction dir = {8u + (data[0] & 7u), (data[0] & 8u) != 0};
    size_t step = data[0] >> 4;
    static struct run whole, pieces, fast;
    run_messages(&dir, true, 0, data + 1, size - 1, &whole);
    run_messages(&dir, true, step ? step : 1, data + 1, size - 1, &pieces);
    if (!same(&whole, &pieces))
        fail("input splits changed the strict result", size);
    run_messages(&dir, false, step, data + 1, size - 1, &fast);
    if (whole.res[0].state == PMD_IN_DONE && whole.res[1].state == PMD_IN_DONE &&
        !same(&whole, &fast))
        fail("the fast inflater differs on a message the strict one accepts", size);
    return 0;
}
