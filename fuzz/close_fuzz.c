/* close_fuzz: closeframe_parse on arbitrary payloads, as sent by a client and by
 * a server, with invariants checked after each parse:
 * - the reason view lies inside the payload, right after the code;
 * - the problem is the first one in the order length, code, reason, and is
 *   consistent with closeframe_code_classify and utf8_is_valid;
 * - the two roles disagree only on 1010;
 * - closeframe_payload_write rebuilds the same payload from the parsed fields.
 * Any broken invariant aborts. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/closeframe.h"
#include "codec/utf8.h"

static void fail(const char *what, size_t size) {
    fprintf(stderr, "close_fuzz: invariant broken: %s (payload %zu octets)\n", what, size);
    abort();
}

static void check_role(const uint8_t *data, size_t size, enum closeframe_sender sender) {
    struct closeframe_info info;
    enum closeframe_payload_problem p = closeframe_parse(data, size, sender, &info);

    if (info.reason_len > size || info.reason < data || info.reason > data + size ||
        (size_t)(info.reason - data) > size - info.reason_len)
        fail("reason view outside the payload", size);

    if (size >= 2) {
        if (!info.has_code || info.code != (uint16_t)((unsigned)data[0] << 8 | data[1]))
            fail("code not taken from the first two octets", size);
        if (info.reason != data + 2 || info.reason_len != size - 2)
            fail("reason is not the rest of the payload", size);
        if (info.code_class != closeframe_code_classify(info.code, sender))
            fail("code_class differs from closeframe_code_classify", size);
    } else if (info.has_code || info.reason_len != 0 || info.code_class != CLOSEFRAME_CODE_VALID) {
        fail("code or reason invented for a payload under 2 octets", size);
    }

    size_t bad_at = 0;
    bool reason_ok = utf8_is_valid(info.reason, info.reason_len, &bad_at);
    enum closeframe_payload_problem want;
    if (size > 125)
        want = CLOSEFRAME_P_TOO_LONG;
    else if (size == 1)
        want = CLOSEFRAME_P_ONE_BYTE;
    else if (info.has_code && info.code_class != CLOSEFRAME_CODE_VALID)
        want = CLOSEFRAME_P_BAD_CODE;
    else if (!reason_ok)
        want = CLOSEFRAME_P_REASON_UTF8;
    else
        want = CLOSEFRAME_P_OK;
    if (p != want)
        fail("problem is not the first one", size);
    if (!reason_ok && info.reason_error_offset != bad_at)
        fail("reason_error_offset", size);
    if (reason_ok && info.reason_error_offset != 0)
        fail("reason_error_offset set for a valid reason", size);
    if (p == CLOSEFRAME_P_BAD_CODE && info.code_class == CLOSEFRAME_CODE_VALID)
        fail("BAD_CODE for a valid code", size);

    uint16_t reply = closeframe_problem_reply_code(p);
    if ((reply == 1007) != (p == CLOSEFRAME_P_REASON_UTF8))
        fail("reply code", size);
    if (p != CLOSEFRAME_P_OK && reply != 1002 && reply != 1007)
        fail("reply code for a problem", size);
    if (strcmp(closeframe_problem_name(p), "unknown") == 0 || !closeframe_code_name(info.code))
        fail("names", size);

    if (info.has_code) {
        uint8_t rebuilt[256];
        size_t n = closeframe_payload_write(info.code, info.reason, info.reason_len, rebuilt,
                                            sizeof rebuilt);
        if (size <= sizeof rebuilt && (n != size || memcmp(rebuilt, data, size) != 0))
            fail("closeframe_payload_write does not rebuild the payload", size);
        if (size > sizeof rebuilt && n != 0)
            fail("closeframe_payload_write ignored cap", size);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    check_role(data, size, CLOSEFRAME_FROM_CLIENT);
    check_role(data, size, CLOSEFRAME_FROM_SERVER);
    if (size >= 2) {
        uint16_t code = (uint16_t)((unsigned)data[0] << 8 | data[1]);
        enum closeframe_code_class c = closeframe_code_classify(code, CLOSEFRAME_FROM_CLIENT);
        enum closeframe_code_class s = closeframe_code_classify(code, CLOSEFRAME_FROM_SERVER);
        if ((c != s) != (code == 1010))
            fail("roles disagree on a code other than 1010", size);
    }
    return 0;
}
