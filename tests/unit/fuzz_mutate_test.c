/* fuzz_mutate_test: the mutator of `wsspec fuzz` (harness/fuzz/fuzz_mutate.c)
 * on the corpus's own cases: the same prng state gives the same mutant, every
 * dimension of enum fuzz_dim is reached, every mutant is a case the loader
 * and the runner accept (fields in range, length forms that fit, fragments
 * that use the payload up, payloads and pauses bounded), and the share of
 * mutants of frame-level seeds the RFC oracle models is measured (printed)
 * and held above a floor. */
#include "test.h"

#include <stdlib.h>

#include "base/buf.h"
#include "codec/frame.h"
#include "fuzz/fuzz_mutate.h"
#include "fuzz/fuzz_oracle.h"
#include "load/caseload.h"

static struct case_list corpus;

/* The frame-level seeds: groups whose cases send frames over a default
 * handshake, without compression or series. */
static bool frame_level(const struct wcase *c) {
    static const char *const groups[] = {"framing.",
                                         "fragmentation.",
                                         "utf8",
                                         "close",
                                         "pings.",
                                         "control-interleave.",
                                         "reserved-bits.",
                                         "opcodes.",
                                         "masking.",
                                         "chop1.",
                                         "lengths.",
                                         "after-close.",
                                         NULL};
    for (size_t i = 0; groups[i]; i++)
        if (strncmp(c->id, groups[i], strlen(groups[i])) == 0)
            return !c->has_handshake && !c->deflate.set;
    return false;
}

/* A text fingerprint of a case's steps (payloads by length and octets). */
static void fp_payload(struct buf *b, const struct payload *p) {
    buf_appendf(b, "[%llu:", (unsigned long long)p->length);
    size_t n = p->length > 4096 ? 4096 : (size_t)p->length;
    uint8_t tmp[4096];
    payload_read(p, 0, tmp, n);
    for (size_t i = 0; i < n; i++)
        buf_appendf(b, "%02x", tmp[i]);
    buf_append_str(b, "]");
}

static void fp_steps(struct buf *b, const struct step *s, size_t n) {
    for (size_t i = 0; i < n; i++, s++) {
        buf_appendf(b, "{%d c%u d%g co%d ", (int)s->kind, s->chop, s->chop_delay_s, s->coalesce);
        switch (s->kind) {
        case STEP_SEND_FRAME:
            buf_appendf(b, "f%d r%u o%u m%d k%02x%02x l%u dl%d/%llu z%d ", s->u.frame.fin,
                        s->u.frame.rsv, s->u.frame.opcode, (int)s->u.frame.mask,
                        s->u.frame.mask_key[0], s->u.frame.mask_key[3], s->u.frame.len_form,
                        s->u.frame.declared_len_set, (unsigned long long)s->u.frame.declared_len,
                        s->u.frame.compress);
            fp_payload(b, &s->u.frame.payload);
            break;
        case STEP_SEND_MESSAGE:
            buf_appendf(b, "o%u r%u m%d z%d fr", s->u.message.opcode, s->u.message.rsv,
                        (int)s->u.message.mask, s->u.message.compress);
            for (size_t k = 0; k < s->u.message.fragment_count; k++)
                buf_appendf(b, ",%llu", (unsigned long long)s->u.message.fragments[k]);
            fp_payload(b, &s->u.message.payload);
            break;
        case STEP_SEND_CLOSE:
            buf_appendf(b, "h%d c%u r%d m%d", s->u.close.has_code, s->u.close.code,
                        s->u.close.raw_set, (int)s->u.close.mask);
            fp_payload(b, &s->u.close.reason);
            fp_payload(b, &s->u.close.raw);
            break;
        case STEP_SEND_RAW: fp_payload(b, &s->u.raw); break;
        case STEP_PAUSE: buf_appendf(b, "%g", s->u.pause_s); break;
        case STEP_WAIT: buf_appendf(b, "%d %u", (int)s->u.wait.what, s->u.wait.count); break;
        case STEP_MARK: buf_append_str(b, s->u.mark); break;
        case STEP_REPEAT:
            buf_appendf(b, "x%u", s->u.repeat.count);
            fp_steps(b, s->u.repeat.steps, s->u.repeat.step_count);
            break;
        default: break;
        }
        buf_append_str(b, "}");
    }
}

static char *fingerprint(const struct wcase *c) {
    struct buf b = {0};
    buf_append_str(&b, c->id);
    for (size_t i = 0; i < c->handshake.header_count; i++)
        buf_appendf(&b, "|%d %s %s", c->handshake.headers[i].op, c->handshake.headers[i].name,
                    c->handshake.headers[i].value ? c->handshake.headers[i].value : "-");
    fp_steps(&b, c->steps, c->step_count);
    buf_append(&b, "", 1);
    return (char *)b.data;
}

/* What the loader and the runner require of steps (cases/README.md). */
static bool valid_steps(const struct step *s, size_t n, const char **why) {
    for (size_t i = 0; i < n; i++, s++) {
        if (s->chop_delay_s > 0.01 || (s->kind == STEP_PAUSE && s->u.pause_s > 0.05)) {
            *why = "a pause or chop delay too long for a fuzzer";
            return false;
        }
        if (s->kind == STEP_SEND_FRAME) {
            const struct frame_step *f = &s->u.frame;
            struct frame_spec spec = {.fin = f->fin,
                                      .rsv = f->rsv,
                                      .opcode = f->opcode,
                                      .len_form = (enum frame_len_form)f->len_form,
                                      .declared_len_set = f->declared_len_set,
                                      .declared_len = f->declared_len};
            uint8_t head[14];
            if (f->rsv > 7 || f->opcode > 15 ||
                frame_write_header(&spec, f->payload.length, head) < 0) {
                *why = "a frame the writer cannot encode";
                return false;
            }
            if (f->payload.length > 256 * 1024) {
                *why = "a payload over 256 KiB";
                return false;
            }
        } else if (s->kind == STEP_SEND_MESSAGE) {
            const struct message_step *m = &s->u.message;
            if (m->fragment_count && m->fragments[m->fragment_count - 1] == 0 &&
                m->payload.length > 0) {
                *why = "fragments ending in 0 with payload left";
                return false;
            }
            if (m->payload.length > 256 * 1024) {
                *why = "a payload over 256 KiB";
                return false;
            }
        } else if (s->kind == STEP_REPEAT &&
                   !valid_steps(s->u.repeat.steps, s->u.repeat.step_count, why)) {
            return false;
        }
    }
    return true;
}

static void test_deterministic(void) {
    size_t checked = 0;
    for (size_t i = 0; i < corpus.count; i += 7) {
        const struct wcase *base = &corpus.items[i];
        const struct wcase *other = &corpus.items[(i * 31 + 5) % corpus.count];
        for (uint64_t seed = 1; seed <= 3; seed++) {
            struct prng a, b;
            prng_seed(&a, seed * 1000 + i);
            prng_seed(&b, seed * 1000 + i);
            struct wcase ma, mb;
            uint32_t da, db;
            CHECK_EQ(fuzz_mutate(base, other, &a, "t", &ma, &da), 0);
            CHECK_EQ(fuzz_mutate(base, other, &b, "t", &mb, &db), 0);
            char *fa = fingerprint(&ma), *fb = fingerprint(&mb);
            CHECK_EQ(da, db);
            CHECK(da != 0);
            CHECK_STR(fa, fb);
            free(fa);
            free(fb);
            case_free(&ma);
            case_free(&mb);
            checked++;
        }
    }
    CHECK(checked > 100);
    /* the seed case is untouched */
    struct prng r;
    prng_seed(&r, 7);
    char *before = fingerprint(&corpus.items[0]);
    struct wcase m;
    uint32_t d;
    CHECK_EQ(fuzz_mutate(&corpus.items[0], NULL, &r, "x", &m, &d), 0);
    char *after = fingerprint(&corpus.items[0]);
    CHECK_STR(before, after);
    CHECK(strstr(m.id, "~x") != NULL);
    free(before);
    free(after);
    case_free(&m);
}

static void test_every_dimension_and_valid(void) {
    uint32_t seen = 0;
    size_t mutants = 0, supported = 0, frame_mutants = 0;
    size_t per_dim[FUZZ_DIM_COUNT] = {0};
    struct prng rng;
    prng_seed(&rng, 6455);
    for (size_t round = 0; round < 4; round++)
        for (size_t i = 0; i < corpus.count; i++) {
            const struct wcase *base = &corpus.items[i];
            const struct wcase *other = &corpus.items[prng_below(&rng, corpus.count)];
            struct wcase m;
            uint32_t dims;
            CHECK_EQ(fuzz_mutate(base, other, &rng, "v", &m, &dims), 0);
            seen |= dims;
            for (int d = 0; d < FUZZ_DIM_COUNT; d++)
                per_dim[d] += (dims >> d) & 1;
            mutants++;
            const char *why = NULL;
            if (!valid_steps(m.steps, m.step_count, &why)) {
                fprintf(stderr, "mutant of %s: %s\n", base->id, why);
                CHECK(0);
            }
            if (frame_level(base)) {
                frame_mutants++;
                struct oracle_verdict v;
                CHECK_EQ(fuzz_oracle_expect(&m, &v), 0);
                supported += v.supported;
            }
            case_free(&m);
        }
    for (int d = 0; d < FUZZ_DIM_COUNT; d++) {
        fprintf(stderr, "  dimension %-10s %zu mutants\n", fuzz_dim_name((enum fuzz_dim)d),
                per_dim[d]);
        CHECK(per_dim[d] > 0);
    }
    CHECK_EQ(seen, (1u << FUZZ_DIM_COUNT) - 1);
    fprintf(stderr,
            "  %zu mutants; of the %zu of frame-level seeds, %zu (%.1f%%) modelled by "
            "the RFC oracle\n",
            mutants, frame_mutants, supported,
            frame_mutants ? 100.0 * (double)supported / (double)frame_mutants : 0.0);
    CHECK(frame_mutants > 1000);
    CHECK(supported * 100 >= frame_mutants * 50);
}

int main(void) {
    struct case_error err;
    if (case_load_path(WSSPEC_SOURCE_CASES, &corpus, &err) != 0) {
        char msg[2048];
        case_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "%s\n", msg);
        return 1;
    }
    case_apply_profile(corpus.items, true);
    RUN(test_deterministic);
    RUN(test_every_dimension_and_valid);
    case_list_free(&corpus);
    TEST_EXIT();
}
