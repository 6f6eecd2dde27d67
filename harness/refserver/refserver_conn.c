/* refserver_conn: the protocol state machine of one reference-server
 * connection: opening handshake, frame parsing, message assembly and echo,
 * ping/pong, the closing handshake, and the faults that break one rule each.
 * No I/O here (see refserver_conn.h); refserver.c moves the bytes.
 *
 * Faults and the frame parser. The parser (frame.c) is strict and stays
 * failed after a violation, so a fault that tolerates a frame-level
 * violation must keep that violation from ever reaching it. With one of
 * those faults on, every frame header is gathered here first (RS_FEED_HEADER)
 * and then either rewritten so that it is legal (RSV cleared, FIN set on a
 * control frame, an all-zero masking key added, an opcode changed) and fed
 * to the parser, or kept away from the parser altogether (a reserved opcode
 * is skipped, a long control frame is read here). The rewrite is exactly
 * the lenient reading a faulty server would make of the frame. */
#include "refserver/refserver_conn.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/errors.h"
#include "codec/closeframe.h"
#include "codec/handshake.h"
#include "codec/mask.h"
#include "refserver/faults.h"
#include "refserver/refserver_conn_int.h"
#include "refserver/refserver_offer.h"

#define FAULT(p, f)  fault_on((p)->cfg->faults, (f))
#define FAULT_BIT(f) ((uint64_t)1 << (f))

enum { MAX_CONTROL_PAYLOAD = 125, KEEP_MESSAGE_CAPACITY = 1 << 20 };

/* Faults that need each frame header seen before the parser sees it. */
static const uint64_t header_faults =
    FAULT_BIT(FAULT_ACCEPT_UNMASKED) | FAULT_BIT(FAULT_IGNORE_RSV) |
    FAULT_BIT(FAULT_ACCEPT_RESERVED_OPCODE) | FAULT_BIT(FAULT_ACCEPT_LONG_CONTROL) |
    FAULT_BIT(FAULT_ACCEPT_FRAGMENTED_CONTROL) | FAULT_BIT(FAULT_ACCEPT_BAD_CONTINUATION);

/* Faults that make a rejected close payload acceptable. */
static const uint64_t close_faults = FAULT_BIT(FAULT_ACCEPT_BAD_CLOSE_CODE) |
                                     FAULT_BIT(FAULT_ACCEPT_BAD_CLOSE_REASON) |
                                     FAULT_BIT(FAULT_ACCEPT_LONG_CONTROL);

/* mask-server-frames: the masking key of 6455:5.7's examples. */
static const uint8_t fault_mask_key[4] = {0x37, 0xfa, 0x21, 0x3d};

static void set_note(struct rs_proto *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_note(struct rs_proto *p, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->note, sizeof p->note, fmt, ap);
    va_end(ap);
}

void rs_proto_init(struct rs_proto *p, const struct rs_config *cfg) {
    memset(p, 0, sizeof *p);
    p->cfg = cfg;
    p->phase = RS_PH_HANDSHAKE;
    p->disp = RS_DISP_KEEP;
    struct frame_limits limits = {
        /* Under ignore-message-limit the frame cap goes too: the fault
         * never answers 1009. */
        .max_frame_payload = FAULT(p, FAULT_IGNORE_MESSAGE_LIMIT) ? 0 : cfg->message_cap,
        .allowed_rsv = 0, /* no extension is ever negotiated */
        /* 6455:5.2 "the minimal number of bytes MUST be used to encode the
         * length": the strict server fails a non-minimal encoding (1002). */
        .strict_length = !FAULT(p, FAULT_ACCEPT_NON_MINIMAL_LENGTH),
    };
    frame_parser_init(&p->parser, FRAME_ROLE_SERVER, &limits);
    p->feed = (cfg->faults & header_faults) ? RS_FEED_HEADER : RS_FEED_DIRECT;
    set_note(p, "handshake not complete");
}

void rs_proto_free(struct rs_proto *p) {
    rs_deflate_free(p->pmd);
    p->pmd = NULL;
    buf_free(&p->head);
    buf_free(&p->msg);
    buf_free(&p->ctl);
}

/* Phases in which frames are still parsed. */
static bool parsing(const struct rs_proto *p) {
    return p->phase == RS_PH_OPEN || p->phase == RS_PH_CLOSE_SENT || p->phase == RS_PH_AFTER_CLOSE;
}

bool rs_conn_echoing(const struct rs_proto *p) {
    return p->phase == RS_PH_OPEN || p->phase == RS_PH_AFTER_CLOSE;
}

/* ---- output -------------------------------------------------------------- */

/* One complete unfragmented frame, RSV bits rsv (RSV1 on a compressed
 * echo, 7692:6). 6455:5.1 "A server MUST NOT mask any frames that it sends
 * to the client." (broken by mask-server-frames) */
static int send_frame_rsv(struct rs_proto *p, uint8_t opcode, uint8_t rsv, const uint8_t *payload,
                          size_t len, struct buf *out) {
    struct frame_spec spec = {.fin = true, .rsv = rsv, .opcode = opcode};
    if (FAULT(p, FAULT_MASK_SERVER_FRAMES)) {
        spec.masked = true;
        memcpy(spec.mask_key, fault_mask_key, sizeof spec.mask_key);
        return frame_build(&spec, payload, len, out);
    }
    uint8_t head[14];
    int head_len = frame_write_header(&spec, len, head);
    if (head_len < 0)
        return head_len;
    size_t total;
    if (size_add((size_t)head_len, len, &total) != 0)
        return WS_ERR_OVERFLOW;
    int rc = buf_reserve(out, total);
    if (rc == 0)
        rc = buf_append(out, head, (size_t)head_len);
    if (rc == 0)
        rc = buf_append(out, payload, len);
    return rc;
}

static int send_frame(struct rs_proto *p, uint8_t opcode, const uint8_t *payload, size_t len,
                      struct buf *out) {
    return send_frame_rsv(p, opcode, 0, payload, len, out);
}

/* A close frame; code 0 = empty payload. */
static int send_close(struct rs_proto *p, uint16_t code, const char *reason, struct buf *out) {
    uint8_t payload[MAX_CONTROL_PAYLOAD];
    size_t len = 0;
    if (code != 0) {
        size_t reason_len = reason ? strlen(reason) : 0;
        if (reason_len > sizeof payload - 2)
            reason_len = sizeof payload - 2;
        len = closeframe_payload_write(code, (const uint8_t *)reason, reason_len, payload,
                                       sizeof payload);
    }
    p->close_sent = true;
    return send_frame(p, FRAME_OP_CLOSE, payload, len, out);
}

/* 6455:7.1.7 "the endpoint SHOULD send a Close frame with an appropriate
 * status code (Section 7.4) before proceeding to _Close the WebSocket
 * Connection_." and "An endpoint MUST NOT continue to attempt to process
 * data (including a responding Close frame) from the remote endpoint after
 * being instructed to _Fail the WebSocket Connection_.": input after this
 * point is never looked at, so nothing received after a violation is
 * echoed. */
int rs_conn_fail(struct rs_proto *p, uint16_t code, const char *why, struct buf *out) {
    int rc = 0;
    bool was_closing = p->phase == RS_PH_CLOSE_SENT || p->phase == RS_PH_AFTER_CLOSE;
    if (!p->close_sent)
        rc = send_close(p, code, why, out);
    p->phase = RS_PH_CLOSED;
    p->disp = RS_DISP_CLOSE;
    if (was_closing)
        set_note(p, "dropped while closing: %s", why);
    else
        set_note(p, "failed with %u: %s", (unsigned)code, why);
    return rc;
}

void rs_conn_abort(struct rs_proto *p, const char *why) {
    p->phase = RS_PH_CLOSED;
    p->disp = RS_DISP_CLOSE;
    set_note(p, "dropped: %s", why);
}

/* The chatty control frames of cfg->chatter (refserver_conn.h), if any. */
static int send_chatter(struct rs_proto *p, struct buf *out) {
    static const uint8_t heartbeat[] = "heartbeat";
    static const uint8_t keepalive[] = "keepalive";
    int rc = 0;
    if (p->cfg->chatter & RS_CHATTER_PONG)
        rc = send_frame(p, FRAME_OP_PONG, heartbeat, sizeof heartbeat - 1, out);
    if (rc == 0 && (p->cfg->chatter & RS_CHATTER_PING))
        rc = send_frame(p, FRAME_OP_PING, keepalive, sizeof keepalive - 1, out);
    return rc;
}

/* ---- opening handshake ---------------------------------------------------- */

static int reject_handshake(struct rs_proto *p, const struct handshake_server_verdict *v,
                            struct buf *out) {
    p->phase = RS_PH_CLOSED;
    p->disp = RS_DISP_CLOSE;
    set_note(p, "handshake refused with %d: %s", v->status,
             v->problem ? v->problem : "bad request");
    return handshake_build_response(v, NULL, NULL, NULL, out);
}

/* accept-bad-version: judge the request as if it carried exactly one
 * "Sec-WebSocket-Version: 13", breaking 6455:4.4 "If the server doesn't
 * support the requested version, it MUST respond with a
 * |Sec-WebSocket-Version| header field (or multiple ...)" / the 426 of
 * 6455:4.2.2. */
static void check_as_version_13(const struct handshake_request *req,
                                struct handshake_server_verdict *v) {
    struct handshake_request patched = *req;
    size_t kept = 0;
    for (size_t i = 0; i < req->header_count; i++) {
        if (!handshake_view_eq_nocase(req->headers[i].name, "Sec-WebSocket-Version"))
            patched.headers[kept++] = req->headers[i];
    }
    if (kept < HANDSHAKE_MAX_HEADERS) {
        static const char name[] = "Sec-WebSocket-Version";
        patched.headers[kept].name = (struct handshake_view){name, sizeof name - 1};
        patched.headers[kept].value = (struct handshake_view){"13", 2};
        kept++;
    }
    patched.header_count = kept;
    handshake_check_request(&patched, v);
}

/* accept-any-request: upgrade whatever parsed as HTTP, breaking 6455:4.2.1
 * "If the server, while reading the handshake, finds that the client did
 * not send a handshake that matches the description below ..., the server
 * MUST stop processing the client's handshake and return an HTTP response
 * with an appropriate error code". The accept value is computed from the
 * first Sec-WebSocket-Key, or from an empty key when there is none. */
static void accept_any_request(const struct handshake_request *req,
                               struct handshake_server_verdict *v) {
    const struct handshake_header *key =
        handshake_find_header(req->headers, req->header_count, "Sec-WebSocket-Key", NULL);
    memset(v, 0, sizeof *v);
    v->status = 101;
    v->key = key ? key->value : (struct handshake_view){"", 0};
}

static int frames_input(struct rs_proto *p, uint8_t *data, size_t len, struct buf *out);

static int finish_handshake(struct rs_proto *p, size_t head_len, struct buf *out) {
    struct handshake_request req;
    struct handshake_server_verdict v;
    long parsed = handshake_parse_request(p->head.data, head_len, &req);
    if (parsed < 0) {
        /* 6455:4.2.1 "If the server, while reading the handshake, finds
         * that the client did not send a handshake that matches the
         * description below ..., the server MUST stop processing the
         * client's handshake and return an HTTP response with an
         * appropriate error code (such as 400 Bad Request)." */
        memset(&v, 0, sizeof v);
        v.status = 400;
        v.problem = ws_strerror((int)parsed);
        return reject_handshake(p, &v, out);
    }
    if (parsed != (long)head_len)
        return WS_ERR_INTERNAL; /* handshake_head_complete found this very end */
    handshake_check_request(&req, &v);
    if (v.status != 101 && FAULT(p, FAULT_ACCEPT_BAD_VERSION))
        check_as_version_13(&req, &v);
    if (v.status != 101 && FAULT(p, FAULT_ACCEPT_ANY_REQUEST))
        accept_any_request(&req, &v);
    if (v.status != 101)
        return reject_handshake(p, &v, out);

    char wrong_accept[HANDSHAKE_ACCEPT_LEN + 1];
    const char *accept_override = NULL;
    if (FAULT(p, FAULT_WRONG_ACCEPT_KEY)) {
        /* Breaks 6455:4.2.2 "A |Sec-WebSocket-Accept| header field. The
         * value of this header field is constructed by concatenating /key/
         * ... with the string "258EAFA5-E914-47DA-95CA-C5AB0DC85B11",
         * taking the SHA-1 hash of this concatenated value": the right
         * value with its first character changed stays well-formed base64
         * of 20 octets, but is wrong. */
        if (handshake_compute_accept(v.key.ptr, v.key.len, wrong_accept) != 0)
            memcpy(wrong_accept, "AAAAAAAAAAAAAAAAAAAAAAAAAAA=", sizeof wrong_accept);
        wrong_accept[0] = wrong_accept[0] == 'A' ? 'B' : 'A';
        accept_override = wrong_accept;
    }
    /* 6455:4.2.2 "if the server does not wish to agree to one of the
     * suggested subprotocols, it MUST NOT send back a |Sec-WebSocket-Protocol|
     * header field": it selects none. Extensions: permessage-deflate only. */
    struct rs_offer_answer pmd;
    int rc = rs_offer_answer(&req, p->cfg->deflate, p->cfg->faults, &pmd);
    if (rc == 0 && pmd.malformed && !FAULT(p, FAULT_ACCEPT_ANY_REQUEST)) {
        v.status = 400;
        v.problem = "Sec-WebSocket-Extensions outside the ABNF of 6455:9.1";
        return reject_handshake(p, &v, out);
    }
    if (rc == 0 && pmd.accepted)
        rc = rs_pmd_start(p, &pmd.agreed);
    if (rc == 0)
        rc = handshake_build_response(&v, accept_override, NULL, pmd.accepted ? pmd.response : NULL,
                                      out);
    if (rc != 0)
        return rc;
    p->phase = RS_PH_OPEN;
    set_note(p, "open; TCP closed without a closing handshake");
    rc = send_chatter(p, out); /* in the 101's segment */
    if (rc != 0)
        return rc;

    /* Bytes after the head that came in the same read are frames. */
    struct buf head = p->head;
    p->head = (struct buf){0};
    if (head.len > head_len)
        rc = frames_input(p, head.data + head_len, head.len - head_len, out);
    buf_free(&head);
    return rc;
}

static int handshake_input(struct rs_proto *p, const uint8_t *data, size_t len, struct buf *out) {
    int rc = buf_append(&p->head, data, len);
    if (rc != 0)
        return rc;
    long head_len = handshake_head_complete(p->head.data, p->head.len, &p->head_scan);
    if (head_len == HANDSHAKE_NEED_MORE)
        return 0;
    if (head_len < 0) {
        struct handshake_server_verdict v = {.status = 400, .problem = ws_strerror((int)head_len)};
        return reject_handshake(p, &v, out);
    }
    return finish_handshake(p, (size_t)head_len, out);
}

/* ---- closing handshake ------------------------------------------------------ */

/* The judgement of closeframe_parse with the rules a close fault breaks taken
 * out, checked in the same order. */
static enum closeframe_payload_problem judge_close_lenient(const struct rs_proto *p,
                                                           const uint8_t *payload, size_t len,
                                                           bool *has_code, uint16_t *code) {
    *has_code = false;
    if (len == 0)
        return CLOSEFRAME_P_OK;
    if (len > MAX_CONTROL_PAYLOAD && !FAULT(p, FAULT_ACCEPT_LONG_CONTROL))
        return CLOSEFRAME_P_TOO_LONG;
    if (len == 1)
        return FAULT(p, FAULT_ACCEPT_BAD_CLOSE_CODE) ? CLOSEFRAME_P_OK : CLOSEFRAME_P_ONE_BYTE;
    *code = (uint16_t)((payload[0] << 8) | payload[1]);
    if (closeframe_code_classify(*code, CLOSEFRAME_FROM_CLIENT) != CLOSEFRAME_CODE_VALID &&
        !FAULT(p, FAULT_ACCEPT_BAD_CLOSE_CODE))
        return CLOSEFRAME_P_BAD_CODE;
    if (!utf8_is_valid(payload + 2, len - 2, NULL) && !FAULT(p, FAULT_ACCEPT_BAD_CLOSE_REASON))
        return CLOSEFRAME_P_REASON_UTF8;
    *has_code = true;
    return CLOSEFRAME_P_OK;
}

static int on_close(struct rs_proto *p, struct buf *out) {
    if (p->phase == RS_PH_CLOSE_SENT) {
        /* 6455:7.1.1 "The underlying TCP connection, in most normal cases,
         * SHOULD be closed first by the server": our close was answered,
         * the closing handshake is done. */
        p->phase = RS_PH_CLOSED;
        p->disp = RS_DISP_CLOSE;
        set_note(p, "closed by the server (going away), client answered");
        return 0;
    }
    if (p->phase != RS_PH_OPEN)
        return 0; /* a second close (echo-after-close): nothing to answer */

    struct closeframe_info info = {0};
    enum closeframe_payload_problem problem =
        closeframe_parse(p->ctl.data, p->ctl.len, CLOSEFRAME_FROM_CLIENT, &info);
    bool has_code = info.has_code;
    uint16_t code = info.code;
    if (problem != CLOSEFRAME_P_OK && (p->cfg->faults & close_faults))
        problem = judge_close_lenient(p, p->ctl.data, p->ctl.len, &has_code, &code);
    if (problem != CLOSEFRAME_P_OK) {
        /* 6455:7.4.1 "1002 indicates that an endpoint is terminating the
         * connection due to a protocol error."; a reason that is not UTF-8
         * (6455:5.5.1 "the body MAY contain UTF-8-encoded data with value
         * /reason/") gets 1007 as any invalid UTF-8 does (6455:8.1). */
        char why[80];
        snprintf(why, sizeof why, "bad close frame: %s", closeframe_problem_name(problem));
        return rs_conn_fail(p, closeframe_problem_reply_code(problem), why, out);
    }

    p->phase = RS_PH_CLOSED;
    p->disp = RS_DISP_CLOSE;
    if (FAULT(p, FAULT_NO_CLOSE_REPLY)) {
        /* Breaks 6455:5.5.1 "If an endpoint receives a Close frame and did
         * not previously send a Close frame, the endpoint MUST send a Close
         * frame in response." */
        set_note(p, "client closed (%u); no close reply (fault)", (unsigned)code);
        return 0;
    }
    /* 6455:5.5.1 "When sending a Close frame in response, the endpoint
     * typically echos the status code it received." An empty close gets
     * an empty close. */
    uint16_t reply = has_code ? code : 0;
    /* Echo only what a server may send: 6455:7.4.1 "1010 indicates that an
     * endpoint (client) is terminating the connection ..." is the client's
     * code; a server answers it with 1000. */
    if (has_code &&
        closeframe_code_classify(code, CLOSEFRAME_FROM_SERVER) != CLOSEFRAME_CODE_VALID &&
        !FAULT(p, FAULT_ACCEPT_BAD_CLOSE_CODE))
        reply = 1000;
    if (FAULT(p, FAULT_CLOSE_REPLY_WRONG_CODE))
        reply = 1011;
    int rc = send_chatter(p, out);
    if (rc == 0)
        rc = send_close(p, reply, NULL, out);
    set_note(p, "closing handshake complete (client sent %u, server replied %u)",
             has_code ? (unsigned)code : 0u, (unsigned)reply);
    if (FAULT(p, FAULT_CLIENT_CLOSES_TCP)) {
        /* Breaks 6455:7.1.1 "when a server is instructed to _Close the
         * WebSocket Connection_ it SHOULD initiate a TCP Close
         * immediately". */
        p->disp = RS_DISP_WAIT_EOF;
    }
    if (FAULT(p, FAULT_ECHO_AFTER_CLOSE)) {
        /* Breaks 6455:5.5.1 "The application MUST NOT send any more data
         * frames after sending a Close frame.": keep rs_conn_echoing until TCP
         * closes. */
        p->phase = RS_PH_AFTER_CLOSE;
        p->disp = RS_DISP_WAIT_EOF;
    }
    return rc;
}

bool rs_proto_go_away(struct rs_proto *p, struct buf *out) {
    if (p->phase != RS_PH_OPEN)
        return false;
    /* 6455:7.4.1 "1001 indicates that an endpoint is "going away", such as
     * a server going down". */
    if (send_close(p, 1001, "server stopping", out) != 0)
        return false;
    p->phase = RS_PH_CLOSE_SENT;
    set_note(p, "server stopping; client did not answer the close");
    return true;
}

/* ---- frames ---------------------------------------------------------------- */

static int on_control_end(struct rs_proto *p, struct buf *out) {
    switch (p->cur.opcode) {
    case FRAME_OP_PING:
        /* 6455:5.5.2 "Upon receipt of a Ping frame, an endpoint MUST send
         * a Pong frame in response, unless it already received a Close
         * frame." */
        if (p->phase != RS_PH_OPEN && p->phase != RS_PH_CLOSE_SENT)
            return 0;
        if (FAULT(p, FAULT_NO_PONG))
            return 0;
        if (FAULT(p, FAULT_PONG_WRONG_PAYLOAD))
            return send_frame(p, FRAME_OP_PONG, NULL, 0, out);
        /* 6455:5.5.3 "A Pong frame sent in response to a Ping frame must
         * have identical "Application data" as found in the message body
         * of the Ping frame being replied to." */
        return send_frame(p, FRAME_OP_PONG, p->ctl.data, p->ctl.len, out);
    case FRAME_OP_PONG:
        /* 6455:5.5.3 "A response to an unsolicited Pong frame is not
         * expected." */
        return 0;
    case FRAME_OP_CLOSE: return on_close(p, out);
    default: return 0; /* reserved control opcodes never get this far */
    }
}

static int on_header(struct rs_proto *p, const struct frame_header *hdr, struct buf *out) {
    p->cur = *hdr;
    bool control = frame_opcode_is_control(hdr->opcode);
    if (p->pmd != NULL && (hdr->rsv & FRAME_RSV1) && (control || hdr->opcode == FRAME_OP_CONT)) {
        int rc = rs_pmd_misplaced_rsv1(p, control, out);
        if (rc != 0 || p->phase == RS_PH_CLOSED)
            return rc;
    }
    if (control) {
        buf_clear(&p->ctl);
        utf8_init(&p->close_reason_utf8);
        return 0;
    }
    if (hdr->opcode != FRAME_OP_CONT) {
        p->in_message = true;
        p->msg_opcode = hdr->opcode;
        p->msg_wire_len = 0;
        /* 7692:6 the bit on the first frame says the message is compressed */
        p->msg_compressed = p->pmd != NULL && (hdr->rsv & FRAME_RSV1);
        p->msg_utf8_bad = false;
        buf_clear(&p->msg);
        utf8_init(&p->utf8);
    } else if (FAULT(p, FAULT_UTF8_CHECK_PER_FRAME)) {
        utf8_init(&p->utf8); /* each frame judged alone */
    }
    if (!rs_conn_echoing(p))
        return 0;
    /* The message can only grow by what this header declares; refuse as
     * soon as the declared sizes prove it too big, before the payload. A
     * compressed message is held to its inflated size as it inflates, and
     * here only to what that size can take compressed. */
    uint64_t cap =
        p->msg_compressed ? rs_pmd_compressed_cap(p->cfg->message_cap) : p->cfg->message_cap;
    uint64_t total;
    if (u64_add(p->msg_wire_len, hdr->payload_len, &total) == 0 && total <= cap)
        return 0;
    if (FAULT(p, FAULT_IGNORE_MESSAGE_LIMIT)) {
        rs_conn_abort(p, "message above the internal 1 GiB cap");
        return 0;
    }
    /* 6455:7.4.1 "1009 indicates that an endpoint is terminating the
     * connection because it has received a message that is too big for it
     * to process." */
    return rs_conn_fail(p, 1009, "message too big", out);
}

bool rs_conn_utf8_fail_fast(const struct rs_proto *p) {
    return p->msg_opcode == FRAME_OP_TEXT && !FAULT(p, FAULT_NO_UTF8_CHECK) &&
           !FAULT(p, FAULT_UTF8_CHECK_AT_END);
}

static int on_payload(struct rs_proto *p, const uint8_t *data, size_t len, struct buf *out) {
    if (frame_opcode_is_control(p->cur.opcode)) {
        size_t before = p->ctl.len;
        int rc = buf_append(&p->ctl, data, len); /* <= 125, or capped by on_header_own */
        if (rc != 0 || p->cur.opcode != FRAME_OP_CLOSE || FAULT(p, FAULT_ACCEPT_BAD_CLOSE_REASON) ||
            FAULT(p, FAULT_UTF8_CHECK_AT_END))
            return rc;
        /* 6455:5.5.1 "Following the 2-byte integer, the body MAY contain
         * UTF-8-encoded data with value /reason/": checked as the octets
         * arrive, so a bad reason fails fast like bad text (6455:8.1). */
        size_t from = before > 2 ? before : 2;
        if (p->ctl.len > from &&
            utf8_feed(&p->close_reason_utf8, p->ctl.data + from, p->ctl.len - from) == UTF8_INVALID)
            return rs_conn_fail(p, 1007, "invalid UTF-8 in a close reason", out);
        return 0;
    }
    if (!rs_conn_echoing(p))
        return 0;
    p->msg_wire_len += len;
    if (p->pmd != NULL)
        return rs_pmd_payload(p, data, len, out);
    int rc = buf_append(&p->msg, data, len);
    if (rc != 0)
        return rc;
    /* 6455:8.1 "When an endpoint is to interpret a byte stream as UTF-8 but
     * finds that the byte stream is not, in fact, a valid UTF-8 stream,
     * that endpoint MUST _Fail the WebSocket Connection_." Checked as the
     * octets arrive, so the failure comes at the first invalid octet, even
     * in the middle of a frame (utf8-check-at-end breaks this). */
    if (rs_conn_utf8_fail_fast(p) && utf8_feed(&p->utf8, data, len) == UTF8_INVALID)
        return rs_conn_fail(p, rs_fuzz_utf8_close_code(p), "invalid UTF-8 in a text message", out);
    return 0;
}

/* The echo in p->msg as one frame (after the chatter), then its buffer
 * released or kept for the next message. */
int rs_conn_send_echo(struct rs_proto *p, uint8_t rsv, struct buf *out) {
    int rc = send_chatter(p, out);
    if (rc == 0)
        rc = send_frame_rsv(p, p->msg_opcode, rsv, p->msg.data, p->msg.len, out);
    if (p->msg.cap > KEEP_MESSAGE_CAPACITY)
        buf_free(&p->msg);
    else
        buf_clear(&p->msg);
    return rc;
}

static int on_end(struct rs_proto *p, struct buf *out) {
    if (frame_opcode_is_control(p->cur.opcode))
        return on_control_end(p, out);
    /* utf8-check-per-frame breaks 6455:5.6 "a particular text frame might
     * include a partial UTF-8 sequence; however, the whole message MUST
     * contain valid UTF-8": a frame ending inside a code point fails. */
    if (!p->cur.fin && FAULT(p, FAULT_UTF8_CHECK_PER_FRAME) && rs_conn_echoing(p) &&
        rs_conn_utf8_fail_fast(p) && utf8_finish(&p->utf8) == UTF8_INVALID)
        return rs_conn_fail(p, 1007, "text frame ends inside a code point (fault)", out);
    if (!p->cur.fin)
        return 0;
    p->in_message = false;
    if (!rs_conn_echoing(p))
        return 0;
    if (p->pmd != NULL)
        return rs_pmd_message_end(p, out);
    if (p->msg_opcode == FRAME_OP_TEXT && !FAULT(p, FAULT_NO_UTF8_CHECK)) {
        if (FAULT(p, FAULT_UTF8_CHECK_AT_END) && p->msg.len != 0)
            utf8_feed(&p->utf8, p->msg.data, p->msg.len);
        /* 6455:8.1 (as above): a message that ends inside a code point is
         * not valid UTF-8 either. */
        if (utf8_finish(&p->utf8) == UTF8_INVALID)
            return rs_conn_fail(p, 1007, "invalid UTF-8 in a text message", out);
    }
    /* The echo convention: the whole message back as one frame, same
     * opcode. */
    if (FAULT(p, FAULT_ECHO_ALTERED) && buf_append(&p->msg, "!", 1) != 0)
        return WS_ERR_NOMEM;
    return rs_conn_send_echo(p, 0, out);
}

static int on_event(struct rs_proto *p, const struct frame_event *ev, struct buf *out) {
    if (rs_fuzz_event(p, ev)) /* a fuzz-only fault's trigger: nothing more is served */
        return 0;
    switch (ev->kind) {
    case FRAME_EV_HEADER: return on_header(p, &ev->hdr, out);
    case FRAME_EV_PAYLOAD: return on_payload(p, ev->data, ev->len, out);
    case FRAME_EV_END: return on_end(p, out);
    case FRAME_EV_VIOLATION: {
        char why[80];
        snprintf(why, sizeof why, "protocol error: %s", frame_violation_name(ev->violation));
        return rs_conn_fail(p, frame_violation_close_code(ev->violation), why, out);
    }
    case FRAME_EV_NEED_MORE: break;
    }
    return 0;
}

/* Run the parser over data[0..len) until it needs more input, the
 * connection stops parsing, or (fault path) the current frame ends. */
static int feed_parser(struct rs_proto *p, uint8_t *data, size_t len, size_t *used,
                       struct buf *out) {
    size_t pos = 0;
    int rc = 0;
    for (;;) {
        struct frame_event ev;
        size_t n = frame_parse(&p->parser, data + pos, len - pos, &ev);
        pos += n;
        if (ev.kind == FRAME_EV_NEED_MORE)
            break;
        rc = on_event(p, &ev, out);
        if (rc != 0 || !parsing(p) || ev.kind == FRAME_EV_VIOLATION)
            break;
        if (ev.kind == FRAME_EV_END && p->feed != RS_FEED_DIRECT) {
            p->feed = RS_FEED_HEADER;
            break;
        }
    }
    *used = pos;
    return rc;
}

/* ---- the fault path: frame headers seen before the parser --------------- */

static uint8_t header_size(uint8_t octet2) {
    uint8_t len7 = octet2 & 0x7F;
    uint8_t ext = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    return (uint8_t)(2 + ext + ((octet2 & 0x80) ? 4 : 0));
}

static size_t gather_header(struct rs_proto *p, const uint8_t *data, size_t len) {
    size_t taken = 0;
    while (taken < len) {
        uint8_t need = p->raw_have < 2 ? 2 : p->raw_need;
        if (p->raw_have == need)
            break;
        size_t n = need - p->raw_have;
        if (n > len - taken)
            n = len - taken;
        memcpy(p->raw + p->raw_have, data + taken, n);
        p->raw_have = (uint8_t)(p->raw_have + n);
        taken += n;
        if (p->raw_have == 2)
            p->raw_need = header_size(p->raw[1]);
    }
    return taken;
}

static bool opcode_is_reserved(uint8_t opcode) {
    return (opcode >= 0x3 && opcode <= 0x7) || opcode >= 0xB;
}

/* A complete raw header is in p->raw: decide what the faults make of it. */
static int start_faulted_frame(struct rs_proto *p, struct buf *out) {
    const uint8_t *raw = p->raw;
    bool fin = (raw[0] & 0x80) != 0;
    uint8_t rsv = (uint8_t)((raw[0] >> 4) & 7);
    uint8_t opcode = raw[0] & 0x0F;
    bool masked = (raw[1] & 0x80) != 0;
    uint8_t len7 = raw[1] & 0x7F;
    uint8_t ext = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    uint64_t payload_len = len7;
    if (ext != 0) {
        payload_len = 0;
        for (uint8_t i = 0; i < ext; i++)
            payload_len = (payload_len << 8) | raw[2 + i];
    }
    bool control = frame_opcode_is_control(opcode);
    p->raw_have = 0;
    p->raw_need = 0;

    if (opcode_is_reserved(opcode) && FAULT(p, FAULT_ACCEPT_RESERVED_OPCODE)) {
        /* Breaks 6455:5.2 "If an unknown opcode is received, the receiving
         * endpoint MUST _Fail the WebSocket Connection_.": dropped unread. */
        p->frame_left = payload_len;
        p->feed = payload_len ? RS_FEED_SKIP : RS_FEED_HEADER;
        return 0;
    }
    /* ignore-rsv breaks 6455:5.2 "MUST be 0 unless an extension is
     * negotiated"; accept-fragmented-control breaks 6455:5.5 "MUST NOT be
     * fragmented" by reading FIN=0 as FIN=1. */
    if (FAULT(p, FAULT_IGNORE_RSV))
        rsv &= p->parser.limits.allowed_rsv; /* RSV1 stays when deflate made it legal */
    if (control && FAULT(p, FAULT_ACCEPT_FRAGMENTED_CONTROL))
        fin = true;
    bool add_zero_key = !masked && FAULT(p, FAULT_ACCEPT_UNMASKED);

    if (control && !opcode_is_reserved(opcode) && payload_len > MAX_CONTROL_PAYLOAD &&
        (payload_len >> 63) == 0 && FAULT(p, FAULT_ACCEPT_LONG_CONTROL) &&
        (masked || add_zero_key) && rsv == 0 && fin) {
        /* Breaks 6455:5.5 "All control frames MUST have a payload length of
         * 125 bytes or less": read here, past the parser's check. */
        struct frame_header h = {
            .fin = true, .opcode = opcode, .masked = masked, .payload_len = payload_len};
        if (masked)
            memcpy(h.mask_key, raw + 2 + ext, 4);
        if (payload_len > p->cfg->message_cap)
            return rs_conn_fail(p, 1009, "control frame too big", out);
        p->own_hdr = h;
        p->own_offset = 0;
        p->frame_left = payload_len;
        p->feed = RS_FEED_OWN;
        return on_header(p, &h, out);
    }
    if (!control && FAULT(p, FAULT_ACCEPT_BAD_CONTINUATION)) {
        /* Breaks 6455:5.4: an orphan continuation starts a binary message,
         * a new data frame inside a fragmented message continues it. */
        if (opcode == FRAME_OP_CONT && !p->in_message)
            opcode = FRAME_OP_BINARY;
        else if (opcode != FRAME_OP_CONT && !opcode_is_reserved(opcode) && p->in_message)
            opcode = FRAME_OP_CONT;
    }

    uint8_t head[14];
    size_t head_len = 0;
    head[head_len++] = (uint8_t)((fin ? 0x80 : 0) | (rsv << 4) | opcode);
    /* accept-unmasked breaks 6455:5.1 "The server MUST close the
     * connection upon receiving a frame that is not masked": an all-zero
     * key unmasks to the bytes as sent. */
    head[head_len++] = (uint8_t)(raw[1] | (add_zero_key ? 0x80 : 0));
    memcpy(head + head_len, raw + 2, ext);
    head_len += ext;
    if (masked)
        memcpy(head + head_len, raw + 2 + ext, 4);
    else if (add_zero_key)
        memset(head + head_len, 0, 4);
    if (masked || add_zero_key)
        head_len += 4;

    p->frame_left = payload_len;
    p->feed = RS_FEED_PARSER;
    size_t used;
    return feed_parser(p, head, head_len, &used, out);
}

static int own_payload(struct rs_proto *p, uint8_t *data, size_t len, struct buf *out) {
    if (p->own_hdr.masked)
        mask_apply(data, len, p->own_hdr.mask_key, p->own_offset);
    p->own_offset += len;
    p->frame_left -= len;
    int rc = on_payload(p, data, len, out);
    if (rc != 0 || p->frame_left != 0 || !parsing(p))
        return rc;
    p->feed = RS_FEED_HEADER;
    return on_end(p, out);
}

static int frames_input(struct rs_proto *p, uint8_t *data, size_t len, struct buf *out) {
    size_t pos = 0;
    int rc = 0;
    while (rc == 0 && parsing(p) && pos < len) {
        size_t n = len - pos, used = 0;
        switch (p->feed) {
        case RS_FEED_DIRECT:
            rc = feed_parser(p, data + pos, n, &used, out);
            pos += used;
            if (used == 0)
                return rc; /* the parser wants nothing more (failed) */
            break;
        case RS_FEED_HEADER:
            pos += gather_header(p, data + pos, n);
            if (p->raw_have >= 2 && p->raw_have == p->raw_need)
                rc = start_faulted_frame(p, out);
            break;
        case RS_FEED_PARSER:
            /* Never more than the frame's payload: the next header is ours. */
            if ((uint64_t)n > p->frame_left)
                n = (size_t)p->frame_left;
            rc = feed_parser(p, data + pos, n, &used, out);
            pos += used;
            p->frame_left -= used;
            if (p->feed == RS_FEED_PARSER && p->frame_left == 0 && used == 0)
                p->feed = RS_FEED_HEADER; /* defensive: END must have come */
            break;
        case RS_FEED_SKIP:
            if ((uint64_t)n > p->frame_left)
                n = (size_t)p->frame_left;
            pos += n;
            p->frame_left -= n;
            if (p->frame_left == 0)
                p->feed = RS_FEED_HEADER;
            break;
        case RS_FEED_OWN:
            if ((uint64_t)n > p->frame_left)
                n = (size_t)p->frame_left;
            rc = own_payload(p, data + pos, n, out);
            pos += n;
            break;
        }
    }
    return rc;
}

int rs_proto_input(struct rs_proto *p, uint8_t *data, size_t len, struct buf *out) {
    if (p->phase == RS_PH_HANDSHAKE)
        return handshake_input(p, data, len, out);
    if (!parsing(p))
        return 0; /* 6455:5.5.1 nothing after a close is looked at */
    return frames_input(p, data, len, out);
}
