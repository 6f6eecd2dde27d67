/* judge_behaviours_test: every row of the table "One verdict for one
 * behaviour" (cases/README.md), judged with the corpus's own cases (loaded
 * from the source tree, shared outcomes of cases/behaviours.json included)
 * against transcripts built here. Each row names a case of the corpus, what
 * the peer did, and the verdict the RFC sentence of that row gives; where
 * two cases send the same bytes (close-codes.invalid-5000 and
 * close.undefined-code-5000), both are checked with the same transcripts. */
#include "test.h"

#include "judge_fixtures.h"
#include "load/caseload.h"

static struct case_list corpus;

static const struct wcase *find(const char *id) {
    for (size_t i = 0; i < corpus.count; i++)
        if (strcmp(corpus.items[i].id, id) == 0)
            return &corpus.items[i];
    fprintf(stderr, "no case %s in the corpus\n", id);
    CHECK(0);
    return NULL;
}

/* ---- what the peer did ----------------------------------------------------- */

enum peer_did {
    ANSWERS_SAME,         /* our close (1000 unless said) answered with its code, clean */
    ANSWERS_NO_CODE,      /* answered with an empty close frame */
    ANSWERS_1001,         /* answered with another valid code */
    ANSWERS_1002,         /* answered with 1002 (a rejection) */
    ANSWERS_1007,         /* answered with 1007 */
    ANSWERS_TCP_OPEN,     /* answered, but we had to close TCP ourselves */
    NO_ANSWER,            /* never answered our close */
    DROPS_AFTER_OURS,     /* closed TCP without a close frame after ours */
    FAILS_1002_FIRST,     /* failed the connection with 1002 before our close */
    FAILS_1000_FIRST,     /* closed with 1000 before our close (another code than named) */
    FAILS_DROP_FIRST,     /* closed TCP without a close frame before our close */
    ECHO_THEN_ANSWERS,    /* echoed the case's payload, then answered our close */
    HELLO_THEN_NO_CODE,   /* echoed the text "Hello", then answered with an empty close */
    PONG_AFTER_ITS_CLOSE, /* answered, then sent a pong and a second close */
    VIOLATES,             /* broke a rule as a sender (the runner records a violation) */
};

static void build(struct transcript *t, enum peer_did what, int our_code, const char *echo) {
    transcript_init(t, 0);
    t->http_status = 101;
    switch (what) {
    case FAILS_1002_FIRST:
        peer_close(t, 1002);
        our_close(t, 1002);
        peer_eof(t);
        return;
    case FAILS_1000_FIRST:
        peer_close(t, 1000);
        our_close(t, 1000);
        peer_eof(t);
        return;
    case FAILS_DROP_FIRST: peer_eof(t); return;
    case VIOLATES: ev_simple(t, TEV_VIOLATION, "close frame with status code 5000"); return;
    case ECHO_THEN_ANSWERS: bin(t, echo); break;
    case HELLO_THEN_NO_CODE: msg(t, "Hello"); break;
    default: break;
    }
    our_close(t, our_code);
    switch (what) {
    case ANSWERS_SAME:
    case ECHO_THEN_ANSWERS: peer_close(t, our_code); break;
    case ANSWERS_NO_CODE:
    case HELLO_THEN_NO_CODE: peer_close(t, -1); break;
    case ANSWERS_1001: peer_close(t, 1001); break;
    case ANSWERS_1002: peer_close(t, 1002); break;
    case ANSWERS_1007: peer_close(t, 1007); break;
    case ANSWERS_TCP_OPEN:
        peer_close(t, our_code);
        t->we_dropped_tcp = true;
        ev_simple(t, TEV_TIMEOUT, "the peer did not close TCP");
        return;
    case NO_ANSWER:
        ev_simple(t, TEV_TIMEOUT, "no close frame within close_timeout");
        t->we_dropped_tcp = true;
        return;
    case DROPS_AFTER_OURS: peer_eof(t); return;
    case PONG_AFTER_ITS_CLOSE:
        peer_close(t, our_code);
        pong(t, "after close");
        ev_simple(t, TEV_CLOSE, "a second close frame");
        break;
    default: break;
    }
    peer_eof(t);
}

struct row {
    const char *table_row; /* the row of cases/README.md it checks */
    const char *case_id;
    enum peer_did did;
    int our_code;
    enum verdict want;
};

static const struct row rows[] = {
    {"reply with the same code", "close.close-code-only", ANSWERS_SAME, 1000, VERDICT_PASS},
    {"reply with no code", "close.close-code-only", ANSWERS_NO_CODE, 1000, VERDICT_PASS},
    {"reply with another valid code", "close.close-code-only", ANSWERS_1001, 1000, VERDICT_PASS},
    {"reply with another valid code (echo case)", "framing.binary-length-125", ANSWERS_1001, 1000,
     VERDICT_FAIL /* no echo: the events decide first */},
    {"reply with no code (the judge, an outcome written in the case)", "handshake.baseline",
     HELLO_THEN_NO_CODE, 1000, VERDICT_PASS},
    {"reply with no code", "close-codes.valid-3000", ANSWERS_NO_CODE, 3000, VERDICT_PASS},
    {"echoing our 1010", "close.valid-code-1010", ANSWERS_SAME, 1010, VERDICT_PASS},
    {"echoing our 1010", "close-codes.valid-1010", ANSWERS_SAME, 1010, VERDICT_PASS},
    {"no answer to our close", "close.close-code-only", NO_ANSWER, 1000, VERDICT_FAIL},
    {"a drop instead of an answer", "close.close-code-only", DROPS_AFTER_OURS, 1000, VERDICT_FAIL},
    {"TCP left open", "close.close-code-only", ANSWERS_TCP_OPEN, 1000, VERDICT_NON_STRICT},
    {"failing with the named code", "chop1.rsv-rsv1", FAILS_1002_FIRST, 1002, VERDICT_PASS},
    {"failing with another valid code", "chop1.rsv-rsv1", FAILS_1000_FIRST, 1000,
     VERDICT_NON_STRICT},
    {"failing without a close frame", "chop1.rsv-rsv1", FAILS_DROP_FIRST, 0, VERDICT_NON_STRICT},
    {"invalid UTF-8 close reason: 1007", "close-codes.reason-invalid-utf8-byte-ff", ANSWERS_1007,
     1000, VERDICT_PASS},
    {"invalid UTF-8 close reason: 1002", "close-codes.reason-invalid-utf8-byte-ff", ANSWERS_1002,
     1000, VERDICT_PASS},
    {"invalid UTF-8 close reason: 1002", "utf8-extra.close-reason-invalid-surrogate-pair",
     ANSWERS_1002, 1000, VERDICT_PASS},
    {"invalid UTF-8 close reason: 1002", "close.close-reason-invalid-utf8", ANSWERS_1002, 1000,
     VERDICT_PASS},
    {"invalid UTF-8 close reason: answered 1000", "close-codes.reason-invalid-utf8-byte-ff",
     ANSWERS_SAME, 1000, VERDICT_FAIL},
    {"control frames after the peer's close", "close.close-code-only", PONG_AFTER_ITS_CLOSE, 1000,
     VERDICT_PASS},
    {"a data frame after the peer's close (violation)", "close.close-code-only", VIOLATES, 1000,
     VERDICT_FAIL},
    {"a sender-only code rejected with 1002", "close-codes.invalid-5000", ANSWERS_1002, 5000,
     VERDICT_PASS},
    {"a sender-only code rejected with 1002", "close.undefined-code-5000", ANSWERS_1002, 5000,
     VERDICT_PASS},
    {"a sender-only code rejected with 1002", "close.invalid-code-1005", ANSWERS_1002, 1005,
     VERDICT_PASS},
    {"a sender-only code rejected with 1002", "chop1.close-invalid-code-1005", ANSWERS_1002, 1005,
     VERDICT_PASS},
    {"a sender-only code answered with 1000", "close-codes.invalid-5000", ANSWERS_1001, 5000,
     VERDICT_INFORMATIONAL},
    {"a sender-only code answered with 1000", "close.undefined-code-5000", ANSWERS_1001, 5000,
     VERDICT_INFORMATIONAL},
    {"a sender-only code answered without a code", "close.invalid-code-1006", ANSWERS_NO_CODE, 1006,
     VERDICT_INFORMATIONAL},
    {"a sender-only code: a drop", "close-codes.invalid-1015", DROPS_AFTER_OURS, 1015,
     VERDICT_INFORMATIONAL},
    {"a sender-only code: no answer", "close-codes.invalid-5000", NO_ANSWER, 5000, VERDICT_FAIL},
    {"a sender-only code echoed (violation)", "close.undefined-code-5000", VIOLATES, 5000,
     VERDICT_FAIL},
    {"non-minimal length rejected", "lengths.binary-125-non-minimal-16", FAILS_1002_FIRST, 1002,
     VERDICT_PASS},
    {"non-minimal close rejected", "lengths.close-non-minimal-16", ANSWERS_1002, 1000,
     VERDICT_PASS},
    {"non-minimal close answered", "lengths.close-non-minimal-16", ANSWERS_SAME, 1000,
     VERDICT_INFORMATIONAL},
    {"frames after our own close: 1002", "after-close.text-after-close-with-reason", ANSWERS_1002,
     1000, VERDICT_PASS},
    {"frames after our own close: no code", "after-close.garbage-after-close", ANSWERS_NO_CODE,
     1000, VERDICT_PASS},
};

static void test_rows(void) {
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const struct row *r = &rows[i];
        const struct wcase *c = find(r->case_id);
        if (!c)
            continue;
        struct transcript t;
        build(&t, r->did, r->our_code, "");
        struct judgement j;
        judge_case(c, &t, &j);
        if (j.verdict != r->want)
            fprintf(stderr, "row \"%s\" with %s: got %s, want %s (%s)\n", r->table_row, r->case_id,
                    verdict_name(j.verdict), verdict_name(r->want), j.reason);
        CHECK_EQ(j.verdict, r->want);
        judgement_free(&j);
        transcript_free(&t);
    }
}

/* The accepted non-minimal data frame: the echo must be exact, then the
 * answer is recorded as informational; a wrong echo still fails. */
static void test_non_minimal_echo(void) {
    const struct wcase *c = find("lengths.binary-0-non-minimal-16");
    struct transcript t;
    build(&t, ECHO_THEN_ANSWERS, 1000, "");
    struct judgement j;
    judge_case(c, &t, &j);
    CHECK_EQ(j.verdict, VERDICT_INFORMATIONAL);
    judgement_free(&j);
    transcript_free(&t);
    build(&t, ECHO_THEN_ANSWERS, 1000, "not the payload");
    judge_case(c, &t, &j);
    CHECK_EQ(j.verdict, VERDICT_FAIL);
    judgement_free(&j);
    transcript_free(&t);
}

/* ---- the opening handshake --------------------------------------------------- */

struct answer_row {
    const char *table_row;
    const char *case_id;
    const char *head; /* NULL: TCP closed without an answer */
    enum verdict want;
};

static const struct answer_row answers[] = {
    {"malformed: 400", "handshake.key-15-octets", "HTTP/1.1 400 Bad Request\r\n\r\n", VERDICT_PASS},
    {"malformed: another 4xx", "handshake.key-15-octets", "HTTP/1.1 404 Not Found\r\n\r\n",
     VERDICT_PASS},
    {"malformed: 5xx", "handshake.version-missing", "HTTP/1.1 503 Busy\r\n\r\n", VERDICT_PASS},
    {"malformed: no answer", "handshake.key-missing", NULL, VERDICT_NON_STRICT},
    {"malformed: 2xx", "handshake.key-missing", "HTTP/1.1 200 OK\r\n\r\n", VERDICT_FAIL},
    {"unsupported version: 426 with the header", "handshake.version-14",
     "HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n\r\n", VERDICT_PASS},
    {"unsupported version: 400 with the header", "handshake.version-14",
     "HTTP/1.1 400 Bad Request\r\nSec-WebSocket-Version: 13, 8\r\n\r\n", VERDICT_PASS},
    {"unsupported version: 400 without the header", "handshake.version-14",
     "HTTP/1.1 400 Bad Request\r\n\r\n", VERDICT_FAIL},
    {"unsupported version: 426 without the header", "handshake.version-draft-8",
     "HTTP/1.1 426 Upgrade Required\r\n\r\n", VERDICT_FAIL},
    {"not the ABNF's version: 400 without the header", "handshake.version-abc",
     "HTTP/1.1 400 Bad Request\r\n\r\n", VERDICT_PASS},
    {"not the ABNF's version: 400 without the header", "handshake.version-013",
     "HTTP/1.1 400 Bad Request\r\n\r\n", VERDICT_PASS},
    {"no usable Upgrade: 200", "handshake.upgrade-missing", "HTTP/1.1 200 OK\r\n\r\n",
     VERDICT_INFORMATIONAL},
    {"no usable Upgrade: 200", "handshake.http-1.0", "HTTP/1.1 200 OK\r\n\r\n",
     VERDICT_INFORMATIONAL},
    {"no usable Upgrade: 405", "handshake.method-post", "HTTP/1.1 405 Not Allowed\r\n\r\n",
     VERDICT_PASS},
    {"no usable Upgrade: no answer", "handshake.connection-missing", NULL, VERDICT_NON_STRICT},
    {"Host missing: 400", "handshake.host-missing", "HTTP/1.1 400 Bad Request\r\n\r\n",
     VERDICT_PASS},
    {"Host missing: another 4xx", "handshake.host-missing", "HTTP/1.1 404 Not Found\r\n\r\n",
     VERDICT_FAIL},
    {"space before a colon: 403", "handshake.space-before-colon", "HTTP/1.1 403 No\r\n\r\n",
     VERDICT_FAIL},
    {"not HTTP: 400", "handshake.garbage-text", "HTTP/1.1 400 Bad Request\r\n\r\n", VERDICT_PASS},
    {"not HTTP: another status", "handshake.garbage-binary", "HTTP/1.1 404 Not Found\r\n\r\n",
     VERDICT_NON_STRICT},
    {"not HTTP: no answer", "handshake.garbage-text", NULL, VERDICT_NON_STRICT},
    {"100 KiB head: 431", "handshake.headers-100k",
     "HTTP/1.1 431 Request Header Fields Too Large\r\n\r\n", VERDICT_PASS},
    {"100 KiB head: 503", "handshake.headers-100k", "HTTP/1.1 503 Busy\r\n\r\n", VERDICT_PASS},
    {"100 KiB head: closed unanswered", "handshake.headers-100k", NULL, VERDICT_PASS},
    {"bare LF: 400", "handshake.bare-lf", "HTTP/1.1 400 Bad Request\r\n\r\n", VERDICT_PASS},
    {"bare LF: closed unanswered", "handshake.bare-lf", NULL, VERDICT_PASS},
    {"bare LF: another error status", "handshake.bare-lf", "HTTP/1.1 404 Not Found\r\n\r\n",
     VERDICT_FAIL},
    {"a valid handshake refused", "handshake.origin", "HTTP/1.1 403 Forbidden\r\n\r\n",
     VERDICT_INFORMATIONAL},
    {"a valid handshake refused", "handshake.key-rfc-example", "HTTP/1.1 400 Bad Request\r\n\r\n",
     VERDICT_INFORMATIONAL},
};

static void test_answers(void) {
    for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++) {
        const struct answer_row *r = &answers[i];
        const struct wcase *c = find(r->case_id);
        if (!c)
            continue;
        struct transcript t;
        transcript_init(&t, 0);
        if (r->head) {
            t.http_status = atoi(r->head + 9);
            CHECK_EQ(buf_append(&t.response_head, r->head, strlen(r->head)), 0);
        } else {
            t.handshake_unanswered = true;
            ev_simple(&t, TEV_EOF, "no answer to the opening handshake: connection closed");
        }
        struct judgement j;
        judge_case(c, &t, &j);
        if (j.verdict != r->want)
            fprintf(stderr, "row \"%s\" with %s: got %s, want %s (%s)\n", r->table_row, r->case_id,
                    verdict_name(j.verdict), verdict_name(r->want), j.reason);
        CHECK_EQ(j.verdict, r->want);
        judgement_free(&j);
        transcript_free(&t);
    }
}

/* ---- rows about the order and content of the peer's events ------------------ */

static void mark(struct transcript *t, const char *name) {
    ev_simple(t, TEV_MARK, name);
}

/* The peer fails the connection with code (< 0: closes TCP without a close
 * frame) before our close. */
static void fails_with(struct transcript *t, int code) {
    if (code >= 0) {
        peer_close(t, code);
        our_close(t, code);
    }
    peer_eof(t);
}

static enum verdict judged(const char *id, struct transcript *t) {
    const struct wcase *c = find(id);
    struct judgement j;
    if (!c)
        return VERDICT_ERROR;
    judge_case(c, t, &j);
    enum verdict v = j.verdict;
    if (getenv("JUDGE_BEHAVIOURS_VERBOSE"))
        fprintf(stderr, "%s: %s (%s)\n", id, verdict_name(v), j.reason);
    judgement_free(&j);
    transcript_free(t);
    return v;
}

static void test_event_rows(void) {
    struct transcript t;
    /* A pong to our ping in the middle of a message, sent only after the
     * echo: 6455:5.5.2 "It SHOULD respond with Pong frame as soon as is
     * practical". */
    const char *interleave = "control-interleave.ping-before-fragment-2-of-3";
    transcript_init(&t, 0);
    pong(&t, "interleaved");
    msg(&t, "one-two-three");
    clean_close(&t);
    CHECK_EQ(judged(interleave, &t), VERDICT_PASS);
    transcript_init(&t, 0);
    msg(&t, "one-two-three");
    pong(&t, "interleaved");
    clean_close(&t);
    CHECK_EQ(judged(interleave, &t), VERDICT_NON_STRICT);

    /* Invalid UTF-8 found only at the end of the message: 8.1 does not say
     * when, no SHOULD asks for sooner. */
    const char *fast = "utf8.fail-fast-3-chops";
    transcript_init(&t, 0);
    mark(&t, "part2");
    fails_with(&t, 1007);
    CHECK_EQ(judged(fast, &t), VERDICT_PASS);
    transcript_init(&t, 0);
    mark(&t, "part2");
    mark(&t, "part3");
    fails_with(&t, 1007);
    CHECK_EQ(judged(fast, &t), VERDICT_INFORMATIONAL);

    /* A valid message before the frame that fails the connection, not
     * echoed: no SHOULD asks for that echo. */
    const char *after_valid = "reserved-bits.rsv2-text-after-valid-one-write";
    transcript_init(&t, 0);
    msg(&t, "Hello, world!");
    fails_with(&t, 1002);
    CHECK_EQ(judged(after_valid, &t), VERDICT_PASS);
    transcript_init(&t, 0);
    fails_with(&t, 1002);
    CHECK_EQ(judged(after_valid, &t), VERDICT_INFORMATIONAL);

    /* A frame without a defined meaning (a 126-octet ping): failing passes,
     * answering it fails; failing without a close frame is non-strict
     * (6455:7.1.7 SHOULD). */
    transcript_init(&t, 0);
    fails_with(&t, 1002);
    CHECK_EQ(judged("pings.ping-126", &t), VERDICT_PASS);
    transcript_init(&t, 0);
    fails_with(&t, -1);
    CHECK_EQ(judged("pings.ping-126", &t), VERDICT_NON_STRICT);
    transcript_init(&t, 0);
    clean_close(&t);
    CHECK_EQ(judged("pings.ping-126", &t), VERDICT_FAIL);

    /* The frame we sent with the request, lost: we broke 6455:4.1 first. */
    const char *in_request = "handshake.frame-in-request-write";
    transcript_init(&t, 0);
    t.http_status = 101;
    clean_close(&t);
    CHECK_EQ(judged(in_request, &t), VERDICT_INFORMATIONAL);
    transcript_init(&t, 0);
    t.http_status = 101;
    msg(&t, "Hello");
    clean_close(&t);
    CHECK_EQ(judged(in_request, &t), VERDICT_PASS);
}

/* ---- permessage-deflate (the sub-table "permessage-deflate") ----------------- */

static const char head_101[] = "HTTP/1.1 101 Switching Protocols\r\n\r\n";
static const char head_101_pmd[] =
    "HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n";

/* A 101 with the given head; agreed: permessage-deflate is on. */
static void opened(struct transcript *t, const char *head, bool agreed) {
    transcript_init(t, 0);
    t->http_status = 101;
    CHECK_EQ(buf_append(&t->response_head, head, strlen(head)), 0);
    t->deflate.offered = true;
    t->deflate.agreed = agreed;
}

static void test_deflate_rows(void) {
    struct transcript t;
    /* An offer the server MUST decline (7692:7): declined passes, a refusal of
     * the whole handshake is recorded, accepting it is a violation (the
     * runner's pmd_client_check). */
    const char *decline = "deflate-negotiation.decline-server-max-window-bits-7";
    opened(&t, head_101, false);
    clean_close(&t);
    CHECK_EQ(judged(decline, &t), VERDICT_PASS);
    transcript_init(&t, 0);
    t.http_status = 400;
    CHECK_EQ(buf_append(&t.response_head, "HTTP/1.1 400 Bad Request\r\n\r\n", 28), 0);
    CHECK_EQ(judged(decline, &t), VERDICT_INFORMATIONAL);
    opened(&t, head_101_pmd, false);
    ev_simple(&t, TEV_VIOLATION,
              "the server accepted permessage-deflate although every offer "
              "of ours was invalid");
    CHECK_EQ(judged(decline, &t), VERDICT_FAIL);
    opened(&t, head_101_pmd, false);
    clean_close(&t);
    CHECK_EQ(judged(decline, &t), VERDICT_FAIL);

    /* An invalid offer, then a valid one: accepting the valid one passes,
     * declining both is the server's choice. */
    const char *two = "deflate-negotiation.invalid-then-valid-window-bits-7";
    opened(&t, head_101_pmd, true);
    msg(&t, "Hello");
    clean_close(&t);
    CHECK_EQ(judged(two, &t), VERDICT_PASS);
    opened(&t, head_101, false);
    msg(&t, "Hello");
    clean_close(&t);
    CHECK_EQ(judged(two, &t), VERDICT_INFORMATIONAL);

    /* RSV1 on a control frame, deflate agreed: 7692:6.1 MUST fail. */
    opened(&t, head_101_pmd, true);
    fails_with(&t, 1002);
    CHECK_EQ(judged("deflate-frames.rsv1-ping", &t), VERDICT_PASS);
    opened(&t, head_101_pmd, true);
    pong(&t, "Hello");
    clean_close(&t);
    CHECK_EQ(judged("deflate-frames.rsv1-ping", &t), VERDICT_FAIL);

    /* An uncompressed message on a compressed connection is echoed (7692:6). */
    opened(&t, head_101_pmd, true);
    fails_with(&t, 1002);
    CHECK_EQ(judged("deflate-frames.uncompressed-text", &t), VERDICT_FAIL);

    /* Not DEFLATE: 1007 or 1002 pass, another code or a drop is non-strict
     * (6455:7.1.7), an echo fails. */
    const char *corrupt = "deflate-streams.corrupt-btype-3";
    opened(&t, head_101_pmd, true);
    fails_with(&t, 1007);
    CHECK_EQ(judged(corrupt, &t), VERDICT_PASS);
    opened(&t, head_101_pmd, true);
    fails_with(&t, 1002);
    CHECK_EQ(judged(corrupt, &t), VERDICT_PASS);
    opened(&t, head_101_pmd, true);
    fails_with(&t, 1011);
    CHECK_EQ(judged(corrupt, &t), VERDICT_NON_STRICT);
    opened(&t, head_101_pmd, true);
    fails_with(&t, -1);
    CHECK_EQ(judged(corrupt, &t), VERDICT_NON_STRICT);
    opened(&t, head_101_pmd, true);
    bin(&t, "");
    fails_with(&t, 1002);
    CHECK_EQ(judged(corrupt, &t), VERDICT_FAIL);

    /* Our compressor broke the agreement (context kept): 1002/1007 pass, the
     * echoes or another ending are recorded. */
    const char *kept = "deflate-streams.context-kept-offered";
    opened(&t, head_101_pmd, true);
    fails_with(&t, 1007);
    CHECK_EQ(judged(kept, &t), VERDICT_PASS);
    opened(&t, head_101_pmd, true);
    msg(&t, "not the message sent");
    fails_with(&t, 1007);
    CHECK_EQ(judged(kept, &t), VERDICT_FAIL);
    opened(&t, head_101_pmd, true);
    fails_with(&t, 1011);
    CHECK_EQ(judged(kept, &t), VERDICT_INFORMATIONAL);

    /* A decompression bomb: 1009 passes, another code is non-strict, the
     * message dropped and our close answered is recorded, no answer fails. */
    const char *bomb = "deflate-streams.bomb-zeros";
    opened(&t, head_101_pmd, true);
    fails_with(&t, 1009);
    CHECK_EQ(judged(bomb, &t), VERDICT_PASS);
    opened(&t, head_101_pmd, true);
    fails_with(&t, 1011);
    CHECK_EQ(judged(bomb, &t), VERDICT_NON_STRICT);
    opened(&t, head_101_pmd, true);
    clean_close(&t);
    CHECK_EQ(judged(bomb, &t), VERDICT_INFORMATIONAL);
    opened(&t, head_101_pmd, true);
    ev_simple(&t, TEV_TIMEOUT, "no wait for message ended");
    our_close(&t, 1000);
    ev_simple(&t, TEV_TIMEOUT, "no close frame within close_timeout");
    t.we_dropped_tcp = true;
    CHECK_EQ(judged(bomb, &t), VERDICT_FAIL);
    opened(&t, head_101_pmd, true);
    ev_simple(&t, TEV_LIMIT, "a compressed message inflating to more than the case's max_message");
    CHECK_EQ(judged(bomb, &t), VERDICT_INFORMATIONAL);
}

int main(void) {
    struct case_error err;
    if (case_load_path(WSSPEC_SOURCE_CASES, &corpus, &err) != 0) {
        char msg[2048];
        case_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "%s\n", msg);
        return 1;
    }
    RUN(test_rows);
    RUN(test_non_minimal_echo);
    RUN(test_answers);
    RUN(test_event_rows);
    RUN(test_deflate_rows);
    case_list_free(&corpus);
    TEST_EXIT();
}
