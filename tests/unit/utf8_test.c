/* utf8_test: the incremental validator against every Autobahn 6.x sequence,
 * the 6.4 fail-fast splits, the 6.6 truncation prefixes, every RFC 3629
 * boundary, overlongs, an exhaustive one- and two-octet sweep derived from
 * the RFC 3629 section 4 ABNF, and "any split gives the same answer".
 *
 * Every expected value was worked out by hand from RFC 3629 section 4. The
 * expected error offset is the first octet at which no continuation could
 * be well-formed: e.g. for "e0 80" it is the 80 (E0 needs A0..BF), for
 * "c0 80" it is the C0 itself (C0 never appears), for a truncated sequence
 * it is the message length. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "codec/utf8.h"
#include "test.h"

/* Expected outcome of a whole message. */
enum expect { V, X };

struct seq_case {
    const char *id;    /* Autobahn case id or a short label */
    const char *bytes; /* octets, as a C string literal with \x escapes */
    size_t len;
    enum expect expect;
    size_t error_offset; /* when X */
};

#define S(lit) lit, sizeof(lit) - 1

/* "κόσμε": U+03BA U+1F79 U+03C3 U+03BC U+03B5. */
#define KOSME     "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"
#define KOSME_LEN 11

/* Checks one complete message four ways: one-shot, one feed + finish,
 * octet-by-octet feed + finish, each input behind a guard page. */
static void check_message(const char *id, const uint8_t *bytes, size_t len, enum expect expect,
                          size_t error_offset) {
    struct guarded g = guard_copy(bytes, len);
    size_t off = (size_t)-1;
    bool ok = utf8_is_valid(g.data, len, &off);
    if (ok != (expect == V) || (!ok && off != error_offset))
        fprintf(stderr, "case %s: is_valid=%d offset=%zu\n", id, ok, off);
    CHECK_EQ(ok, expect == V);
    if (expect == X)
        CHECK_EQ(off, error_offset);

    struct utf8_validator v;
    utf8_init(&v);
    utf8_feed(&v, g.data, len);
    enum utf8_result r = utf8_finish(&v);
    CHECK_EQ(r, expect == V ? UTF8_VALID : UTF8_INVALID);
    if (expect == X)
        CHECK_EQ_U64(v.error_offset, error_offset);
    CHECK_EQ_U64(v.offset, len);

    utf8_init(&v);
    for (size_t i = 0; i < len; i++) {
        /* Each octet gets its own guarded copy: the validator must not peek. */
        struct guarded one = guard_copy(g.data + i, 1);
        utf8_feed(&v, one.data, 1);
        guard_free(&one);
    }
    r = utf8_finish(&v);
    CHECK_EQ(r, expect == V ? UTF8_VALID : UTF8_INVALID);
    if (expect == X)
        CHECK_EQ_U64(v.error_offset, error_offset);
    guard_free(&g);
}

static void check_cases(const struct seq_case *cases, size_t n) {
    for (size_t i = 0; i < n; i++)
        check_message(cases[i].id, (const uint8_t *)cases[i].bytes, cases[i].len, cases[i].expect,
                      cases[i].error_offset);
}

/* 6.5, 6.7-6.12, 6.14, 6.16-6.21, 6.23 as listed in AUTOBAHN.md 1.6. */
static const struct seq_case autobahn_cases[] = {
    /* 6.5 some valid UTF-8 */
    {"6.5.1", S("hello\x24world"), V, 0},
    {"6.5.2", S("hello\xc2\xa2world"), V, 0},
    {"6.5.3", S("hello\xe2\x82\xacworld"), V, 0},
    {"6.5.4", S("hello\xf0\xa4\xad\xa2world"), V, 0},
    {"6.5.5", S(KOSME), V, 0},
    /* 6.7 first sequence of each length: U+0000, U+0080, U+0800, U+10000 */
    {"6.7.1", "\x00", 1, V, 0},
    {"6.7.2", S("\xc2\x80"), V, 0},
    {"6.7.3", S("\xe0\xa0\x80"), V, 0},
    {"6.7.4", S("\xf0\x90\x80\x80"), V, 0},
    /* 6.8 5- and 6-octet forms: F8 and FC are never a lead */
    {"6.8.1", S("\xf8\x88\x80\x80\x80"), X, 0},
    {"6.8.2", S("\xfc\x84\x80\x80\x80\x80"), X, 0},
    /* 6.9 last sequence of each length: U+007F, U+07FF, U+FFFF, U+10FFFF */
    {"6.9.1", S("\x7f"), V, 0},
    {"6.9.2", S("\xdf\xbf"), V, 0},
    {"6.9.3", S("\xef\xbf\xbf"), V, 0},
    {"6.9.4", S("\xf4\x8f\xbf\xbf"), V, 0},
    /* 6.10 above U+10FFFF: F7, FB, FD never appear */
    {"6.10.1", S("\xf7\xbf\xbf\xbf"), X, 0},
    {"6.10.2", S("\xfb\xbf\xbf\xbf\xbf"), X, 0},
    {"6.10.3", S("\xfd\xbf\xbf\xbf\xbf\xbf"), X, 0},
    /* 6.11 other boundaries: U+D7FF, U+E000, U+FFFD, U+10FFFF, U+110000 */
    {"6.11.1", S("\xed\x9f\xbf"), V, 0},
    {"6.11.2", S("\xee\x80\x80"), V, 0},
    {"6.11.3", S("\xef\xbf\xbd"), V, 0},
    {"6.11.4", S("\xf4\x8f\xbf\xbf"), V, 0},
    {"6.11.5", S("\xf4\x90\x80\x80"), X, 1}, /* F4 allows 80..8F only */
    /* 6.12 unexpected continuation octets: the first one is already wrong */
    {"6.12.1", S("\x80"), X, 0},
    {"6.12.2", S("\xbf"), X, 0},
    {"6.12.3", S("\x80\xbf"), X, 0},
    {"6.12.4", S("\x80\xbf\x80"), X, 0},
    {"6.12.5", S("\x80\xbf\x80\xbf"), X, 0},
    {"6.12.6", S("\x80\xbf\x80\xbf\x80"), X, 0},
    {"6.12.7", S("\x80\xbf\x80\xbf\x80\xbf"), X, 0},
    /* 6.12.8 (80..BE) and 6.13 are built by loops below. */
    /* 6.14 last continuation octet missing */
    {"6.14.1", S("\xc0"), X, 0},             /* C0 never appears */
    {"6.14.2", S("\xe0\x80"), X, 1},         /* E0 needs A0..BF */
    {"6.14.3", S("\xf0\x80\x80"), X, 1},     /* F0 needs 90..BF */
    {"6.14.4", S("\xf8\x80\x80\x80"), X, 0}, /* F8 never appears */
    {"6.14.5", S("\xfc\x80\x80\x80\x80"), X, 0},
    {"6.14.6", S("\xdf"), X, 1},         /* valid lead, truncated */
    {"6.14.7", S("\xef\xbf"), X, 2},     /* valid prefix, truncated */
    {"6.14.8", S("\xf7\xbf\xbf"), X, 0}, /* F7 never appears */
    {"6.14.9", S("\xfb\xbf\xbf\xbf"), X, 0},
    {"6.14.10", S("\xfd\xbf\xbf\xbf\xbf"), X, 0},
    /* 6.15 all of 6.14 concatenated: the C0 at the start fails */
    {"6.15.1",
     S("\xc0\xe0\x80\xf0\x80\x80\xf8\x80\x80\x80\xfc\x80\x80\x80\x80\xdf\xef\xbf\xf7\xbf\xbf"
       "\xfb\xbf\xbf\xbf\xfd\xbf\xbf\xbf\xbf"),
     X, 0},
    /* 6.16 impossible octets */
    {"6.16.1", S("\xfe"), X, 0},
    {"6.16.2", S("\xff"), X, 0},
    {"6.16.3", S("\xfe\xfe\xff\xff"), X, 0},
    /* 6.17 overlong "/" (U+002F) */
    {"6.17.1", S("\xc0\xaf"), X, 0},
    {"6.17.2", S("\xe0\x80\xaf"), X, 1},
    {"6.17.3", S("\xf0\x80\x80\xaf"), X, 1},
    {"6.17.4", S("\xf8\x80\x80\x80\xaf"), X, 0},
    {"6.17.5", S("\xfc\x80\x80\x80\x80\xaf"), X, 0},
    /* 6.18 maximum overlongs: U+007F, U+07FF, U+FFFF in one octet too many */
    {"6.18.1", S("\xc1\xbf"), X, 0},
    {"6.18.2", S("\xe0\x9f\xbf"), X, 1},
    {"6.18.3", S("\xf0\x8f\xbf\xbf"), X, 1},
    {"6.18.4", S("\xf8\x87\xbf\xbf\xbf"), X, 0},
    {"6.18.5", S("\xfc\x83\xbf\xbf\xbf\xbf"), X, 0},
    /* 6.19 overlong NUL */
    {"6.19.1", S("\xc0\x80"), X, 0},
    {"6.19.2", S("\xe0\x80\x80"), X, 1},
    {"6.19.3", S("\xf0\x80\x80\x80"), X, 1},
    {"6.19.4", S("\xf8\x80\x80\x80\x80"), X, 0},
    {"6.19.5", S("\xfc\x80\x80\x80\x80\x80"), X, 0},
    /* 6.20 single surrogates U+D800, U+DB7F, U+DB80, U+DBFF, U+DC00,
     * U+DF80, U+DFFF: ED allows 80..9F only, so the second octet fails */
    {"6.20.1", S("\xed\xa0\x80"), X, 1},
    {"6.20.2", S("\xed\xad\xbf"), X, 1},
    {"6.20.3", S("\xed\xae\x80"), X, 1},
    {"6.20.4", S("\xed\xaf\xbf"), X, 1},
    {"6.20.5", S("\xed\xb0\x80"), X, 1},
    {"6.20.6", S("\xed\xbe\x80"), X, 1},
    {"6.20.7", S("\xed\xbf\xbf"), X, 1},
    /* 6.21 paired surrogates */
    {"6.21.1", S("\xed\xa0\x80\xed\xb0\x80"), X, 1},
    {"6.21.2", S("\xed\xa0\x80\xed\xbf\xbf"), X, 1},
    {"6.21.3", S("\xed\xad\xbf\xed\xb0\x80"), X, 1},
    {"6.21.4", S("\xed\xad\xbf\xed\xbf\xbf"), X, 1},
    {"6.21.5", S("\xed\xae\x80\xed\xb0\x80"), X, 1},
    {"6.21.6", S("\xed\xae\x80\xed\xbf\xbf"), X, 1},
    {"6.21.7", S("\xed\xaf\xbf\xed\xb0\x80"), X, 1},
    {"6.21.8", S("\xed\xaf\xbf\xed\xbf\xbf"), X, 1},
    /* 6.22.1-2 non-characters U+FFFE, U+FFFF (valid per RFC 3629) */
    {"6.22.1", S("\xef\xbf\xbe"), V, 0},
    {"6.22.2", S("\xef\xbf\xbf"), V, 0},
    /* 6.23 specials U+FFF9..U+FFFF */
    {"6.23.1", S("\xef\xbf\xb9"), V, 0},
    {"6.23.2", S("\xef\xbf\xba"), V, 0},
    {"6.23.3", S("\xef\xbf\xbb"), V, 0},
    {"6.23.4", S("\xef\xbf\xbc"), V, 0},
    {"6.23.5", S("\xef\xbf\xbd"), V, 0},
    {"6.23.6", S("\xef\xbf\xbe"), V, 0},
    {"6.23.7", S("\xef\xbf\xbf"), V, 0},
};

static int autobahn_counted_valid, autobahn_counted_invalid;

static void count(enum expect e) {
    if (e == V)
        autobahn_counted_valid++;
    else
        autobahn_counted_invalid++;
}

static void test_autobahn_table(void) {
    size_t n = sizeof autobahn_cases / sizeof autobahn_cases[0];
    check_cases(autobahn_cases, n);
    for (size_t i = 0; i < n; i++)
        count(autobahn_cases[i].expect);
}

/* 6.6: every prefix of κόσμε. A prefix ending inside a character is
 * PARTIAL while fed and INVALID at finish, offset = its length. */
static void test_autobahn_6_6_prefixes(void) {
    /* Character boundaries of ce ba | e1 bd b9 | cf 83 | ce bc | ce b5. */
    static const bool complete[KOSME_LEN + 1] = {
        [0] = true, [2] = true, [5] = true, [7] = true, [9] = true, [11] = true,
    };
    for (size_t len = 1; len <= KOSME_LEN; len++) {
        struct guarded g = guard_copy(KOSME, len);
        struct utf8_validator v;
        utf8_init(&v);
        enum utf8_result r = utf8_feed(&v, g.data, len);
        CHECK_EQ(r, complete[len] ? UTF8_VALID : UTF8_PARTIAL);
        r = utf8_finish(&v);
        CHECK_EQ(r, complete[len] ? UTF8_VALID : UTF8_INVALID);
        if (!complete[len])
            CHECK_EQ_U64(v.error_offset, len);
        guard_free(&g);
        char id[16];
        snprintf(id, sizeof id, "6.6.%zu", len);
        check_message(id, (const uint8_t *)KOSME, len, complete[len] ? V : X, len);
        count(complete[len] ? V : X);
    }
}

/* 6.12.8 (all of 80..BE) and 6.13 (lonely leads, each followed by 0x20). */
static void test_autobahn_generated(void) {
    uint8_t buf[128];
    size_t n = 0;
    for (unsigned b = 0x80; b <= 0xbe; b++)
        buf[n++] = (uint8_t)b;
    check_message("6.12.8", buf, n, X, 0);
    count(X);

    /* lo..hi, each octet followed by a space, and the expected offset:
     * C0 and F8..FC never appear (offset 0); E0 and F0 are valid leads but
     * 0x20 is no tail (offset 1). */
    static const struct {
        const char *id;
        unsigned lo, hi;
        size_t offset;
    } lonely[] = {
        {"6.13.1", 0xc0, 0xde, 0}, {"6.13.2", 0xe0, 0xee, 1}, {"6.13.3", 0xf0, 0xf6, 1},
        {"6.13.4", 0xf8, 0xfa, 0}, {"6.13.5", 0xfc, 0xfc, 0},
    };
    for (size_t i = 0; i < sizeof lonely / sizeof lonely[0]; i++) {
        n = 0;
        for (unsigned b = lonely[i].lo; b <= lonely[i].hi; b++) {
            buf[n++] = (uint8_t)b;
            buf[n++] = 0x20;
        }
        check_message(lonely[i].id, buf, n, X, lonely[i].offset);
        count(X);
    }
}

/* 6.22.3-34: U+nFFFE and U+nFFFF for planes n = 1..16. By hand: plane n
 * has code point bits 000 nnnnn 1111 111111 11111x, so the lead is
 * F0 | (n >> 2), the second octet 80 | (n & 3) << 4 | 0F, then BF, BE/BF. */
static void test_autobahn_6_22_planes(void) {
    /* clang-format off */
    static const uint8_t lead_second[16][2] = {
        {0xf0, 0x9f}, {0xf0, 0xaf}, {0xf0, 0xbf},                              /* 1-3 */
        {0xf1, 0x8f}, {0xf1, 0x9f}, {0xf1, 0xaf}, {0xf1, 0xbf},                /* 4-7 */
        {0xf2, 0x8f}, {0xf2, 0x9f}, {0xf2, 0xaf}, {0xf2, 0xbf},                /* 8-11 */
        {0xf3, 0x8f}, {0xf3, 0x9f}, {0xf3, 0xaf}, {0xf3, 0xbf},                /* 12-15 */
        {0xf4, 0x8f},                                                          /* 16 */
    };
    /* clang-format on */
    for (size_t plane = 0; plane < 16; plane++) {
        for (unsigned last = 0xbe; last <= 0xbf; last++) {
            uint8_t seq[4] = {lead_second[plane][0], lead_second[plane][1], 0xbf, (uint8_t)last};
            check_message("6.22.x", seq, 4, V, 0);
            count(V);
        }
    }
}

/* Runs last among the Autobahn tests: AUTOBAHN.md says 6.5-6.23 hold 63
 * valid and 69 invalid sequences. */
static void test_autobahn_totals(void) {
    CHECK_EQ(autobahn_counted_valid, 63);
    CHECK_EQ(autobahn_counted_invalid, 69);
}

/* 6.4: κόσμε + f4 90 80 80 (U+110000) + "edited" in three parts. The
 * validator must fail in part 2, at the 0x90 (offset 12). */
static void test_autobahn_6_4_fail_fast(void) {
    static const struct {
        const char *id;
        const char *parts[3];
        size_t lens[3];
        enum utf8_result after_part1;
    } splits[] = {
        {"6.4.1/6.4.3", {KOSME, "\xf4\x90\x80\x80", "edited"}, {KOSME_LEN, 4, 6}, UTF8_VALID},
        {"6.4.2/6.4.4",
         {KOSME "\xf4", "\x90",
          "\x80\x80"
          "edited"},
         {KOSME_LEN + 1, 1, 8},
         UTF8_PARTIAL},
    };
    for (size_t i = 0; i < 2; i++) {
        struct utf8_validator v;
        utf8_init(&v);
        struct guarded p1 = guard_copy(splits[i].parts[0], splits[i].lens[0]);
        struct guarded p2 = guard_copy(splits[i].parts[1], splits[i].lens[1]);
        struct guarded p3 = guard_copy(splits[i].parts[2], splits[i].lens[2]);
        CHECK_EQ(utf8_feed(&v, p1.data, splits[i].lens[0]), splits[i].after_part1);
        CHECK(!v.failed);
        CHECK_EQ(utf8_feed(&v, p2.data, splits[i].lens[1]), UTF8_INVALID);
        CHECK(v.failed);
        CHECK_EQ_U64(v.error_offset, 12);
        /* Part 3 is ignored: still invalid, same offset. */
        CHECK_EQ(utf8_feed(&v, p3.data, splits[i].lens[2]), UTF8_INVALID);
        CHECK_EQ_U64(v.error_offset, 12);
        CHECK_EQ(utf8_finish(&v), UTF8_INVALID);
        CHECK_EQ_U64(v.error_offset, 12);
        guard_free(&p1);
        guard_free(&p2);
        guard_free(&p3);
    }
    /* 6.3: κόσμε + ed a0 80 + "edited": the A0 at offset 12 fails. */
    check_message("6.3.1",
                  (const uint8_t *)KOSME "\xed\xa0\x80"
                                         "edited",
                  KOSME_LEN + 3 + 6, X, 12);
    /* 6.2.1: "Hello-µ@ßöäüàá-UTF-8!!" */
    static const char hello[] = "Hello-\xc2\xb5@\xc3\x9f\xc3\xb6\xc3\xa4\xc3\xbc\xc3\xa0\xc3\xa1"
                                "-UTF-8!!";
    CHECK_EQ(sizeof hello - 1, 29); /* 22 characters, 7 of them two octets long */
    check_message("6.2.1", (const uint8_t *)hello, sizeof hello - 1, V, 0);
}

/* Each boundary of RFC 3629's table on both sides, plus the overlong form
 * of the last code point below each length boundary. */
static const struct seq_case boundary_cases[] = {
    {"U+007F", S("\x7f"), V, 0},
    {"U+0080", S("\xc2\x80"), V, 0},
    {"U+007F overlong", S("\xc1\xbf"), X, 0},
    {"U+07FF", S("\xdf\xbf"), V, 0},
    {"U+0800", S("\xe0\xa0\x80"), V, 0},
    {"U+07FF overlong", S("\xe0\x9f\xbf"), X, 1},
    {"U+D7FF", S("\xed\x9f\xbf"), V, 0},
    {"U+D800", S("\xed\xa0\x80"), X, 1},
    {"U+DFFF", S("\xed\xbf\xbf"), X, 1},
    {"U+E000", S("\xee\x80\x80"), V, 0},
    {"U+FFFF", S("\xef\xbf\xbf"), V, 0},
    {"U+10000", S("\xf0\x90\x80\x80"), V, 0},
    {"U+FFFF overlong", S("\xf0\x8f\xbf\xbf"), X, 1},
    {"U+10FFFF", S("\xf4\x8f\xbf\xbf"), V, 0},
    {"U+110000", S("\xf4\x90\x80\x80"), X, 1},
    {"U+13FFFF", S("\xf4\xbf\xbf\xbf"), X, 1},
    {"U+140000", S("\xf5\x80\x80\x80"), X, 0},
    /* Overlong forms of ASCII 'A' (U+0041) */
    {"A overlong 2", S("\xc1\x81"), X, 0},
    {"A overlong 3", S("\xe0\x81\x81"), X, 1},
    {"A overlong 4", S("\xf0\x80\x81\x81"), X, 1},
    /* A lead followed by another lead or by ASCII: the second octet fails */
    {"C2 C2", S("\xc2\xc2\x80"), X, 1},
    {"E1 41", S("\xe1\x41\x80"), X, 1},
    {"E1 80 41", S("\xe1\x80\x41"), X, 2},
    {"F1 80 80 41", S("\xf1\x80\x80\x41"), X, 3},
    /* Error after a long ASCII run: the fast path must report the octet */
    {"ascii+80", S("0123456789abcdef0123456789abcdef\x80"), X, 32},
    {"ascii+bad mid",
     S("0123456789abcdefXYZ\xff"
       "0123456789abcdef"),
     X, 19},
    {"ascii+trunc", S("0123456789abcdef0123456789abcde\xe2\x82"), X, 33},
    {"ascii+4byte",
     S("0123456789abcde\xf0\x9f\x98\x80"
       "0123456789abcdef"),
     V, 0},
    {"empty", "", 0, V, 0},
};

static void test_boundaries(void) {
    check_cases(boundary_cases, sizeof boundary_cases / sizeof boundary_cases[0]);
}

/* Derived from the ABNF alone: which second octets may follow lead b. */
static bool abnf_second_ok(unsigned lead, unsigned second) {
    if (lead >= 0xc2 && lead <= 0xdf)
        return second >= 0x80 && second <= 0xbf;
    if (lead == 0xe0)
        return second >= 0xa0 && second <= 0xbf;
    if ((lead >= 0xe1 && lead <= 0xec) || lead == 0xee || lead == 0xef)
        return second >= 0x80 && second <= 0xbf;
    if (lead == 0xed)
        return second >= 0x80 && second <= 0x9f;
    if (lead == 0xf0)
        return second >= 0x90 && second <= 0xbf;
    if (lead >= 0xf1 && lead <= 0xf3)
        return second >= 0x80 && second <= 0xbf;
    if (lead == 0xf4)
        return second >= 0x80 && second <= 0x8f;
    return false;
}

/* Number of octets of the sequence lead b opens, 0 if it is no lead. */
static size_t abnf_seq_len(unsigned b) {
    if (b <= 0x7f)
        return 1;
    if (b >= 0xc2 && b <= 0xdf)
        return 2;
    if (b >= 0xe0 && b <= 0xef)
        return 3;
    if (b >= 0xf0 && b <= 0xf4)
        return 4;
    return 0;
}

/* All 256 single octets and all 65536 octet pairs against the ABNF. */
static void test_exhaustive_two_octets(void) {
    for (unsigned b = 0; b < 256; b++) {
        uint8_t one = (uint8_t)b;
        struct utf8_validator v;
        utf8_init(&v);
        enum utf8_result r = utf8_feed(&v, &one, 1);
        size_t len = abnf_seq_len(b);
        enum utf8_result want = len == 1 ? UTF8_VALID : len > 1 ? UTF8_PARTIAL : UTF8_INVALID;
        CHECK_EQ(r, want);
        if (want == UTF8_INVALID)
            CHECK_EQ_U64(v.error_offset, 0);
    }
    int wrong = 0;
    for (unsigned a = 0; a < 256; a++) {
        for (unsigned b = 0; b < 256; b++) {
            uint8_t two[2] = {(uint8_t)a, (uint8_t)b};
            struct utf8_validator v;
            utf8_init(&v);
            enum utf8_result r = utf8_feed(&v, two, 2);
            size_t len = abnf_seq_len(a);
            enum utf8_result want;
            uint64_t want_off = 0;
            if (len == 0) {
                want = UTF8_INVALID;
            } else if (len == 1) {
                size_t len_b = abnf_seq_len(b);
                want = len_b == 1 ? UTF8_VALID : len_b > 1 ? UTF8_PARTIAL : UTF8_INVALID;
                want_off = 1;
            } else if (abnf_second_ok(a, b)) {
                want = len == 2 ? UTF8_VALID : UTF8_PARTIAL;
            } else {
                want = UTF8_INVALID;
                want_off = 1;
            }
            if (r != want || (want == UTF8_INVALID && v.error_offset != want_off))
                wrong++;
        }
    }
    CHECK_EQ(wrong, 0);
}

/* Any way of cutting a message into fragments gives the same result and
 * offset as one piece: every single cut, every pair of cuts, and octet by
 * octet. */
static void check_all_splits(const uint8_t *msg, size_t len) {
    size_t whole_off = 0;
    bool whole_ok = utf8_is_valid(msg, len, &whole_off);
    struct guarded g = guard_copy(msg, len);
    for (size_t cut1 = 0; cut1 <= len; cut1++) {
        for (size_t cut2 = cut1; cut2 <= len; cut2++) {
            struct utf8_validator v;
            utf8_init(&v);
            /* Copy each piece behind its own guard page. */
            struct guarded a = guard_copy(g.data, cut1);
            struct guarded b = guard_copy(g.data + cut1, cut2 - cut1);
            struct guarded c = guard_copy(g.data + cut2, len - cut2);
            utf8_feed(&v, a.data, cut1);
            utf8_feed(&v, b.data, cut2 - cut1);
            utf8_feed(&v, c.data, len - cut2);
            guard_free(&a);
            guard_free(&b);
            guard_free(&c);
            enum utf8_result r = utf8_finish(&v);
            CHECK_EQ(r == UTF8_VALID, whole_ok);
            if (!whole_ok)
                CHECK_EQ_U64(v.error_offset, whole_off);
        }
    }
    guard_free(&g);
}

static void test_split_invariance(void) {
    static const struct {
        const char *bytes;
        size_t len;
    } msgs[] = {
        {S(KOSME)},
        {S(KOSME "\xf4\x90\x80\x80"
                 "edited")},
        {S(KOSME "\xed\xa0\x80"
                 "edited")},
        {S("hello\xf0\xa4\xad\xa2world\xe2\x82\xac!")},
        {S("0123456789abcdef\xc2\xa2"
           "0123456789abcdef\xef\xbf\xbf")},
        {S("abc\xe0\x80\xaf")},
        {S("abcdefghijklmnop\xf4\x8f\xbf")},
        {S("\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\xed\x9f\xbf\xee\x80\x80")},
    };
    for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++)
        check_all_splits((const uint8_t *)msgs[i].bytes, msgs[i].len);
}

/* State behaviour of the incremental API. */
static void test_api(void) {
    struct utf8_validator v;
    utf8_init(&v);
    CHECK_EQ(v.state, 0);
    CHECK_EQ(utf8_feed(&v, NULL, 0), UTF8_VALID);
    CHECK_EQ(utf8_finish(&v), UTF8_VALID);
    CHECK_EQ_U64(v.offset, 0);

    /* Empty feeds keep PARTIAL; finish turns it into INVALID at the end. */
    utf8_init(&v);
    CHECK_EQ(utf8_feed(&v, (const uint8_t *)"ab\xf0\x9f", 4), UTF8_PARTIAL);
    CHECK_EQ(utf8_feed(&v, NULL, 0), UTF8_PARTIAL);
    CHECK_EQ(utf8_feed(&v, (const uint8_t *)"\x98", 1), UTF8_PARTIAL);
    CHECK_EQ_U64(v.offset, 5);
    CHECK_EQ(utf8_finish(&v), UTF8_INVALID);
    CHECK_EQ_U64(v.error_offset, 5);
    CHECK_EQ(utf8_feed(&v, (const uint8_t *)"\x80", 1), UTF8_INVALID);
    CHECK_EQ_U64(v.error_offset, 5);

    /* Offsets count across calls. */
    utf8_init(&v);
    CHECK_EQ(utf8_feed(&v, (const uint8_t *)"0123456789", 10), UTF8_VALID);
    CHECK_EQ(utf8_feed(&v, (const uint8_t *)"01234\xc0", 6), UTF8_INVALID);
    CHECK_EQ_U64(v.error_offset, 15);
    CHECK_EQ_U64(v.offset, 16);

    /* A NULL error_offset is allowed; a valid buffer leaves it alone. */
    CHECK(!utf8_is_valid((const uint8_t *)"\xff", 1, NULL));
    size_t off = 77;
    CHECK(utf8_is_valid((const uint8_t *)"ok", 2, &off));
    CHECK_EQ(off, 77);
    CHECK(utf8_is_valid(NULL, 0, &off));
}

/* A long message: ASCII with one character every 97 octets, one bad octet
 * far in, checked against the position where it was put. */
static void test_long_message(void) {
    size_t len = 1 << 16;
    uint8_t *buf = malloc(len);
    CHECK(buf != NULL);
    if (!buf)
        return;
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)('a' + i % 26);
    for (size_t i = 50; i + 3 < len; i += 97) {
        buf[i] = 0xe2; /* U+20AC € */
        buf[i + 1] = 0x82;
        buf[i + 2] = 0xac;
    }
    struct guarded g = guard_copy(buf, len);
    CHECK(utf8_is_valid(g.data, len, NULL));
    guard_free(&g);
    buf[40001] = 0xbf; /* a stray tail among letters */
    CHECK(buf[40000] < 0x80 && buf[40002] < 0x80);
    g = guard_copy(buf, len);
    size_t off = 0;
    CHECK(!utf8_is_valid(g.data, len, &off));
    CHECK_EQ(off, 40001);
    guard_free(&g);
    free(buf);
}

int main(void) {
    RUN(test_autobahn_table);
    RUN(test_autobahn_6_6_prefixes);
    RUN(test_autobahn_generated);
    RUN(test_autobahn_6_22_planes);
    RUN(test_autobahn_totals);
    RUN(test_autobahn_6_4_fail_fast);
    RUN(test_boundaries);
    RUN(test_exhaustive_two_octets);
    RUN(test_split_invariance);
    RUN(test_api);
    RUN(test_long_message);
    TEST_EXIT();
}
