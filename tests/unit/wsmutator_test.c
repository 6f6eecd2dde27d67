/* wsmutator_test: the structure-aware mutator library of fuzz/wsmutator/.
 * Decoding never fails (no input is rejected, no over-read: inputs sit
 * against a guard page) and round-trips; wire bytes match RFC 6455 5.7's
 * examples and hand-computed 5.2 length forms and 5.3 masking; the chunk
 * plan cuts where it says; the mutator stays within max_size, is
 * deterministic for a seed, and every mutation kind is reached and changes
 * the input. */
#include <stdlib.h>

#include "test.h"
#include "wsmutator.h"

static uint64_t rng_state = 88172645463325252u;

static uint64_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Random bytes, with tag-like octets made common so frames, raw items and
 * plans all appear. */
static void random_input(uint8_t *buf, size_t len) {
    for (size_t i = 0; i < len; i++)
        buf[i] = (rnd() % 4 == 0) ? (uint8_t)(rnd() % 4) : (uint8_t)rnd();
}

static void test_decode_any_bytes_round_trips(void) {
    struct wsmut_seq a, b;
    wsmut_seq_init(&a);
    wsmut_seq_init(&b);
    uint8_t in[400];
    static uint8_t enc1[1 << 16], enc2[1 << 16];
    int failures = 0;
    for (unsigned round = 0; round < 20000; round++) {
        size_t len = round < 256 ? round % 24 : rnd() % sizeof in;
        random_input(in, len);
        struct guarded g = guard_copy(in, len);
        wsmut_decode(&a, g.data, len);
        guard_free(&g);
        size_t n1 = wsmut_encode(&a, enc1, sizeof enc1);
        wsmut_decode(&b, enc1, n1);
        size_t n2 = wsmut_encode(&b, enc2, sizeof enc2);
        /* decode(encode(decode(x))) == decode(x), and the encoding is a fixpoint */
        if (!wsmut_seq_equal(&a, &b) || n1 != n2 || memcmp(enc1, enc2, n1) != 0)
            failures++;
    }
    CHECK_EQ(failures, 0);
    /* Every input of one or two octets decodes. */
    for (unsigned v = 0; v < 65536; v++) {
        uint8_t two[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
        wsmut_decode(&a, two, 1 + (v & 1));
    }
    wsmut_seq_free(&a);
    wsmut_seq_free(&b);
}

/* A hand-written encoding (wsmutator.h, version 1) and the fields it holds. */
static void test_decode_hand_encoding(void) {
    static const uint8_t in[] = {
        0x7b,                                           /* any version reads as 1 */
        0x01, 0x02, 0,    0,    0,    0,    0,    0x80, /* config, little-endian */
        0x04, 0x81, 0xd0, 0x37, 0xfa, 0x21, 0x3d,       /* frame (tag 4 & 3 == 0): FIN text,
                                                           masked, form 16 (01), declared */
        0,    0,    0,    0,    0,    0,    0x01, 0x00, /* declared 256, big-endian */
        0x03, 'a',  'b',  'c',                          /* payload "abc" */
        0x07, 0x02, 0x00, 0x85, 0x01,                   /* cyclic plan: sizes 0 -> 1, 133 */
        0x01, 0x82, 0x01, 0xff, 0xff, 0x02, 0x09,       /* raw, 2-octet varint length 130:
                                                           takes only the 4 octets left */
    };
    struct wsmut_seq s;
    wsmut_seq_init(&s);
    wsmut_decode(&s, in, sizeof in);
    CHECK_EQ_U64(s.config, 0x8000000000000201u);
    CHECK_EQ(s.item_count, 2);
    const struct wsmut_item *f = &s.items[0];
    CHECK(f->kind == WSMUT_ITEM_FRAME && f->fin && f->rsv == 0 && f->opcode == 1);
    CHECK(f->masked && f->mask_key[0] == 0x37 && f->mask_key[3] == 0x3d);
    CHECK_EQ(f->len_form, WSMUT_LEN_16);
    CHECK(f->declared_set);
    CHECK_EQ_U64(f->declared_len, 256);
    CHECK_MEM(f->payload, f->payload_len, "abc", 3);
    CHECK(s.chunk_cyclic);
    CHECK_EQ(s.chunk_count, 2);
    CHECK_EQ(s.chunks[0], 1);
    CHECK_EQ(s.chunks[1], 133);
    CHECK(s.items[1].kind == WSMUT_ITEM_RAW);
    CHECK_MEM(s.items[1].payload, s.items[1].payload_len, "\xff\xff\x02\x09", 4);
    /* Wire: 0x81, MASK|126, 0x0100, the key, "abc" XOR 37 fa 21, then the raw octets. */
    uint8_t wire[32];
    static const uint8_t want[] = {0x81,       0xfe,       0x01,       0x00, 0x37, 0xfa, 0x21, 0x3d,
                                   'a' ^ 0x37, 'b' ^ 0xfa, 'c' ^ 0x21, 0xff, 0xff, 0x02, 0x09};
    CHECK_MEM(wire, wsmut_serialize(&s, wire, sizeof wire), want, sizeof want);
    wsmut_seq_free(&s);
}

static size_t wire_of(struct wsmut_seq *s, uint8_t *out, size_t cap) {
    size_t n = wsmut_serialize(s, out, cap);
    wsmut_seq_free(s);
    return n;
}

/* RFC 6455 5.7's examples, byte for byte. */
static void test_serialize_rfc_examples(void) {
    static const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
    struct wsmut_seq s;
    static uint8_t out[70000];
    /* "A single-frame unmasked text message: 0x81 0x05 0x48 0x65 0x6c 0x6c 0x6f" */
    wsmut_seq_init(&s);
    wsmut_add_frame(&s, 0x81, false, NULL, "Hello", 5);
    CHECK_MEM(out, wire_of(&s, out, sizeof out), "\x81\x05Hello", 7);
    /* "A single-frame masked text message: 0x81 0x85 0x37 0xfa 0x21 0x3d 0x7f
     *  0x9f 0x4d 0x51 0x58" */
    wsmut_add_frame(&s, 0x81, true, key, "Hello", 5);
    CHECK_MEM(out, wire_of(&s, out, sizeof out), "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58",
              11);
    /* "A fragmented unmasked text message: 0x01 0x03 0x48 0x65 0x6c (contains
     *  "Hel") 0x80 0x02 0x6c 0x6f (contains "lo")" */
    wsmut_add_frame(&s, 0x01, false, NULL, "Hel", 3);
    wsmut_add_frame(&s, 0x80, false, NULL, "lo", 2);
    CHECK_MEM(out, wire_of(&s, out, sizeof out), "\x01\x03Hel\x80\x02lo", 9);
    /* "Unmasked Ping request and masked Ping response: 0x89 0x05 0x48 0x65 0x6c
     *  0x6c 0x6f ... 0x8a 0x85 0x37 0xfa 0x21 0x3d 0x7f 0x9f 0x4d 0x51 0x58" */
    wsmut_add_frame(&s, 0x89, false, NULL, "Hello", 5);
    wsmut_add_frame(&s, 0x8a, true, key, "Hello", 5);
    CHECK_MEM(out, wire_of(&s, out, sizeof out),
              "\x89\x05Hello\x8a\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 18);
    /* "256 bytes binary message in a single unmasked frame: 0x82 0x7E 0x0100
     *  [256 bytes of binary data]" */
    static uint8_t payload[65536];
    memset(payload, 0xa5, sizeof payload);
    wsmut_add_frame(&s, 0x82, false, NULL, payload, 256);
    size_t n = wire_of(&s, out, sizeof out);
    CHECK_EQ(n, 4 + 256);
    CHECK_MEM(out, 4, "\x82\x7e\x01\x00", 4);
    CHECK(out[4] == 0xa5 && out[259] == 0xa5);
    /* "64KiB binary message in a single unmasked frame: 0x82 0x7F
     *  0x0000000000010000 [65536 bytes of binary data]" */
    wsmut_add_frame(&s, 0x82, false, NULL, payload, 65536);
    n = wire_of(&s, out, sizeof out);
    CHECK_EQ(n, 10 + 65536);
    CHECK_MEM(out, 10, "\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10);
}

/* Forced forms and declared lengths, computed by hand from 6455:5.2. */
static void test_serialize_length_forms(void) {
    struct wsmut_seq s;
    uint8_t out[64];
    wsmut_seq_init(&s);
    struct wsmut_item *it = wsmut_add_frame(&s, 0x81, false, NULL, "abcde", 5);
    it->len_form = WSMUT_LEN_16; /* 5 in the 16-bit form: 126, 0x0005 */
    CHECK_MEM(out, wsmut_serialize(&s, out, sizeof out),
              "\x81\x7e\x00\x05"
              "abcde",
              9);
    it->len_form = WSMUT_LEN_64; /* 5 in the 64-bit form: 127, 0x0000000000000005 */
    CHECK_MEM(out, wsmut_serialize(&s, out, sizeof out),
              "\x81\x7f\x00\x00\x00\x00\x00\x00\x00\x05"
              "abcde",
              15);
    it->len_form = WSMUT_LEN_7; /* declared 126 in 7 bits: the marker, no extended length */
    it->declared_set = true;
    it->declared_len = 126;
    CHECK_MEM(out, wsmut_serialize(&s, out, sizeof out),
              "\x81\x7e"
              "abcde",
              7);
    it->len_form = WSMUT_LEN_16; /* 70000 = 0x11170 in 16 bits: 0x1170 */
    it->declared_len = 70000;
    CHECK_MEM(out, wsmut_serialize(&s, out, sizeof out),
              "\x81\x7e\x11\x70"
              "abcde",
              9);
    it->len_form = WSMUT_LEN_MINIMAL; /* 2^63: 127 and the MSB 5.2 says "MUST be 0" */
    it->declared_len = (uint64_t)1 << 63;
    CHECK_MEM(out, wsmut_serialize(&s, out, sizeof out),
              "\x81\x7f\x80\x00\x00\x00\x00\x00\x00\x00"
              "abcde",
              15);
    it->declared_len = 125; /* minimal: 125 fits 7 bits */
    CHECK_MEM(out, wsmut_serialize(&s, out, sizeof out),
              "\x81\x7d"
              "abcde",
              7);
    it->declared_len = 65535; /* minimal: 126 + 0xffff */
    CHECK_MEM(out, wsmut_serialize(&s, out, sizeof out),
              "\x81\x7e\xff\xff"
              "abcde",
              9);
    it->declared_len = 65536; /* minimal: 127 + 8 octets */
    CHECK_MEM(out, wsmut_serialize(&s, out, sizeof out),
              "\x81\x7f\x00\x00\x00\x00\x00\x01\x00\x00"
              "abcde",
              15);
    /* RSV bits and a reserved opcode as they sit in octet 0; masking key
     * 01 02 03 04 over "abcde": 61^01 62^02 63^03 64^04 65^01. */
    it->declared_set = false;
    it->fin = false;
    it->rsv = 5; /* RSV1 | RSV3 */
    it->opcode = 0xb;
    it->masked = true;
    memcpy(it->mask_key, "\x01\x02\x03\x04", 4);
    CHECK_MEM(out, wsmut_serialize(&s, out, sizeof out),
              "\x5b\x85\x01\x02\x03\x04\x60\x60\x60\x60\x64", 11);
    wsmut_add_raw(&s, "\xde\xad", 2);
    CHECK_EQ(wsmut_serialize(&s, out, sizeof out), 13);
    CHECK_MEM(out + 11, 2, "\xde\xad", 2);
    CHECK_EQ(wsmut_item_wire_offset(&s, 1), 11);
    CHECK_EQ(wsmut_serialize(&s, out, 12), 13); /* too small: size only */
    wsmut_seq_free(&s);
}

static void test_chunk_plan(void) {
    struct wsmut_seq s;
    wsmut_seq_init(&s);
    wsmut_add_raw(&s, "0123456789", 10);
    s.chunks[0] = 3;
    s.chunks[1] = 1;
    s.chunk_count = 2;
    uint8_t enc[64];
    size_t n = wsmut_encode(&s, enc, sizeof enc);
    struct wsmut_wire w;
    wsmut_wire_from_input(enc, n, &w);
    CHECK_MEM(w.bytes, w.len, "0123456789", 10);
    CHECK_EQ(w.chunk_count, 3); /* 3, 1, then the rest */
    CHECK(w.chunk_ends[0] == 3 && w.chunk_ends[1] == 4 && w.chunk_ends[2] == 10);
    wsmut_wire_free(&w);
    s.chunk_cyclic = true; /* 3, 1, 3, 1, 2 */
    n = wsmut_encode(&s, enc, sizeof enc);
    wsmut_wire_from_input(enc, n, &w);
    CHECK_EQ(w.chunk_count, 5);
    CHECK(w.chunk_ends[2] == 7 && w.chunk_ends[3] == 8 && w.chunk_ends[4] == 10);
    wsmut_wire_free(&w);
    s.chunk_count = 0; /* no plan: one chunk */
    s.chunk_cyclic = false;
    n = wsmut_encode(&s, enc, sizeof enc);
    wsmut_wire_from_input(enc, n, &w);
    CHECK(w.chunk_count == 1 && w.chunk_ends[0] == 10);
    wsmut_wire_free(&w);
    wsmut_wire_from_input(enc, 0, &w); /* empty input: nothing to send */
    CHECK(w.len == 0 && w.chunk_count == 0 && w.config == 0);
    wsmut_wire_free(&w);
    wsmut_seq_free(&s);
}

/* A few starting sequences like the seeds: a text message, fragments, a
 * close, raw bytes, a plan. */
static size_t starting_input(unsigned which, uint8_t *out, size_t cap) {
    static const uint8_t key[4] = {1, 2, 3, 4};
    struct wsmut_seq s;
    wsmut_seq_init(&s);
    switch (which % 4) {
    case 0: wsmut_add_frame(&s, 0x81, true, key, "Hello", 5); break;
    case 1:
        wsmut_add_frame(&s, 0x01, true, key, "Hel", 3);
        wsmut_add_frame(&s, 0x89, true, key, "p", 1);
        wsmut_add_frame(&s, 0x80, true, key, "lo", 2);
        wsmut_add_frame(&s, 0x88, true, key, "\x03\xe8", 2);
        break;
    case 2:
        wsmut_add_frame(&s, 0x82, true, key, "\x00\x01\x02", 3);
        wsmut_add_raw(&s, "\x81\xfe", 2);
        s.chunks[0] = 1;
        s.chunk_count = 1;
        s.chunk_cyclic = true;
        break;
    default: break; /* empty */
    }
    size_t n = wsmut_encode(&s, out, cap);
    wsmut_seq_free(&s);
    return n;
}

static void test_mutate_bounded_and_deterministic(void) {
    static const size_t max_sizes[] = {0, 1, 8, 9, 10, 16, 24, 64, 300, 4096};
    uint8_t *a = malloc(8192), *b = malloc(8192);
    int over = 0, differ = 0, undecodable = 0;
    struct wsmut_seq s;
    wsmut_seq_init(&s);
    for (unsigned seed = 1; seed <= 3000; seed++) {
        size_t max = max_sizes[seed % (sizeof max_sizes / sizeof max_sizes[0])];
        size_t size = starting_input(seed, a, 8192);
        if (size > max)
            size = max;
        memcpy(b, a, size);
        /* repeated mutation of the same buffer, as libFuzzer does */
        for (unsigned step = 0; step < 8; step++) {
            size_t na = wsmut_mutate(a, size, max, seed * 31 + step);
            size_t nb = wsmut_mutate(b, size, max, seed * 31 + step);
            over += na > max;
            differ += na != nb || memcmp(a, b, na) != 0;
            size = na;
            struct guarded g = guard_copy(a, na);
            wsmut_decode(&s, g.data, na); /* must not over-read or crash */
            guard_free(&g);
            undecodable += na >= WSMUT_HEADER_SIZE && a[0] != WSMUT_FORMAT_VERSION;
        }
    }
    CHECK_EQ(over, 0);
    CHECK_EQ(differ, 0);
    CHECK_EQ(undecodable, 0);
    wsmut_seq_free(&s);
    free(a);
    free(b);
}

/* Every kind is applied, and each one, applied alone, changes the input. */
static void test_every_kind_reachable(void) {
    uint32_t seen = 0, changed = 0;
    uint8_t *buf = malloc(4096), *orig = malloc(4096);
    for (unsigned seed = 1; seed <= 20000 && changed != (1u << WSMUT_K_COUNT) - 1; seed++) {
        size_t size = starting_input(seed, orig, 4096);
        memcpy(buf, orig, size);
        uint32_t kinds = 0;
        size_t n = wsmut_mutate_with(buf, size, 4096, seed, NULL, &kinds);
        seen |= kinds;
        if ((kinds & (kinds - 1)) == 0 && (n != size || memcmp(buf, orig, n) != 0))
            changed |= kinds;
    }
    for (unsigned k = 0; k < WSMUT_K_COUNT; k++)
        if (!(changed & (1u << k)))
            fprintf(stderr, "mutation %s never changed an input\n", wsmut_kind_name(k));
    CHECK_EQ(seen, (1u << WSMUT_K_COUNT) - 1);
    CHECK_EQ(changed, (1u << WSMUT_K_COUNT) - 1);
    CHECK_STR(wsmut_kind_name(WSMUT_K_UTF8_EDGE), "utf8-edge");
    free(buf);
    free(orig);
}

/* c is p, or p with its payload cut short (shrinking to max size). */
static bool item_from(const struct wsmut_item *c, const struct wsmut_item *p) {
    if (c->kind != p->kind || c->payload_len > p->payload_len ||
        (c->payload_len && memcmp(c->payload, p->payload, c->payload_len) != 0))
        return false;
    return c->kind == WSMUT_ITEM_RAW ||
           (c->fin == p->fin && c->rsv == p->rsv && c->opcode == p->opcode &&
            c->masked == p->masked && memcmp(c->mask_key, p->mask_key, 4) == 0 &&
            c->len_form == p->len_form && c->declared_set == p->declared_set);
}

/* The child holds items of its parents only, and stays within max size. */
static void test_crossover(void) {
    uint8_t p1[256], p2[256], child[256], again[256];
    size_t n1 = starting_input(1, p1, sizeof p1), n2 = starting_input(2, p2, sizeof p2);
    struct wsmut_seq a, b, c;
    wsmut_seq_init(&a);
    wsmut_seq_init(&b);
    wsmut_seq_init(&c);
    wsmut_decode(&a, p1, n1);
    wsmut_decode(&b, p2, n2);
    int foreign = 0, over = 0, differ = 0, mixed = 0;
    for (unsigned seed = 0; seed < 500; seed++) {
        size_t max = 9 + seed % 60;
        size_t n = wsmut_crossover(p1, n1, p2, n2, child, max, seed);
        differ +=
            n != wsmut_crossover(p1, n1, p2, n2, again, max, seed) || memcmp(child, again, n) != 0;
        over += n > max;
        wsmut_decode(&c, child, n);
        bool from_a = false, from_b = false;
        for (size_t i = 0; i < c.item_count; i++) {
            bool in_a = false, in_b = false;
            for (size_t k = 0; k < a.item_count; k++)
                in_a |= item_from(&c.items[i], &a.items[k]);
            for (size_t k = 0; k < b.item_count; k++)
                in_b |= item_from(&c.items[i], &b.items[k]);
            foreign += !in_a && !in_b;
            from_a |= in_a && !in_b;
            from_b |= in_b && !in_a;
        }
        mixed += from_a && from_b;
    }
    CHECK_EQ(foreign, 0);
    CHECK_EQ(over, 0);
    CHECK_EQ(differ, 0);
    CHECK(mixed > 0);
    wsmut_seq_free(&a);
    wsmut_seq_free(&b);
    wsmut_seq_free(&c);
}

/* A sequence larger than max_size comes out shrunk item by item (payloads
 * cut, items dropped) into a whole encoding, not cut off mid-item. */
static void test_mutate_shrinks_to_fit(void) {
    struct wsmut_seq s;
    wsmut_seq_init(&s);
    static const uint8_t key[4] = {9, 8, 7, 6};
    uint8_t big[200];
    memset(big, 'z', sizeof big);
    wsmut_add_frame(&s, 0x81, true, key, big, sizeof big);
    wsmut_add_frame(&s, 0x82, true, key, big, 100);
    wsmut_add_frame(&s, 0x88, true, key, "\x03\xe8", 2);
    uint8_t in[512], buf[512], re[512];
    size_t size = wsmut_encode(&s, in, sizeof in);
    int not_whole = 0, over = 0;
    for (unsigned seed = 0; seed < 500; seed++) {
        size_t max = 16 + seed % 100;
        memcpy(buf, in, size);
        size_t n = wsmut_mutate(buf, size, max, seed);
        over += n > max;
        wsmut_decode(&s, buf, n);
        not_whole += wsmut_encode(&s, re, sizeof re) != n || memcmp(re, buf, n) != 0;
    }
    CHECK_EQ(over, 0);
    CHECK_EQ(not_whole, 0);
    wsmut_seq_free(&s);
}

int main(void) {
    RUN(test_decode_any_bytes_round_trips);
    RUN(test_decode_hand_encoding);
    RUN(test_serialize_rfc_examples);
    RUN(test_serialize_length_forms);
    RUN(test_chunk_plan);
    RUN(test_mutate_bounded_and_deterministic);
    RUN(test_mutate_shrinks_to_fit);
    RUN(test_every_kind_reachable);
    RUN(test_crossover);
    TEST_EXIT();
}
