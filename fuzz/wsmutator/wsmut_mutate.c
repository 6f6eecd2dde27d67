/* wsmut_mutate.c: structure-level mutations of a frame sequence, one per bug
 * class of WebSocket parsers (length arithmetic, masking, RSV/opcode/FIN,
 * fragmentation, control frames, close payloads, UTF-8 at boundaries, read
 * segmentation), and the crossover. Deterministic for a seed (unless the
 * caller's byte mutator is not).
 *
 * SPDX-License-Identifier: MIT (see wsmutator.h) */
#include "wsmut_edit.h"

#include <stdlib.h>
#include <string.h>

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *const kind_names[WSMUT_K_COUNT] = {
    "length-boundary", "length-form",    "declared-length", "mask",          "header-bits",
    "fragment-split",  "fragment-merge", "control-insert",  "control-abuse", "close-payload",
    "utf8-edge",       "chunk-plan",     "payload-bytes",   "raw",           "items",
    "config",
};

const char *wsmut_kind_name(enum wsmut_kind k) {
    return (unsigned)k < WSMUT_K_COUNT ? kind_names[k] : "unknown";
}

/* Lengths around every boundary of 6455:5.2's three length forms. */
static const uint64_t boundary_lens[] = {0,   1,   2,   125,   126,   127,
                                         128, 255, 256, 65535, 65536, 65537};

/* Declared lengths that broke parsers (FUZZING.md 5A): the form limits,
 * 2^31 +- 1 and 2^32 +- 1 (int truncation), 2^63 (the MSB 6455:5.2 says
 * "MUST be 0"), 2^64 - 1 (wraps `len + 1`). */
static const uint64_t declared_lens[] = {0,
                                         1,
                                         125,
                                         126,
                                         127,
                                         65535,
                                         65536,
                                         0x7fffffffu,
                                         0x80000000u,
                                         0x80000001u,
                                         0xffffffffu,
                                         0x100000000u,
                                         0x100000001u,
                                         0x4000000000000000u,
                                         0x8000000000000000u,
                                         0x8000000000000001u,
                                         0xfffffffffffffff1u,
                                         0xffffffffffffffffu};

/* Opcodes worth trying more often: the defined ones and the edges of the
 * reserved ranges (6455:5.2 "%x3-7 are reserved ... %xB-F are reserved"). */
static const uint8_t opcodes[] = {0x0, 0x1, 0x2, 0x3, 0x7, 0x8, 0x9, 0xA, 0xB, 0xF};

/* 6455:7.4.1 defined codes, 7.4.2 ranges, and the ones that "MUST NOT be
 * set as a status code in a Close control frame by an endpoint" (1005,
 * 1006, 1015), with the codes just outside each range. */
static const uint16_t close_codes[] = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000,
                                       3999, 4000, 4999, 0,    999,  1004, 1005, 1006, 1012, 1013,
                                       1014, 1015, 1016, 1100, 2000, 2999, 5000, 65535};

/* UTF-8 edge sequences (FUZZING.md 5D): valid boundaries of each length,
 * overlongs, surrogates, code points above U+10FFFF, lone continuation
 * octets, and truncated sequences. */
static const char *const utf8_edges[] = {
    /* valid */
    "\xce\xba", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf", "\xed\x9f\xbf",
    "\xee\x80\x80", "\xef\xbf\xbf", "\xc2\x80",
    /* invalid from here on (FIRST_INVALID_UTF8) */
    "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xe0\x9f\xbf", "\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf",
    "\xed\xa0\x80", "\xed\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xf8\x88\x80\x80\x80",
    "\xff", "\xfe", "\x80", "\xbf", "\xe2\x82", "\xf0\x9f\x98", "\xce", "\xf4\x8f\xbf"};
#define FIRST_INVALID_UTF8 8

/* ---- the mutations, one per enum wsmut_kind -------------------------- */

static bool mut_length_boundary(struct wsmut_ctx *m) {
    int i = wsmut_pick(m, F_FRAME);
    if (i < 0)
        return false;
    struct wsmut_item *it = &m->seq->items[i];
    uint64_t want = boundary_lens[below(m, COUNT_OF(boundary_lens))];
    if (want <= it->payload_len || want - it->payload_len <= wsmut_room(m)) {
        wsmut_resize_payload(m, it, (size_t)want);
        it->declared_set = false;
    } else { /* too big to send here: announce it and send what there is */
        it->declared_set = true;
        it->declared_len = want;
    }
    return true;
}

static bool mut_length_form(struct wsmut_ctx *m) {
    int i = wsmut_pick(m, F_FRAME);
    if (i < 0)
        return false;
    struct wsmut_item *it = &m->seq->items[i];
    it->len_form = (enum wsmut_len_form)((it->len_form + 1 + below(m, 3)) & 3);
    return true;
}

static bool mut_declared_length(struct wsmut_ctx *m) {
    int i = wsmut_pick(m, F_FRAME);
    if (i < 0)
        return false;
    struct wsmut_item *it = &m->seq->items[i];
    uint64_t len = it->payload_len;
    switch (below(m, 6)) {
    case 0:
        if (!it->declared_set)
            return false;
        it->declared_set = false;
        return true;
    case 1: it->declared_len = len + 1; break;
    case 2: it->declared_len = len ? len - 1 : UINT64_MAX; break;
    case 3: it->declared_len = len + 2 + below(m, 15); break;
    case 4: it->declared_len = next64(m); break;
    default: it->declared_len = declared_lens[below(m, COUNT_OF(declared_lens))]; break;
    }
    it->declared_set = true;
    return true;
}

static bool mut_mask(struct wsmut_ctx *m) {
    int i = wsmut_pick(m, F_FRAME);
    if (i < 0)
        return false;
    struct wsmut_item *it = &m->seq->items[i];
    static const uint8_t keys[3][4] = {
        {0, 0, 0, 0}, {0xff, 0xff, 0xff, 0xff}, {0x37, 0xfa, 0x21, 0x3d}};
    size_t choice = below(m, 5);
    if (choice == 0) {
        it->masked = !it->masked;
    } else {
        it->masked = true;
        if (choice == 4)
            random_key(m, it->mask_key);
        else
            memcpy(it->mask_key, keys[choice - 1], 4);
    }
    return true;
}

static bool mut_header_bits(struct wsmut_ctx *m) {
    int i = wsmut_pick(m, F_FRAME);
    if (i < 0)
        return false;
    struct wsmut_item *it = &m->seq->items[i];
    switch (below(m, 5)) {
    case 0: it->fin = !it->fin; break;
    case 1: it->rsv = (uint8_t)(1u << below(m, 3)); break;
    case 2: it->rsv = (uint8_t)below(m, 8); break;
    case 3: it->opcode = opcodes[below(m, COUNT_OF(opcodes))]; break;
    default:
        it->fin = below(m, 2);
        it->rsv = (uint8_t)below(m, 8);
        it->opcode = (uint8_t)below(m, 16);
        break;
    }
    return true;
}

static bool mut_fragment_split(struct wsmut_ctx *m) {
    int i = wsmut_pick(m, F_DATA);
    if (i < 0)
        return false;
    return wsmut_split_frame(m, (size_t)i, below(m, m->seq->items[i].payload_len + 1));
}

/* Merge a non-final frame with the next continuation (control frames
 * between them stay where they are). */
static bool mut_fragment_merge(struct wsmut_ctx *m) {
    size_t firsts[WSMUT_MAX_ITEMS], conts[WSMUT_MAX_ITEMS], n = 0;
    for (size_t i = 0; i < m->seq->item_count; i++) {
        const struct wsmut_item *a = &m->seq->items[i];
        if (!wsmut_matches(a, F_FRAME) || a->fin)
            continue;
        size_t j = i + 1;
        while (j < m->seq->item_count && wsmut_matches(&m->seq->items[j], F_CONTROL))
            j++;
        if (j < m->seq->item_count && wsmut_matches(&m->seq->items[j], F_FRAME) &&
            m->seq->items[j].opcode == 0x0) {
            firsts[n] = i;
            conts[n++] = j;
        }
    }
    if (n == 0)
        return false;
    size_t pick_one = below(m, n);
    struct wsmut_item *a = &m->seq->items[firsts[pick_one]];
    struct wsmut_item *b = &m->seq->items[conts[pick_one]];
    size_t at = a->payload_len;
    wsmut_resize_payload(m, a, at + b->payload_len);
    if (b->payload_len)
        memcpy(a->payload + at, b->payload, b->payload_len);
    a->fin = b->fin;
    a->declared_set = false;
    wsmut_remove_at(m->seq, conts[pick_one]);
    return true;
}

/* An index just after a non-final data frame: inside a fragmented message
 * (6455:5.4 "Control frames (see Section 5.5) MAY be injected in the middle
 * of a fragmented message."). Makes one by splitting when there is none. */
static int inside_fragmented(struct wsmut_ctx *m) {
    size_t candidates[WSMUT_MAX_ITEMS], n = 0;
    for (size_t i = 0; i < m->seq->item_count; i++)
        if (wsmut_matches(&m->seq->items[i], F_DATA) && !m->seq->items[i].fin)
            candidates[n++] = i + 1;
    if (n)
        return (int)candidates[below(m, n)];
    int i = wsmut_pick(m, F_DATA);
    if (i < 0 || !wsmut_split_frame(m, (size_t)i, below(m, m->seq->items[i].payload_len + 1)))
        return -1;
    return i + 1;
}

static bool mut_control_insert(struct wsmut_ctx *m) {
    int at = inside_fragmented(m);
    if (at < 0)
        return false;
    static const uint8_t control_ops[] = {0x89, 0x8A, 0x88};
    uint8_t op = control_ops[below(m, COUNT_OF(control_ops))];
    uint8_t payload[8] = {0x03, 0xe8, 'b', 'y', 'e', '!', '!', '!'}; /* close 1000 "bye!!!" */
    size_t len = below(m, sizeof payload + 1);
    if (op == 0x88 && len == 1)
        len = 2;
    return wsmut_insert_frame(m, (size_t)at, op, payload, len) != NULL;
}

static bool mut_control_abuse(struct wsmut_ctx *m) {
    int i = wsmut_pick(m, F_CONTROL);
    if (i < 0) {
        size_t at = below(m, m->seq->item_count + 1);
        if (wsmut_insert_frame(m, at, 0x89, "ping", 4) == NULL)
            return false;
        i = (int)at;
    }
    struct wsmut_item *it = &m->seq->items[i];
    switch (below(m, 3)) {
    case 0: { /* 6455:5.5 "All control frames MUST have a payload length of 125 bytes or less" */
        size_t want = 126 + below(m, 3);
        if (want > it->payload_len && want - it->payload_len > wsmut_room(m)) {
            it->declared_set = true;
            it->declared_len = want;
        } else {
            wsmut_resize_payload(m, it, want);
            it->declared_set = false;
        }
        return true;
    }
    case 1: /* "... and MUST NOT be fragmented." */ it->fin = false; return true;
    default: /* fragmented, with its continuation */
        return wsmut_split_frame(m, (size_t)i, below(m, it->payload_len + 1));
    }
}

static bool mut_close_payload(struct wsmut_ctx *m) {
    int i = wsmut_pick(m, F_CLOSE);
    if (i < 0) {
        size_t at = below(m, 4) ? m->seq->item_count : below(m, m->seq->item_count + 1);
        if (wsmut_insert_frame(m, at, 0x88, NULL, 0) == NULL)
            return false;
        i = (int)at;
    }
    struct wsmut_item *it = &m->seq->items[i];
    uint8_t payload[126];
    size_t len = 0;
    uint16_t code = close_codes[below(m, COUNT_OF(close_codes))];
    payload[0] = (uint8_t)(code >> 8);
    payload[1] = (uint8_t)code;
    switch (below(m, 6)) {
    case 0: len = 0; break;
    case 1: /* 6455:5.5.1 "If there is a body, the first two bytes of the body MUST
             * be a 2-byte unsigned integer" */
        len = 1;
        break;
    case 2: len = 2; break;
    case 3:
        memcpy(payload + 2, "normal", 6);
        len = 8;
        break;
    case 4: { /* 6455:5.5.1 "Following the 2-byte integer, the body MAY contain
               * UTF-8-encoded data": a reason that is not UTF-8 */
        const char *bad =
            utf8_edges[FIRST_INVALID_UTF8 + below(m, COUNT_OF(utf8_edges) - FIRST_INVALID_UTF8)];
        size_t n = strlen(bad);
        payload[2] = 'r';
        memcpy(payload + 3, bad, n);
        len = 3 + n;
        break;
    }
    default: /* reason up to the 125-octet control limit, or one past it */
        len = 125 + below(m, 2);
        memset(payload + 2, 'x', len - 2);
        break;
    }
    if (len > it->payload_len && !wsmut_fits(m, len - it->payload_len))
        return false;
    wsmut_item_set_payload(it, payload, len);
    it->fin = true;
    it->declared_set = false;
    return true;
}

static bool mut_utf8_edge(struct wsmut_ctx *m) {
    int i = wsmut_pick(m, F_TEXTISH);
    if (i < 0) {
        if (wsmut_insert_frame(m, m->seq->item_count, 0x81, "ab", 2) == NULL)
            return false;
        i = (int)m->seq->item_count - 1;
    }
    const char *edge = utf8_edges[below(m, COUNT_OF(utf8_edges))];
    size_t n = strlen(edge);
    if (!wsmut_fits(m, n + 16))
        return false;
    struct wsmut_item *it = &m->seq->items[i];
    size_t at = below(m, it->payload_len + 1);
    size_t old = it->payload_len;
    wsmut_resize_payload(m, it, old + n);
    memmove(it->payload + at + n, it->payload + at, old - at);
    memcpy(it->payload + at, edge, n);
    it->declared_set = false;
    size_t cut = at + (n > 1 ? 1 + below(m, n - 1) : below(m, 2)); /* inside the sequence */
    if (below(m, 2) == 0 && wsmut_split_frame(m, (size_t)i, cut))
        return true; /* the sequence straddles a fragment boundary (FUZZING.md 5D) */
    /* ... or a chunk boundary: the read that ends inside it. */
    uint8_t head[14];
    size_t payload_start =
        wsmut_item_wire_offset(m->seq, (size_t)i) + wsmut_frame_header(&m->seq->items[i], head);
    m->seq->chunk_count = 1;
    m->seq->chunk_cyclic = false;
    m->seq->chunks[0] = (uint32_t)(payload_start + cut > 0 ? payload_start + cut : 1);
    return true;
}

static bool mut_chunk_plan(struct wsmut_ctx *m) {
    struct wsmut_seq *s = m->seq;
    switch (below(m, 6)) {
    case 0: /* one chunk */
        if (s->chunk_count == 0)
            return false;
        s->chunk_count = 0;
        s->chunk_cyclic = false;
        return true;
    case 1: /* one octet per read (FUZZING.md 5I) */
        s->chunk_count = 1;
        s->chunks[0] = 1;
        s->chunk_cyclic = true;
        return true;
    case 2: { /* a few small random reads, repeating or not */
        size_t n = 1 + below(m, 4);
        for (size_t k = 0; k < n; k++)
            s->chunks[k] = (uint32_t)(1 + below(m, 1 + below(m, 20)));
        s->chunk_count = n;
        s->chunk_cyclic = below(m, 2);
        return true;
    }
    case 3: { /* a read that ends inside a frame header: first octets, length, key */
        int i = wsmut_pick(m, F_FRAME);
        if (i < 0)
            return false;
        uint8_t head[14];
        size_t h = wsmut_frame_header(&s->items[i], head);
        size_t cut = wsmut_item_wire_offset(s, (size_t)i) + 1 + below(m, h - 1);
        if (s->chunk_count < WSMUT_MAX_CHUNKS && below(m, 2) && !s->chunk_cyclic) {
            size_t sum = 0;
            for (size_t k = 0; k < s->chunk_count; k++)
                sum += s->chunks[k];
            if (cut > sum) { /* keep the cuts before it */
                s->chunks[s->chunk_count++] = (uint32_t)(cut - sum);
                return true;
            }
        }
        s->chunk_count = 1;
        s->chunks[0] = (uint32_t)cut;
        s->chunk_cyclic = below(m, 4) == 0;
        return true;
    }
    case 4: { /* nudge one read */
        if (s->chunk_count == 0)
            return false;
        uint32_t *c = &s->chunks[below(m, s->chunk_count)];
        uint32_t choice = (uint32_t)below(m, 4);
        *c = choice == 0 ? *c + 1 : choice == 1 ? (*c > 1 ? *c - 1 : 2) : choice == 2 ? *c * 2 : 1;
        return true;
    }
    default: { /* a cut at any octet */
        size_t total = wsmut_item_wire_offset(s, s->item_count);
        s->chunk_count = 1;
        s->chunks[0] = (uint32_t)(1 + below(m, total ? total : 1));
        s->chunk_cyclic = false;
        return true;
    }
    }
}

/* The built-in byte mutator: flip, set, insert, erase an octet. */
static size_t builtin_bytes(struct wsmut_ctx *m, uint8_t *data, size_t size, size_t max_size) {
    static const uint8_t interesting[] = {0x00, 0x01, 0x7e, 0x7f, 0x80, 0xc0, 0xed, 0xff};
    size_t at = below(m, size);
    switch (below(m, 5)) {
    case 0:
        if (size)
            data[at] ^= (uint8_t)(1u << below(m, 8));
        return size;
    case 1:
        if (size)
            data[at] = interesting[below(m, COUNT_OF(interesting))];
        return size;
    case 2:
        if (size < max_size) {
            at = below(m, size + 1);
            memmove(data + at + 1, data + at, size - at);
            data[at] = (uint8_t)next64(m);
            return size + 1;
        }
        return size;
    case 3:
        if (size) {
            memmove(data + at, data + at + 1, size - at - 1);
            return size - 1;
        }
        return size;
    default:
        if (size)
            data[at] = (uint8_t)next64(m);
        return size;
    }
}

/* Mutate one item's octets with the byte mutator, growing at most by the
 * room left. */
static bool mutate_item_bytes(struct wsmut_ctx *m, struct wsmut_item *it) {
    size_t grow = wsmut_room(m);
    size_t extra = it->payload_len < 64 ? 64 : it->payload_len;
    size_t cap = it->payload_len + (grow < extra ? grow : extra);
    if (cap == 0)
        return false;
    uint8_t *buf = realloc(it->payload, cap);
    if (buf == NULL)
        abort();
    it->payload = buf;
    size_t len = m->bytes ? m->bytes(buf, it->payload_len, cap)
                          : builtin_bytes(m, buf, it->payload_len, cap);
    it->payload_len = len <= cap ? len : cap;
    return true;
}

static bool mut_payload_bytes(struct wsmut_ctx *m) {
    int i = wsmut_pick(m, F_ANY);
    return i >= 0 && mutate_item_bytes(m, &m->seq->items[i]);
}

static bool mut_raw(struct wsmut_ctx *m) {
    struct wsmut_seq *s = m->seq;
    switch (below(m, 4)) {
    case 0: { /* garbage between items */
        uint8_t junk[8];
        size_t n = 1 + below(m, sizeof junk);
        for (size_t k = 0; k < n; k++)
            junk[k] = (uint8_t)next64(m);
        struct wsmut_item *it =
            wsmut_fits(m, n + 2) ? wsmut_insert_at(s, below(m, s->item_count + 1), WSMUT_ITEM_RAW)
                                 : NULL;
        if (it)
            wsmut_item_set_payload(it, junk, n);
        return it != NULL;
    }
    case 1:   /* a frame cut short at the end of the stream */
    case 2: { /* a frame turned into its raw octets (for byte mutation later) */
        int i = wsmut_pick(m, F_FRAME);
        if (i < 0)
            return false;
        struct wsmut_seq one;
        wsmut_seq_init(&one);
        one.items[0] = s->items[i]; /* borrowed: not freed below */
        one.item_count = 1;
        size_t n = wsmut_serialize(&one, NULL, 0);
        uint8_t *wire = malloc(n);
        if (wire == NULL)
            abort();
        wsmut_serialize(&one, wire, n);
        struct wsmut_item *it;
        if (n > 1 && below(m, 2) == 0) { /* case 1 */
            it = wsmut_fits(m, n + 2) ? wsmut_insert_at(s, s->item_count, WSMUT_ITEM_RAW) : NULL;
            if (it)
                wsmut_item_set_payload(it, wire, 1 + below(m, n - 1));
        } else {
            it = &s->items[i];
            free(it->payload);
            memset(it, 0, sizeof *it);
            it->kind = WSMUT_ITEM_RAW;
            it->payload = wire;
            it->payload_len = n;
            return true;
        }
        free(wire);
        return it != NULL;
    }
    default: {
        int i = wsmut_pick(m, F_RAW);
        return i >= 0 && mutate_item_bytes(m, &s->items[i]);
    }
    }
}

static bool mut_items(struct wsmut_ctx *m) {
    struct wsmut_seq *s = m->seq;
    switch (below(m, 4)) {
    case 0:
        if (s->item_count == 0)
            return false;
        wsmut_remove_at(s, below(m, s->item_count));
        return true;
    case 1: {
        int i = wsmut_pick(m, F_ANY);
        if (i < 0 || !wsmut_fits(m, s->items[i].payload_len + 20))
            return false;
        struct wsmut_item copy = s->items[i];
        struct wsmut_item *it = wsmut_insert_at(s, (size_t)i + 1, copy.kind);
        if (it == NULL)
            return false;
        *it = copy;
        it->payload = NULL;
        wsmut_item_set_payload(it, copy.payload, copy.payload_len);
        return true;
    }
    case 2: {
        if (s->item_count < 2)
            return false;
        size_t a = below(m, s->item_count), b = below(m, s->item_count);
        struct wsmut_item t = s->items[a];
        s->items[a] = s->items[b];
        s->items[b] = t;
        return a != b;
    }
    default: {
        static const uint8_t firsts[] = {0x81, 0x82, 0x01, 0x80, 0x89, 0x8A, 0x88};
        uint8_t first = firsts[below(m, COUNT_OF(firsts))];
        size_t len = first == 0x88 ? 2 : below(m, 6);
        return wsmut_insert_frame(m, below(m, s->item_count + 1), first, "\x03\xe8Hello", len) !=
               NULL;
    }
    }
}

static bool mut_config(struct wsmut_ctx *m) {
    if (below(m, 4) == 0)
        m->seq->config ^= (uint64_t)(next64(m) & 0xff) << (8 * below(m, 8));
    else
        m->seq->config ^= (uint64_t)1 << below(m, 64);
    return true;
}

static bool (*const mutations[WSMUT_K_COUNT])(struct wsmut_ctx *) = {
    mut_length_boundary, mut_length_form,
    mut_declared_length, mut_mask,
    mut_header_bits,     mut_fragment_split,
    mut_fragment_merge,  mut_control_insert,
    mut_control_abuse,   mut_close_payload,
    mut_utf8_edge,       mut_chunk_plan,
    mut_payload_bytes,   mut_raw,
    mut_items,           mut_config,
};

/* Shrink until the encoding fits max_size: cut the largest payload by the
 * excess, then drop items from the end, then the plan. */
size_t wsmut_mutate_with(uint8_t *data, size_t size, size_t max_size, unsigned int seed,
                         wsmut_byte_mutator bytes, uint32_t *kinds_applied) {
    struct wsmut_seq *s = malloc(sizeof *s);
    if (s == NULL)
        abort();
    wsmut_seq_init(s);
    wsmut_decode(s, data, size < max_size ? size : max_size);
    struct wsmut_ctx m = {s, (uint64_t)seed * 0x2545f4914f6cdd1du + 1, max_size, bytes};
    uint32_t applied = 0;
    size_t rounds = below(&m, 4) == 0 ? 2 + below(&m, 3) : 1;
    for (size_t r = 0; r < rounds; r++)
        for (unsigned tries = 0; tries < 16; tries++) {
            size_t k = below(&m, WSMUT_K_COUNT);
            if (mutations[k](&m)) {
                applied |= 1u << k;
                break;
            }
        }
    if (kinds_applied)
        *kinds_applied = applied;
    size_t n = wsmut_store(s, data, size, max_size);
    wsmut_seq_free(s);
    free(s);
    return n;
}

size_t wsmut_mutate(uint8_t *data, size_t size, size_t max_size, unsigned int seed) {
    return wsmut_mutate_with(data, size, max_size, seed, NULL, NULL);
}

/* Append copies of src->items[from, to) to dst (as many as fit). */
