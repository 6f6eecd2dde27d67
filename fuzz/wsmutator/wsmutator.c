/* wsmutator.c: the sequence model, its encoding (decode never fails) and its
 * wire bytes (RFC 6455 section 5.2 framing, 5.3 masking). The mutations are
 * in wsmut_mutate.c.
 *
 * SPDX-License-Identifier: MIT (see wsmutator.h) */
#include "wsmutator.h"

#include <stdlib.h>
#include <string.h>

static void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (q == NULL)
        abort(); /* see wsmutator.h: allocation failures abort */
    return q;
}

void wsmut_seq_init(struct wsmut_seq *s) {
    memset(s, 0, sizeof *s);
}

void wsmut_seq_free(struct wsmut_seq *s) {
    for (size_t i = 0; i < s->item_count; i++)
        free(s->items[i].payload);
    wsmut_seq_init(s);
}

void wsmut_item_set_payload(struct wsmut_item *it, const void *data, size_t len) {
    uint8_t *copy = xrealloc(NULL, len);
    if (len)
        memcpy(copy, data, len);
    free(it->payload);
    it->payload = copy;
    it->payload_len = len;
}

static struct wsmut_item *add_item(struct wsmut_seq *s, enum wsmut_item_kind kind) {
    if (s->item_count >= WSMUT_MAX_ITEMS)
        return NULL;
    struct wsmut_item *it = &s->items[s->item_count++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    return it;
}

static void set_first_octet(struct wsmut_item *it, uint8_t b0) {
    it->fin = (b0 & 0x80) != 0;
    it->rsv = (uint8_t)((b0 >> 4) & 7);
    it->opcode = (uint8_t)(b0 & 0x0f);
}

struct wsmut_item *wsmut_add_frame(struct wsmut_seq *s, uint8_t first_octet, bool masked,
                                   const uint8_t key[4], const void *payload, size_t len) {
    struct wsmut_item *it = add_item(s, WSMUT_ITEM_FRAME);
    if (it == NULL)
        return NULL;
    set_first_octet(it, first_octet);
    it->masked = masked;
    if (masked && key)
        memcpy(it->mask_key, key, 4);
    wsmut_item_set_payload(it, payload, len);
    return it;
}

struct wsmut_item *wsmut_add_raw(struct wsmut_seq *s, const void *bytes, size_t len) {
    struct wsmut_item *it = add_item(s, WSMUT_ITEM_RAW);
    if (it != NULL)
        wsmut_item_set_payload(it, bytes, len);
    return it;
}

/* ---- decoding: a cursor that reads 0 past the end -------------------- */

struct reader {
    const uint8_t *data;
    size_t size, pos;
};

static uint8_t read_u8(struct reader *r) {
    return r->pos < r->size ? r->data[r->pos++] : 0;
}

static uint64_t read_varint(struct reader *r) {
    uint64_t v = 0;
    for (unsigned i = 0; i < 10; i++) {
        if (r->pos >= r->size)
            break;
        uint8_t b = r->data[r->pos++];
        if (i < 9 || (b & 0x7f) <= 1)
            v |= (uint64_t)(b & 0x7f) << (7 * i);
        else
            v |= (uint64_t)1 << 63; /* the 10th octet holds only bit 63 */
        if (!(b & 0x80))
            break;
    }
    return v;
}

static size_t take_len(struct reader *r, uint64_t want) {
    size_t left = r->size - r->pos;
    return want < left ? (size_t)want : left;
}

static void decode_plan(struct wsmut_seq *s, struct reader *r, bool cyclic) {
    if (cyclic)
        s->chunk_cyclic = true;
    uint64_t count = read_varint(r);
    for (uint64_t i = 0; i < count && r->pos < r->size; i++) {
        uint64_t v = read_varint(r);
        if (s->chunk_count < WSMUT_MAX_CHUNKS)
            s->chunks[s->chunk_count++] = v == 0 ? 1 : v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
    }
}

void wsmut_decode(struct wsmut_seq *s, const uint8_t *data, size_t size) {
    wsmut_seq_free(s);
    struct reader r = {data, size, 0};
    (void)read_u8(&r); /* the version: only version 1 exists */
    for (unsigned i = 0; i < 8; i++)
        s->config |= (uint64_t)read_u8(&r) << (8 * i);
    while (r.pos < r.size) {
        uint8_t tag = read_u8(&r);
        if ((tag & 3) >= 2) {
            decode_plan(s, &r, (tag & 3) == 3);
            continue;
        }
        struct wsmut_item *it = add_item(s, (tag & 3) == 0 ? WSMUT_ITEM_FRAME : WSMUT_ITEM_RAW);
        if (it == NULL)
            break; /* full: the rest of the input is not part of the sequence */
        if (it->kind == WSMUT_ITEM_FRAME) {
            set_first_octet(it, read_u8(&r));
            uint8_t b1 = read_u8(&r);
            it->masked = (b1 & 0x80) != 0;
            it->len_form = (enum wsmut_len_form)((b1 >> 5) & 3);
            it->declared_set = (b1 & 0x10) != 0;
            if (it->masked)
                for (unsigned i = 0; i < 4; i++)
                    it->mask_key[i] = read_u8(&r);
            if (it->declared_set)
                for (unsigned i = 0; i < 8; i++)
                    it->declared_len = it->declared_len << 8 | read_u8(&r);
        }
        size_t len = take_len(&r, read_varint(&r));
        wsmut_item_set_payload(it, data + r.pos, len);
        r.pos += len;
    }
}

/* ---- encoding -------------------------------------------------------- */

struct writer {
    uint8_t *out;
    size_t cap, pos; /* pos counts every octet, written or not */
};

static void put_u8(struct writer *w, uint8_t b) {
    if (w->pos < w->cap)
        w->out[w->pos] = b;
    w->pos++;
}

static void put_bytes(struct writer *w, const uint8_t *p, size_t n) {
    if (n && w->pos <= w->cap && n <= w->cap - w->pos)
        memcpy(w->out + w->pos, p, n);
    w->pos += n;
}

static void put_varint(struct writer *w, uint64_t v) {
    while (v >= 0x80) {
        put_u8(w, (uint8_t)(v | 0x80));
        v >>= 7;
    }
    put_u8(w, (uint8_t)v);
}

static uint8_t first_octet(const struct wsmut_item *it) {
    return (uint8_t)((it->fin ? 0x80 : 0) | (it->rsv & 7) << 4 | (it->opcode & 0x0f));
}

static size_t encode_into(const struct wsmut_seq *s, struct writer *w) {
    put_u8(w, WSMUT_FORMAT_VERSION);
    for (unsigned i = 0; i < 8; i++)
        put_u8(w, (uint8_t)(s->config >> (8 * i)));
    if (s->chunk_count || s->chunk_cyclic) {
        put_u8(w, s->chunk_cyclic ? 3 : 2);
        put_varint(w, s->chunk_count);
        for (size_t i = 0; i < s->chunk_count; i++)
            put_varint(w, s->chunks[i]);
    }
    for (size_t i = 0; i < s->item_count; i++) {
        const struct wsmut_item *it = &s->items[i];
        if (it->kind == WSMUT_ITEM_FRAME) {
            put_u8(w, 0);
            put_u8(w, first_octet(it));
            put_u8(w, (uint8_t)((it->masked ? 0x80 : 0) | (it->len_form & 3) << 5 |
                                (it->declared_set ? 0x10 : 0)));
            if (it->masked)
                put_bytes(w, it->mask_key, 4);
            if (it->declared_set)
                for (int k = 7; k >= 0; k--)
                    put_u8(w, (uint8_t)(it->declared_len >> (8 * k)));
        } else {
            put_u8(w, 1);
        }
        put_varint(w, it->payload_len);
        put_bytes(w, it->payload, it->payload_len);
    }
    return w->pos;
}

size_t wsmut_encode(const struct wsmut_seq *s, uint8_t *out, size_t cap) {
    struct writer probe = {NULL, 0, 0};
    size_t need = encode_into(s, &probe);
    if (need <= cap) {
        struct writer w = {out, cap, 0};
        encode_into(s, &w);
    }
    return need;
}

bool wsmut_seq_equal(const struct wsmut_seq *a, const struct wsmut_seq *b) {
    if (a->config != b->config || a->item_count != b->item_count ||
        a->chunk_cyclic != b->chunk_cyclic || a->chunk_count != b->chunk_count ||
        memcmp(a->chunks, b->chunks, a->chunk_count * sizeof a->chunks[0]) != 0)
        return false;
    for (size_t i = 0; i < a->item_count; i++) {
        const struct wsmut_item *x = &a->items[i], *y = &b->items[i];
        if (x->kind != y->kind || x->payload_len != y->payload_len ||
            (x->payload_len && memcmp(x->payload, y->payload, x->payload_len) != 0))
            return false;
        if (x->kind == WSMUT_ITEM_RAW)
            continue;
        if (x->fin != y->fin || x->rsv != y->rsv || x->opcode != y->opcode ||
            x->masked != y->masked || x->len_form != y->len_form ||
            x->declared_set != y->declared_set ||
            (x->masked && memcmp(x->mask_key, y->mask_key, 4) != 0) ||
            (x->declared_set && x->declared_len != y->declared_len))
            return false;
    }
    return true;
}

/* ---- wire bytes ------------------------------------------------------ */

size_t wsmut_frame_header(const struct wsmut_item *it, uint8_t out[14]) {
    uint64_t value = it->declared_set ? it->declared_len : it->payload_len;
    enum wsmut_len_form form = it->len_form;
    if (form == WSMUT_LEN_MINIMAL)
        form = value <= 125 ? WSMUT_LEN_7 : value <= 0xffff ? WSMUT_LEN_16 : WSMUT_LEN_64;
    size_t n = 2;
    out[0] = first_octet(it);
    uint8_t mask_bit = it->masked ? 0x80 : 0;
    /* 6455:5.2 "Payload length: 7 bits, 7+16 bits, or 7+64 bits ... If
     * 0-125, that is the payload length. If 126, the following 2 bytes
     * interpreted as a 16-bit unsigned integer are the payload length. If
     * 127, the following 8 bytes interpreted as a 64-bit unsigned integer
     * ... are the payload length. Multibyte length quantities are expressed
     * in network byte order." */
    if (form == WSMUT_LEN_7) {
        out[1] = (uint8_t)(mask_bit | (value & 0x7f));
    } else if (form == WSMUT_LEN_16) {
        out[1] = (uint8_t)(mask_bit | 126);
        out[n++] = (uint8_t)(value >> 8);
        out[n++] = (uint8_t)value;
    } else {
        out[1] = (uint8_t)(mask_bit | 127);
        for (int k = 7; k >= 0; k--)
            out[n++] = (uint8_t)(value >> (8 * k));
    }
    if (it->masked) {
        memcpy(out + n, it->mask_key, 4);
        n += 4;
    }
    return n;
}

size_t wsmut_item_wire_size(const struct wsmut_item *it) {
    if (it->kind == WSMUT_ITEM_RAW)
        return it->payload_len;
    uint8_t head[14];
    return wsmut_frame_header(it, head) + it->payload_len;
}

size_t wsmut_item_wire_offset(const struct wsmut_seq *s, size_t index) {
    size_t off = 0;
    for (size_t i = 0; i < index && i < s->item_count; i++)
        off += wsmut_item_wire_size(&s->items[i]);
    return off;
}

size_t wsmut_serialize(const struct wsmut_seq *s, uint8_t *out, size_t cap) {
    size_t need = wsmut_item_wire_offset(s, s->item_count);
    if (need > cap)
        return need;
    size_t pos = 0;
    for (size_t i = 0; i < s->item_count; i++) {
        const struct wsmut_item *it = &s->items[i];
        if (it->kind == WSMUT_ITEM_FRAME)
            pos += wsmut_frame_header(it, out + pos);
        if (it->payload_len)
            memcpy(out + pos, it->payload, it->payload_len);
        /* 6455:5.3 "Octet i of the transformed data ("transformed-octet-i")
         * is the XOR of octet i of the original data ("original-octet-i")
         * with octet at index i modulo 4 of the masking key". */
        if (it->kind == WSMUT_ITEM_FRAME && it->masked)
            for (size_t k = 0; k < it->payload_len; k++)
                out[pos + k] ^= it->mask_key[k % 4];
        pos += it->payload_len;
    }
    return need;
}

size_t wsmut_chunk_size(const struct wsmut_seq *s, size_t index, size_t remaining) {
    if (remaining == 0)
        return 0;
    if (s->chunk_count == 0 || (!s->chunk_cyclic && index >= s->chunk_count))
        return remaining;
    size_t want = s->chunks[index % s->chunk_count];
    return want < remaining ? want : remaining;
}

void wsmut_wire_from_input(const uint8_t *data, size_t size, struct wsmut_wire *w) {
    struct wsmut_seq *s = xrealloc(NULL, sizeof *s);
    wsmut_seq_init(s);
    wsmut_decode(s, data, size);
    memset(w, 0, sizeof *w);
    w->config = s->config;
    w->len = wsmut_serialize(s, NULL, 0);
    if (w->len) {
        w->bytes = xrealloc(NULL, w->len);
        wsmut_serialize(s, w->bytes, w->len);
        size_t cap = 0;
        for (size_t pos = 0; pos < w->len;) {
            if (w->chunk_count == cap) {
                cap = cap ? cap * 2 : 16;
                w->chunk_ends = xrealloc(w->chunk_ends, cap * sizeof *w->chunk_ends);
            }
            pos += wsmut_chunk_size(s, w->chunk_count, w->len - pos);
            w->chunk_ends[w->chunk_count++] = pos;
        }
    }
    wsmut_seq_free(s);
    free(s);
}

void wsmut_wire_free(struct wsmut_wire *w) {
    free(w->bytes);
    free(w->chunk_ends);
    memset(w, 0, sizeof *w);
}
