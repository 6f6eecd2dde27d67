/* fuzz_fault_reach: how many mutants of `wsspec fuzz`'s mutator
 * (fuzz/fuzz_mutate.h) reach each fuzz-only fault of the reference server
 * (refserver/refserver_fuzzfaults.h). Each mutant's steps become the octets
 * the runner would send (frames as written, messages split by their
 * fragments, close frames, raw octets; no deflate, no timing), fed to the
 * server's state machine in-process with one fault on: fuzz-crash and
 * fuzz-hang count when the state machine reports their trigger,
 * fuzz-wrong-close when its answer differs from the strict server's (a case
 * that negotiates deflate never reaches it). Seeds: the corpus cases
 * `wsspec fuzz` takes by default (fuzz_seed_is_quick). The
 * unmutated seeds must reach none. Mutant k's prng is seeded as
 * fuzz_run.c seeds it.
 * Usage: fuzz_fault_reach MUTANTS SEED CASES_DIR (bench/fuzz_fault_reach.sh). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/prng.h"
#include "codec/frame.h"
#include "fuzz/fuzz_mutate.h"
#include "load/caseload.h"
#include "refserver/faults.h"
#include "refserver/refserver_conn.h"

static const char request[] =
    "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n"
    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n\r\n";

static const uint8_t key[4] = {0x11, 0x22, 0x33, 0x44};

static void put(struct buf *b, bool fin, uint8_t rsv, uint8_t op, enum mask_mode mask,
                const uint8_t *k, uint8_t form, bool dset, uint64_t dlen, const uint8_t *p,
                size_t n) {
    struct frame_spec sp = {.fin = fin,
                            .rsv = rsv,
                            .opcode = op,
                            .masked = mask != MASK_NONE,
                            .len_form = (enum frame_len_form)form,
                            .declared_len_set = dset,
                            .declared_len = dlen};
    memcpy(sp.mask_key, mask == MASK_KEY ? k : key, 4);
    if (frame_build(&sp, p, n, b) != 0) { /* a form that cannot hold it: minimal */
        sp.len_form = FRAME_LEN_AUTO;
        frame_build(&sp, p, n, b);
    }
}

static void steps_bytes(const struct step *st, size_t n, struct buf *b, int depth) {
    for (size_t i = 0; i < n; i++) {
        const struct step *s = &st[i];
        size_t len;
        uint8_t *d;
        switch (s->kind) {
        case STEP_SEND_FRAME: {
            const struct frame_step *f = &s->u.frame;
            d = payload_materialize(&f->payload, 1 << 20);
            if (!d)
                break;
            put(b, f->fin, f->rsv, f->opcode, f->mask, f->mask_key, f->len_form,
                f->declared_len_set, f->declared_len, d, (size_t)f->payload.length);
            free(d);
            break;
        }
        case STEP_SEND_MESSAGE: {
            const struct message_step *m = &s->u.message;
            d = payload_materialize(&m->payload, 1 << 20);
            if (!d)
                break;
            len = (size_t)m->payload.length;
            size_t off = 0, k = 0;
            do {
                size_t size = len - off;
                if (m->fragment_count) {
                    uint64_t want = m->fragments[k < m->fragment_count ? k : m->fragment_count - 1];
                    if (want < size && want > 0)
                        size = (size_t)want;
                }
                put(b, off + size == len, k == 0 ? m->rsv : 0, k == 0 ? m->opcode : 0, m->mask, key,
                    0, false, 0, d + off, size);
                off += size;
                k++;
            } while (off < len && k < 100000);
            free(d);
            break;
        }
        case STEP_SEND_CLOSE: {
            const struct close_step *c = &s->u.close;
            uint8_t p[200];
            size_t pn = 0;
            if (c->raw_set) {
                pn = c->raw.length < 200 ? (size_t)c->raw.length : 200;
                payload_read(&c->raw, 0, p, pn);
            } else if (c->has_code) {
                p[0] = (uint8_t)(c->code >> 8);
                p[1] = (uint8_t)c->code;
                size_t rn = c->reason.length < 190 ? (size_t)c->reason.length : 190;
                payload_read(&c->reason, 0, p + 2, rn);
                pn = 2 + rn;
            }
            put(b, true, 0, 8, c->mask, key, 0, false, 0, p, pn);
            break;
        }
        case STEP_SEND_RAW:
            d = payload_materialize(&s->u.raw, 1 << 20);
            if (d)
                buf_append(b, d, (size_t)s->u.raw.length);
            free(d);
            break;
        case STEP_REPEAT:
            for (uint32_t r = 0; r < s->u.repeat.count && depth < 4; r++)
                steps_bytes(s->u.repeat.steps, s->u.repeat.step_count, b, depth + 1);
            break;
        default: break;
        }
    }
}

/* Feed the case's octets to rs_proto with faults: the hit, and the output. */
static int feed(const struct wcase *c, uint64_t faults, struct buf *out) {
    struct rs_config cfg = {
        .max_message = 1 << 20, .message_cap = 1 << 20, .faults = faults, .inflate_cap = 1 << 20};
    struct rs_proto p;
    struct buf in = {0};
    buf_clear(out);
    buf_append_str(&in, request);
    steps_bytes(c->steps, c->step_count, &in, 0);
    rs_proto_init(&p, &cfg);
    rs_proto_input(&p, in.data, in.len, out);
    int hit = p.fuzz.hit;
    rs_proto_free(&p);
    buf_free(&in);
    return hit;
}

int main(int argc, char **argv) {
    long runs = argc > 1 ? atol(argv[1]) : 10000;
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
    struct case_list all = {0};
    struct case_error err;
    if (case_load_path(argc > 3 ? argv[3] : "cases", &all, &err) != 0)
        return 1;
    const struct wcase **seeds = malloc(all.count * sizeof *seeds);
    size_t ns = 0;
    for (size_t i = 0; i < all.count; i++)
        if (fuzz_seed_is_quick(&all.items[i]) && all.items[i].step_count > 0)
            seeds[ns++] = &all.items[i];
    struct buf strict = {0}, got = {0};
    long first[3] = {-1, -1, -1}, count[3] = {0};
    /* the seeds themselves */
    int seed_hits = 0;
    for (size_t i = 0; i < ns; i++) {
        seed_hits += feed(seeds[i], (uint64_t)1 << FAULT_FUZZ_CRASH, &got) != 0;
        seed_hits += feed(seeds[i], (uint64_t)1 << FAULT_FUZZ_HANG, &got) != 0;
        feed(seeds[i], 0, &strict);
        feed(seeds[i], (uint64_t)1 << FAULT_FUZZ_WRONG_CLOSE, &got);
        seed_hits += got.len != strict.len || memcmp(got.data, strict.data, got.len) != 0;
    }
    printf("%zu seeds (frame-level), %d reach a trigger unmutated\n", ns, seed_hits);
    for (long k = 0; k < runs; k++) {
        struct prng rng;
        uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (uint64_t)(k + 1);
        prng_seed(&rng, z ^ (z >> 31));
        const struct wcase *base = seeds[prng_below(&rng, ns)];
        const struct wcase *other = seeds[prng_below(&rng, ns)];
        struct wcase m;
        uint32_t dims;
        if (fuzz_mutate(base, other, &rng, "m", &m, &dims) != 0)
            continue;
        int hits[3];
        hits[0] = feed(&m, (uint64_t)1 << FAULT_FUZZ_CRASH, &got) == 1;
        hits[1] = feed(&m, (uint64_t)1 << FAULT_FUZZ_HANG, &got) == 2;
        feed(&m, 0, &strict);
        feed(&m, (uint64_t)1 << FAULT_FUZZ_WRONG_CLOSE, &got);
        hits[2] = !m.deflate.set &&
                  (got.len != strict.len || memcmp(got.data, strict.data, got.len) != 0);
        for (int f = 0; f < 3; f++) {
            if (!hits[f])
                continue;
            count[f]++;
            if (first[f] < 0) {
                first[f] = k;
                printf("  %s first at mutant %ld: %s (dims 0x%x)\n",
                       (const char *[]){"fuzz-crash", "fuzz-hang", "fuzz-wrong-close"}[f], k, m.id,
                       dims);
            }
        }
        case_free(&m);
    }
    printf("%ld mutants: fuzz-crash %ld, fuzz-hang %ld, fuzz-wrong-close %ld\n", runs, count[0],
           count[1], count[2]);
    return 0;
}
