/* closeframe: close payloads (6455:5.5.1) and status codes (6455:7.4).
 *
 * Pure functions, no allocation: closeframe_parse() returns views into the
 * caller's payload. The classification of codes follows 6455:7.4.1 and
 * 7.4.2 plus the IANA "WebSocket Close Code Number Registry", which added
 * 1012 (Service Restart), 1013 (Try Again Later) and 1014 (Bad Gateway);
 * Autobahn stopped treating 1012-1014 as invalid for the same reason
 * (crossbario/autobahn-testsuite #52, #88). */
#include "codec/closeframe.h"

#include <string.h>

#include "codec/utf8.h"

/* 6455:5.5 "All control frames MUST have a payload length of 125 bytes or
 * less and MUST NOT be fragmented." */
#define CLOSE_MAX_PAYLOAD 125

enum closeframe_code_class closeframe_code_classify(uint16_t code, enum closeframe_sender sender) {
    /* 6455:7.4.2 "Status codes in the range 0-999 are not used." */
    if (code < 1000)
        return CLOSEFRAME_CODE_OUT_OF_RANGE;
    switch (code) {
    case 1000: /* 6455:7.4.1 "1000 indicates a normal closure, ..." */
    case 1001: /* "1001 indicates that an endpoint is "going away", ..." */
    case 1002: /* "... terminating the connection due to a protocol error." */
    case 1003: /* "... received a type of data it cannot accept ..." */
    case 1007: /* "... data within a message that was not consistent with the
                * type of the message (e.g., non-UTF-8 [RFC3629] data ...)" */
    case 1008: /* "... received a message that violates its policy." */
    case 1009: /* "... received a message that is too big for it to process." */
        return CLOSEFRAME_CODE_VALID;
    case 1010:
        /* 6455:7.4.1 "1010 indicates that an endpoint (client) is terminating
         * the connection because it has expected the server to negotiate one
         * or more extension, ..." and "Note that this status code is not
         * used by the server, because it can fail the WebSocket handshake
         * instead." */
        return sender == CLOSEFRAME_FROM_CLIENT ? CLOSEFRAME_CODE_VALID
                                                : CLOSEFRAME_CODE_WRONG_ROLE;
    case 1011:
        /* 6455:7.4.1 "1011 indicates that a server is terminating the
         * connection because it encountered an unexpected condition ...".
         * The RFC errata and the IANA registry ("Internal Error") dropped the
         * server-only wording, and clients do send it, so both roles may. */
        return CLOSEFRAME_CODE_VALID;
    case 1012: /* IANA: Service Restart */
    case 1013: /* IANA: Try Again Later */
    case 1014: /* IANA: Bad Gateway */ return CLOSEFRAME_CODE_VALID;
    case 1004:
        /* 6455:7.4.1 "Reserved.  The specific meaning might be defined in
         * the future." */
        return CLOSEFRAME_CODE_RESERVED;
    case 1005:
    case 1006:
    case 1015:
        /* 6455:7.4.1 "1005 is a reserved value and MUST NOT be set as a
         * status code in a Close control frame by an endpoint." The same
         * sentence stands for 1006 and 1015. */
        return CLOSEFRAME_CODE_NEVER_ON_WIRE;
    default: break;
    }
    /* 6455:7.4.2 "Status codes in the range 1000-2999 are reserved for
     * definition by this protocol, its future revisions, and extensions
     * specified in a permanent and readily available public specification."
     * None beyond those above is defined, so a peer may not send them. */
    if (code <= 2999)
        return CLOSEFRAME_CODE_RESERVED;
    /* 6455:7.4.2 "Status codes in the range 3000-3999 are reserved for use by
     * libraries, frameworks, and applications." and "Status codes in the
     * range 4000-4999 are reserved for private use ..." */
    if (code <= 4999)
        return CLOSEFRAME_CODE_VALID;
    /* 5000-65535: 6455:7.4.2 defines no range for them. */
    return CLOSEFRAME_CODE_OUT_OF_RANGE;
}

/* Fills *out for payload[0..len) and returns the first problem, in the order
 * a receiver meets them: frame length, code, code value, reason. All fields
 * of *out are filled even when a problem is returned, so a report can show
 * what the peer sent; out may be NULL. reason_error_offset counts from the
 * start of the reason (not of the payload) and is 0 unless the problem is
 * CLOSEFRAME_P_REASON_UTF8. For an empty or one-octet payload has_code is false,
 * code is 0 and code_class is CLOSEFRAME_CODE_VALID (there is no code to judge). */
enum closeframe_payload_problem closeframe_parse(const uint8_t *payload, size_t len,
                                                 enum closeframe_sender sender,
                                                 struct closeframe_info *out) {
    struct closeframe_info scratch;
    struct closeframe_info *info = out ? out : &scratch;
    memset(info, 0, sizeof *info);
    info->code_class = CLOSEFRAME_CODE_VALID;
    info->reason = payload;

    enum closeframe_payload_problem problem = CLOSEFRAME_P_OK;
    /* 6455:5.5 "All control frames MUST have a payload length of 125 bytes
     * or less and MUST NOT be fragmented." */
    if (len > CLOSE_MAX_PAYLOAD)
        problem = CLOSEFRAME_P_TOO_LONG;

    /* 6455:5.5.1 "The Close frame MAY contain a body ..." An empty body is a
     * close without a status code (the receiver then reports 1005). */
    if (len == 0)
        return problem;

    /* 6455:5.5.1 "If there is a body, the first two bytes of the body MUST
     * be a 2-byte unsigned integer (in network byte order) representing a
     * status code with value /code/ defined in Section 7.4." */
    if (len == 1) {
        info->reason = payload + 1;
        return problem != CLOSEFRAME_P_OK ? problem : CLOSEFRAME_P_ONE_BYTE;
    }
    info->has_code = true;
    info->code = (uint16_t)((unsigned)payload[0] << 8 | payload[1]);
    info->code_class = closeframe_code_classify(info->code, sender);
    if (problem == CLOSEFRAME_P_OK && info->code_class != CLOSEFRAME_CODE_VALID)
        problem = CLOSEFRAME_P_BAD_CODE;

    /* len >= 2 here, so the subtraction cannot wrap. */
    info->reason = payload + 2;
    info->reason_len = len - 2;
    /* 6455:5.5.1 "Following the 2-byte integer, the body MAY contain UTF-8-
     * encoded data with value /reason/ ..." 6455:8.1 "When an endpoint is to
     * interpret a byte stream as UTF-8 but finds that the byte stream is
     * not, in fact, a valid UTF-8 stream, that endpoint MUST _Fail the
     * WebSocket Connection_." */
    size_t bad_at = 0;
    if (!utf8_is_valid(info->reason, info->reason_len, &bad_at)) {
        info->reason_error_offset = bad_at;
        if (problem == CLOSEFRAME_P_OK)
            problem = CLOSEFRAME_P_REASON_UTF8;
    }
    return problem;
}

/* 6455:7.4.1 "1007 indicates that an endpoint is terminating the connection
 * because it has received data within a message that was not consistent
 * with the type of the message (e.g., non-UTF-8 [RFC3629] data within a text
 * message)." Every other malformed close payload is a protocol error, 1002.
 * For CLOSEFRAME_P_OK there is nothing to complain about: 1000 (a conforming
 * endpoint may also echo the peer's code, 6455:5.5.1). */
uint16_t closeframe_problem_reply_code(enum closeframe_payload_problem p) {
    switch (p) {
    case CLOSEFRAME_P_OK: return 1000;
    case CLOSEFRAME_P_REASON_UTF8: return 1007;
    case CLOSEFRAME_P_ONE_BYTE:
    case CLOSEFRAME_P_BAD_CODE:
    case CLOSEFRAME_P_TOO_LONG: return 1002;
    }
    return 1002;
}

/* Writes the code big-endian and then the reason. No limit on reason_len
 * beyond cap: the harness must be able to write over-long payloads (7.3.6)
 * and any code, valid or not (7.9). Returns 0 and writes nothing when
 * 2 + reason_len does not fit in cap (or overflows size_t). reason may be
 * NULL when reason_len is 0. */
size_t closeframe_payload_write(uint16_t code, const uint8_t *reason, size_t reason_len,
                                uint8_t *out, size_t cap) {
    if (reason_len > SIZE_MAX - 2 || cap < 2 + reason_len || !out)
        return 0;
    out[0] = (uint8_t)(code >> 8);
    out[1] = (uint8_t)(code & 0xff);
    if (reason_len)
        memcpy(out + 2, reason, reason_len);
    return 2 + reason_len;
}

/* Short names of the codes of 6455:7.4.1 and the IANA registry, for reports.
 * Every other code, including the reserved 1004, is "unknown". */
const char *closeframe_code_name(uint16_t code) {
    switch (code) {
    case 1000: return "normal-closure";
    case 1001: return "going-away";
    case 1002: return "protocol-error";
    case 1003: return "unsupported-data";
    case 1005: return "no-status-received";
    case 1006: return "abnormal-closure";
    case 1007: return "invalid-payload";
    case 1008: return "policy-violation";
    case 1009: return "message-too-big";
    case 1010: return "mandatory-extension";
    case 1011: return "internal-error";
    case 1012: return "service-restart";
    case 1013: return "try-again-later";
    case 1014: return "bad-gateway";
    case 1015: return "tls-handshake";
    default: return "unknown";
    }
}

const char *closeframe_problem_name(enum closeframe_payload_problem p) {
    switch (p) {
    case CLOSEFRAME_P_OK: return "ok";
    case CLOSEFRAME_P_ONE_BYTE: return "one-byte";
    case CLOSEFRAME_P_BAD_CODE: return "bad-code";
    case CLOSEFRAME_P_REASON_UTF8: return "reason-utf8";
    case CLOSEFRAME_P_TOO_LONG: return "too-long";
    }
    return "unknown";
}
