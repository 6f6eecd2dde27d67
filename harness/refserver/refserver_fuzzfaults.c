/* refserver_fuzzfaults: the triggers of the fuzz-only faults
 * (refserver_fuzzfaults.h), followed on the parser's events of one
 * connection. Each trigger is a combination no case of cases/ sends
 * (tests/e2e/test_corpus_faults.py runs the whole corpus against each fault
 * and sees no verdict change), reached by a mutation of one or two fields of
 * a corpus case (tests/e2e/test_fuzz_faults.py sends such mutants). */
#include "refserver/refserver_fuzzfaults.h"

#include "codec/frame.h"
#include "refserver/faults.h"
#include "refserver/refserver_conn.h"
#include "refserver/refserver_conn_int.h"

#define FUZZ_BIT(f) ((uint64_t)1 << (f))

static const uint64_t fuzz_faults =
    FUZZ_BIT(FAULT_FUZZ_CRASH) | FUZZ_BIT(FAULT_FUZZ_HANG) | FUZZ_BIT(FAULT_FUZZ_WRONG_CLOSE);

static bool fault(const struct rs_proto *p, enum fault f) {
    return fault_on(p->cfg->faults, f);
}

/* The validator is inside a code point (its DFA is not in the accept state). */
static bool inside_code_point(const struct utf8_validator *v) {
    return !v->failed && v->state != 0;
}

static bool stop(struct rs_proto *p, enum rs_fuzz_hit hit, const char *why) {
    p->fuzz.hit = (uint8_t)hit;
    rs_conn_abort(p, why);
    return true;
}

bool rs_fuzz_event(struct rs_proto *p, const struct frame_event *ev) {
    if (!(p->cfg->faults & fuzz_faults) ||
        (ev->kind != FRAME_EV_HEADER && ev->kind != FRAME_EV_VIOLATION))
        return false;
    struct rs_fuzz_state *s = &p->fuzz;
    const struct frame_header *h = &ev->hdr;
    bool in_text = p->in_message && p->msg_opcode == FRAME_OP_TEXT;
    bool after_ping = s->last_ping;
    s->last_ping = false;

    /* fuzz-crash breaks 6455:6.2 "Incoming data MUST be parsed as WebSocket
     * frames as defined in Section 5.2." (a crash parses nothing): a
     * continuation with a 16-bit length (6455:5.2 "If 126, the following 2
     * bytes interpreted as a 16-bit unsigned integer are the payload
     * length"), in a text message a ping came inside (6455:5.4 "Control
     * frames ... MAY be injected in the middle of a fragmented message").
     * Checked on a violation too: the header is decoded up to the length
     * before a non-minimal length is refused. */
    if (fault(p, FAULT_FUZZ_CRASH) && h->opcode == FRAME_OP_CONT && h->length_bits == 16 &&
        in_text && s->ping_in_text)
        return stop(p, RS_FUZZ_CRASH, "fault fuzz-crash: a 16-bit continuation after a ping");
    if (ev->kind != FRAME_EV_HEADER)
        return false;

    switch (h->opcode) {
    case FRAME_OP_PING:
        /* fuzz-hang breaks 6455:5.5.2 "Upon receipt of a Ping frame, an
         * endpoint MUST send a Pong frame in response" (and serves nothing
         * else either): an empty ping right after another ping, inside a
         * fragmented message. */
        if (fault(p, FAULT_FUZZ_HANG) && p->in_message && after_ping && h->payload_len == 0)
            return stop(p, RS_FUZZ_HANG, "fault fuzz-hang: an empty ping after a ping");
        s->last_ping = p->in_message;
        s->ping_in_text = s->ping_in_text || in_text;
        break;
    case FRAME_OP_PONG:
        s->pong_in_split = s->pong_in_split || (in_text && inside_code_point(&p->utf8));
        break;
    case FRAME_OP_CONT:
        /* The fragment after the pong, continuing a code point. */
        s->armed = s->pong_in_split && in_text && inside_code_point(&p->utf8);
        s->frame_start = p->msg.len;
        s->at_frame_start = p->utf8;
        s->pong_in_split = false;
        break;
    case FRAME_OP_TEXT:
    case FRAME_OP_BINARY: /* a new message */
        s->ping_in_text = s->pong_in_split = s->armed = false;
        break;
    default: break;
    }
    return false;
}

uint16_t rs_fuzz_utf8_close_code(const struct rs_proto *p) {
    /* 6455:8.1 "When an endpoint is to interpret a byte stream as UTF-8 but
     * finds that the byte stream is not, in fact, a valid UTF-8 stream, that
     * endpoint MUST _Fail the WebSocket Connection_." and 6455:7.4.1 "1007
     * indicates that an endpoint is terminating the connection because it
     * has received data within a message that was not consistent with the
     * type of the message". fuzz-wrong-close answers 1002 (a protocol error)
     * when the invalid sequence is the one split across the fragment
     * boundary the pong came in: the octets of this fragment that continue
     * the code point, fed to the validator as it was at the boundary, are
     * where it fails. */
    if (!fault(p, FAULT_FUZZ_WRONG_CLOSE) || !p->fuzz.armed || p->pmd != NULL)
        return 1007;
    struct utf8_validator v = p->fuzz.at_frame_start;
    for (size_t i = (size_t)p->fuzz.frame_start; i < p->msg.len; i++) {
        enum utf8_result r = utf8_feed(&v, p->msg.data + i, 1);
        if (r == UTF8_INVALID)
            return 1002;
        if (r == UTF8_VALID)
            return 1007; /* the code point ended well: the invalid octet came later */
    }
    return 1007;
}
