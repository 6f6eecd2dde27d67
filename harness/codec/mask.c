/* mask: RFC 6455 5.3 masking and unmasking.
 *
 * 6455:5.3 "Octet i of the transformed data ("transformed-octet-i") is the
 * XOR of octet i of the original data ("original-octet-i") with octet at
 * index i modulo 4 of the masking key ("masking-key-octet-j")".
 *
 * mask_apply() does the same work as mask_apply_bytewise() a 64-bit word at a
 * time. Every load and store of a word goes through memcpy() on a uint64_t,
 * so there is no type punning through a cast pointer (no strict-aliasing UB)
 * and no misaligned access even on targets that trap; gcc and clang turn a
 * fixed 8-byte memcpy into a single move. The head bytes are still done one
 * at a time until the pointer is 8-aligned so that the main loop's moves do
 * not straddle cache lines.
 *
 * The key pattern is built as bytes in memory order (pattern[j] is the key
 * octet for position j after the alignment point) and then loaded as a word,
 * so the code is the same on little- and big-endian machines: XOR is
 * bytewise, and memory order in equals memory order out.
 */
#include "codec/mask.h"

#include <string.h>

/* Words handled per iteration of the unrolled loop. Four independent
 * load/xor/store chains keep the loop from being latency bound; at -O2 the
 * compilers also merge them into 128/256-bit moves where they see fit. */
enum { UNROLL_WORDS = 4, WORD = 8 };

/* mask_apply_bytewise: XOR data[0..len) in place with key, the i-th byte
 * with key[(offset + i) % 4]. data is borrowed and modified; it may be NULL
 * when len is 0. No errors. */
void mask_apply_bytewise(uint8_t *data, size_t len, const uint8_t key[4], uint64_t offset) {
    unsigned k = (unsigned)(offset & 3);
    for (size_t i = 0; i < len; i++) {
        data[i] ^= key[k];
        k = (k + 1) & 3;
    }
}

/* mask_apply: the same result as mask_apply_bytewise(), a word at a time.
 * data may have any alignment and may be NULL when len is 0; it is
 * borrowed and modified in place. `offset` is the payload offset of data[0]
 * so a payload can be (un)masked in pieces of any size. No errors. */
void mask_apply(uint8_t *data, size_t len, const uint8_t key[4], uint64_t offset) {
    unsigned k = (unsigned)(offset & 3);
    size_t i = 0;

    /* Head: single bytes until data + i is 8-aligned (at most 7). */
    while (i < len && ((uintptr_t)(data + i) & (WORD - 1)) != 0) {
        data[i++] ^= key[k];
        k = (k + 1) & 3;
    }

    if (len - i >= WORD) {
        /* The key rotated to the current phase and repeated twice. Because
         * a word is a multiple of 4 octets, the phase k is the same at the
         * start of every word, so one pattern serves the whole body. */
        uint8_t pattern[WORD];
        for (unsigned j = 0; j < WORD; j++)
            pattern[j] = key[(k + j) & 3];
        uint64_t key_word;
        memcpy(&key_word, pattern, WORD);

        while (len - i >= UNROLL_WORDS * WORD) {
            uint64_t w0, w1, w2, w3;
            memcpy(&w0, data + i, WORD);
            memcpy(&w1, data + i + WORD, WORD);
            memcpy(&w2, data + i + 2 * WORD, WORD);
            memcpy(&w3, data + i + 3 * WORD, WORD);
            w0 ^= key_word;
            w1 ^= key_word;
            w2 ^= key_word;
            w3 ^= key_word;
            memcpy(data + i, &w0, WORD);
            memcpy(data + i + WORD, &w1, WORD);
            memcpy(data + i + 2 * WORD, &w2, WORD);
            memcpy(data + i + 3 * WORD, &w3, WORD);
            i += UNROLL_WORDS * WORD;
        }
        while (len - i >= WORD) {
            uint64_t w;
            memcpy(&w, data + i, WORD);
            w ^= key_word;
            memcpy(data + i, &w, WORD);
            i += WORD;
        }
    }

    /* Tail: fewer than 8 bytes left; k is unchanged by whole words. */
    while (i < len) {
        data[i++] ^= key[k];
        k = (k + 1) & 3;
    }
}
