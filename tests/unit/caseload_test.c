/* caseload_test: loads the good fixtures of tests/unit/data/caseload and
 * checks the structs field by field. The loader's errors are data files
 * (tests/unit/data/caseload/invalid, run by caseload_data_test); the few
 * here cannot be: a path that does not exist, a file loaded twice into one
 * list, and a fixture too large to keep. Positions are worked out by hand
 * from the text (columns count characters from 1, as jansson's do). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec/handshake.h"
#include "load/caseload.h"
#include "test.h"

/* The fixture directory, next to this source file. */
static char data_dir[1024];

static const char *fixture(const char *name) {
    static char path[1200];
    snprintf(path, sizeof path, "%s%s", data_dir, name);
    return path;
}

static const struct wcase *find(const struct case_list *l, const char *id) {
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->items[i].id, id) == 0)
            return &l->items[i];
    fprintf(stderr, "case %s not loaded\n", id);
    return NULL;
}

/* The payload's octets, for comparisons (static storage, up to 256). */
static const uint8_t *octets(const struct payload *p) {
    static uint8_t buf[256];
    if (p->length <= sizeof buf)
        payload_read(p, 0, buf, (size_t)p->length);
    return buf;
}

static int load_ok(const char *name, struct case_list *l) {
    struct case_error err;
    int rc = case_load_file(fixture(name), l, &err);
    if (rc != 0) {
        char msg[2048];
        case_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "unexpected error: %s\n", msg);
    }
    return rc;
}

/* ---- good fixtures ------------------------------------------------------ */

static void test_readme_example(void) {
    struct case_list l = {0};
    CHECK_EQ(load_ok("readme_example.json", &l), 0);
    CHECK_EQ(l.count, 3);
    if (l.count != 3)
        return;
    static const char *const ids[] = {"framing.text-0", "framing.text-125", "framing.text-126"};
    static const char *const ab[] = {"1.1.1", "1.1.2", "1.1.3"};
    static const uint64_t lens[] = {0, 125, 126};
    for (size_t i = 0; i < 3; i++) {
        const struct wcase *c = &l.items[i];
        CHECK_STR(c->id, ids[i]);
        CHECK_STR(c->autobahn, ab[i]);
        CHECK_STR(c->pos.file, fixture("readme_example.json"));
        CHECK_EQ(c->pos.line, 5);
        CHECK_EQ(c->rfc_count, 2);
        CHECK_STR(c->rfc[1], "6455:5.6");
        CHECK_EQ(c->tag_count, 2);
        CHECK_STR(c->tags[1], "length-boundary");
        CHECK_STR(c->requirement,
                  "6455:5.6 \"The 'Payload data' of text frames MUST be encoded as UTF-8\"");
        CHECK(c->timeout_s == 10.0);
        CHECK_EQ(c->step_count, 3);
        const struct step *s = c->steps;
        CHECK_EQ(s[0].kind, STEP_SEND_MESSAGE);
        CHECK_EQ(s[0].u.message.opcode, 1);
        CHECK_EQ(s[0].u.message.payload.kind, PAYLOAD_REPEAT);
        CHECK_EQ_U64(s[0].u.message.payload.length, lens[i]);
        CHECK_EQ(s[0].u.message.payload.unit_len, 1);
        CHECK_EQ(s[0].u.message.payload.bytes[0], '*');
        CHECK_EQ(s[1].kind, STEP_WAIT);
        CHECK_EQ(s[1].u.wait.what, WAIT_MESSAGE);
        CHECK_EQ(s[1].u.wait.count, 1);
        CHECK_EQ(s[2].kind, STEP_SEND_CLOSE);
        CHECK(s[2].u.close.has_code);
        CHECK_EQ(s[2].u.close.code, 1000);
        CHECK_EQ(c->outcome_count, 1);
        const struct outcome *o = c->outcomes;
        CHECK_EQ(o->verdict, VERDICT_PASS);
        CHECK_EQ(o->event_count, 1);
        CHECK_EQ(o->events[0].kind, EXPECT_MESSAGE);
        CHECK_EQ(o->events[0].opcode, 1);
        CHECK(o->events[0].payload_set);
        CHECK_EQ_U64(o->events[0].payload.length, lens[i]);
        CHECK_EQ(o->close.by, CLOSE_BY_US);
        CHECK_EQ(o->close.code_count, 0);
        CHECK(!o->close.exact);
    }
    CHECK_STR(l.items[1].title, "Text message of 125 octets");
    case_list_free(&l);
    CHECK(l.items == NULL && l.count == 0);
}

static void test_defaults(void) {
    struct case_list l = {0};
    CHECK_EQ(load_ok("good_full.json", &l), 0);
    const struct wcase *c = find(&l, "full.defaults");
    CHECK(c != NULL);
    if (!c)
        return;
    CHECK_EQ(c->pos.line, 6);
    CHECK_STR(c->title, "Only what is required");
    CHECK(c->description == NULL && c->autobahn == NULL && c->requirement == NULL);
    CHECK_EQ(c->tag_count, 0);
    CHECK(c->timeout_s == 10.0);
    CHECK(c->close_timeout_s == 2.0);
    CHECK_EQ(c->chop, 0);
    CHECK(c->chop_delay_s == 0.0);
    CHECK_EQ_U64(c->max_message, 64u * 1024 * 1024);
    CHECK(!c->has_handshake);
    CHECK_EQ(c->step_count, 1);
    const struct close_step *cl = &c->steps[0].u.close;
    CHECK_EQ(c->steps[0].kind, STEP_SEND_CLOSE);
    CHECK(!cl->has_code && !cl->raw_set);
    CHECK_EQ_U64(cl->reason.length, 0);
    CHECK_EQ(cl->mask, MASK_RANDOM);
    CHECK_EQ(c->steps[0].chop, 0);
    CHECK(!c->steps[0].coalesce);
    const struct outcome *o = &c->outcomes[0];
    CHECK_EQ(o->verdict, VERDICT_PASS);
    CHECK(!o->any_events);
    CHECK_EQ(o->event_count, 0);
    CHECK(o->note == NULL);
    CHECK_EQ(o->close.by, CLOSE_BY_ANY);
    CHECK_EQ(o->close.code_count, 0);
    CHECK(!o->close.allow_drop && !o->close.allow_no_code && !o->close.exact);
    case_list_free(&l);
}

static void test_case_fields_and_handshake(void) {
    struct case_list l = {0};
    CHECK_EQ(load_ok("good_full.json", &l), 0);
    const struct wcase *c = find(&l, "full.steps");
    CHECK(c != NULL);
    if (!c)
        return;
    CHECK_EQ(c->pos.line, 13);
    CHECK_STR(c->description, "More text");
    CHECK_STR(c->autobahn, "2.5");
    CHECK_EQ(c->rfc_count, 2);
    CHECK_STR(c->rfc[0], "6455:5.2");
    CHECK_STR(c->rfc[1], "6455:5.5.2");
    CHECK_STR(c->tags[0], "a");
    CHECK(c->timeout_s == 2.5);
    CHECK(c->close_timeout_s == 1.0);
    CHECK_EQ(c->chop, 3);
    CHECK(c->chop_delay_s == 0.25);
    CHECK_EQ_U64(c->max_message, 1000);
    CHECK(c->has_handshake);
    const struct handshake_override *h = &c->handshake;
    CHECK_STR(h->target, "/x?y=1");
    CHECK_STR(h->protocols, "chat");
    CHECK_STR(h->extensions, "permessage-deflate");
    CHECK_EQ(h->header_count, 3);
    if (h->header_count == 3) {
        CHECK_EQ(h->headers[0].op, HANDSHAKE_HDR_SET);
        CHECK_STR(h->headers[0].name, "Origin");
        CHECK_STR(h->headers[0].value, "http://a");
        CHECK_EQ(h->headers[1].op, HANDSHAKE_HDR_ADD);
        CHECK_STR(h->headers[1].name, "X-A");
        CHECK_STR(h->headers[1].value, "1");
        CHECK_EQ(h->headers[2].op, HANDSHAKE_HDR_OMIT);
        CHECK_STR(h->headers[2].name, "Sec-WebSocket-Version");
        CHECK(h->headers[2].value == NULL);
    }
    case_list_free(&l);
}

static void test_handshake_fields(void) {
    struct case_list l = {0};
    CHECK_EQ(load_ok("good_handshake.json", &l), 0);
    CHECK_EQ(l.count, 3);
    const struct wcase *c = find(&l, "hs.overrides");
    CHECK(c != NULL);
    if (c) {
        const struct handshake_override *h = &c->handshake;
        CHECK(c->has_handshake && !h->raw_set);
        CHECK_STR(h->method, "POST");
        CHECK_STR(h->http_version, "HTTP/1.0");
        CHECK_STR(h->query, "a=1");
        CHECK_EQ(h->host_form, HOST_FORM_NO_PORT);
        CHECK_EQ(h->header_count, 2);
        if (h->header_count == 2) {
            /* A "set" without a value respells a default line: no value. */
            CHECK_EQ(h->headers[0].op, HANDSHAKE_HDR_SET);
            CHECK_STR(h->headers[0].name, "hOsT");
            CHECK(h->headers[0].value == NULL);
            /* JSON "\r\n " becomes CR LF SP: an obs-fold on the wire. */
            CHECK_STR(h->headers[1].value, "keep-alive,\r\n Upgrade");
        }
        CHECK_EQ(c->outcome_count, 3);
        const struct handshake_expect *e = &c->outcomes[0].handshake;
        /* "handshake": {} is a 101 (the status defaults to [101]). */
        CHECK(e->set);
        CHECK_EQ(e->status_count, 1);
        CHECK_EQ(e->statuses[0], 101);
        CHECK(!e->allow_no_response);
        CHECK_EQ(c->outcomes[0].close.by, CLOSE_BY_US);
        e = &c->outcomes[1].handshake;
        CHECK(e->set);
        CHECK_EQ(e->status_count, 2);
        if (e->status_count == 2) {
            CHECK_EQ(e->statuses[0], 101);
            CHECK_EQ(e->statuses[1], 4); /* "4xx" */
        }
        CHECK_EQ(e->header_count, 2);
        if (e->header_count == 2) {
            CHECK_STR(e->headers[0].name, "Sec-WebSocket-Version");
            CHECK_STR(e->headers[0].value, "13");
            CHECK_STR(e->headers[1].name, "upgrade");
            CHECK_STR(e->headers[1].value, "websocket");
        }
        CHECK_EQ(e->absent_count, 1);
        if (e->absent_count == 1)
            CHECK_STR(e->absent[0], "Sec-WebSocket-Protocol");
        /* Classes match every status of their hundred, and only those. */
        CHECK(handshake_expect_status(e, 101));
        CHECK(handshake_expect_status(e, 400));
        CHECK(handshake_expect_status(e, 499));
        CHECK(!handshake_expect_status(e, 500));
        CHECK(!handshake_expect_status(e, 100));
        e = &c->outcomes[2].handshake;
        CHECK(e->set && e->allow_no_response);
        CHECK_EQ(e->status_count, 1);
        CHECK(!handshake_expect_status(e, 101));
    }
    c = find(&l, "hs.raw");
    CHECK(c != NULL);
    if (c) {
        const struct handshake_override *h = &c->handshake;
        CHECK(c->has_handshake && h->raw_set);
        /* 18 octets of head, then 6455:5.7's masked "Hello" (11 octets). */
        CHECK_EQ_U64(h->raw.length, 29);
        static const uint8_t want[] = "GET / HTTP/1.1\r\n\r\n"
                                      "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58";
        CHECK_MEM(octets(&h->raw), (size_t)h->raw.length, want, sizeof want - 1);
        CHECK(h->method == NULL && h->target == NULL);
        /* Every outcome judges the answer, so no steps are needed. */
        CHECK_EQ(c->step_count, 0);
        CHECK(c->steps == NULL);
        const struct handshake_expect *e = &c->outcomes[0].handshake;
        CHECK_EQ(e->status_count, 2);
        CHECK(handshake_expect_status(e, 101)); /* "1xx" */
        CHECK(handshake_expect_status(e, 426));
        CHECK(!handshake_expect_status(e, 400));
    }
    c = find(&l, "hs.port");
    CHECK(c != NULL);
    if (c) {
        CHECK_EQ(c->handshake.host_form, HOST_FORM_PORT);
        CHECK(!c->outcomes[0].handshake.set);
        CHECK_EQ(c->outcomes[0].handshake.status_count, 0);
    }
    case_list_free(&l);
}

static void test_steps(void) {
    struct case_list l = {0};
    CHECK_EQ(load_ok("good_full.json", &l), 0);
    const struct wcase *c = find(&l, "full.steps");
    CHECK(c != NULL && c->step_count == 15);
    if (!c || c->step_count != 15)
        return;
    const struct step *s = c->steps;

    const struct frame_step *f = &s[0].u.frame;
    CHECK_EQ(s[0].kind, STEP_SEND_FRAME);
    CHECK_EQ(f->opcode, 2);
    CHECK(!f->fin);
    CHECK_EQ(f->rsv, 5);
    CHECK_EQ(f->mask, MASK_KEY);
    CHECK_MEM(f->mask_key, 4, "\x0a\x1b\x2c\x3d", 4);
    CHECK_EQ(f->len_form, 64);
    CHECK(f->declared_len_set);
    CHECK_EQ_U64(f->declared_len, UINT64_MAX);
    CHECK_EQ(f->payload.kind, PAYLOAD_BYTES);
    CHECK_MEM(f->payload.bytes, (size_t)f->payload.length, "\x00\xff\x10", 3);
    CHECK_EQ(s[0].chop, 3); /* the case's defaults */
    CHECK(s[0].chop_delay_s == 0.25);
    CHECK(!s[0].coalesce);

    f = &s[1].u.frame;
    CHECK_EQ(f->opcode, 11);
    CHECK(f->fin);
    CHECK_EQ(f->rsv, 0);
    CHECK_EQ(f->mask, MASK_NONE);
    CHECK_EQ(f->len_form, 0);
    CHECK_EQ_U64(f->declared_len, 5);
    CHECK_MEM(f->payload.bytes, (size_t)f->payload.length, "Hi", 2);
    CHECK_EQ(s[1].chop, 1);
    CHECK(s[1].chop_delay_s == 0.5);
    CHECK(s[1].coalesce);

    const struct message_step *m = &s[2].u.message;
    CHECK_EQ(s[2].kind, STEP_SEND_MESSAGE);
    CHECK_EQ(m->opcode, 1); /* default text */
    CHECK_EQ(m->payload.kind, PAYLOAD_RANDOM);
    CHECK_EQ_U64(m->payload.length, 20);
    CHECK_EQ_U64(m->payload.seed, 7);
    CHECK_EQ(m->fragment_count, 2);
    CHECK_EQ_U64(m->fragments[0], 1);
    CHECK_EQ_U64(m->fragments[1], 4);
    CHECK_EQ(m->rsv, 4);
    CHECK_EQ(m->mask, MASK_NONE);

    const struct close_step *cl = &s[3].u.close;
    CHECK_EQ(s[3].kind, STEP_SEND_CLOSE);
    CHECK(cl->has_code && !cl->raw_set);
    CHECK_EQ(cl->code, 1002);
    CHECK_MEM(octets(&cl->reason), (size_t)cl->reason.length, "\xff", 1);
    cl = &s[4].u.close;
    CHECK(!cl->has_code && cl->raw_set);
    CHECK_MEM(octets(&cl->raw), (size_t)cl->raw.length, "\x03", 1);
    CHECK_EQ(cl->mask, MASK_RANDOM);

    CHECK_EQ(s[5].kind, STEP_SEND_FRAME); /* send_ping: a ping frame */
    CHECK_EQ(s[5].u.frame.opcode, 9);
    CHECK(s[5].u.frame.fin);
    CHECK_MEM(octets(&s[5].u.frame.payload), (size_t)s[5].u.frame.payload.length, "ab", 2);
    CHECK_EQ(s[6].u.frame.opcode, 10); /* send_pong, object form */
    CHECK(!s[6].u.frame.fin);
    CHECK_MEM(octets(&s[6].u.frame.payload), (size_t)s[6].u.frame.payload.length, "pp", 2);
    CHECK_EQ(s[7].u.frame.opcode, 9); /* send_ping with a hex payload */
    CHECK_MEM(octets(&s[7].u.frame.payload), (size_t)s[7].u.frame.payload.length, "\x01\x02", 2);

    CHECK_EQ(s[8].kind, STEP_SEND_RAW);
    CHECK_EQ(s[8].u.raw.kind, PAYLOAD_CONCAT);
    CHECK_EQ(s[8].u.raw.part_count, 2);
    CHECK_MEM(octets(&s[8].u.raw), (size_t)s[8].u.raw.length, "GET\r\n", 5);

    CHECK_EQ(s[9].kind, STEP_PAUSE);
    CHECK(s[9].u.pause_s == 0.5);
    CHECK_EQ(s[10].kind, STEP_WAIT);
    CHECK_EQ(s[10].u.wait.what, WAIT_PONG);
    CHECK_EQ(s[10].u.wait.count, 2);
    CHECK(s[10].u.wait.timeout_s == 3.0);
    CHECK_EQ(s[11].kind, STEP_MARK);
    CHECK_STR(s[11].u.mark, "m1");

    CHECK_EQ(s[12].kind, STEP_REPEAT);
    CHECK_EQ(s[12].u.repeat.count, 3);
    CHECK_EQ(s[12].u.repeat.step_count, 2);
    if (s[12].u.repeat.step_count == 2) {
        const struct step *sub = s[12].u.repeat.steps;
        CHECK_EQ(sub[0].kind, STEP_SEND_FRAME);
        CHECK_EQ(sub[0].u.frame.opcode, 9);
        CHECK_EQ_U64(sub[0].u.frame.payload.length, 0);
        CHECK_EQ(sub[1].kind, STEP_REPEAT);
        CHECK_EQ(sub[1].u.repeat.count, 0);
        CHECK_EQ(sub[1].u.repeat.steps[0].kind, STEP_SHUTDOWN);
    }
    CHECK_EQ(s[13].kind, STEP_SHUTDOWN);

    cl = &s[14].u.close; /* any code; a reason with a NUL octet */
    CHECK_EQ(cl->code, 65535);
    CHECK_MEM(octets(&cl->reason), (size_t)cl->reason.length, "\0x", 2);
    case_list_free(&l);
}

static void test_outcomes(void) {
    struct case_list l = {0};
    CHECK_EQ(load_ok("good_full.json", &l), 0);
    const struct wcase *c = find(&l, "full.steps");
    CHECK(c != NULL && c->outcome_count == 4);
    if (!c || c->outcome_count != 4)
        return;
    const struct outcome *o = &c->outcomes[0];
    CHECK_EQ(o->verdict, VERDICT_NON_STRICT);
    CHECK_STR(o->note, "why");
    CHECK(!o->any_events);
    CHECK_EQ(o->event_count, 5);
    const struct expect_event *e = o->events;
    CHECK_EQ(e[0].kind, EXPECT_MESSAGE);
    CHECK_EQ(e[0].opcode, 2);
    CHECK(!e[0].payload_set);
    CHECK_EQ(e[0].times, 1);
    CHECK(!e[0].optional);
    CHECK_EQ(e[1].kind, EXPECT_PING);
    CHECK(!e[1].payload_set); /* null = any payload */
    CHECK_EQ(e[1].times, 3);
    CHECK_EQ(e[2].kind, EXPECT_PONG);
    CHECK(e[2].payload_set);
    CHECK_MEM(octets(&e[2].payload), (size_t)e[2].payload.length, "ab", 2);
    CHECK(e[2].optional);
    CHECK_EQ(e[3].kind, EXPECT_MARK);
    CHECK_STR(e[3].mark, "m1");
    CHECK_EQ(e[4].kind, EXPECT_ANY_OF);
    CHECK_EQ(e[4].times, 2);
    CHECK(e[4].optional);
    CHECK_EQ(e[4].alternative_count, 2);
    if (e[4].alternative_count == 2) {
        const struct expect_event *alt = e[4].alternatives;
        CHECK_EQ(alt[0].kind, EXPECT_MESSAGE);
        CHECK_EQ(alt[0].opcode, 1);
        CHECK(alt[0].payload_set);
        CHECK_EQ_U64(alt[0].payload.length, 0);
        CHECK_EQ(alt[1].kind, EXPECT_PING);
        CHECK_MEM(octets(&alt[1].payload), (size_t)alt[1].payload.length, "\x00", 1);
    }
    CHECK_EQ(o->close.by, CLOSE_BY_PEER);
    CHECK_EQ(o->close.code_count, 2);
    CHECK_EQ(o->close.codes[0], 1002);
    CHECK_EQ(o->close.codes[1], 1007);
    CHECK(o->close.allow_no_code && o->close.allow_drop && o->close.exact);

    o = &c->outcomes[1];
    CHECK_EQ(o->verdict, VERDICT_INFORMATIONAL);
    CHECK(o->any_events);
    CHECK_EQ(o->close.by, CLOSE_BY_NONE);
    o = &c->outcomes[2];
    CHECK_EQ(o->verdict, VERDICT_UNIMPLEMENTED);
    CHECK(!o->any_events);
    CHECK_EQ(o->event_count, 0);
    CHECK_EQ(o->close.by, CLOSE_BY_ANY);
    o = &c->outcomes[3];
    CHECK_EQ(o->verdict, VERDICT_FAIL);
    CHECK_EQ(o->close.by, CLOSE_BY_US);
    case_list_free(&l);
}

static void test_params_cross_product(void) {
    struct case_list l = {0};
    CHECK_EQ(load_ok("good_full.json", &l), 0);
    CHECK_EQ(l.count, 10);
    if (l.count != 10)
        return;
    /* Row-major: "op" (first) varies slowest; {i} counts from 1. */
    static const char *const ids[] = {"full.cross-text-1",   "full.cross-text-2",
                                      "full.cross-text-3",   "full.cross-binary-1",
                                      "full.cross-binary-2", "full.cross-binary-3"};
    static const char *const titles[] = {"text x 1 (1)",   "text x 2 (2)",   "text x 3 (3)",
                                         "binary x 1 (4)", "binary x 2 (5)", "binary x 3 (6)"};
    for (size_t i = 0; i < 6; i++) {
        const struct wcase *c = &l.items[2 + i];
        CHECK_STR(c->id, ids[i]);
        CHECK_STR(c->title, titles[i]);
        CHECK_EQ(c->pos.line, 66);
        uint8_t op = i < 3 ? 1 : 2;
        uint64_t n = i % 3 + 1;
        CHECK_EQ(c->steps[0].u.message.opcode, op);
        CHECK_EQ(c->steps[0].u.message.payload.kind, PAYLOAD_REPEAT);
        CHECK_EQ_U64(c->steps[0].u.message.payload.length, n);
        /* "ab" repeated, cut to n octets */
        CHECK_MEM(octets(&c->steps[0].u.message.payload), (size_t)n, "aba", (size_t)n);
        CHECK_EQ(c->outcomes[0].events[0].opcode, op);
        CHECK_EQ(c->outcomes[0].events[0].times, n);
    }
    case_list_free(&l);
}

static void test_params_typed(void) {
    struct case_list l = {0};
    CHECK_EQ(load_ok("good_full.json", &l), 0);
    const struct wcase *a = find(&l, "full.typed-1"), *b = find(&l, "full.typed-2");
    CHECK(a && b);
    if (!a || !b)
        return;
    /* A whole-string "{p}" takes the object (a hex payload) with its type. */
    CHECK_STR(a->title, "Typed substitution: whole payload after 0.5");
    CHECK(a->steps[0].u.pause_s == 0.5);
    const struct frame_step *f = &a->steps[1].u.frame;
    CHECK(f->fin);
    CHECK_MEM(octets(&f->payload), (size_t)f->payload.length,
              "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", 11);
    CHECK_EQ_U64(a->outcomes[0].events[0].payload.length, 11);
    CHECK_EQ(a->outcomes[0].close.code_count, 2);
    CHECK_EQ(a->outcomes[0].close.codes[1], 1001);

    CHECK_STR(b->title, "Typed substitution: string payload after 2");
    CHECK(b->steps[0].u.pause_s == 2.0);
    f = &b->steps[1].u.frame;
    CHECK(!f->fin); /* a boolean parameter */
    CHECK_MEM(octets(&f->payload), (size_t)f->payload.length, "abc", 3);
    CHECK_EQ(b->outcomes[0].close.code_count, 0);
    case_list_free(&l);
}

/* A string that is exactly "{name}" stands for any value of a case (a
 * step, the handshake, a verdict, an event, the close), and a placeholder
 * inside a hex string expands before the digits are read. */
static void test_placeholders_anywhere(void) {
    struct case_list l = {0};
    CHECK_EQ(load_ok("good_placeholders.json", &l), 0);
    CHECK_EQ(l.count, 2);
    if (l.count != 2 || l.items[0].step_count != 3 || l.items[1].step_count != 3)
        return;
    const struct wcase *a = &l.items[0], *b = &l.items[1];
    CHECK_STR(a->id, "ph.p-1");
    CHECK_STR(a->title, "Verdict fail");
    CHECK_STR(a->rfc[0], "6455:5.2");
    CHECK(a->has_handshake);
    CHECK_STR(a->handshake.method, "POST");
    CHECK_EQ(a->steps[0].kind, STEP_PAUSE);
    CHECK(a->steps[0].u.pause_s == 0.5);
    CHECK_EQ(a->steps[1].kind, STEP_SEND_FRAME);
    CHECK(!a->steps[1].u.frame.fin);
    CHECK_MEM(octets(&a->steps[1].u.frame.payload), (size_t)a->steps[1].u.frame.payload.length,
              "\x00\xce\xba", 3);
    CHECK_EQ(a->steps[2].u.wait.what, WAIT_PONG);
    CHECK_EQ(a->steps[2].u.wait.count, 2);
    CHECK_EQ(a->outcomes[0].verdict, VERDICT_FAIL);
    CHECK_EQ(a->outcomes[0].event_count, 1);
    CHECK_EQ(a->outcomes[0].events[0].kind, EXPECT_PING);
    CHECK(!a->outcomes[0].events[0].payload_set);
    CHECK_EQ(a->outcomes[0].close.by, CLOSE_BY_PEER);
    CHECK_EQ(a->outcomes[0].close.code_count, 1);

    CHECK_STR(b->id, "ph.p-2");
    CHECK_STR(b->title, "Verdict pass");
    CHECK_STR(b->rfc[0], "6455:5.5.2");
    CHECK(b->has_handshake && b->handshake.method == NULL);
    CHECK_EQ(b->steps[0].kind, STEP_MARK);
    CHECK_STR(b->steps[0].u.mark, "m");
    CHECK(b->steps[1].u.frame.fin);
    CHECK_EQ_U64(b->steps[1].u.frame.payload.length, 1);
    CHECK_EQ(b->steps[2].u.wait.what, WAIT_ANY);
    CHECK_EQ(b->steps[2].u.wait.count, 1);
    CHECK_EQ(b->outcomes[0].verdict, VERDICT_PASS);
    CHECK_EQ(b->outcomes[0].events[0].kind, EXPECT_MARK);
    CHECK_EQ(b->outcomes[0].close.by, CLOSE_BY_ANY);
    CHECK_EQ(b->outcomes[0].close.code_count, 0);
    case_list_free(&l);
}

static void test_directory(void) {
    struct case_list l = {0};
    struct case_error err;
    /* Sorted by file name; schema.json and non-.json files are skipped. */
    CHECK_EQ(case_load_path(fixture("dir"), &l, &err), 0);
    CHECK_EQ(l.count, 3);
    if (l.count == 3) {
        CHECK_STR(l.items[0].id, "a.one");
        CHECK_STR(l.items[1].id, "a.two");
        CHECK_STR(l.items[2].id, "b.one");
        CHECK_STR(l.items[2].pos.file, fixture("dir/b.json"));
    }
    case_list_free(&l);

    /* One file through case_load_path. */
    CHECK_EQ(case_load_path(fixture("dir/a.json"), &l, &err), 0);
    CHECK_EQ(l.count, 2);
    case_list_free(&l);
}

/* ---- errors the data files cannot hold ---------------------------------
 * Every other error message is a data file of tests/unit/data/caseload/invalid
 * (caseload_data_test). */

/* The same file loaded twice into one list (a file, not a directory, into a
 * list that holds its ids already): the duplicate names the first. */
static void test_duplicate_in_caller_list(void) {
    struct case_list l = {0};
    struct case_error err;
    char want[3000], got[3000];
    CHECK_EQ(load_ok("readme_example.json", &l), 0);
    CHECK_EQ(case_load_file(fixture("readme_example.json"), &l, &err), -1);
    CHECK_EQ(l.count, 3);
    /* cases[0] of readme_example.json: "name" on line 6, its value at column
     * 15; the case is parametric, and its first expansion is the duplicate. */
    snprintf(want, sizeof want,
             "%s:6:15: cases[0].name: duplicate id \"framing.text-0\" (first defined at %s:5) "
             "(parameter expansion 1)",
             fixture("readme_example.json"), fixture("readme_example.json"));
    case_error_format(&err, got, sizeof got);
    CHECK_STR(got, want);
    case_list_free(&l);
}

static void test_missing_file(void) {
    struct case_list l = {0};
    struct case_error err;
    char want[2400], got[2400];
    CHECK_EQ(case_load_path(fixture("no_such_file.json"), &l, &err), -1);
    CHECK_EQ(err.line, 0);
    snprintf(want, sizeof want, "%s: cannot open: No such file or directory",
             fixture("no_such_file.json"));
    case_error_format(&err, got, sizeof got);
    CHECK_STR(got, want);
}

/* A list of 100001 parameter rows (300 KB: written here rather than kept as
 * a data file) is one more than a case may expand to. */
static void test_too_many_expansions(void) {
    char path[] = "/tmp/caseload_test_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    FILE *f = fdopen(fd, "w");
    fputs("{\"group\": \"g\", \"title\": \"t\", \"cases\": [\n"
          "{\"name\": \"x-{i}\", \"title\": \"t\", \"rfc\": [\"6455:5.2\"],\n"
          " \"steps\": [{\"pause\": 0}], \"outcomes\": [{\"verdict\": \"pass\"}],\n"
          " \"params\": [{}",
          f);
    for (int i = 1; i < 100001; i++)
        fputs(",{}", f);
    fputs("]}]}\n", f);
    fclose(f);
    struct case_list l = {0};
    struct case_error err;
    char want[1200], got[1200];
    CHECK_EQ(case_load_file(path, &l, &err), -1);
    CHECK_EQ(l.count, 0);
    /* Line 4 is ` "params": [{},{},...`: the list opens at column 12. */
    snprintf(want, sizeof want, "%s:4:12: cases[0].params: more than 100000 expansions", path);
    case_error_format(&err, got, sizeof got);
    CHECK_STR(got, want);
    unlink(path);
}

/* Near misses of the reachability rules (cases/README.md "Reachable
 * outcomes"): each case is one step short of an outcome that cannot be
 * reached, and loads; the data files reach-* under invalid/ are the other
 * side of each rule. */
static void test_reachable_near_misses(void) {
    struct case_list l = {0};
    CHECK_EQ(load_ok("good_reachable.json", &l), 0);
    CHECK_EQ(l.count, 11);
    case_list_free(&l);
}

static void test_verdict_names(void) {
    CHECK_STR(verdict_name(VERDICT_PASS), "pass");
    CHECK_STR(verdict_name(VERDICT_NON_STRICT), "non-strict");
    CHECK_STR(verdict_name(VERDICT_INFORMATIONAL), "informational");
    CHECK_STR(verdict_name(VERDICT_UNIMPLEMENTED), "unimplemented");
    CHECK_STR(verdict_name(VERDICT_FAIL), "fail");
    CHECK_STR(verdict_name(VERDICT_ERROR), "error");
}

int main(void) {
    const char *slash = strrchr(__FILE__, '/');
    int dir_len = slash ? (int)(slash - __FILE__ + 1) : 0;
    snprintf(data_dir, sizeof data_dir, "%.*sdata/caseload/", dir_len, __FILE__);
    RUN(test_readme_example);
    RUN(test_defaults);
    RUN(test_case_fields_and_handshake);
    RUN(test_handshake_fields);
    RUN(test_steps);
    RUN(test_outcomes);
    RUN(test_params_cross_product);
    RUN(test_params_typed);
    RUN(test_placeholders_anywhere);
    RUN(test_directory);
    RUN(test_duplicate_in_caller_list);
    RUN(test_missing_file);
    RUN(test_too_many_expansions);
    RUN(test_reachable_near_misses);
    RUN(test_verdict_names);
    TEST_EXIT();
}
