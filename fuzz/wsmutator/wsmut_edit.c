/* wsmut_edit.c: the sequence edits the mutations share (wsmut_edit.h),
 * shrinking to max_size, and the crossover.
 *
 * SPDX-License-Identifier: MIT (see wsmutator.h) */
#include "wsmut_edit.h"

#include <stdlib.h>
#include <string.h>

/* ---- sequence editing ------------------------------------------------ */

static size_t encoded_size(const struct wsmut_ctx *m) {
    return wsmut_encode(m->seq, NULL, 0);
}

/* Room left under max_size for `extra` more encoded octets. */
bool wsmut_fits(const struct wsmut_ctx *m, size_t extra) {
    size_t now = encoded_size(m);
    return now <= m->max_size && extra <= m->max_size - now;
}

size_t wsmut_room(const struct wsmut_ctx *m) {
    size_t now = encoded_size(m);
    return now < m->max_size ? m->max_size - now : 0;
}

bool wsmut_matches(const struct wsmut_item *it, enum wsmut_filter f) {
    bool frame = it->kind == WSMUT_ITEM_FRAME;
    switch (f) {
    case F_ANY: return true;
    case F_FRAME: return frame;
    case F_DATA: return frame && !(it->opcode & 8);
    case F_CONTROL: return frame && (it->opcode & 8);
    case F_CLOSE: return frame && it->opcode == 0x8;
    case F_TEXTISH: return frame && (it->opcode == 0x1 || it->opcode == 0x0);
    case F_RAW: return !frame;
    }
    return false;
}

/* A random index of an item matching f, or -1. */
int wsmut_pick(struct wsmut_ctx *m, enum wsmut_filter f) {
    size_t n = 0;
    for (size_t i = 0; i < m->seq->item_count; i++)
        n += wsmut_matches(&m->seq->items[i], f);
    if (n == 0)
        return -1;
    size_t want = below(m, n);
    for (size_t i = 0; i < m->seq->item_count; i++)
        if (wsmut_matches(&m->seq->items[i], f) && want-- == 0)
            return (int)i;
    return -1;
}

/* Open a slot at index (payload NULL); NULL when the sequence is full. */
struct wsmut_item *wsmut_insert_at(struct wsmut_seq *s, size_t index, enum wsmut_item_kind kind) {
    if (s->item_count >= WSMUT_MAX_ITEMS)
        return NULL;
    if (index > s->item_count)
        index = s->item_count;
    memmove(&s->items[index + 1], &s->items[index], (s->item_count - index) * sizeof s->items[0]);
    s->item_count++;
    struct wsmut_item *it = &s->items[index];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    return it;
}

void wsmut_remove_at(struct wsmut_seq *s, size_t index) {
    free(s->items[index].payload);
    memmove(&s->items[index], &s->items[index + 1],
            (s->item_count - index - 1) * sizeof s->items[0]);
    s->item_count--;
}

/* Masked like the frames around it: client frames are masked (6455:5.3 "The
 * masking key is a 32-bit value chosen at random by the client"), unless the
 * sequence is made of unmasked ones. */
static void mask_like_neighbours(struct wsmut_ctx *m, struct wsmut_item *it) {
    int near = wsmut_pick(m, F_FRAME);
    it->masked = near < 0 || m->seq->items[near].masked || below(m, 8) == 0;
    if (it->masked)
        random_key(m, it->mask_key);
}

struct wsmut_item *wsmut_insert_frame(struct wsmut_ctx *m, size_t index, uint8_t first_octet,
                                      const void *payload, size_t len) {
    if (!wsmut_fits(m, len + 20))
        return NULL;
    struct wsmut_item *it = wsmut_insert_at(m->seq, index, WSMUT_ITEM_FRAME);
    if (it == NULL)
        return NULL;
    it->fin = (first_octet & 0x80) != 0;
    it->rsv = (uint8_t)((first_octet >> 4) & 7);
    it->opcode = (uint8_t)(first_octet & 0x0f);
    mask_like_neighbours(m, it);
    wsmut_item_set_payload(it, payload, len);
    return it;
}

/* Resize a payload, filling new octets with ASCII letters (valid in a text
 * message, so a resized text frame stays deliverable). */
void wsmut_resize_payload(struct wsmut_ctx *m, struct wsmut_item *it, size_t len) {
    uint8_t *p = realloc(it->payload, len ? len : 1);
    if (p == NULL)
        abort();
    for (size_t i = it->payload_len; i < len; i++)
        p[i] = (uint8_t)('a' + below(m, 26));
    it->payload = p;
    it->payload_len = len;
}

/* Split frame i at payload offset at: frame i keeps [0, at) with FIN clear,
 * a continuation after it carries the rest and the original FIN. */
bool wsmut_split_frame(struct wsmut_ctx *m, size_t i, size_t at) {
    if (!wsmut_fits(m, 16))
        return false;
    struct wsmut_item *cont = wsmut_insert_at(m->seq, i + 1, WSMUT_ITEM_FRAME);
    if (cont == NULL)
        return false;
    struct wsmut_item *first = &m->seq->items[i];
    if (at > first->payload_len)
        at = first->payload_len;
    cont->fin = first->fin;
    cont->opcode = 0x0;
    cont->masked = first->masked;
    if (cont->masked)
        random_key(m, cont->mask_key);
    wsmut_item_set_payload(cont, first->payload + at, first->payload_len - at);
    first->payload_len = at;
    first->fin = false;
    first->declared_set = false;
    return true;
}

static void shrink_to_fit(struct wsmut_seq *s, size_t max_size) {
    for (;;) {
        size_t need = wsmut_encode(s, NULL, 0);
        if (need <= max_size)
            return;
        size_t excess = need - max_size, big = 0;
        for (size_t i = 1; i < s->item_count; i++)
            if (s->items[i].payload_len > s->items[big].payload_len)
                big = i;
        if (s->item_count && s->items[big].payload_len) {
            size_t len = s->items[big].payload_len;
            s->items[big].payload_len = len > excess ? len - excess : 0;
        } else if (s->item_count) {
            wsmut_remove_at(s, s->item_count - 1);
        } else if (s->chunk_count || s->chunk_cyclic) {
            s->chunk_count = 0;
            s->chunk_cyclic = false;
        } else {
            return; /* the header alone is too big */
        }
    }
}

/* Encode s into data[0..max_size) when it fits; else keep what fits of data. */
size_t wsmut_store(struct wsmut_seq *s, uint8_t *data, size_t size, size_t max_size) {
    shrink_to_fit(s, max_size);
    size_t n = wsmut_encode(s, data, max_size);
    return n <= max_size ? n : (size < max_size ? size : max_size);
}

static void append_items(struct wsmut_seq *dst, const struct wsmut_seq *src, size_t from,
                         size_t to) {
    for (size_t i = from; i < to && dst->item_count < WSMUT_MAX_ITEMS; i++) {
        struct wsmut_item *it = &dst->items[dst->item_count++];
        *it = src->items[i];
        it->payload = NULL;
        wsmut_item_set_payload(it, src->items[i].payload, src->items[i].payload_len);
    }
}

size_t wsmut_crossover(const uint8_t *data1, size_t size1, const uint8_t *data2, size_t size2,
                       uint8_t *out, size_t max_out_size, unsigned int seed) {
    struct wsmut_seq *s = malloc(3 * sizeof *s);
    if (s == NULL)
        abort();
    struct wsmut_seq *a = &s[0], *b = &s[1], *child = &s[2];
    wsmut_seq_init(a);
    wsmut_seq_init(b);
    wsmut_seq_init(child);
    wsmut_decode(a, data1, size1);
    wsmut_decode(b, data2, size2);
    struct wsmut_ctx m = {child, (uint64_t)seed * 0x9e3779b97f4a7c15u + 7, max_out_size, NULL};
    const struct wsmut_seq *plan = below(&m, 2) ? a : b;
    child->config = below(&m, 2) ? a->config : b->config;
    child->chunk_cyclic = plan->chunk_cyclic;
    child->chunk_count = plan->chunk_count;
    memcpy(child->chunks, plan->chunks, sizeof child->chunks);
    size_t cut_a = below(&m, a->item_count + 1);
    size_t from_b = below(&m, b->item_count + 1);
    size_t to_b = from_b + below(&m, b->item_count - from_b + 1);
    append_items(child, a, 0, cut_a);
    append_items(child, b, from_b, to_b); /* b's items spliced in at a's cut ... */
    if (below(&m, 2))
        append_items(child, a, cut_a, a->item_count); /* ... or replacing a's tail */
    size_t n = wsmut_store(child, out, 0, max_out_size);
    wsmut_seq_free(a);
    wsmut_seq_free(b);
    wsmut_seq_free(child);
    free(s);
    return n;
}
