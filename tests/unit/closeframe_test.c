/* closeframe_test: close code classification (every code of Autobahn 7.7,
 * 7.9 and 7.13, 1010 from both roles, 1012-1015, the range boundaries) and
 * close payload parsing (Autobahn 7.3 lengths 0, 1, 2, 125, 126; 7.5 reason
 * not UTF-8). Expected classes come from 6455:7.4.1/7.4.2 and the IANA
 * registry (1012-1014); expected problems from 6455:5.5 and 5.5.1. Payloads
 * are parsed from behind a guard page. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "codec/closeframe.h"
#include "test.h"

struct code_case {
    uint16_t code;
    enum closeframe_code_class from_client;
    enum closeframe_code_class from_server;
};

static const struct code_case code_cases[] = {
    /* Autobahn 7.7: valid close codes, both roles (1010 only from a client:
     * 6455:7.4.1 "this status code is not used by the server"). */
    {1000, CLOSEFRAME_CODE_VALID, CLOSEFRAME_CODE_VALID},
    {1001, CLOSEFRAME_CODE_VALID, CLOSEFRAME_CODE_VALID},
    {1002, CLOSEFRAME_CODE_VALID, CLOSEFRAME_CODE_VALID},
    {1003, CLOSEFRAME_CODE_VALID, CLOSEFRAME_CODE_VALID},
    {1007, CLOSEFRAME_CODE_VALID, CLOSEFRAME_CODE_VALID},
    {1008, CLOSEFRAME_CODE_VALID, CLOSEFRAME_CODE_VALID},
    {1009, CLOSEFRAME_CODE_VALID, CLOSEFRAME_CODE_VALID},
    {1010, CLOSEFRAME_CODE_VALID, CLOSEFRAME_CODE_WRONG_ROLE},
    {1011, CLOSEFRAME_CODE_VALID, CLOSEFRAME_CODE_VALID},
    {3000, CLOSEFRAME_CODE_VALID, CLOSEFRAME_CODE_VALID},
    {3999, CLOSEFRAME_CODE_VALID, CLOSEFRAME_CODE_VALID},
    {4000, CLOSEFRAME_CODE_VALID, CLOSEFRAME_CODE_VALID},
    {4999, CLOSEFRAME_CODE_VALID, CLOSEFRAME_CODE_VALID},
    /* Autobahn 7.9: invalid close codes */
    {0, CLOSEFRAME_CODE_OUT_OF_RANGE, CLOSEFRAME_CODE_OUT_OF_RANGE},
    {999, CLOSEFRAME_CODE_OUT_OF_RANGE, CLOSEFRAME_CODE_OUT_OF_RANGE},
    {1004, CLOSEFRAME_CODE_RESERVED, CLOSEFRAME_CODE_RESERVED},
    {1005, CLOSEFRAME_CODE_NEVER_ON_WIRE, CLOSEFRAME_CODE_NEVER_ON_WIRE},
    {1006, CLOSEFRAME_CODE_NEVER_ON_WIRE, CLOSEFRAME_CODE_NEVER_ON_WIRE},
    {1016, CLOSEFRAME_CODE_RESERVED, CLOSEFRAME_CODE_RESERVED},
    {1100, CLOSEFRAME_CODE_RESERVED, CLOSEFRAME_CODE_RESERVED},
    {2000, CLOSEFRAME_CODE_RESERVED, CLOSEFRAME_CODE_RESERVED},
    {2999, CLOSEFRAME_CODE_RESERVED, CLOSEFRAME_CODE_RESERVED},
    /* Autobahn 7.13: informational, undefined by the RFC */
    {5000, CLOSEFRAME_CODE_OUT_OF_RANGE, CLOSEFRAME_CODE_OUT_OF_RANGE},
    {65535, CLOSEFRAME_CODE_OUT_OF_RANGE, CLOSEFRAME_CODE_OUT_OF_RANGE},
    /* IANA registry additions, and 1015 which 6455:7.4.1 keeps off the wire */
    {1012, CLOSEFRAME_CODE_VALID, CLOSEFRAME_CODE_VALID},
    {1013, CLOSEFRAME_CODE_VALID, CLOSEFRAME_CODE_VALID},
    {1014, CLOSEFRAME_CODE_VALID, CLOSEFRAME_CODE_VALID},
    {1015, CLOSEFRAME_CODE_NEVER_ON_WIRE, CLOSEFRAME_CODE_NEVER_ON_WIRE},
    /* Range boundaries of 6455:7.4.2 */
    {1, CLOSEFRAME_CODE_OUT_OF_RANGE, CLOSEFRAME_CODE_OUT_OF_RANGE},
    {3001, CLOSEFRAME_CODE_VALID, CLOSEFRAME_CODE_VALID},
    {4001, CLOSEFRAME_CODE_VALID, CLOSEFRAME_CODE_VALID},
    {5001, CLOSEFRAME_CODE_OUT_OF_RANGE, CLOSEFRAME_CODE_OUT_OF_RANGE},
    {65534, CLOSEFRAME_CODE_OUT_OF_RANGE, CLOSEFRAME_CODE_OUT_OF_RANGE},
};

static void test_classify(void) {
    for (size_t i = 0; i < sizeof code_cases / sizeof code_cases[0]; i++) {
        const struct code_case *c = &code_cases[i];
        enum closeframe_code_class got_c =
            closeframe_code_classify(c->code, CLOSEFRAME_FROM_CLIENT);
        enum closeframe_code_class got_s =
            closeframe_code_classify(c->code, CLOSEFRAME_FROM_SERVER);
        if (got_c != c->from_client || got_s != c->from_server)
            fprintf(stderr, "code %u: client %d server %d\n", c->code, got_c, got_s);
        CHECK_EQ(got_c, c->from_client);
        CHECK_EQ(got_s, c->from_server);
    }
}

/* The whole 16-bit space, range by range, written from 6455:7.4 alone. */
static void test_classify_all_codes(void) {
    int wrong = 0;
    for (uint32_t code = 0; code <= 65535; code++) {
        enum closeframe_code_class want;
        if (code < 1000 || code >= 5000)
            want = CLOSEFRAME_CODE_OUT_OF_RANGE;
        else if (code == 1005 || code == 1006 || code == 1015)
            want = CLOSEFRAME_CODE_NEVER_ON_WIRE;
        else if (code == 1004 || (code >= 1016 && code <= 2999))
            want = CLOSEFRAME_CODE_RESERVED;
        else
            want = CLOSEFRAME_CODE_VALID; /* 1000-1003, 1007-1014, 3000-4999 */
        enum closeframe_code_class want_server = code == 1010 ? CLOSEFRAME_CODE_WRONG_ROLE : want;
        if (closeframe_code_classify((uint16_t)code, CLOSEFRAME_FROM_CLIENT) != want)
            wrong++;
        if (closeframe_code_classify((uint16_t)code, CLOSEFRAME_FROM_SERVER) != want_server)
            wrong++;
    }
    CHECK_EQ(wrong, 0);
}

/* Parses payload (copied behind a guard page) and checks the problem and
 * the reason view lies inside the copy. */
static enum closeframe_payload_problem parse_guarded(const uint8_t *payload, size_t len,
                                                     enum closeframe_sender sender,
                                                     struct closeframe_info *info) {
    struct guarded g = guard_copy(payload, len);
    enum closeframe_payload_problem p = closeframe_parse(g.data, len, sender, info);
    CHECK(info->reason >= g.data && info->reason + info->reason_len <= g.data + len);
    /* Rebase the view onto the caller's payload before the copy goes. */
    info->reason = payload + (info->reason - g.data);
    guard_free(&g);
    return p;
}

/* Autobahn 7.3: payloads of 0, 1, 2, 14, 125 and 126 octets. */
static void test_payload_lengths(void) {
    uint8_t buf[200];
    struct closeframe_info info;
    memset(buf, '*', sizeof buf);

    /* 7.3.1 empty: no code, fine (6455:5.5.1 "MAY contain a body"). */
    CHECK_EQ(parse_guarded(buf, 0, CLOSEFRAME_FROM_CLIENT, &info), CLOSEFRAME_P_OK);
    CHECK(!info.has_code);
    CHECK_EQ(info.reason_len, 0);
    CHECK_EQ(info.code_class, CLOSEFRAME_CODE_VALID);

    /* 7.3.2 one octet: half a code. */
    buf[0] = 0x03;
    CHECK_EQ(parse_guarded(buf, 1, CLOSEFRAME_FROM_CLIENT, &info), CLOSEFRAME_P_ONE_BYTE);
    CHECK(!info.has_code);
    CHECK_EQ(info.reason_len, 0);
    CHECK_EQ(closeframe_problem_reply_code(CLOSEFRAME_P_ONE_BYTE), 1002);

    /* 7.3.3 code only: 0x03E8 = 1000. */
    buf[0] = 0x03;
    buf[1] = 0xe8;
    CHECK_EQ(parse_guarded(buf, 2, CLOSEFRAME_FROM_SERVER, &info), CLOSEFRAME_P_OK);
    CHECK(info.has_code);
    CHECK_EQ(info.code, 1000);
    CHECK_EQ(info.reason_len, 0);

    /* 7.3.4 code + "Hello World!" */
    memcpy(buf + 2, "Hello World!", 12);
    CHECK_EQ(parse_guarded(buf, 14, CLOSEFRAME_FROM_CLIENT, &info), CLOSEFRAME_P_OK);
    CHECK_EQ(info.code, 1000);
    CHECK_MEM(info.reason, info.reason_len, "Hello World!", 12);
    CHECK(info.reason == buf + 2);

    /* 7.3.5 code + 123-octet reason = 125, the maximum. */
    memset(buf + 2, '*', 124);
    CHECK_EQ(parse_guarded(buf, 125, CLOSEFRAME_FROM_CLIENT, &info), CLOSEFRAME_P_OK);
    CHECK_EQ(info.reason_len, 123);

    /* 7.3.6 code + 124-octet reason = 126: 6455:5.5 "All control frames
     * MUST have a payload length of 125 bytes or less". */
    CHECK_EQ(parse_guarded(buf, 126, CLOSEFRAME_FROM_CLIENT, &info), CLOSEFRAME_P_TOO_LONG);
    CHECK_EQ(info.code, 1000);
    CHECK_EQ(info.reason_len, 124);
    CHECK_EQ(closeframe_problem_reply_code(CLOSEFRAME_P_TOO_LONG), 1002);

    /* Too long wins over a bad code and a bad reason (first problem). */
    buf[0] = 0x03;
    buf[1] = 0xed; /* 1005 */
    buf[50] = 0xff;
    CHECK_EQ(parse_guarded(buf, 200, CLOSEFRAME_FROM_SERVER, &info), CLOSEFRAME_P_TOO_LONG);
    CHECK_EQ(info.code_class, CLOSEFRAME_CODE_NEVER_ON_WIRE);
    CHECK_EQ(info.reason_error_offset, 48);
}

/* Autobahn 7.7 / 7.9 / 7.13 as payloads: the code field is judged. */
static void test_payload_codes(void) {
    for (size_t i = 0; i < sizeof code_cases / sizeof code_cases[0]; i++) {
        const struct code_case *c = &code_cases[i];
        uint8_t payload[2] = {(uint8_t)(c->code >> 8), (uint8_t)(c->code & 0xff)};
        struct closeframe_info info;
        enum closeframe_payload_problem p =
            parse_guarded(payload, 2, CLOSEFRAME_FROM_CLIENT, &info);
        CHECK_EQ(info.code, c->code);
        CHECK_EQ(info.code_class, c->from_client);
        CHECK_EQ(p,
                 c->from_client == CLOSEFRAME_CODE_VALID ? CLOSEFRAME_P_OK : CLOSEFRAME_P_BAD_CODE);
        p = parse_guarded(payload, 2, CLOSEFRAME_FROM_SERVER, &info);
        CHECK_EQ(info.code_class, c->from_server);
        CHECK_EQ(p,
                 c->from_server == CLOSEFRAME_CODE_VALID ? CLOSEFRAME_P_OK : CLOSEFRAME_P_BAD_CODE);
    }
    CHECK_EQ(closeframe_problem_reply_code(CLOSEFRAME_P_BAD_CODE), 1002);
}

/* Autobahn 7.5.1 and friends: 6455:5.5.1 reason is "UTF-8-encoded data";
 * a peer answers a non-UTF-8 reason with 1007. */
static void test_reason_utf8(void) {
    struct closeframe_info info;
    /* 1000 + κόσμε + ed a0 80 (U+D800) + "edited": the A0 is octet 12 of
     * the reason (κόσμε is 11 octets, then ED). */
    static const uint8_t p751[] = "\x03\xe8\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"
                                  "\xed\xa0\x80"
                                  "edited";
    CHECK_EQ(parse_guarded(p751, sizeof p751 - 1, CLOSEFRAME_FROM_CLIENT, &info),
             CLOSEFRAME_P_REASON_UTF8);
    CHECK_EQ(info.code, 1000);
    CHECK_EQ(info.reason_len, sizeof p751 - 1 - 2);
    CHECK_EQ(info.reason_error_offset, 12);
    CHECK_EQ(closeframe_problem_reply_code(CLOSEFRAME_P_REASON_UTF8), 1007);

    /* A reason that ends inside a character: offset = reason length. */
    static const uint8_t trunc[] = "\x03\xe8"
                                   "euro \xe2\x82";
    CHECK_EQ(parse_guarded(trunc, sizeof trunc - 1, CLOSEFRAME_FROM_SERVER, &info),
             CLOSEFRAME_P_REASON_UTF8);
    CHECK_EQ(info.reason_error_offset, 7);

    /* A valid multi-octet reason is fine. */
    static const uint8_t good[] = "\x0f\xa0"
                                  "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5";
    CHECK_EQ(parse_guarded(good, sizeof good - 1, CLOSEFRAME_FROM_SERVER, &info), CLOSEFRAME_P_OK);
    CHECK_EQ(info.code, 4000);
    CHECK_EQ(info.reason_error_offset, 0);

    /* Bad code and bad reason: the code is met first. */
    static const uint8_t both[] = "\x03\xec\xff";
    CHECK_EQ(parse_guarded(both, 3, CLOSEFRAME_FROM_CLIENT, &info), CLOSEFRAME_P_BAD_CODE);
    CHECK_EQ(info.code, 1004);
    CHECK_EQ(info.reason_error_offset, 0);
}

static void test_null_out(void) {
    static const uint8_t p[] = "\x03\xe8"
                               "ok";
    CHECK_EQ(closeframe_parse(p, 4, CLOSEFRAME_FROM_CLIENT, NULL), CLOSEFRAME_P_OK);
    CHECK_EQ(closeframe_parse(p, 1, CLOSEFRAME_FROM_CLIENT, NULL), CLOSEFRAME_P_ONE_BYTE);
    CHECK_EQ(closeframe_parse(NULL, 0, CLOSEFRAME_FROM_CLIENT, NULL), CLOSEFRAME_P_OK);
}

static void test_payload_write(void) {
    uint8_t out[130];
    /* 1001 = 0x03E9, big-endian. */
    CHECK_EQ(closeframe_payload_write(1001, (const uint8_t *)"bye", 3, out, sizeof out), 5);
    CHECK_MEM(out, 5,
              "\x03\xe9"
              "bye",
              5);
    CHECK_EQ(closeframe_payload_write(65535, NULL, 0, out, 2), 2);
    CHECK_MEM(out, 2, "\xff\xff", 2);
    /* Does not fit: nothing written. */
    memset(out, 0xaa, sizeof out);
    CHECK_EQ(closeframe_payload_write(1000, (const uint8_t *)"bye", 3, out, 4), 0);
    CHECK_EQ(out[0], 0xaa);
    CHECK_EQ(closeframe_payload_write(1000, (const uint8_t *)"bye", SIZE_MAX, out, sizeof out), 0);
    CHECK_EQ(closeframe_payload_write(1000, NULL, 0, out, 1), 0);
    /* An over-long payload can be written on purpose (Autobahn 7.3.6). */
    uint8_t reason[124];
    memset(reason, 'x', sizeof reason);
    CHECK_EQ(closeframe_payload_write(1000, reason, sizeof reason, out, sizeof out), 126);

    /* Round trip through closeframe_parse. */
    size_t n = closeframe_payload_write(3000, (const uint8_t *)"app", 3, out, sizeof out);
    struct closeframe_info info;
    CHECK_EQ(parse_guarded(out, n, CLOSEFRAME_FROM_SERVER, &info), CLOSEFRAME_P_OK);
    CHECK_EQ(info.code, 3000);
    CHECK_MEM(info.reason, info.reason_len, "app", 3);
}

static void test_names(void) {
    CHECK_STR(closeframe_code_name(1000), "normal-closure");
    CHECK_STR(closeframe_code_name(1001), "going-away");
    CHECK_STR(closeframe_code_name(1002), "protocol-error");
    CHECK_STR(closeframe_code_name(1003), "unsupported-data");
    CHECK_STR(closeframe_code_name(1005), "no-status-received");
    CHECK_STR(closeframe_code_name(1006), "abnormal-closure");
    CHECK_STR(closeframe_code_name(1007), "invalid-payload");
    CHECK_STR(closeframe_code_name(1008), "policy-violation");
    CHECK_STR(closeframe_code_name(1009), "message-too-big");
    CHECK_STR(closeframe_code_name(1010), "mandatory-extension");
    CHECK_STR(closeframe_code_name(1011), "internal-error");
    CHECK_STR(closeframe_code_name(1012), "service-restart");
    CHECK_STR(closeframe_code_name(1013), "try-again-later");
    CHECK_STR(closeframe_code_name(1014), "bad-gateway");
    CHECK_STR(closeframe_code_name(1015), "tls-handshake");
    CHECK_STR(closeframe_code_name(1004), "unknown");
    CHECK_STR(closeframe_code_name(3000), "unknown");
    CHECK_STR(closeframe_code_name(0), "unknown");
    CHECK_STR(closeframe_problem_name(CLOSEFRAME_P_OK), "ok");
    CHECK_STR(closeframe_problem_name(CLOSEFRAME_P_ONE_BYTE), "one-byte");
    CHECK_STR(closeframe_problem_name(CLOSEFRAME_P_BAD_CODE), "bad-code");
    CHECK_STR(closeframe_problem_name(CLOSEFRAME_P_REASON_UTF8), "reason-utf8");
    CHECK_STR(closeframe_problem_name(CLOSEFRAME_P_TOO_LONG), "too-long");
    CHECK_EQ(closeframe_problem_reply_code(CLOSEFRAME_P_OK), 1000);
}

int main(void) {
    RUN(test_classify);
    RUN(test_classify_all_codes);
    RUN(test_payload_lengths);
    RUN(test_payload_codes);
    RUN(test_reason_utf8);
    RUN(test_null_out);
    RUN(test_payload_write);
    RUN(test_names);
    TEST_EXIT();
}
