/* utf8_fuzz: differential fuzzing of the UTF-8 DFA against a deliberately
 * plain reference that decodes code points with ifs.
 *
 * Input: byte 0 seeds the fragment sizes, the rest is the message. The
 * message is validated three ways (utf8_is_valid, one utf8_feed, a feed per
 * fragment) and each must agree with the reference on validity, on the
 * offset of the first invalid octet, on PARTIAL vs VALID before finish, and
 * on the fragment in which the failure is reported (fail-fast). Any
 * disagreement aborts. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/wrap.h"
#include "codec/utf8.h"

enum ref_result { REF_VALID, REF_PARTIAL, REF_INVALID };

/* Could a character whose leading bits so far are cp, with `missing` more
 * 6-bit groups to come, still be a scalar value that needs exactly this
 * many octets? RFC 3629: at least min (shorter forms are overlong), at most
 * U+10FFFF, and not a surrogate U+D800..U+DFFF. */
static bool completion_possible(uint32_t cp, unsigned missing, uint32_t min) {
    uint32_t lo = cp << (6 * missing);
    uint32_t hi = lo | ((UINT32_C(1) << (6 * missing)) - 1);
    if (hi < min || lo > 0x10FFFF)
        return false;
    if (lo < min)
        lo = min;
    if (hi > 0x10FFFF)
        hi = 0x10FFFF;
    if (lo >= 0xD800 && hi <= 0xDFFF)
        return false;
    return true;
}

/* Returns REF_INVALID with *bad = the first octet after which no
 * continuation can be valid, REF_PARTIAL with *bad = n when the input ends
 * inside a character, or REF_VALID. */
static enum ref_result ref_check(const uint8_t *s, size_t n, size_t *bad) {
    size_t i = 0;
    while (i < n) {
        uint8_t lead = s[i];
        unsigned need;
        uint32_t cp, min;
        if (lead < 0x80) {
            i++;
            continue;
        } else if (lead >= 0xC0 && lead <= 0xDF) {
            need = 1;
            cp = lead & 0x1F;
            min = 0x80;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            need = 2;
            cp = lead & 0x0F;
            min = 0x800;
        } else if (lead >= 0xF0 && lead <= 0xF7) {
            need = 3;
            cp = lead & 0x07;
            min = 0x10000;
        } else {
            *bad = i; /* a continuation octet with no lead, or F8..FF */
            return REF_INVALID;
        }
        if (!completion_possible(cp, need, min)) {
            *bad = i;
            return REF_INVALID;
        }
        i++;
        for (unsigned k = 1; k <= need; k++) {
            if (i == n) {
                *bad = n;
                return REF_PARTIAL;
            }
            if ((s[i] & 0xC0) != 0x80) {
                *bad = i;
                return REF_INVALID;
            }
            cp = cp << 6 | (s[i] & 0x3F);
            if (!completion_possible(cp, need - k, min)) {
                *bad = i;
                return REF_INVALID;
            }
            i++;
        }
    }
    return REF_VALID;
}

static void mismatch(const char *what, size_t n, uint64_t got, uint64_t want) {
    fprintf(stderr, "utf8_fuzz: %s mismatch (len %zu): got %llu, want %llu\n", what, n,
            (unsigned long long)got, (unsigned long long)want);
    abort();
}

/* Fragment sizes 0..32 from a small LCG seeded by the first input octet. */
WS_WRAPS_ON_PURPOSE static size_t next_fragment(uint32_t *lcg) { /* an LCG mod 2^32 */
    *lcg = *lcg * 1103515245u + 12345u;
    return (*lcg >> 16) % 33;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0)
        return 0;
    uint32_t lcg = data[0];
    const uint8_t *msg = data + 1;
    size_t n = size - 1;

    size_t ref_bad = 0;
    enum ref_result ref = ref_check(msg, n, &ref_bad);
    bool ref_ok = ref == REF_VALID;

    /* One-shot. */
    size_t off = 0;
    bool ok = utf8_is_valid(msg, n, &off);
    if (ok != ref_ok)
        mismatch("is_valid", n, ok, ref_ok);
    if (!ok && off != ref_bad)
        mismatch("is_valid offset", n, off, ref_bad);

    /* One feed: VALID / PARTIAL / INVALID must match the reference. */
    struct utf8_validator v;
    utf8_init(&v);
    enum utf8_result r = utf8_feed(&v, msg, n);
    enum utf8_result want = ref == REF_VALID     ? UTF8_VALID
                            : ref == REF_PARTIAL ? UTF8_PARTIAL
                                                 : UTF8_INVALID;
    if (r != want)
        mismatch("feed result", n, r, want);
    if (r == UTF8_INVALID && v.error_offset != ref_bad)
        mismatch("feed offset", n, v.error_offset, ref_bad);
    r = utf8_finish(&v);
    if ((r == UTF8_VALID) != ref_ok)
        mismatch("finish", n, r, ref_ok);
    if (r == UTF8_INVALID && v.error_offset != ref_bad)
        mismatch("finish offset", n, v.error_offset, ref_bad);

    /* Fragments: the failure must show in the fragment holding ref_bad. */
    utf8_init(&v);
    size_t pos = 0;
    bool failed = false;
    while (pos < n) {
        size_t frag = next_fragment(&lcg);
        if (frag > n - pos)
            frag = n - pos;
        r = utf8_feed(&v, msg + pos, frag);
        bool holds_bad = ref == REF_INVALID && ref_bad >= pos && ref_bad < pos + frag;
        if (!failed && (r == UTF8_INVALID) != holds_bad)
            mismatch("fail-fast fragment", n, pos, ref_bad);
        if (failed && r != UTF8_INVALID)
            mismatch("sticky failure", n, r, UTF8_INVALID);
        failed = failed || r == UTF8_INVALID;
        pos += frag;
    }
    r = utf8_finish(&v);
    if ((r == UTF8_VALID) != ref_ok)
        mismatch("fragmented finish", n, r, ref_ok);
    if (r == UTF8_INVALID && v.error_offset != ref_bad)
        mismatch("fragmented offset", n, v.error_offset, ref_bad);
    return 0;
}
