/* mask_test: RFC 6455 5.3 masking. The word-at-a-time mask_apply() must give
 * exactly the bytes of the byte-at-a-time reference for every payload offset
 * phase, every length around the word and unroll sizes, every start
 * alignment, and must never touch a byte past the end (checked against a
 * guard page and with canaries). */
#include <stdlib.h>

#include "codec/mask.h"
#include "test.h"

/* 6455:5.7 "A single-frame masked text message
 *   0x81 0x85 0x37 0xfa 0x21 0x3d 0x7f 0x9f 0x4d 0x51 0x58 (contains "Hello")" */
static const uint8_t rfc_key[4] = {0x37, 0xfa, 0x21, 0x3d};
static const uint8_t rfc_hello[5] = {'H', 'e', 'l', 'l', 'o'};
static const uint8_t rfc_masked[5] = {0x7f, 0x9f, 0x4d, 0x51, 0x58};

/* The definition, written out independently of mask.c: octet i XOR key[(offset + i) % 4]. */
static void definition(uint8_t *data, size_t len, const uint8_t key[4], uint64_t offset) {
    for (size_t i = 0; i < len; i++)
        data[i] = (uint8_t)(data[i] ^ key[(offset + i) % 4]);
}

static void fill(uint8_t *data, size_t len, uint32_t seed) {
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        data[i] = (uint8_t)x;
    }
}

static void test_rfc_example(void) {
    uint8_t a[5], b[5];
    memcpy(a, rfc_hello, 5);
    memcpy(b, rfc_hello, 5);
    mask_apply(a, 5, rfc_key, 0);
    mask_apply_bytewise(b, 5, rfc_key, 0);
    CHECK_MEM(a, 5, rfc_masked, 5);
    CHECK_MEM(b, 5, rfc_masked, 5);
    /* Unmasking is the same operation. */
    mask_apply(a, 5, rfc_key, 0);
    CHECK_MEM(a, 5, rfc_hello, 5);
    /* "llo" is "Hello" from payload offset 2: 0x4d 0x51 0x58. */
    uint8_t tail[3] = {'l', 'l', 'o'};
    mask_apply(tail, 3, rfc_key, 2);
    CHECK_MEM(tail, 3, rfc_masked + 2, 3);
}

static void test_bytewise_is_definition(void) {
    uint8_t a[64], b[64];
    for (uint64_t offset = 0; offset < 8; offset++) {
        fill(a, sizeof a, (uint32_t)offset);
        memcpy(b, a, sizeof a);
        mask_apply_bytewise(a, sizeof a, rfc_key, offset);
        definition(b, sizeof b, rfc_key, offset);
        CHECK_MEM(a, sizeof a, b, sizeof b);
    }
}

/* Every offset 0..7, every length 0..300, every start alignment 0..7, with
 * canary bytes on both sides that must survive. */
static void test_equal_to_bytewise_small(void) {
    enum { MAX_LEN = 300, PAD = 16 };
    static uint8_t fast[MAX_LEN + 2 * PAD + 8], slow[MAX_LEN + 2 * PAD + 8];
    const uint8_t key[4] = {0xA5, 0x01, 0xFF, 0x5A};
    int mismatches = 0;
    for (size_t align = 0; align < 8; align++) {
        for (uint64_t offset = 0; offset < 8; offset++) {
            for (size_t len = 0; len <= MAX_LEN; len++) {
                fill(fast, sizeof fast, (uint32_t)(len * 131 + offset * 7 + align));
                memcpy(slow, fast, sizeof fast);
                mask_apply(fast + PAD + align, len, key, offset);
                mask_apply_bytewise(slow + PAD + align, len, key, offset);
                if (memcmp(fast, slow, sizeof fast) != 0)
                    mismatches++;
            }
        }
    }
    CHECK_EQ(mismatches, 0);
}

static void test_equal_to_bytewise_large(void) {
    static const size_t lens[] = {4096, 4099, 65536 + 5, (1u << 20) + 7};
    const uint8_t key[4] = {0x12, 0x34, 0x56, 0x78};
    for (size_t n = 0; n < sizeof lens / sizeof lens[0]; n++) {
        size_t len = lens[n];
        uint8_t *fast = malloc(len + 8), *slow = malloc(len + 8);
        CHECK(fast && slow);
        if (!fast || !slow) {
            free(fast);
            free(slow);
            return;
        }
        for (size_t align = 1; align < 8; align += 3) {
            uint64_t offset = (uint64_t)align * 0x100000001ull; /* large offsets too */
            fill(fast, len + 8, (uint32_t)(len + align));
            memcpy(slow, fast, len + 8);
            mask_apply(fast + align, len - align, key, offset);
            definition(slow + align, len - align, key, offset);
            CHECK_MEM(fast, len + 8, slow, len + 8);
        }
        free(fast);
        free(slow);
    }
}

/* Masking a payload in two pieces at any split point gives the same bytes
 * as masking it whole (what the parser does with a frame split by TCP). */
static void test_pieces(void) {
    enum { LEN = 77 };
    uint8_t whole[LEN], pieces[LEN];
    int mismatches = 0;
    for (size_t split = 0; split <= LEN; split++) {
        fill(whole, LEN, 99);
        memcpy(pieces, whole, LEN);
        mask_apply(whole, LEN, rfc_key, 0);
        mask_apply(pieces, split, rfc_key, 0);
        mask_apply(pieces + split, LEN - split, rfc_key, split);
        if (memcmp(whole, pieces, LEN) != 0)
            mismatches++;
    }
    CHECK_EQ(mismatches, 0);
}

/* Data that ends right at a PROT_NONE page: any read or write past the
 * last byte faults. Also starts at every alignment. */
static void test_guard_page(void) {
    uint8_t src[300], want[300];
    fill(src, sizeof src, 7);
    int mismatches = 0;
    for (size_t len = 0; len <= sizeof src; len++) {
        for (uint64_t offset = 0; offset < 4; offset++) {
            struct guarded g = guard_copy(src, len);
            memcpy(want, src, len);
            definition(want, len, rfc_key, offset);
            mask_apply(g.data, len, rfc_key, offset);
            if (len && memcmp(g.data, want, len) != 0)
                mismatches++;
            guard_free(&g);
        }
    }
    CHECK_EQ(mismatches, 0);
    /* len 0 with a NULL pointer is allowed. */
    mask_apply(NULL, 0, rfc_key, 3);
    mask_apply_bytewise(NULL, 0, rfc_key, 3);
}

int main(void) {
    RUN(test_rfc_example);
    RUN(test_bytewise_is_definition);
    RUN(test_equal_to_bytewise_small);
    RUN(test_equal_to_bytewise_large);
    RUN(test_pieces);
    RUN(test_guard_page);
    TEST_EXIT();
}
