/* fuzz_mutate: structure-aware mutation of cases for `wsspec fuzz`. A mutant
 * is a case of the same model (casemodel.h), run by the same runner and
 * judged against the outcomes fuzz_oracle writes for it. Mutations work on
 * the steps, along the dimensions of ../shared/FUZZING.md section 5: lengths
 * and length forms (boundary lengths, non-minimal forms, declared length not
 * the length sent, truncation), masks, RSV x opcode x fragment position,
 * control frames inside fragmented messages, close payloads and codes, UTF-8
 * split at fragment boundaries, handshake headers, TCP segmentation (chop,
 * coalesce) and timing (chop_delay, pauses), and splicing steps of another
 * seed. Deterministic: the same seed cases and prng state give the same
 * mutant. Pure (no I/O). */
#ifndef WSSPEC_FUZZ_MUTATE_H
#define WSSPEC_FUZZ_MUTATE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/prng.h"
#include "model/casemodel.h"

enum fuzz_dim {
    FUZZ_DIM_LENGTH,     /* payload lengths, length forms, declared length */
    FUZZ_DIM_MASK,       /* no mask, fixed keys */
    FUZZ_DIM_RSV_OPCODE, /* RSV bits, opcodes, FIN: per frame position */
    FUZZ_DIM_FRAGMENT,   /* message split points, orphan/interleaved continuations */
    FUZZ_DIM_CONTROL,    /* pings, pongs, closes inside fragmented messages; sizes */
    FUZZ_DIM_CLOSE,      /* close codes, reasons, 0/1-octet payloads */
    FUZZ_DIM_UTF8,       /* edge sequences, splits at fragment boundaries */
    FUZZ_DIM_HANDSHAKE,  /* request headers: duplicate, omit, case, values */
    FUZZ_DIM_SEGMENT,    /* chop, coalesce */
    FUZZ_DIM_TIMING,     /* chop_delay, pauses */
    FUZZ_DIM_SPLICE,     /* steps of another seed */
    FUZZ_DIM_DEFLATE,    /* compress flags, RSV1 on compressed connections */
    FUZZ_DIM_COUNT
};

const char *fuzz_dim_name(enum fuzz_dim d); /* "length", "mask", ... */

/* Whether a case is one of `wsspec fuzz`'s default seeds: it runs in a blink
 * (no series of many messages, no flood, no large-message limit, no
 * decompression bomb, no payload over 256 KiB). */
bool fuzz_seed_is_quick(const struct wcase *c);

/* Make *out a mutant of base: a deep copy with 1..4 mutations drawn from
 * rng (other: a second seed for FUZZ_DIM_SPLICE, may be NULL). The mutant's
 * id is "<base id>~<tag>" where tag is given; outcomes are copied unchanged
 * (fuzz_oracle_expect replaces them). *dims gets a bit (1u << dim) per
 * dimension mutated. Returns 0 or WS_ERR_NOMEM (*out then holds nothing). */
int fuzz_mutate(const struct wcase *base, const struct wcase *other, struct prng *rng,
                const char *tag, struct wcase *out, uint32_t *dims);

#endif
