/* prng: a small seeded generator (xoshiro256**, seeded through splitmix64)
 * for masks, keys and generated payloads, so every run is reproducible
 * from --seed. Not for cryptography. */
#ifndef WSSPEC_PRNG_H
#define WSSPEC_PRNG_H

#include <stddef.h>
#include <stdint.h>

struct prng {
    uint64_t s[4];
};

void prng_seed(struct prng *p, uint64_t seed);
uint64_t prng_next(struct prng *p);
/* Uniform in [0, bound) (bound > 0). */
uint64_t prng_below(struct prng *p, uint64_t bound);
void prng_fill(struct prng *p, uint8_t *out, size_t len);

#endif
