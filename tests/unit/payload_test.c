/* payload_test: every payload form, windows against the whole, digests
 * streamed against one-shot digests, and published SHA-256 vectors. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "model/payload.h"
#include "test.h"

static void hex_to(const char *hex, uint8_t *out) {
    for (size_t i = 0; hex[2 * i]; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
}

static void one_shot_sha256(const uint8_t *data, size_t len, uint8_t out[32]) {
    unsigned int n = 0;
    EVP_Digest(data, len, out, &n, EVP_sha256(), NULL);
}

static struct payload repeat_of(const char *unit, uint64_t count) {
    struct payload p = {0};
    p.kind = PAYLOAD_REPEAT;
    p.unit_len = strlen(unit);
    p.bytes = malloc(p.unit_len);
    memcpy(p.bytes, unit, p.unit_len);
    p.length = count;
    return p;
}

static struct payload random_of(uint64_t length, uint64_t seed) {
    struct payload p = {0};
    p.kind = PAYLOAD_RANDOM;
    p.length = length;
    p.seed = seed;
    return p;
}

/* Every window [o, o+l) read on its own equals the same slice of the whole. */
static void check_windows(const struct payload *p) {
    size_t n = (size_t)p->length;
    uint8_t *whole = payload_materialize(p, n);
    CHECK(whole != NULL);
    if (!whole)
        return;
    uint8_t *win = malloc(n + 1);
    int bad = 0;
    for (size_t o = 0; o <= n; o++) {
        for (size_t l = 0; o + l <= n; l++) {
            memset(win, 0xAA, n + 1);
            payload_read(p, o, win, l);
            if (memcmp(win, whole + o, l) != 0 || win[l] != 0xAA)
                bad++;
        }
    }
    CHECK_EQ(bad, 0);
    free(win);
    free(whole);
}

static void test_bytes(void) {
    struct payload p;
    CHECK_EQ(payload_from_bytes(&p, (const uint8_t *)"Hello", 5), 0);
    CHECK_EQ(p.kind, PAYLOAD_BYTES);
    CHECK_EQ_U64(p.length, 5);
    uint8_t out[3];
    payload_read(&p, 1, out, 3);
    CHECK_MEM(out, 3, "ell", 3);
    check_windows(&p);
    payload_free(&p);
    CHECK(p.bytes == NULL);

    CHECK_EQ(payload_from_bytes(&p, NULL, 0), 0);
    CHECK_EQ_U64(p.length, 0);
    uint8_t *m = payload_materialize(&p, 0);
    CHECK(m != NULL); /* an empty payload is a valid (empty) buffer */
    free(m);
    payload_free(&p);
}

static void test_repeat(void) {
    struct payload p = repeat_of("abc", 10);
    uint8_t *m = payload_materialize(&p, 100);
    CHECK_MEM(m, 10, "abcabcabca", 10);
    free(m);
    uint8_t out[7];
    payload_read(&p, 4, out, 5); /* "abcab|cabca": from offset 4 */
    CHECK_MEM(out, 5, "bcabc", 5);
    check_windows(&p);
    CHECK(payload_materialize(&p, 9) == NULL); /* larger than max_len */
    payload_free(&p);

    p = repeat_of("*", 7);
    m = payload_materialize(&p, 7);
    CHECK_MEM(m, 7, "*******", 7);
    free(m);
    check_windows(&p);
    payload_free(&p);

    p = repeat_of("xy", 0); /* count 0: empty */
    m = payload_materialize(&p, 0);
    CHECK(m != NULL);
    free(m);
    payload_free(&p);

    /* A window far into a long repetition, across many units. */
    p = repeat_of("0123456789", 1000000);
    uint8_t far[25];
    payload_read(&p, 999975, far, 25);
    CHECK_MEM(far, 25, "5678901234567890123456789", 25);
    payload_free(&p);
}

static void test_random(void) {
    /* Block k is the (k+1)-th output of splitmix64 seeded with the seed;
     * splitmix64 seeded with 0 starts 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4
     * (Vigna's reference splitmix64.c), octets little-endian. */
    struct payload p = random_of(16, 0);
    uint8_t out[16], want[16];
    payload_read(&p, 0, out, 16);
    hex_to("afcd1d7b39a820e2f465b9a16a9e786e", want);
    CHECK_MEM(out, 16, want, 16);
    payload_read(&p, 6, out, 4); /* a window across the block boundary */
    CHECK_MEM(out, 4, want + 6, 4);

    struct payload q = random_of(203, 12345);
    check_windows(&q);
    struct payload r = random_of(203, 12346);
    uint8_t *a = payload_materialize(&q, 1000), *b = payload_materialize(&r, 1000);
    CHECK(a && b && memcmp(a, b, 203) != 0); /* another seed, other octets */
    uint8_t *a2 = payload_materialize(&q, 1000);
    CHECK(a && a2 && memcmp(a, a2, 203) == 0); /* same seed, same octets */
    free(a);
    free(a2);
    free(b);

    /* A window deep in a 16 MiB random payload needs nothing before it. */
    struct payload big = random_of(16u << 20, 99);
    uint8_t tail[13];
    payload_read(&big, (16u << 20) - 13, tail, 13);
    struct payload small = random_of(16u << 20, 99);
    uint8_t *all = payload_materialize(&small, 16u << 20);
    CHECK(all && memcmp(all + (16u << 20) - 13, tail, 13) == 0);
    free(all);
}

static void test_concat(void) {
    struct payload p = {0};
    p.kind = PAYLOAD_CONCAT;
    p.part_count = 4;
    p.parts = calloc(4, sizeof *p.parts);
    payload_from_bytes(&p.parts[0], (const uint8_t *)"ab", 2);
    p.parts[1] = repeat_of("x", 3);
    payload_from_bytes(&p.parts[2], NULL, 0); /* an empty part in the middle */
    p.parts[3] = random_of(11, 5);
    p.length = 16;
    uint8_t *m = payload_materialize(&p, 16);
    CHECK_MEM(m, 5, "abxxx", 5);
    uint8_t *r = payload_materialize(&p.parts[3], 11);
    CHECK(m && r && memcmp(m + 5, r, 11) == 0);
    free(r);
    free(m);
    check_windows(&p);

    struct payload copy;
    CHECK_EQ(payload_copy(&copy, &p), 0);
    CHECK(copy.parts != p.parts);
    payload_free(&p);
    CHECK(p.parts == NULL && p.part_count == 0);
    m = payload_materialize(&copy, 16);
    CHECK_MEM(m, 5, "abxxx", 5);
    free(m);
    check_windows(&copy);
    payload_free(&copy);
}

static void test_sha256_vectors(void) {
    /* FIPS 180-2 appendix B.1: SHA-256("abc"). */
    uint8_t got[32], want[32];
    struct payload p;
    payload_from_bytes(&p, (const uint8_t *)"abc", 3);
    payload_sha256(&p, got);
    hex_to("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", want);
    CHECK_MEM(got, 32, want, 32);
    payload_free(&p);

    /* SHA-256 of the empty string. */
    payload_from_bytes(&p, NULL, 0);
    payload_sha256(&p, got);
    hex_to("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", want);
    CHECK_MEM(got, 32, want, 32);
    payload_free(&p);

    /* FIPS 180-2 appendix B.3: one million 'a', streamed in 64 KiB chunks
     * (not a multiple of the chunk, so the last chunk is short). */
    p = repeat_of("a", 1000000);
    payload_sha256(&p, got);
    hex_to("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", want);
    CHECK_MEM(got, 32, want, 32);
    payload_free(&p);
}

static void test_sha256_streaming_16mib(void) {
    struct payload forms[3];
    forms[0] = repeat_of("*", 16u << 20);
    forms[1] = repeat_of("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", (16u << 20) + 7);
    forms[2] = random_of((16u << 20) - 1, 42);
    for (int i = 0; i < 3; i++) {
        uint8_t streamed[32], whole[32];
        payload_sha256(&forms[i], streamed);
        uint8_t *m = payload_materialize(&forms[i], 32u << 20);
        CHECK(m != NULL);
        if (m)
            one_shot_sha256(m, (size_t)forms[i].length, whole);
        CHECK(m && memcmp(streamed, whole, 32) == 0);
        free(m);
        payload_free(&forms[i]);
    }
}

int main(void) {
    RUN(test_bytes);
    RUN(test_repeat);
    RUN(test_random);
    RUN(test_concat);
    RUN(test_sha256_vectors);
    RUN(test_sha256_streaming_16mib);
    TEST_EXIT();
}
