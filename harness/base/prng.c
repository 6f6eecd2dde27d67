/* prng: xoshiro256** seeded through splitmix64 (Blackman & Vigna). */
#include "base/prng.h"

#include <string.h>

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

void prng_seed(struct prng *p, uint64_t seed) {
    for (int i = 0; i < 4; i++)
        p->s[i] = splitmix64(&seed);
}

uint64_t prng_next(struct prng *p) {
    uint64_t *s = p->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t prng_below(struct prng *p, uint64_t bound) {
    /* Rejection sampling keeps the distribution uniform. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t r;
    do {
        r = prng_next(p);
    } while (r >= limit);
    return r % bound;
}

void prng_fill(struct prng *p, uint8_t *out, size_t len) {
    while (len >= 8) {
        uint64_t r = prng_next(p);
        memcpy(out, &r, 8);
        out += 8;
        len -= 8;
    }
    if (len) {
        uint64_t r = prng_next(p);
        memcpy(out, &r, len);
    }
}
