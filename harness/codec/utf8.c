/* utf8: incremental UTF-8 validation by a table-driven DFA.
 *
 * The automaton is transcribed from the ABNF of well-formed sequences in
 * RFC 3629 section 4:
 *
 *   UTF8-1      = %x00-7F
 *   UTF8-2      = %xC2-DF UTF8-tail
 *   UTF8-3      = %xE0 %xA0-BF UTF8-tail / %xE1-EC 2( UTF8-tail ) /
 *                 %xED %x80-9F UTF8-tail / %xEE-EF 2( UTF8-tail )
 *   UTF8-4      = %xF0 %x90-BF 2( UTF8-tail ) / %xF1-F3 3( UTF8-tail ) /
 *                 %xF4 %x80-8F 2( UTF8-tail )
 *   UTF8-tail   = %x80-BF
 *
 * and 3629:1 "The octet values C0, C1, F5 to FF never appear."
 *
 * Every octet value is first mapped to one of twelve classes, chosen so that
 * all octets of a class behave identically in every state (the special
 * second-byte ranges of E0, ED, F0 and F4 split the tail range 80..BF into
 * 80..8F, 90..9F and A0..BF). A state is "what the rest of the current
 * sequence must look like". Reaching REJECT at an octet means no
 * continuation could make the stream well-formed, so that octet is the first
 * invalid one; a stream that merely stops inside a sequence is PARTIAL until
 * utf8_finish() declares it truncated.
 *
 * The table is small (9 x 12 octets) and the loop does one lookup per octet
 * outside ASCII runs; ASCII runs in the accept state are skipped eight octets
 * at a time. */
#include "codec/utf8.h"

#include <stdint.h>
#include <string.h>

/* Octet classes. */
enum {
    C_ASCII, /* 00..7F: UTF8-1 */
    C_T8,    /* 80..8F: tail, also the only second octet F4 allows */
    C_T9,    /* 90..9F: tail, allowed after ED and after F0 */
    C_TA,    /* A0..BF: tail, allowed after E0 and after F0, not after ED/F4 */
    C_L2,    /* C2..DF: lead of UTF8-2 */
    C_E0,    /* E0: UTF8-3 whose second octet is A0..BF */
    C_L3,    /* E1..EC, EE..EF: UTF8-3 with two plain tails */
    C_ED,    /* ED: UTF8-3 whose second octet is 80..9F (no surrogates) */
    C_F0,    /* F0: UTF8-4 whose second octet is 90..BF */
    C_L4,    /* F1..F3: UTF8-4 with three plain tails */
    C_F4,    /* F4: UTF8-4 whose second octet is 80..8F (<= U+10FFFF) */
    C_BAD,   /* C0, C1, F5..FF: never appear */
    N_CLASSES
};

/* States. S_ACCEPT must be 0 (utf8.h: "0 = accept"). */
enum {
    S_ACCEPT, /* between characters */
    S_TAIL1,  /* one UTF8-tail still needed */
    S_TAIL2,  /* two UTF8-tails still needed */
    S_TAIL3,  /* three UTF8-tails still needed */
    S_E0,     /* after E0: need A0..BF, then one tail */
    S_ED,     /* after ED: need 80..9F, then one tail */
    S_F0,     /* after F0: need 90..BF, then two tails */
    S_F4,     /* after F4: need 80..8F, then two tails */
    S_REJECT, /* no continuation can be well-formed */
    N_STATES
};

#define R_ S_REJECT

/* The class of every octet value. */
/* clang-format off */
static const uint8_t octet_class[256] = {
    /* 00..7F */
    C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII,
    C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII,
    C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII,
    C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII,
    C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII,
    C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII,
    C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII,
    C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII,
    C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII,
    C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII,
    C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII,
    C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII,
    C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII, C_ASCII,
    /* 80..8F */
    C_T8, C_T8, C_T8, C_T8, C_T8, C_T8, C_T8, C_T8,
    C_T8, C_T8, C_T8, C_T8, C_T8, C_T8, C_T8, C_T8,
    /* 90..9F */
    C_T9, C_T9, C_T9, C_T9, C_T9, C_T9, C_T9, C_T9,
    C_T9, C_T9, C_T9, C_T9, C_T9, C_T9, C_T9, C_T9,
    /* A0..BF */
    C_TA, C_TA, C_TA, C_TA, C_TA, C_TA, C_TA, C_TA,
    C_TA, C_TA, C_TA, C_TA, C_TA, C_TA, C_TA, C_TA,
    C_TA, C_TA, C_TA, C_TA, C_TA, C_TA, C_TA, C_TA,
    C_TA, C_TA, C_TA, C_TA, C_TA, C_TA, C_TA, C_TA,
    /* C0..C1: would only encode U+0000..U+007F (overlong) */
    C_BAD, C_BAD,
    /* C2..DF */
    C_L2, C_L2, C_L2, C_L2, C_L2, C_L2, C_L2, C_L2, C_L2, C_L2, C_L2, C_L2, C_L2, C_L2,
    C_L2, C_L2, C_L2, C_L2, C_L2, C_L2, C_L2, C_L2, C_L2, C_L2, C_L2, C_L2, C_L2, C_L2,
    C_L2, C_L2,
    /* E0..EF */
    C_E0, C_L3, C_L3, C_L3, C_L3, C_L3, C_L3, C_L3,
    C_L3, C_L3, C_L3, C_L3, C_L3, C_ED, C_L3, C_L3,
    /* F0..F7 */
    C_F0, C_L4, C_L4, C_L4, C_F4, C_BAD, C_BAD, C_BAD,
    /* F8..FF */
    C_BAD, C_BAD, C_BAD, C_BAD, C_BAD, C_BAD, C_BAD, C_BAD,
};
/* clang-format on */

/* next_state[state][class]. Columns in enum order:
 *   ASCII  80-8F  90-9F  A0-BF  C2-DF  E0  E1-EC/EE-EF  ED  F0  F1-F3  F4  bad */
/* clang-format off */
static const uint8_t next_state[N_STATES][N_CLASSES] = {
    /* S_ACCEPT: an ASCII octet stays; a lead opens its sequence; a lone tail
     * or C0/C1/F5..FF is wrong in every context. */
    [S_ACCEPT] = {S_ACCEPT, R_, R_, R_, S_TAIL1, S_E0, S_TAIL2, S_ED, S_F0, S_TAIL3, S_F4, R_},
    /* S_TAIL1..3: any UTF8-tail 80..BF, anything else ends the sequence early. */
    [S_TAIL1] = {R_, S_ACCEPT, S_ACCEPT, S_ACCEPT, R_, R_, R_, R_, R_, R_, R_, R_},
    [S_TAIL2] = {R_, S_TAIL1, S_TAIL1, S_TAIL1, R_, R_, R_, R_, R_, R_, R_, R_},
    [S_TAIL3] = {R_, S_TAIL2, S_TAIL2, S_TAIL2, R_, R_, R_, R_, R_, R_, R_, R_},
    /* %xE0 %xA0-BF UTF8-tail: 80..9F would be an overlong form (< U+0800). */
    [S_E0] = {R_, R_, R_, S_TAIL1, R_, R_, R_, R_, R_, R_, R_, R_},
    /* %xED %x80-9F UTF8-tail: A0..BF would encode U+D800..U+DFFF. */
    [S_ED] = {R_, S_TAIL1, S_TAIL1, R_, R_, R_, R_, R_, R_, R_, R_, R_},
    /* %xF0 %x90-BF 2( UTF8-tail ): 80..8F would be overlong (< U+10000). */
    [S_F0] = {R_, R_, S_TAIL2, S_TAIL2, R_, R_, R_, R_, R_, R_, R_, R_},
    /* %xF4 %x80-8F 2( UTF8-tail ): 90..BF would be above U+10FFFF. */
    [S_F4] = {R_, S_TAIL2, R_, R_, R_, R_, R_, R_, R_, R_, R_, R_},
    /* Never left: the caller stops at the first REJECT anyway. */
    [S_REJECT] = {R_, R_, R_, R_, R_, R_, R_, R_, R_, R_, R_, R_},
};
/* clang-format on */

#undef R_

#define HIGH_BITS UINT64_C(0x8080808080808080)

/* Runs the automaton over data[0..len) from *state. Returns len when no
 * octet was rejected, else the index of the rejected octet (and *state is
 * S_REJECT). */
static size_t run_dfa(uint8_t *state, const uint8_t *data, size_t len) {
    uint8_t s = *state;
    size_t i = 0;
    while (i < len) {
        if (s == S_ACCEPT && data[i] < 0x80) {
            /* Fast path: ASCII in the accept state cannot change anything,
             * so skip it a word at a time, then octet by octet. */
            i++;
            while (len - i >= 16) {
                uint64_t w0, w1;
                memcpy(&w0, data + i, sizeof w0);
                memcpy(&w1, data + i + 8, sizeof w1);
                if ((w0 | w1) & HIGH_BITS)
                    break;
                i += 16;
            }
            while (i < len && data[i] < 0x80)
                i++;
            continue;
        }
        s = next_state[s][octet_class[data[i]]];
        if (s == S_REJECT) {
            *state = s;
            return i;
        }
        i++;
    }
    *state = s;
    return len;
}

void utf8_init(struct utf8_validator *v) {
    v->state = S_ACCEPT;
    v->failed = false;
    v->offset = 0;
    v->error_offset = 0;
}

/* Adds len to the running offset, saturating: 2^64 octets will never be fed,
 * but the sum is checked like every other length sum. */
static uint64_t offset_add(uint64_t offset, size_t len) {
    if ((uint64_t)len > UINT64_MAX - offset)
        return UINT64_MAX;
    return offset + (uint64_t)len;
}

/* Once failed, the validator ignores further input: offset then stays at the
 * end of the call that failed and error_offset never moves. */
enum utf8_result utf8_feed(struct utf8_validator *v, const uint8_t *data, size_t len) {
    if (v->failed)
        return UTF8_INVALID;
    if (len == 0)
        return v->state == S_ACCEPT ? UTF8_VALID : UTF8_PARTIAL;
    size_t stop = run_dfa(&v->state, data, len);
    if (stop < len) {
        /* 6455:8.1 "When an endpoint is to interpret a byte stream as UTF-8
         * but finds that the byte stream is not, in fact, a valid UTF-8
         * stream, that endpoint MUST _Fail the WebSocket Connection_." */
        v->failed = true;
        v->error_offset = offset_add(v->offset, stop);
        v->offset = offset_add(v->offset, len);
        return UTF8_INVALID;
    }
    v->offset = offset_add(v->offset, len);
    return v->state == S_ACCEPT ? UTF8_VALID : UTF8_PARTIAL;
}

enum utf8_result utf8_finish(struct utf8_validator *v) {
    if (v->failed)
        return UTF8_INVALID;
    if (v->state != S_ACCEPT) {
        /* A message that ends inside a sequence matches none of UTF8-1..4:
         * the first octet that is missing is the invalid one. */
        v->state = S_REJECT;
        v->failed = true;
        v->error_offset = v->offset;
        return UTF8_INVALID;
    }
    return UTF8_VALID;
}

/* *error_offset is written only when the result is false. */
bool utf8_is_valid(const uint8_t *data, size_t len, size_t *error_offset) {
    uint8_t state = S_ACCEPT;
    size_t stop = len ? run_dfa(&state, data, len) : 0;
    if (stop < len) {
        if (error_offset)
            *error_offset = stop;
        return false;
    }
    if (state != S_ACCEPT) {
        if (error_offset)
            *error_offset = len;
        return false;
    }
    return true;
}
