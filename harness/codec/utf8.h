/* utf8: an incremental UTF-8 validator (a DFA over RFC 3629's table of
 * well-formed byte sequences) that carries state across fragments and
 * reports the offset of the first invalid octet.
 *
 * 6455:8.1 "When an endpoint is to interpret a byte stream as UTF-8 but finds
 * that the byte stream is not, in fact, a valid UTF-8 stream, that endpoint
 * MUST _Fail the WebSocket Connection_." A validator that only checks whole
 * messages cannot judge fail-fast behaviour; this one knows the exact octet. */
#ifndef WSSPEC_UTF8_H
#define WSSPEC_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* No ws_error here: invalid UTF-8 from a peer is verdict material
 * (UTF8_INVALID), and UTF8_PARTIAL is this module's "need more bytes". */
enum utf8_result {
    UTF8_VALID = 0,   /* everything so far is valid and complete */
    UTF8_PARTIAL = 1, /* valid so far, but ends inside a code point: need more */
    UTF8_INVALID = 2, /* an invalid octet was seen: see error_offset */
};

struct utf8_validator {
    uint8_t state; /* DFA state; 0 = accept */
    bool failed;
    uint64_t offset;       /* octets fed so far */
    uint64_t error_offset; /* offset of the first invalid octet, when failed */
};

void utf8_init(struct utf8_validator *v);
/* Feed len octets (the next fragment). Once invalid it stays invalid and
 * further input is ignored. */
enum utf8_result utf8_feed(struct utf8_validator *v, const uint8_t *data, size_t len);
/* End of message: PARTIAL becomes INVALID (a truncated sequence), with
 * error_offset = the offset where the message ended. */
enum utf8_result utf8_finish(struct utf8_validator *v);
/* One-shot check of a complete buffer; *error_offset (may be NULL) gets the
 * first invalid octet's offset. */
bool utf8_is_valid(const uint8_t *data, size_t len, size_t *error_offset);

#endif
