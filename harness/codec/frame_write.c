/* frame_write: the RFC 6455 section 5 frame writer.
 *
 * The harness must be able to SEND wrong things, so the writer checks only
 * what it cannot encode at all (an opcode above 15, RSV above 7, a length
 * that does not fit a forced 7- or 16-bit form). Everything else a test
 * asks for is written as given: reserved opcodes, RSV bits, fragmented or
 * oversized control frames, unmasked client frames, non-minimal lengths,
 * a declared length that differs from the bytes sent, and 64-bit lengths
 * with the most significant bit set.
 */
#include "codec/frame.h"

#include <string.h>

#include "base/buf.h"
#include "base/errors.h"
#include "codec/mask.h"

enum { MAX_LEN7 = 125, MAX_LEN16 = 0xFFFF };

static bool len_form_known(enum frame_len_form form) {
    return form == FRAME_LEN_AUTO || form == FRAME_LEN_7 || form == FRAME_LEN_16 ||
           form == FRAME_LEN_64;
}

/* The length form for `length` under `form` (one of enum frame_len_form),
 * or 0 when it cannot hold it. */
static unsigned length_bits_for(enum frame_len_form form, uint64_t length) {
    switch (form) {
    case FRAME_LEN_AUTO:
        /* 6455:5.2 "the minimal number of bytes MUST be used to encode the
         * length" */
        return length <= MAX_LEN7 ? 7 : length <= MAX_LEN16 ? 16 : 64;
    case FRAME_LEN_7: return length <= MAX_LEN7 ? 7 : 0;
    case FRAME_LEN_16: return length <= MAX_LEN16 ? 16 : 0;
    case FRAME_LEN_64: return 64;
    }
    return 0;
}

/* frame_write_header: encode the header for spec into out[0..14).
 *
 * The length field carries spec->declared_len when spec->declared_len_set
 * (any 64-bit value, top bit included), else payload_len; the forced form
 * check applies to that carried value. The masking key is written as given
 * when spec->masked. spec is borrowed; out is written, octets past the
 * returned length are left untouched.
 *
 * Returns the header length (2..14); WS_ERR_FRAME_FIELD when spec->opcode >
 * 15, spec->rsv > 7 or spec->len_form is not a frame_len_form value;
 * WS_ERR_FRAME_LEN_FORM when a forced FRAME_LEN_7 / FRAME_LEN_16 cannot hold
 * the carried length. */
int frame_write_header(const struct frame_spec *spec, uint64_t payload_len, uint8_t out[14]) {
    if (spec->opcode > 0x0F || spec->rsv > 7 || !len_form_known(spec->len_form))
        return WS_ERR_FRAME_FIELD;
    uint64_t length = spec->declared_len_set ? spec->declared_len : payload_len;
    unsigned bits = length_bits_for(spec->len_form, length);
    if (bits == 0)
        return WS_ERR_FRAME_LEN_FORM;

    size_t pos = 0;
    out[pos++] = (uint8_t)((spec->fin ? 0x80 : 0) | (spec->rsv << 4) | spec->opcode);
    uint8_t mask_bit = spec->masked ? 0x80 : 0;
    if (bits == 7) {
        out[pos++] = (uint8_t)(mask_bit | length);
    } else if (bits == 16) {
        out[pos++] = (uint8_t)(mask_bit | 126);
        out[pos++] = (uint8_t)(length >> 8);
        out[pos++] = (uint8_t)length;
    } else {
        /* 6455:5.2 "Multibyte length quantities are expressed in network
         * byte order." */
        out[pos++] = (uint8_t)(mask_bit | 127);
        for (int shift = 56; shift >= 0; shift -= 8)
            out[pos++] = (uint8_t)(length >> shift);
    }
    if (spec->masked) {
        memcpy(out + pos, spec->mask_key, 4);
        pos += 4;
    }
    return (int)pos;
}

/* frame_build: append the header for spec and payload_len payload octets,
 * then the payload itself (masked with spec->mask_key from payload offset 0
 * when spec->masked) to *out. The payload is always written as given, even
 * when spec->declared_len says otherwise, so a lying frame is easy to send.
 *
 * spec and payload are borrowed (payload may be NULL when payload_len is
 * 0); out is grown and owned by the caller. Returns 0, or WS_ERR_FRAME_FIELD
 * / WS_ERR_FRAME_LEN_FORM (see frame_write_header), WS_ERR_OVERFLOW or
 * WS_ERR_NOMEM; on error *out is unchanged. */
int frame_build(const struct frame_spec *spec, const uint8_t *payload, size_t payload_len,
                struct buf *out) {
    uint8_t header[14];
    int header_len = frame_write_header(spec, (uint64_t)payload_len, header);
    if (header_len < 0)
        return header_len;
    size_t total;
    int rc = size_add((size_t)header_len, payload_len, &total);
    if (rc != 0)
        return rc;
    rc = buf_reserve(out, total);
    if (rc != 0)
        return rc;
    memcpy(out->data + out->len, header, (size_t)header_len);
    uint8_t *body = out->data + out->len + header_len;
    if (payload_len != 0) {
        memcpy(body, payload, payload_len);
        if (spec->masked)
            /* 6455:5.3 "The masking key is a 32-bit value chosen at random
             * by the client." (the key comes from the caller's seeded PRNG) */
            mask_apply(body, payload_len, spec->mask_key, 0);
    }
    out->len += total;
    return 0;
}
