/* wsmut_edit.h: private to wsmutator: the mutation context, its random
 * numbers, and the sequence edits the mutations and the crossover share
 * (wsmut_edit.c).
 *
 * SPDX-License-Identifier: MIT (see wsmutator.h) */
#ifndef WSMUT_EDIT_H
#define WSMUT_EDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wsmutator.h"

/* ---- the context and its randomness (splitmix64) --------------------- */

struct wsmut_ctx {
    struct wsmut_seq *seq;
    uint64_t rng;
    size_t max_size;
    wsmut_byte_mutator bytes;
};

static inline uint64_t next64(struct wsmut_ctx *m) {
    uint64_t z = (m->rng += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static inline size_t below(struct wsmut_ctx *m, size_t n) {
    return n ? (size_t)(next64(m) % n) : 0;
}

static inline void random_key(struct wsmut_ctx *m, uint8_t key[4]) {
    uint64_t r = next64(m);
    for (unsigned i = 0; i < 4; i++)
        key[i] = (uint8_t)(r >> (8 * i));
}

/* Room under max_size for `extra` more encoded octets; the room left. */
bool wsmut_fits(const struct wsmut_ctx *m, size_t extra);
size_t wsmut_room(const struct wsmut_ctx *m);

enum wsmut_filter { F_ANY, F_FRAME, F_DATA, F_CONTROL, F_CLOSE, F_TEXTISH, F_RAW };
bool wsmut_matches(const struct wsmut_item *it, enum wsmut_filter f);
/* A random index of an item matching f, or -1. */
int wsmut_pick(struct wsmut_ctx *m, enum wsmut_filter f);

/* Open a slot at index (zeroed, payload NULL); NULL when the sequence is full. */
struct wsmut_item *wsmut_insert_at(struct wsmut_seq *s, size_t index, enum wsmut_item_kind kind);
/* Free item index and close the gap. */
void wsmut_remove_at(struct wsmut_seq *s, size_t index);
/* Insert a frame (first octet as on the wire, masked like its neighbours,
 * payload copied); NULL when it does not fit. */
struct wsmut_item *wsmut_insert_frame(struct wsmut_ctx *m, size_t index, uint8_t first_octet,
                                      const void *payload, size_t len);
/* Resize a payload; new octets are ASCII letters. */
void wsmut_resize_payload(struct wsmut_ctx *m, struct wsmut_item *it, size_t len);
/* Split frame i at payload offset at into a non-final frame and a
 * continuation; false when it does not fit. */
bool wsmut_split_frame(struct wsmut_ctx *m, size_t i, size_t at);
/* Shrink s until it fits max_size, then encode it into data[0..max_size);
 * when even the empty sequence does not fit, data keeps min(size, max_size)
 * of its octets. Returns the new size. */
size_t wsmut_store(struct wsmut_seq *s, uint8_t *data, size_t size, size_t max_size);

#endif
