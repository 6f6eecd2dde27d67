/* closeframe: close frame payloads and status codes (6455:5.5.1, 6455:7.4).
 *
 * Pure functions. A close payload from a peer is parsed into a code and a
 * reason view and judged against the code registry, role-aware: some codes
 * may be sent only by one side, some never appear on the wire. Nothing here
 * returns a ws_error: what is wrong with a payload is the peer's, a
 * closeframe_payload_problem (verdict material). */
#ifndef WSSPEC_CLOSEFRAME_H
#define WSSPEC_CLOSEFRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Who sent the close frame being judged. */
enum closeframe_sender { CLOSEFRAME_FROM_CLIENT, CLOSEFRAME_FROM_SERVER };

enum closeframe_code_class {
    CLOSEFRAME_CODE_VALID, /* defined by 6455:7.4.1 or registered (1012-1014), or 3000-4999 */
    CLOSEFRAME_CODE_NEVER_ON_WIRE, /* 1005, 1006, 1015: 6455:7.4.1 "MUST NOT be set as a status code" */
    CLOSEFRAME_CODE_WRONG_ROLE,   /* 1010 sent by a server: it is for a client to send */
    CLOSEFRAME_CODE_RESERVED,     /* 1004 and 1016-2999: reserved, not to be used */
    CLOSEFRAME_CODE_OUT_OF_RANGE, /* 0-999 and 5000-65535: 6455:7.4.2 not used */
};

enum closeframe_payload_problem {
    CLOSEFRAME_P_OK = 0,
    CLOSEFRAME_P_ONE_BYTE,    /* 6455:5.5.1 body must start with a 2-octet code */
    CLOSEFRAME_P_BAD_CODE,    /* see closeframe_code_class */
    CLOSEFRAME_P_REASON_UTF8, /* 6455:5.5.1 reason MUST be valid UTF-8 (-> 1007) */
    CLOSEFRAME_P_TOO_LONG,    /* > 125 octets: control frame rule (6455:5.5) */
};

struct closeframe_info {
    bool has_code; /* false for an empty payload */
    uint16_t code;
    const uint8_t *reason; /* view into the payload */
    size_t reason_len;
    enum closeframe_code_class code_class;
    size_t reason_error_offset; /* when CLOSEFRAME_P_REASON_UTF8 */
};

enum closeframe_code_class closeframe_code_classify(uint16_t code, enum closeframe_sender sender);
/* Parse and judge a complete close payload (borrowed; out->reason points
 * into it); returns the first problem found, or CLOSEFRAME_P_OK. */
enum closeframe_payload_problem closeframe_parse(const uint8_t *payload, size_t len,
                                                 enum closeframe_sender sender,
                                                 struct closeframe_info *out);
/* The close code a conforming endpoint answers a bad close payload with:
 * 1007 for a reason that is not UTF-8, 1002 otherwise. */
uint16_t closeframe_problem_reply_code(enum closeframe_payload_problem p);
/* Writes 2-byte big-endian code + reason into out (cap >= 2 + reason_len).
 * Returns the payload length (>= 2), or 0 (nothing written) when it does not
 * fit in cap or out is NULL. */
size_t closeframe_payload_write(uint16_t code, const uint8_t *reason, size_t reason_len,
                                uint8_t *out, size_t cap);
const char *closeframe_code_name(uint16_t code); /* "normal", "going-away", ... or "unknown" */
const char *closeframe_problem_name(enum closeframe_payload_problem p);

#endif
