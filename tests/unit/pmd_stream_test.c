/* pmd_stream_test: permessage-deflate compression and decompression
 * (RFC 7692). The expected octets of the 7.2.3.x examples are the RFC's
 * own (7692:7.2.3.1 to 7.2.3.6); round trips cover every window size with
 * and without context takeover, checked by an exact-distance inflater;
 * messages are fed split at every octet; a 10 MB bomb stops at a small cap;
 * corrupt, cut-off and too-far-back input come back as problems. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "codec/pmd_stream.h"
#include "test.h"

/* A sink that collects up to sizeof data octets and counts the rest. */
struct collect {
    uint8_t data[1 << 16];
    size_t len;
    uint64_t total;
    size_t calls;
    size_t biggest;
    int fail_with; /* returned from the sink when non-zero */
};

static int collect_sink(void *ctx, const uint8_t *p, size_t n) {
    struct collect *c = ctx;
    if (c->fail_with)
        return c->fail_with;
    size_t room = sizeof c->data - c->len;
    memcpy(c->data + c->len, p, n < room ? n : room);
    c->len += n < room ? n : room;
    c->total += n;
    c->calls++;
    if (n > c->biggest)
        c->biggest = n;
    return 0;
}

static struct collect *collect_new(void) {
    return calloc(1, sizeof(struct collect));
}

static const struct pmd_inflater_options roomy = {.max_message_octets = 1 << 20};
static const struct pmd_inflater_options roomy_strict = {.max_message_octets = 1 << 20,
                                                         .strict_window = true};

/* Inflates one whole message in pieces of `step` octets (0: one piece). */
static int inflate_msg(struct pmd_inflater *inf, const uint8_t *p, size_t n, size_t step,
                       struct collect *c, struct pmd_inflate_result *res) {
    if (step == 0)
        step = n ? n : 1;
    size_t off = 0;
    do {
        size_t take = n - off < step ? n - off : step;
        int rc = pmd_inflate(inf, p + off, take, off + take == n, collect_sink, c, res);
        if (rc < 0 || res->state != PMD_IN_MORE)
            return rc;
        off += take;
    } while (off < n);
    return 0;
}

struct rfc_inflate_case {
    const char *section;
    uint8_t wire[16];
    size_t wire_len;
};

/* 7692:7.2.3.1 "Hello" in one compressed block; 7.2.3.3 in a block with no
 * compression; 7.2.3.4 with BFINAL set to 1; 7.2.3.5 two DEFLATE blocks in
 * one message (the first flushed with an empty stored block). */
static const struct rfc_inflate_case rfc_hello[] = {
    {"7.2.3.1", {0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}, 7},
    {"7.2.3.3", {0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00}, 11},
    {"7.2.3.4", {0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00}, 8},
    {"7.2.3.5", {0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00}, 13},
};

static void test_rfc_examples_inflate(void) {
    struct pmd_direction dir = {15, false};
    for (size_t i = 0; i < sizeof rfc_hello / sizeof rfc_hello[0]; i++) {
        for (size_t step = 0; step <= 1; step++) {
            int before = test_failures;
            struct pmd_inflater *inf = NULL;
            CHECK_EQ(pmd_inflater_new(&inf, &dir, &roomy), WS_OK);
            struct collect *c = collect_new();
            struct pmd_inflate_result res;
            CHECK_EQ(inflate_msg(inf, rfc_hello[i].wire, rfc_hello[i].wire_len, step, c, &res), 0);
            CHECK_EQ(res.state, PMD_IN_DONE);
            CHECK_MEM(c->data, c->len, "Hello", 5);
            CHECK_EQ_U64(res.message_octets, 5);
            CHECK_EQ_U64(res.input_offset, rfc_hello[i].wire_len);
            /* The next message decodes too (after BFINAL: a new stream). */
            static const uint8_t again[] = {0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00};
            c->len = 0;
            CHECK_EQ(inflate_msg(inf, again, sizeof again, step, c, &res), 0);
            CHECK_EQ(res.state, PMD_IN_DONE);
            CHECK_MEM(c->data, c->len, "Hello", 5);
            if (test_failures != before)
                fprintf(stderr, "  in RFC %s, step %zu\n", rfc_hello[i].section, step);
            free(c);
            pmd_inflater_free(inf);
        }
    }
}

/* 7692:7.2.3.2: with context takeover the second "Hello" is
 * 0xf2 0x00 0x11 0x00 0x00, a back-reference into the first message. */
static void test_rfc_shared_window(void) {
    static const uint8_t first[] = {0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00};
    static const uint8_t second[] = {0xf2, 0x00, 0x11, 0x00, 0x00};
    struct pmd_direction dir = {15, false};
    struct pmd_inflater *inf = NULL;
    CHECK_EQ(pmd_inflater_new(&inf, &dir, &roomy), WS_OK);
    struct collect *c = collect_new();
    struct pmd_inflate_result res;
    CHECK_EQ(inflate_msg(inf, first, sizeof first, 0, c, &res), 0);
    CHECK_EQ(res.state, PMD_IN_DONE);
    CHECK_EQ(inflate_msg(inf, second, sizeof second, 1, c, &res), 0);
    CHECK_EQ(res.state, PMD_IN_DONE);
    CHECK_MEM(c->data, c->len, "HelloHello", 10);
    pmd_inflater_free(inf);

    /* After a BFINAL stream (7.2.3.4) the window is kept under context
     * takeover: a new stream may still refer back into it (our lenient
     * reading; 7692:7.2.1 "The next DEFLATE block follows the padded data
     * if any" makes what follows a continuation, not a new connection). */
    static const uint8_t bfinal[] = {0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00};
    CHECK_EQ(pmd_inflater_new(&inf, &dir, &roomy), WS_OK);
    c->len = 0;
    CHECK_EQ(inflate_msg(inf, bfinal, sizeof bfinal, 0, c, &res), 0);
    CHECK_EQ(res.state, PMD_IN_DONE);
    CHECK_EQ(inflate_msg(inf, second, sizeof second, 0, c, &res), 0);
    CHECK_EQ(res.state, PMD_IN_DONE);
    CHECK_MEM(c->data, c->len, "HelloHello", 10);
    pmd_inflater_free(inf);

    /* Under no_context_takeover the reference reaches into the previous
     * message: the peer broke 7692:7.1.1.1's "MUST start compressing each
     * new message with an empty LZ77 sliding window". */
    dir.no_context_takeover = true;
    CHECK_EQ(pmd_inflater_new(&inf, &dir, &roomy), WS_OK);
    c->len = 0;
    CHECK_EQ(inflate_msg(inf, first, sizeof first, 0, c, &res), 0);
    CHECK_EQ(res.state, PMD_IN_DONE);
    CHECK_EQ(inflate_msg(inf, second, sizeof second, 0, c, &res), 0);
    CHECK_EQ(res.state, PMD_IN_PROBLEM);
    CHECK_EQ(res.problem, PMD_INFLATE_TOO_FAR_BACK);
    CHECK_STR(pmd_inflate_problem_name(res.problem), "distance-too-far-back");
    /* Stopped: further input is refused. */
    CHECK_EQ(pmd_inflate(inf, first, sizeof first, true, collect_sink, c, &res), WS_ERR_ARG);
    pmd_inflater_free(inf);
    free(c);
}

static int deflate_all(struct pmd_deflater *d, const uint8_t *p, size_t n, size_t step,
                       struct collect *c) {
    if (step == 0)
        step = n ? n : 1;
    size_t off = 0;
    do {
        size_t take = n - off < step ? n - off : step;
        int rc = pmd_deflate(d, p + off, take, off + take == n, collect_sink, c);
        if (rc < 0)
            return rc;
        off += take;
    } while (off < n);
    return 0;
}

/* Our compressor gives the RFC's octets: 7.2.3.1 "Hello", 7.2.3.2 the
 * second "Hello" with the window shared, 7.2.3.6 an empty message as 0x00,
 * and without takeover the second "Hello" as the first. */
static void test_rfc_examples_deflate(void) {
    static const uint8_t hello1[] = {0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00};
    static const uint8_t hello2[] = {0xf2, 0x00, 0x11, 0x00, 0x00};
    static const uint8_t empty[] = {0x00};
    for (int nct = 0; nct <= 1; nct++) {
        struct pmd_direction dir = {15, nct != 0};
        struct pmd_deflater *d = NULL;
        CHECK_EQ(pmd_deflater_new(&d, &dir, -1), WS_OK);
        struct collect *c = collect_new();
        CHECK_EQ(deflate_all(d, (const uint8_t *)"Hello", 5, 0, c), 0);
        CHECK_MEM(c->data, c->len, hello1, sizeof hello1);
        c->len = 0;
        CHECK_EQ(deflate_all(d, (const uint8_t *)"Hello", 5, 1, c), 0);
        if (nct)
            CHECK_MEM(c->data, c->len, hello1, sizeof hello1);
        else
            CHECK_MEM(c->data, c->len, hello2, sizeof hello2);
        /* An empty message right after: still the single 0x00. */
        c->len = 0;
        CHECK_EQ(pmd_deflate(d, NULL, 0, true, collect_sink, c), 0);
        CHECK_MEM(c->data, c->len, empty, sizeof empty);
        pmd_deflater_free(d);
        CHECK_EQ(pmd_deflater_new(&d, &dir, -1), WS_OK);
        c->len = 0;
        CHECK_EQ(pmd_deflate(d, NULL, 0, true, collect_sink, c), 0);
        CHECK_MEM(c->data, c->len, empty, sizeof empty);
        pmd_deflater_free(d);
        free(c);
    }
}

/* Text with repeats at every distance up to about 40000 octets, so every
 * window size has matches just inside and just outside it. */
static size_t make_text(uint8_t *out, size_t n, uint32_t seed) {
    static const char *words[] = {"frame ", "mask ",   "opcode ",  "close ",  "ping ", "pong ",
                                  "text ",  "binary ", "deflate ", "window ", "rsv1 "};
    size_t len = 0;
    uint32_t x = seed;
    while (len < n) {
        x = x * 1103515245u + 12345u;
        const char *w = words[(x >> 16) % 11];
        size_t wl = strlen(w);
        if ((x >> 8) % 7 == 0 && len > 0) { /* a random octet breaks long matches */
            out[len++] = (uint8_t)(x >> 3);
            continue;
        }
        for (size_t i = 0; i < wl && len < n; i++)
            out[len++] = (uint8_t)w[i];
    }
    return len;
}

/* Every window size, both takeover modes, four messages each: what comes
 * out is what went in, inflated by a strict inflater of the same window
 * (every distance checked against 2^bits), so the compressor never
 * references beyond the agreed window, 8 bits included (see pmd_stream.c). */
static void test_round_trip_every_window(void) {
    static uint8_t msg[50000];
    struct collect *z = collect_new();
    struct collect *c = collect_new();
    for (unsigned bits = 8; bits <= 15; bits++) {
        for (int nct = 0; nct <= 1; nct++) {
            struct pmd_direction dir = {bits, nct != 0};
            struct pmd_deflater *d = NULL;
            struct pmd_inflater *inf = NULL;
            CHECK_EQ(pmd_deflater_new(&d, &dir, 9), WS_OK);
            CHECK_EQ(pmd_inflater_new(&inf, &dir, &roomy_strict), WS_OK);
            for (uint32_t m = 0; m < 4; m++) {
                int before = test_failures;
                size_t n = make_text(msg, m == 3 ? 0 : 3000 + 20000 * m, 7 + (m & 1));
                z->len = 0;
                CHECK_EQ(deflate_all(d, msg, n, m == 1 ? 777 : 0, z), 0);
                CHECK(z->len < sizeof z->data);
                c->len = 0;
                struct pmd_inflate_result res;
                CHECK_EQ(inflate_msg(inf, z->data, z->len, m == 2 ? 1000 : 0, c, &res), 0);
                CHECK_EQ(res.state, PMD_IN_DONE);
                CHECK_MEM(c->data, c->len, msg, n);
                if (test_failures != before) {
                    fprintf(stderr, "  bits %u nct %d message %u\n", bits, nct, m);
                    break;
                }
            }
            pmd_deflater_free(d);
            pmd_inflater_free(inf);
        }
    }
    free(z);
    free(c);
}

/* A compressed message fed in two pieces split at every octet, and one
 * octet at a time: the same octets and the same result every time. */
static void test_split_at_every_octet(void) {
    uint8_t msg[600];
    size_t n = make_text(msg, sizeof msg, 3);
    struct pmd_direction dir = {15, false};
    struct pmd_deflater *d = NULL;
    CHECK_EQ(pmd_deflater_new(&d, &dir, -1), WS_OK);
    struct collect *z = collect_new();
    struct collect *c = collect_new();
    CHECK_EQ(deflate_all(d, msg, n, 0, z), 0);
    for (size_t cut = 0; cut <= z->len; cut++) {
        struct pmd_inflater *inf = NULL;
        CHECK_EQ(pmd_inflater_new(&inf, &dir, &roomy), WS_OK);
        struct pmd_inflate_result res;
        c->len = 0;
        CHECK_EQ(pmd_inflate(inf, z->data, cut, false, collect_sink, c, &res), 0);
        CHECK_EQ(res.state, PMD_IN_MORE);
        CHECK_EQ(pmd_inflate(inf, z->data + cut, z->len - cut, true, collect_sink, c, &res), 0);
        CHECK_EQ(res.state, PMD_IN_DONE);
        CHECK_MEM(c->data, c->len, msg, n);
        pmd_inflater_free(inf);
    }
    struct pmd_inflater *inf = NULL;
    CHECK_EQ(pmd_inflater_new(&inf, &dir, &roomy), WS_OK);
    struct pmd_inflate_result res;
    c->len = 0;
    CHECK_EQ(inflate_msg(inf, z->data, z->len, 1, c, &res), 0);
    CHECK_EQ(res.state, PMD_IN_DONE);
    CHECK_MEM(c->data, c->len, msg, n);
    /* An empty final piece ends the message too. */
    c->len = 0;
    CHECK_EQ(pmd_inflate(inf, (const uint8_t *)"\xf2\x00\x11", 3, false, collect_sink, c, &res), 0);
    CHECK_EQ(pmd_inflate(inf, (const uint8_t *)"\x00\x00", 2, false, collect_sink, c, &res), 0);
    CHECK_EQ(res.state, PMD_IN_MORE);
    CHECK_EQ(pmd_inflate(inf, NULL, 0, true, collect_sink, c, &res), 0);
    CHECK_EQ(res.state, PMD_IN_DONE);
    pmd_inflater_free(inf);
    pmd_deflater_free(d);
    free(z);
    free(c);
}

/* 10 MB of zeros compresses to about 10 KB; inflated with a 64 KiB cap it
 * stops at exactly the cap, in sink pieces of at most PMD_CHUNK, having
 * read only the first part of the compressed input. */
static void test_bomb_stops_at_cap(void) {
    size_t n = 10u << 20;
    uint8_t *zeros = calloc(1, n);
    struct pmd_direction dir = {15, false};
    struct pmd_deflater *d = NULL;
    CHECK_EQ(pmd_deflater_new(&d, &dir, 9), WS_OK);
    struct collect *z = collect_new();
    CHECK_EQ(deflate_all(d, zeros, n, 0, z), 0);
    CHECK(z->total < sizeof z->data); /* the whole bomb fits in the buffer */
    const struct pmd_inflater_options capped = {.max_message_octets = 65536};
    struct pmd_inflater *inf = NULL;
    CHECK_EQ(pmd_inflater_new(&inf, &dir, &capped), WS_OK);
    struct collect *c = collect_new();
    struct pmd_inflate_result res;
    CHECK_EQ(inflate_msg(inf, z->data, z->len, 0, c, &res), 0);
    CHECK_EQ(res.state, PMD_IN_CAP);
    CHECK_STR(pmd_inflate_state_name(res.state), "cap");
    CHECK_EQ_U64(res.message_octets, 65536);
    CHECK_EQ_U64(c->total, 65536);
    CHECK(c->biggest <= PMD_CHUNK);
    CHECK(res.input_offset < z->len / 8);
    pmd_inflater_free(inf);

    /* A message of exactly the cap passes; one octet more does not. */
    const struct pmd_inflater_options small = {.max_message_octets = 5};
    static const uint8_t hello[] = {0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00};
    CHECK_EQ(pmd_inflater_new(&inf, &dir, &small), WS_OK);
    c->len = 0;
    CHECK_EQ(inflate_msg(inf, hello, sizeof hello, 0, c, &res), 0);
    CHECK_EQ(res.state, PMD_IN_DONE);
    pmd_inflater_free(inf);
    const struct pmd_inflater_options smaller = {.max_message_octets = 4};
    CHECK_EQ(pmd_inflater_new(&inf, &dir, &smaller), WS_OK);
    c->len = 0;
    CHECK_EQ(inflate_msg(inf, hello, sizeof hello, 1, c, &res), 0);
    CHECK_EQ(res.state, PMD_IN_CAP);
    CHECK_MEM(c->data, c->len, "Hell", 4);
    pmd_inflater_free(inf);
    /* No cap at all (UINT64_MAX) must not wrap around. */
    const struct pmd_inflater_options unlimited = {.max_message_octets = UINT64_MAX};
    CHECK_EQ(pmd_inflater_new(&inf, &dir, &unlimited), WS_OK);
    c->len = 0;
    CHECK_EQ(inflate_msg(inf, hello, sizeof hello, 0, c, &res), 0);
    CHECK_EQ(res.state, PMD_IN_DONE);
    CHECK_MEM(c->data, c->len, "Hello", 5);
    pmd_inflater_free(inf);
    pmd_deflater_free(d);
    free(zeros);
    free(z);
    free(c);
}

struct problem_case {
    const char *what;
    uint8_t wire[16];
    size_t wire_len;
    enum pmd_inflate_state state;
    enum pmd_inflate_problem problem;
    const char *text; /* expected output, when given */
};

static const struct problem_case problem_cases[] = {
    /* BTYPE 11 is reserved (RFC 1951 3.2.3): "error". */
    {"reserved block type", {0x06}, 1, PMD_IN_PROBLEM, PMD_INFLATE_CORRUPT, NULL},
    /* A stored block whose NLEN is not the complement of LEN. */
    {"stored LEN/NLEN mismatch",
     {0x00, 0x05, 0x00, 0x00, 0x00},
     5,
     PMD_IN_PROBLEM,
     PMD_INFLATE_CORRUPT,
     NULL},
    /* A distance of 1 with nothing before it in the window. */
    {"distance before the start",
     {0x02, 0x02, 0x00},
     3,
     PMD_IN_PROBLEM,
     PMD_INFLATE_TOO_FAR_BACK,
     NULL},
    /* 7.2.3.5 with a broken stored length after "He": the octets decoded
     * before the corruption reach the sink however the input is split. */
    {"corrupt after two octets",
     {0xf2, 0x48, 0x05, 0x00, 0x00, 0x2f, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00},
     13,
     PMD_IN_PROBLEM,
     PMD_INFLATE_CORRUPT,
     "He"},
    /* The sender kept the 00 00 ff ff tail (7692:7.2.1 step 3 "Remove 4
     * octets"): with ours appended the data ends inside a stored header. */
    {"tail not removed",
     {0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00, 0xff, 0xff},
     10,
     PMD_IN_PROBLEM,
     PMD_INFLATE_NOT_AT_BOUNDARY,
     NULL},
    /* A BFINAL stream not followed by the empty stored block 7692:7.2.1
     * step 2 asks for ("append an empty DEFLATE block with no compression"). */
    {"BFINAL without the empty block",
     {0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00},
     7,
     PMD_IN_PROBLEM,
     PMD_INFLATE_NOT_AT_BOUNDARY,
     NULL},
    /* Empty blocks are fine: an empty stored block, then an empty fixed
     * block (BTYPE 01, end-of-block only) before the flush. */
    {"empty stored and fixed blocks",
     {0x00, 0x00, 0x00, 0xff, 0xff, 0x02, 0x00},
     7,
     PMD_IN_DONE,
     PMD_INFLATE_OK,
     ""},
    /* An empty message from an older zlib (fixed empty block + flush). */
    {"empty fixed block", {0x02, 0x00}, 2, PMD_IN_DONE, PMD_INFLATE_OK, ""},
    /* 7692:7.2.3.6: a single 0x00 is an empty message. */
    {"single 00", {0x00}, 1, PMD_IN_DONE, PMD_INFLATE_OK, ""},
    /* A stored "Hi" in a BFINAL block, then "Hello" as a new stream: 7692:7.2.1
     * "The next DEFLATE block follows the padded data if any." */
    {"blocks after BFINAL",
     {0x01, 0x02, 0x00, 0xfd, 0xff, 0x48, 0x69, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00},
     14,
     PMD_IN_DONE,
     PMD_INFLATE_OK,
     "HiHello"},
};

static void test_problems_and_blocks(void) {
    struct pmd_direction dir = {15, false};
    for (size_t i = 0; i < sizeof problem_cases / sizeof problem_cases[0]; i++) {
        const struct problem_case *pc = &problem_cases[i];
        for (size_t step = 0; step <= 1; step++) {
            int before = test_failures;
            struct pmd_inflater *inf = NULL;
            CHECK_EQ(pmd_inflater_new(&inf, &dir, &roomy), WS_OK);
            struct collect *c = collect_new();
            struct pmd_inflate_result res;
            CHECK_EQ(inflate_msg(inf, pc->wire, pc->wire_len, step, c, &res), 0);
            CHECK_EQ(res.state, pc->state);
            CHECK_EQ(res.problem, pc->problem);
            if (pc->text)
                CHECK_MEM(c->data, c->len, pc->text, strlen(pc->text));
            if (test_failures != before)
                fprintf(stderr, "  in \"%s\", step %zu\n", pc->what, step);
            free(c);
            pmd_inflater_free(inf);
        }
    }
}

/* A peer compressing with a 2^15 window while 2^8 was agreed: a distance of
 * 300 octets (text, then the same 40 octets again 300 octets later) is
 * caught by the strict inflater, always. */
static void test_window_larger_than_agreed(void) {
    uint8_t msg[400];
    make_text(msg, 300, 11);
    memcpy(msg + 300, msg, 100);
    struct pmd_direction wide = {15, false}, narrow = {8, false};
    struct pmd_deflater *d = NULL;
    CHECK_EQ(pmd_deflater_new(&d, &wide, 9), WS_OK);
    struct collect *z = collect_new();
    struct collect *c = collect_new();
    CHECK_EQ(deflate_all(d, msg, sizeof msg, 0, z), 0);
    for (int strict = 0; strict <= 1; strict++) {
        struct pmd_inflater *inf = NULL;
        CHECK_EQ(pmd_inflater_new(&inf, &narrow, strict ? &roomy_strict : &roomy), WS_OK);
        struct pmd_inflate_result res;
        c->len = 0;
        CHECK_EQ(inflate_msg(inf, z->data, z->len, 0, c, &res), 0);
        if (strict) { /* not caught by the fast path when in one call's output */
            CHECK_EQ(res.state, PMD_IN_PROBLEM);
            CHECK_EQ(res.problem, PMD_INFLATE_TOO_FAR_BACK);
        }
        pmd_inflater_free(inf);
    }
    pmd_deflater_free(d);
    free(z);
    free(c);
}

static void test_arguments_and_sink_errors(void) {
    struct pmd_direction bad7 = {7, false}, bad16 = {16, false}, ok = {15, false};
    struct pmd_deflater *d = (struct pmd_deflater *)&ok;
    struct pmd_inflater *inf = (struct pmd_inflater *)&ok;
    CHECK_EQ(pmd_deflater_new(&d, &bad7, -1), WS_ERR_ARG);
    CHECK(d == NULL);
    CHECK_EQ(pmd_deflater_new(&d, &bad16, -1), WS_ERR_ARG);
    CHECK_EQ(pmd_deflater_new(&d, &ok, 10), WS_ERR_ARG);
    CHECK_EQ(pmd_inflater_new(&inf, &bad7, &roomy), WS_ERR_ARG);
    CHECK(inf == NULL);
    CHECK_EQ(pmd_inflater_new(&inf, &bad16, &roomy), WS_ERR_ARG);

    /* A sink's error comes back unchanged, from both directions. */
    CHECK_EQ(pmd_deflater_new(&d, &ok, -1), WS_OK);
    CHECK_EQ(pmd_inflater_new(&inf, &ok, &roomy), WS_OK);
    struct collect *c = collect_new();
    c->fail_with = WS_ERR_LIMIT;
    CHECK_EQ(pmd_deflate(d, (const uint8_t *)"Hello", 5, true, collect_sink, c), WS_ERR_LIMIT);
    struct pmd_inflate_result res;
    static const uint8_t hello[] = {0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00};
    CHECK_EQ(pmd_inflate(inf, hello, sizeof hello, true, collect_sink, c, &res), WS_ERR_LIMIT);
    pmd_deflater_free(d);
    pmd_inflater_free(inf);
    free(c);
}

int main(void) {
    RUN(test_rfc_examples_inflate);
    RUN(test_rfc_shared_window);
    RUN(test_rfc_examples_deflate);
    RUN(test_round_trip_every_window);
    RUN(test_split_at_every_octet);
    RUN(test_bomb_stops_at_cap);
    RUN(test_problems_and_blocks);
    RUN(test_window_larger_than_agreed);
    RUN(test_arguments_and_sink_errors);
    TEST_EXIT();
}
