/* fuzz_oracle_test: each rule of the RFC oracle (harness/fuzz/fuzz_oracle.c)
 * on hand-written steps, with the outcome its RFC sentence gives: the rule
 * found, the codes and who closes, the answers due before it. The steps are
 * written as case files (cases/README.md) and loaded by the loader, so they
 * are the cases a fuzzer would run. Every rule's sentence is checked to be
 * RFC 6455's text (/work/shared/rfc/rfc6455.txt when it is there, else the
 * check is skipped with a note). */
#include "test.h"

#include <stdlib.h>

#include "fuzz/fuzz_oracle.h"
#include "load/caseload.h"

static struct wcase loaded;

/* Load the one case of {"group":"t","cases":[{...steps...}]}. */
static struct wcase *load(const char *steps) {
    case_free(&loaded);
    char path[] = "/tmp/fuzz_oracle_test_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fprintf(f,
            "{\"group\": \"t\", \"title\": \"t\", \"cases\": [{\"name\": \"c\", \"title\": \"t\", "
            "\"rfc\": [\"6455:5.2\"], \"requirement\": \"r\", \"steps\": %s, "
            "\"outcomes\": [{\"verdict\": \"pass\", \"events\": \"any\", \"close\": {\"by\": "
            "\"any\"}}]}]}",
            steps);
    fclose(f);
    struct case_list l = {0};
    struct case_error err;
    int rc = case_load_file(path, &l, &err);
    unlink(path);
    if (rc != 0) {
        char msg[2048];
        case_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "%s\n", msg);
    }
    CHECK_EQ(rc, 0);
    CHECK_EQ(l.count, 1);
    loaded = l.items[0];
    free(l.items);
    return &loaded;
}

static struct oracle_verdict expect(const char *steps) {
    struct wcase *c = load(steps);
    struct oracle_verdict v;
    CHECK_EQ(fuzz_oracle_expect(c, &v), 0);
    return v;
}

static const struct outcome *first(void) {
    CHECK(loaded.outcome_count > 0);
    return &loaded.outcomes[0];
}

/* The kind of outcome o's event i, or -1 when it has no such event. */
static int ev_kind(const struct outcome *o, size_t i) {
    CHECK(i < o->event_count);
    return i < o->event_count ? (int)o->events[i].kind : -1;
}

static bool ev_optional(const struct outcome *o, size_t i) {
    CHECK(i < o->event_count);
    return i < o->event_count && o->events[i].optional;
}

static bool has_code(const struct close_expect *ce, uint16_t code) {
    for (size_t i = 0; i < ce->code_count; i++)
        if (ce->codes[i] == code)
            return true;
    return false;
}

/* ---- the rules ---- */

static void test_rsv_bits(void) {
    /* 6455:5.2 "If a nonzero value is received and none of the negotiated
     * extensions defines the meaning of such a nonzero value, the receiving
     * endpoint MUST _Fail the WebSocket Connection_." */
    struct oracle_verdict v = expect("[{\"send_frame\": {\"opcode\": \"text\", \"rsv\": 2, "
                                     "\"payload\": \"x\"}}]");
    CHECK(v.supported);
    CHECK_STR(v.rule->id, "rsv-bits");
    CHECK_STR(v.rule->rfc, "6455:5.2");
    CHECK_EQ(first()->verdict, VERDICT_PASS);
    CHECK_EQ(first()->close.by, CLOSE_BY_PEER);
    CHECK(has_code(&first()->close, 1002));
    CHECK_EQ(first()->event_count, 0);
    CHECK_STR(loaded.rfc[0], "6455:5.2");
}

static void test_echo_before_violation(void) {
    /* A valid message, then an unknown opcode in the same write: the echo is
     * expected (pass), its absence informational (cases/README.md "a valid
     * message before the frame that fails the connection, not echoed"). */
    struct oracle_verdict v =
        expect("[{\"send_message\": {\"payload\": \"hi\"}, \"coalesce\": "
               "true}, {\"send_frame\": {\"opcode\": 3, \"payload\": \"\"}}]");
    CHECK(v.supported);
    CHECK_STR(v.rule->id, "reserved-opcode");
    CHECK_EQ(v.messages_before, 1);
    CHECK_EQ(loaded.outcome_count, 2);
    CHECK_EQ(first()->event_count, 1);
    CHECK_EQ(ev_kind(first(), 0), EXPECT_MESSAGE);
    CHECK(!ev_optional(first(), 0));
    CHECK_EQ(loaded.outcomes[1].verdict, VERDICT_INFORMATIONAL);
    CHECK(ev_optional(&loaded.outcomes[1], 0));
}

static void test_unmasked(void) {
    /* 6455:5.1 "The server MUST close the connection upon receiving a frame
     * that is not masked." */
    struct oracle_verdict v = expect("[{\"send_frame\": {\"opcode\": \"binary\", \"mask\": false, "
                                     "\"payload\": \"x\"}}]");
    CHECK_STR(v.rule->id, "unmasked-frame");
    CHECK(has_code(&first()->close, 1002));
    /* an unmasked close frame of ours: by any, exact (masking.unmasked-close) */
    v = expect("[{\"send_close\": {\"code\": 1000, \"mask\": false}}]");
    CHECK_STR(v.rule->id, "unmasked-frame");
    CHECK_EQ(first()->close.by, CLOSE_BY_ANY);
    CHECK(first()->close.exact);
    CHECK_EQ(loaded.outcomes[1].verdict, VERDICT_NON_STRICT);
    CHECK(loaded.outcomes[1].close.allow_drop);
}

static void test_control_frames(void) {
    /* 6455:5.5 "All control frames MUST have a payload length of 125 bytes
     * or less and MUST NOT be fragmented." */
    struct oracle_verdict v = expect("[{\"send_ping\": {\"payload\": {\"repeat\": \"*\", "
                                     "\"count\": 126}}}]");
    CHECK_STR(v.rule->id, "control-too-long");
    v = expect("[{\"send_ping\": {\"payload\": {\"repeat\": \"*\", \"count\": 125}}}, "
               "{\"wait\": {\"for\": \"pong\"}}, {\"send_close\": {\"code\": 1000}}]");
    CHECK(v.supported);
    CHECK_STR(v.rule->id, "none");
    CHECK_EQ(first()->event_count, 1);
    CHECK_EQ(ev_kind(first(), 0), EXPECT_PONG);
    CHECK_EQ(first()->close.by, CLOSE_BY_US);
    CHECK_STR(first()->behaviour, "answers-our-close");
    v = expect("[{\"send_frame\": {\"opcode\": \"pong\", \"fin\": false, \"payload\": \"p\"}}]");
    CHECK_STR(v.rule->id, "control-fragmented");
}

static void test_fragmentation(void) {
    /* 6455:5.4: a continuation with nothing to continue; a new data frame
     * inside a fragmented message */
    struct oracle_verdict v =
        expect("[{\"send_frame\": {\"opcode\": \"continuation\", \"payload\": \"x\"}}]");
    CHECK_STR(v.rule->id, "orphan-continuation");
    v = expect("[{\"send_frame\": {\"opcode\": \"text\", \"fin\": false, \"payload\": \"a\"}}, "
               "{\"send_frame\": {\"opcode\": \"binary\", \"payload\": \"b\"}}]");
    CHECK_STR(v.rule->id, "interleaved-message");
}

static void test_ping_inside_message(void) {
    /* A pong before the message it came in the middle of: pass; after it:
     * non-strict (6455:5.5.2 "It SHOULD respond with Pong frame as soon as is
     * practical"), as fragmentation.ping-inside-text-* judge it. */
    struct oracle_verdict v =
        expect("[{\"send_frame\": {\"opcode\": \"text\", \"fin\": false, \"payload\": \"a\"}}, "
               "{\"send_ping\": {\"payload\": \"p\"}}, {\"send_frame\": {\"opcode\": "
               "\"continuation\", \"payload\": \"b\"}}, {\"wait\": {\"for\": \"message\"}}, "
               "{\"send_close\": {\"code\": 1000}}]");
    CHECK(v.supported);
    CHECK_EQ(loaded.outcome_count, 2);
    CHECK_EQ(first()->verdict, VERDICT_PASS);
    CHECK_EQ(ev_kind(first(), 0), EXPECT_PONG);
    CHECK_EQ(ev_kind(first(), 1), EXPECT_MESSAGE);
    CHECK_EQ(loaded.outcomes[1].verdict, VERDICT_NON_STRICT);
    CHECK_EQ(ev_kind(&loaded.outcomes[1], 0), EXPECT_MESSAGE);
}

static void test_latest_ping_only(void) {
    /* 6455:5.5.3 "the endpoint MAY elect to send a Pong frame for only the
     * most recently processed Ping frame" (floods.pings-100) */
    struct oracle_verdict v = expect("[{\"send_ping\": {\"payload\": \"1\"}, \"coalesce\": true}, "
                                     "{\"send_ping\": {\"payload\": \"2\"}}, {\"wait\": {\"for\": "
                                     "\"pong\"}}, {\"send_close\": {\"code\": 1000}}]");
    CHECK(v.supported);
    CHECK_EQ(first()->event_count, 2);
    CHECK(ev_optional(first(), 0));
    CHECK(!ev_optional(first(), 1));
}

static void test_invalid_utf8(void) {
    /* 6455:8.1 "When an endpoint is to interpret a byte stream as UTF-8 but
     * finds that the byte stream is not, in fact, a valid UTF-8 stream, that
     * endpoint MUST _Fail the WebSocket Connection_."; 7.4.1 1007. Split
     * across fragments: the invalid octet is in the second. */
    struct oracle_verdict v = expect("[{\"send_message\": {\"payload\": {\"hex\": \"ce ba ed a0 "
                                     "80\"}, \"fragments\": [3]}}]");
    CHECK_STR(v.rule->id, "invalid-utf8");
    CHECK(has_code(&first()->close, 1007));
    CHECK_EQ(first()->close.code_count, 1);
    /* valid once joined: echoed */
    v = expect("[{\"send_message\": {\"payload\": {\"hex\": \"e2 82 ac\"}, \"fragments\": [1]}}, "
               "{\"wait\": {\"for\": \"message\"}}, {\"send_close\": {\"code\": 1000}}]");
    CHECK_STR(v.rule->id, "none");
    CHECK_EQ(first()->event_count, 1);
    /* a binary message is never UTF-8 checked */
    v = expect("[{\"send_message\": {\"opcode\": \"binary\", \"payload\": {\"hex\": \"ff\"}}}, "
               "{\"wait\": {\"for\": \"message\"}}, {\"send_close\": {\"code\": 1000}}]");
    CHECK_STR(v.rule->id, "none");
}

static void test_close_payloads(void) {
    /* 6455:5.5.1 "If there is a body, the first two bytes of the body MUST
     * be a 2-byte unsigned integer ..." */
    struct oracle_verdict v = expect("[{\"send_close\": {\"payload\": \"a\"}}]");
    CHECK_STR(v.rule->id, "close-one-octet");
    CHECK_EQ(first()->close.by, CLOSE_BY_US);
    CHECK(first()->close.exact);
    CHECK(has_code(&first()->close, 1002));
    /* a reason that is not UTF-8: 1007 or 1002 (cases/README.md) */
    v = expect("[{\"send_close\": {\"code\": 1000, \"reason\": {\"hex\": \"c0 af\"}}}]");
    CHECK_STR(v.rule->id, "close-reason-utf8");
    CHECK(has_code(&first()->close, 1007) && has_code(&first()->close, 1002));
    /* a code only a sender is bound not to use: the shared behaviour */
    v = expect("[{\"send_close\": {\"code\": 1005}}]");
    CHECK_STR(v.rule->id, "close-code-sender-only");
    CHECK_STR(first()->behaviour, "rejects-sender-only-violation");
    /* 3000-4999 and 1010 from a client are valid */
    v = expect("[{\"send_close\": {\"code\": 4999}}]");
    CHECK_STR(v.rule->id, "none");
    v = expect("[{\"send_close\": {\"code\": 1010}}]");
    CHECK_STR(v.rule->id, "none");
}

static void test_non_minimal_length(void) {
    /* binds the sender: rejects-sender-only-violation, and the echo of the
     * peer that accepts it informational (lengths.binary-*-non-minimal-*) */
    struct oracle_verdict v = expect("[{\"send_frame\": {\"opcode\": \"binary\", \"len_form\": "
                                     "16, \"payload\": \"x\"}}, {\"wait\": {\"for\": \"message\", "
                                     "\"timeout\": 2}}, {\"send_close\": {\"code\": 1000}}]");
    CHECK(v.supported);
    CHECK_STR(v.rule->id, "non-minimal-length");
    CHECK_STR(first()->behaviour, "rejects-sender-only-violation");
    const struct outcome *last = &loaded.outcomes[loaded.outcome_count - 1];
    CHECK_EQ(last->verdict, VERDICT_INFORMATIONAL);
    CHECK_EQ(last->event_count, 1);
    CHECK_EQ(ev_kind(last, 0), EXPECT_MESSAGE);
}

static void test_lengths(void) {
    /* 6455:5.2 "(the most significant bit MUST be 0)": 1002 or 1009 */
    struct oracle_verdict v =
        expect("[{\"send_frame\": {\"opcode\": \"binary\", \"len_form\": 64, \"declared_len\": "
               "\"9223372036854775808\", \"payload\": \"x\"}}]");
    CHECK_STR(v.rule->id, "length-msb");
    CHECK(has_code(&first()->close, 1002) && has_code(&first()->close, 1009));
    /* a message over 512 KiB may be refused with 1009 (limits.*) */
    v = expect("[{\"send_message\": {\"opcode\": \"binary\", \"payload\": {\"repeat\": \"*\", "
               "\"count\": 1048576}}}, {\"wait\": {\"for\": \"message\"}}, "
               "{\"send_close\": {\"code\": 1000}}]");
    CHECK(v.supported);
    const struct outcome *last = &loaded.outcomes[loaded.outcome_count - 1];
    CHECK(has_code(&last->close, 1009));
    CHECK_EQ(last->event_count, 0);
    /* a declared length longer than sent, then our FIN: any end */
    v = expect("[{\"send_frame\": {\"opcode\": \"binary\", \"declared_len\": 100, \"payload\": "
               "\"0123456789\"}}, {\"pause\": 0.1}, {\"send_close\": {\"code\": 1000}}, "
               "{\"shutdown\": true}]");
    CHECK(v.supported);
    CHECK_STR(v.rule->id, "truncated-frame");
    CHECK(first()->close.allow_drop);
}

static void test_after_our_close(void) {
    /* Frames after our close are not judged: the peer answers our close
     * (after-close group, answers-our-close) */
    struct oracle_verdict v = expect("[{\"send_close\": {\"code\": 1000}, \"coalesce\": true}, "
                                     "{\"send_frame\": {\"opcode\": \"text\", \"rsv\": 4, "
                                     "\"payload\": \"x\"}}]");
    CHECK(v.supported);
    CHECK_STR(v.rule->id, "none");
    CHECK_STR(first()->behaviour, "answers-our-close");
}

static void test_unsupported(void) {
    struct oracle_verdict v = expect("[{\"send_message\": {\"payload\": \"x\"}}]");
    CHECK(!v.supported); /* nothing ends the case */
    CHECK(v.unsupported_why != NULL);
    /* a random key read as another frame's text */
    v = expect("[{\"send_frame\": {\"opcode\": \"binary\", \"declared_len\": 1, \"payload\": "
               "\"abcdef\"}}]");
    CHECK(!v.supported);
}

/* Every rule's sentence is in RFC 6455 (whitespace folded). */
static void fold(char *s) {
    char *w = s;
    bool space = false;
    for (char *r = s; *r; r++) {
        if (*r == ' ' || *r == '\n' || *r == '\r' || *r == '\t') {
            space = true;
            continue;
        }
        if (space && w != s)
            *w++ = ' ';
        space = false;
        *w++ = *r;
    }
    *w = '\0';
}

static void test_sentences_are_the_rfc(void) {
    FILE *f = fopen("/work/shared/rfc/rfc6455.txt", "rb");
    if (!f) {
        fprintf(stderr, "note: no /work/shared/rfc/rfc6455.txt, sentences not checked\n");
        return;
    }
    static char text[1 << 20];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    fold(text);
    size_t count;
    const struct oracle_rule *rules = fuzz_oracle_rules(&count);
    CHECK(count >= 16);
    for (size_t i = 0; i < count; i++) {
        CHECK(strncmp(rules[i].rfc, "6455:", 5) == 0);
        char s[1024];
        snprintf(s, sizeof s, "%s", rules[i].sentence);
        fold(s);
        if (!strstr(text, s)) {
            fprintf(stderr, "rule %s: not in RFC 6455: %s\n", rules[i].id, s);
            CHECK(0);
        }
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(rules[i].id, rules[j].id) != 0);
    }
}

int main(void) {
    RUN(test_rsv_bits);
    RUN(test_echo_before_violation);
    RUN(test_unmasked);
    RUN(test_control_frames);
    RUN(test_fragmentation);
    RUN(test_ping_inside_message);
    RUN(test_latest_ping_only);
    RUN(test_invalid_utf8);
    RUN(test_close_payloads);
    RUN(test_non_minimal_length);
    RUN(test_lengths);
    RUN(test_after_our_close);
    RUN(test_unsupported);
    RUN(test_sentences_are_the_rfc);
    case_free(&loaded);
    TEST_EXIT();
}
