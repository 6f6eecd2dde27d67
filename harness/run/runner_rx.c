/* runner_rx: the receive pump of a running case. Bytes from the peer go
 * through the client-role frame parser; frame events become transcript
 * events: whole data messages (length + SHA-256 + first octets, never the
 * whole message), pings (answered with pongs), pongs, the peer's close
 * (answered with a close echoing its code), EOF and resets, and every way
 * the peer breaks RFC 6455 as a VIOLATION event. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "base/errors.h"
#include "codec/closeframe.h"
#include "codec/frame.h"
#include "codec/mask.h"
#include "run/runner_int.h"

int64_t runner_now_us(const struct exec *ex) {
    return (clock_now_ns() - ex->t0_ns) / 1000;
}

/* WS_ERR_CLOSED is not listed: the net layer also uses it for the peer's
 * EOF before a complete head. */
bool runner_error_is_ours(int err) {
    switch (err) {
    case WS_ERR_NOMEM:
    case WS_ERR_OVERFLOW:
    case WS_ERR_ARG:
    case WS_ERR_INTERNAL: return true;
    case WS_ERR_IO:
        /* "other socket error": errno says whose. A network or the peer's
         * doing (ETIMEDOUT, EHOSTUNREACH, ...) is the peer gone; these are
         * ours. */
        return errno == ENOMEM || errno == ENOBUFS || errno == EBADF || errno == EFAULT ||
               errno == EINVAL || errno == ENOTSOCK || errno == EMFILE || errno == ENFILE;
    default: return false;
    }
}

void runner_internal(struct exec *ex, const char *what, int err) {
    transcript_set_internal(ex->tr, "%s: %s", what, ws_strerror(err));
    ex->stop = RUN_STOP_INTERNAL;
}

void runner_add(struct exec *ex, const struct tev *ev) {
    int rc = transcript_add(ex->tr, ev);
    if (rc == 0)
        return;
    if (rc != WS_ERR_LIMIT) {
        /* The transcript is incomplete: the case cannot be judged. */
        runner_internal(ex, "recording an event of the case", rc);
        return;
    }
    if (ex->stop != RUN_GO)
        return;
    /* Our cap, not the peer's failure: whatever it sent is allowed, we
     * only will not keep more of it. The case stops here. */
    char why[200];
    snprintf(why, sizeof why,
             "the transcript holds %zu events, our limit per case: later events are counted, "
             "not kept; the case was stopped",
             ex->tr->event_limit);
    struct tev limit = {.kind = TEV_LIMIT, .t_us = runner_now_us(ex), .detail = why};
    if (transcript_add(ex->tr, &limit) != 0 && ex->tr->events_lost) {
        runner_internal(ex, "recording our limit", WS_ERR_NOMEM);
        return;
    }
    ex->stop = RUN_STOP_LIMIT;
}

void runner_record(struct exec *ex, enum tev_kind kind, const char *detail) {
    struct tev ev = {.kind = kind, .t_us = runner_now_us(ex), .detail = (char *)detail};
    runner_add(ex, &ev);
}

/* ---- the phase ------------------------------------------------------------ */

void runner_phase_we_closed(struct exec *ex, bool has_code, uint16_t code) {
    if (ex->tr->we_sent_close)
        return;
    ex->tr->we_sent_close = true;
    struct tev ev = {
        .kind = TEV_SENT_CLOSE, .t_us = runner_now_us(ex), .has_code = has_code, .code = code};
    runner_add(ex, &ev);
    if (ex->phase == RUN_OPEN)
        ex->phase = RUN_WE_CLOSED;
    else if (ex->phase == RUN_PEER_CLOSED)
        ex->phase = RUN_CLOSED;
}

void runner_phase_peer_closed(struct exec *ex) {
    ex->tr->peer_sent_close = true;
    if (!ex->tr->we_sent_close)
        ex->tr->peer_closed_first = true;
    if (ex->phase == RUN_OPEN)
        ex->phase = RUN_PEER_CLOSED;
    else if (ex->phase == RUN_WE_CLOSED)
        ex->phase = RUN_CLOSED;
}

void runner_phase_failed(struct exec *ex, uint16_t code) {
    if (runner_rx_over(ex))
        return;
    ex->phase = RUN_FAILED;
    ex->fail_code = code;
}

void runner_phase_gone(struct exec *ex, enum tev_kind kind, const char *detail) {
    if (ex->phase == RUN_GONE)
        return;
    ex->phase = RUN_GONE;
    ex->gone_orderly = kind == TEV_EOF;
    if (!ex->tr->we_sent_close)
        ex->tr->peer_closed_first = true;
    runner_record(ex, kind, detail);
}

void runner_violation(struct exec *ex, const char *rfc, const char *detail) {
    struct tev ev = {
        .kind = TEV_VIOLATION, .t_us = runner_now_us(ex), .rfc = rfc, .detail = (char *)detail};
    runner_add(ex, &ev);
    /* The parser may be fine, but the connection is not: as a client we
     * now fail it (6455:7.1.7) and read nothing more. 6455:7.4.1 "1002
     * indicates that an endpoint is terminating the connection due to a
     * protocol error." */
    runner_phase_failed(ex, 1002);
}

/* A frame or message over our cap: not the peer's failure (the RFC sets no
 * size limit), but we cannot go on. 6455:7.4.1 "1009 indicates that an
 * endpoint is terminating the connection because it has received a message
 * that is too big for it to process." */
void runner_limit(struct exec *ex, const char *detail) {
    struct tev ev = {.kind = TEV_LIMIT, .t_us = runner_now_us(ex), .detail = (char *)detail};
    runner_add(ex, &ev);
    runner_phase_failed(ex, 1009);
}

void runner_wire_cb(void *ud, enum wire_dir dir, const uint8_t *data, size_t len) {
    struct exec *ex = ud;
    transcript_wire(ex->tr, dir == WIRE_OUT ? WIRE_ENTRY_OUT : WIRE_ENTRY_IN, runner_now_us(ex),
                    data, len);
}

int runner_rx_init(struct exec *ex) {
    ex->msg.sha = EVP_MD_CTX_new();
    ex->last_rx_ms = clock_now_ms();
    ex->progress_ns = -1;
    return ex->msg.sha ? 0 : WS_ERR_NOMEM;
}

void runner_rx_free(struct exec *ex) {
    EVP_MD_CTX_free(ex->msg.sha);
    ex->msg.sha = NULL;
    free(ex->pings_due);
    ex->pings_due = NULL;
    ex->ping_due_count = ex->ping_due_cap = 0;
}

int runner_ping_sent(struct exec *ex, const uint8_t sha256[32]) {
    for (size_t i = 0; i < ex->ping_due_count; i++) {
        if (memcmp(ex->pings_due[i].sha256, sha256, 32) == 0) {
            ex->pings_due[i].count++;
            return 0;
        }
    }
    if (ex->ping_due_count == ex->ping_due_cap) {
        size_t cap = ex->ping_due_cap ? ex->ping_due_cap * 2 : 8;
        struct ping_due *grown = realloc(ex->pings_due, cap * sizeof *grown);
        if (!grown)
            return WS_ERR_NOMEM;
        ex->pings_due = grown;
        ex->ping_due_cap = cap;
    }
    struct ping_due *d = &ex->pings_due[ex->ping_due_count++];
    memcpy(d->sha256, sha256, 32);
    d->count = 1;
    return 0;
}

/* Whether a pong with this payload digest answers a ping of ours (and if so,
 * that ping is answered). 6455:5.5.3 "A Pong frame sent in response to a
 * Ping frame must have identical "Application data" as found in the message
 * body of the Ping frame being replied to." */
static bool pong_answers_ping(struct exec *ex, const uint8_t sha256[32]) {
    for (size_t i = 0; i < ex->ping_due_count; i++) {
        if (ex->pings_due[i].count > 0 && memcmp(ex->pings_due[i].sha256, sha256, 32) == 0) {
            ex->pings_due[i].count--;
            return true;
        }
    }
    return false;
}

static const char *violation_rfc(enum frame_violation v) {
    switch (v) {
    case FRAME_V_MASKED:
    case FRAME_V_UNMASKED: return "6455:5.1";
    case FRAME_V_CONTROL_TOO_LONG:
    case FRAME_V_CONTROL_FRAGMENTED: return "6455:5.5";
    case FRAME_V_ORPHAN_CONTINUATION:
    case FRAME_V_EXPECTED_CONTINUATION: return "6455:5.4";
    default: return "6455:5.2";
    }
}

/* ---- replies ------------------------------------------------------------ */

/* Queue a masked control frame (6455:5.3 "The masking key is a 32-bit value
 * chosen at random by the client"), sent at the next frame boundary. */
static void queue_control(struct exec *ex, uint8_t opcode, const uint8_t *payload, size_t len) {
    struct frame_spec spec = {.fin = true, .opcode = opcode, .masked = true};
    uint64_t key = prng_next(&ex->reply_prng);
    memcpy(spec.mask_key, &key, 4);
    int rc = frame_build(&spec, payload, len, &ex->replies);
    if (rc != 0)
        runner_internal(ex, "queueing a reply to the peer", rc);
}

/* ---- data messages ------------------------------------------------------ */

static void message_start(struct exec *ex, uint8_t opcode) {
    struct rx_message *m = &ex->msg;
    m->open = true;
    m->opcode = opcode;
    m->length = 0;
    m->wire_length = 0;
    m->head_len = 0;
    utf8_init(&m->utf8);
    if (EVP_DigestInit_ex(m->sha, EVP_sha256(), NULL) != 1)
        runner_internal(ex, "SHA-256 of a message", WS_ERR_NOMEM);
}

void runner_message_data(struct exec *ex, const uint8_t *data, size_t len) {
    struct rx_message *m = &ex->msg;
    uint64_t total;
    uint64_t cap = ex->c->max_message ? ex->c->max_message : (64u << 20);
    if (u64_add(m->length, len, &total) != 0 || total > cap) {
        char why[200];
        snprintf(why, sizeof why,
                 "a message longer than the case's max_message (%llu octets), our cap: the "
                 "peer did nothing wrong",
                 (unsigned long long)cap);
        runner_limit(ex, why);
        return;
    }
    m->length = total;
    if (EVP_DigestUpdate(m->sha, data, len) != 1) {
        runner_internal(ex, "SHA-256 of a message", WS_ERR_NOMEM);
        return;
    }
    if (m->head_len < TEV_HEAD_CAP) {
        size_t take = TEV_HEAD_CAP - m->head_len < len ? TEV_HEAD_CAP - m->head_len : len;
        memcpy(m->head + m->head_len, data, take);
        m->head_len += take;
    }
    /* 6455:8.1 "When an endpoint is to interpret a byte stream as UTF-8 but
     * finds that the byte stream is not, in fact, a valid UTF-8 stream, that
     * endpoint MUST _Fail the WebSocket Connection_." Checked as octets
     * arrive, so the offending octet is known. */
    if (m->opcode == FRAME_OP_TEXT && utf8_feed(&m->utf8, data, len) == UTF8_INVALID) {
        char why[128];
        snprintf(why, sizeof why, "text message is not valid UTF-8 (octet %llu)",
                 (unsigned long long)m->utf8.error_offset);
        runner_violation(ex, "6455:8.1", why);
    }
}

static void message_end(struct exec *ex) {
    struct rx_message *m = &ex->msg;
    m->open = false;
    if (m->opcode == FRAME_OP_TEXT && utf8_finish(&m->utf8) == UTF8_INVALID) {
        char why[128];
        snprintf(why, sizeof why, "text message ends inside a UTF-8 sequence (octet %llu)",
                 (unsigned long long)m->utf8.error_offset);
        runner_violation(ex, "6455:8.1", why);
        return;
    }
    struct tev ev = {.kind = TEV_MESSAGE,
                     .t_us = runner_now_us(ex),
                     .opcode = m->opcode,
                     .length = m->length,
                     .compressed = ex->rx_compressed,
                     .wire_length = m->wire_length,
                     .head_len = m->head_len};
    memcpy(ev.head, m->head, m->head_len);
    unsigned int dlen = 0;
    if (EVP_DigestFinal_ex(m->sha, ev.sha256, &dlen) != 1) {
        runner_internal(ex, "SHA-256 of a message", WS_ERR_NOMEM);
        return;
    }
    runner_add(ex, &ev);
    ex->n_message++;
}

/* ---- control frames ----------------------------------------------------- */

/* Records a ping or pong of the peer; returns whether a pong answers one of
 * our pings (false for pings and unsolicited pongs). */
static bool control_event(struct exec *ex, enum tev_kind kind) {
    struct tev ev = {.kind = kind, .t_us = runner_now_us(ex), .length = ex->ctl_len};
    ev.head_len = ex->ctl_len < TEV_HEAD_CAP ? ex->ctl_len : TEV_HEAD_CAP;
    memcpy(ev.head, ex->ctl, ev.head_len);
    if (EVP_Digest(ex->ctl, ex->ctl_len, ev.sha256, NULL, EVP_sha256(), NULL) != 1) {
        runner_internal(ex, "SHA-256 of a control frame", WS_ERR_NOMEM);
        return false;
    }
    bool answer = kind == TEV_PONG && pong_answers_ping(ex, ev.sha256);
    ev.unsolicited = kind == TEV_PONG && !answer;
    runner_add(ex, &ev);
    return answer;
}

static void peer_close_frame(struct exec *ex) {
    if (runner_peer_closed(ex)) {
        /* A second close frame: 6455:5.5.1 forbids only data frames after a
         * close, and the closing handshake is already under way: recorded
         * (after the first close, where the judge does not look), not
         * answered. */
        struct tev again = {.kind = TEV_CLOSE, .t_us = runner_now_us(ex), .length = ex->ctl_len};
        again.head_len = ex->ctl_len < TEV_HEAD_CAP ? ex->ctl_len : TEV_HEAD_CAP;
        memcpy(again.head, ex->ctl, again.head_len);
        again.detail = (char *)"a second close frame";
        runner_add(ex, &again);
        return;
    }
    struct closeframe_info ci;
    enum closeframe_payload_problem problem =
        closeframe_parse(ex->ctl, ex->ctl_len, CLOSEFRAME_FROM_SERVER, &ci);
    char reason[TEV_HEAD_CAP * 4 + 1] = "";
    if (ci.has_code && ci.reason_len)
        transcript_escape(ci.reason, ci.reason_len, reason, sizeof reason);
    struct tev ev = {.kind = TEV_CLOSE,
                     .t_us = runner_now_us(ex),
                     .length = ex->ctl_len,
                     .has_code = ci.has_code,
                     .code = ci.code,
                     .detail = reason[0] ? reason : NULL};
    ev.head_len = ex->ctl_len < TEV_HEAD_CAP ? ex->ctl_len : TEV_HEAD_CAP;
    memcpy(ev.head, ex->ctl, ev.head_len);
    runner_add(ex, &ev);
    ex->n_close++;
    runner_phase_peer_closed(ex);
    /* 6455:7.4.1 on 1010: "Note that this status code is not used by the
     * server, as it can fail the WebSocket handshake instead." A note, not a
     * requirement, and 6455:5.5.1 says a reply "typically echos the status
     * code it received": a server echoing 1010 is judged by the case's
     * outcomes (non-strict), not as a violation. */
    if (problem == CLOSEFRAME_P_BAD_CODE && ci.code_class == CLOSEFRAME_CODE_WRONG_ROLE)
        problem = CLOSEFRAME_P_OK;
    if (problem != CLOSEFRAME_P_OK) {
        /* 6455:5.5.1 "If there is a body, the first two bytes of the body
         * MUST be a 2-byte unsigned integer (in network byte order)
         * representing a status code"; 6455:7.4 names the codes that may be
         * sent; the reason "MUST be" UTF-8. */
        char why[160];
        if (problem == CLOSEFRAME_P_BAD_CODE)
            snprintf(why, sizeof why, "close frame with status code %u (%s)", ci.code,
                     closeframe_problem_name(problem));
        else
            snprintf(why, sizeof why, "invalid close payload (%s)",
                     closeframe_problem_name(problem));
        runner_violation(ex, problem == CLOSEFRAME_P_BAD_CODE ? "6455:7.4" : "6455:5.5.1", why);
        return;
    }
    /* 6455:5.5.1 "If an endpoint receives a Close frame and did not
     * previously send a Close frame, the endpoint MUST send a Close frame in
     * response. (When sending a Close frame in response, the endpoint
     * typically echos the status code it received.)" */
    if (ex->phase == RUN_PEER_CLOSED) { /* not CLOSED: our close went first */
        uint8_t body[2];
        size_t body_len = ci.has_code ? closeframe_payload_write(ci.code, NULL, 0, body, 2) : 0;
        queue_control(ex, FRAME_OP_CLOSE, body, body_len);
    }
}

static void control_end(struct exec *ex) {
    switch (ex->frame_opcode) {
    case FRAME_OP_PING:
        (void)control_event(ex, TEV_PING);
        ex->n_ping++;
        /* 6455:5.5.2 "Upon receipt of a Ping frame, an endpoint MUST send a
         * Pong frame in response" (not after a close frame: we send nothing
         * more but our reply). A peer that pings faster than it reads our
         * pongs fills the queue: the pings beyond it go unanswered, counted. */
        if (ex->phase == RUN_OPEN) {
            if (ex->replies.len < RUNNER_MAX_REPLIES)
                queue_control(ex, FRAME_OP_PONG, ex->ctl, ex->ctl_len);
            else
                ex->tr->pongs_dropped++;
        }
        break;
    case FRAME_OP_PONG:
        /* A heartbeat pong (unsolicited) satisfies no wait for a pong. */
        if (control_event(ex, TEV_PONG)) {
            ex->n_pong++;
            ex->progress_ns = clock_now_ns();
        }
        break;
    case FRAME_OP_CLOSE: peer_close_frame(ex); break;
    default: break; /* reserved control opcodes are parser violations */
    }
}

/* ---- frame events -------------------------------------------------------- */

static void on_event(struct exec *ex, const struct frame_event *ev) {
    switch (ev->kind) {
    case FRAME_EV_HEADER:
        if (runner_peer_closed(ex) && !frame_opcode_is_control(ev->hdr.opcode)) {
            /* 6455:5.5.1 "After sending a Close frame, the endpoint MUST NOT
             * send any further data frames." Only data frames: a pong or a
             * second close frame after it is recorded, not a violation. */
            runner_violation(ex, "6455:5.5.1", "a data frame after the peer's close frame");
            return;
        }
        if ((ev->hdr.rsv & FRAME_RSV1) && ex->pmd_rx &&
            (frame_opcode_is_control(ev->hdr.opcode) || ev->hdr.opcode == FRAME_OP_CONT)) {
            /* 7692:6.1 "An endpoint MUST NOT set the "Per-Message
             * Compressed" bit of control frames and non-first fragments of a
             * data message. An endpoint receiving such a frame MUST _Fail the
             * WebSocket Connection_." (Without an agreement the parser
             * reports any RSV bit: 6455:5.2.) */
            runner_violation(ex, "7692:6.1",
                             frame_opcode_is_control(ev->hdr.opcode)
                                 ? "RSV1 (Per-Message Compressed) on a control frame"
                                 : "RSV1 (Per-Message Compressed) on a continuation frame");
            return;
        }
        ex->frame_opcode = ev->hdr.opcode;
        if (frame_opcode_is_control(ev->hdr.opcode)) {
            ex->ctl_len = 0;
        } else if (ev->hdr.opcode != FRAME_OP_CONT) {
            message_start(ex, ev->hdr.opcode);
            /* 7692:6 "A message with the "Per-Message Compressed" bit set on
             * the first fragment of the message is called a "compressed
             * message"." */
            ex->rx_compressed = (ev->hdr.rsv & FRAME_RSV1) != 0 && ex->pmd_rx;
            ex->seed_msg.len = 0;
        }
        if (!frame_opcode_is_control(ev->hdr.opcode))
            ex->progress_ns = clock_now_ns(); /* a data frame: an echo under way */
        break;
    case FRAME_EV_PAYLOAD:
        if (!frame_opcode_is_control(ex->frame_opcode))
            ex->progress_ns = clock_now_ns();
        if (frame_opcode_is_control(ex->frame_opcode)) {
            size_t room = sizeof ex->ctl - ex->ctl_len;
            size_t take = ev->len < room ? ev->len : room; /* the parser caps it at 125 */
            memcpy(ex->ctl + ex->ctl_len, ev->data, take);
            ex->ctl_len += take;
        } else if (ex->msg.open) {
            ex->msg.wire_length += ev->len;
            if (ex->rx_compressed)
                runner_inflate(ex, ev->data, ev->len, false);
            else
                runner_message_data(ex, ev->data, ev->len);
        }
        break;
    case FRAME_EV_END:
        if (frame_opcode_is_control(ex->frame_opcode))
            control_end(ex);
        else if (ev->hdr.fin && ex->msg.open) {
            if (ex->rx_compressed) {
                /* 7692:7.2.2 "Append 4 octets of 0x00 0x00 0xff 0xff to the
                 * tail end of the payload of the message" (pmd_inflate). */
                runner_inflate(ex, NULL, 0, true);
                if (runner_rx_over(ex) || ex->stop != RUN_GO)
                    break;
                ex->tr->deflate.in_wire += ex->msg.wire_length;
            }
            message_end(ex);
        }
        break;
    case FRAME_EV_VIOLATION: {
        char why[200];
        if (ev->violation == FRAME_V_TOO_BIG) {
            /* Our cap (the case's max_message), not an RFC rule. */
            snprintf(why, sizeof why,
                     "a frame of %llu octets, above the case's max_message (%llu octets), our "
                     "cap: the peer did nothing wrong",
                     (unsigned long long)ex->cl.parser.hdr.payload_len,
                     (unsigned long long)ex->cl.parser.limits.max_frame_payload);
            runner_limit(ex, why);
            break;
        }
        snprintf(why, sizeof why, "%s", frame_violation_name(ev->violation));
        runner_violation(ex, violation_rfc(ev->violation), why);
        break;
    }
    case FRAME_EV_NEED_MORE: break;
    }
}

/* Parse and handle frame events until the bytes run out, the peer broke
 * the framing, or the case stopped (a peer sending endless tiny frames
 * reaches the transcript's event limit: runner_add stops the case). */
static void feed(struct exec *ex, uint8_t *data, size_t len) {
    size_t pos = 0;
    while (!runner_rx_over(ex) && ex->stop == RUN_GO) {
        struct frame_event ev;
        size_t used = frame_parse(&ex->cl.parser, data + pos, len - pos, &ev);
        pos += used;
        if (ev.kind == FRAME_EV_NEED_MORE) {
            if (pos >= len || used == 0)
                break;
            continue;
        }
        on_event(ex, &ev);
    }
}

void runner_rx_buffered(struct exec *ex) {
    struct wsclient *cl = &ex->cl;
    if (cl->rx_pos < cl->rx_len)
        feed(ex, cl->rx + cl->rx_pos, cl->rx_len - cl->rx_pos);
    cl->rx_pos = cl->rx_len = 0;
}

/* n octets arrived in cl->rx: log and parse them. */
static void took(struct exec *ex, size_t n) {
    struct wsclient *cl = &ex->cl;
    ex->last_rx_ms = clock_now_ms();
    ex->idle_struck = false;
    transcript_wire(ex->tr, WIRE_ENTRY_IN, runner_now_us(ex), cl->rx, n);
    if (!runner_rx_over(ex))
        feed(ex, cl->rx, n);
}

/* Read what is there without waiting, and process it. */
static void read_once(struct exec *ex) {
    struct wsclient *cl = &ex->cl;
    long n = conn_read(cl->conn, cl->rx, WSCLIENT_RX_CAP, 0 /* a past deadline: no wait */);
    if (n > 0) {
        took(ex, (size_t)n);
    } else if (n == 0) {
        runner_phase_gone(ex, TEV_EOF, NULL);
    } else if (runner_error_is_ours((int)n)) {
        runner_internal(ex, "reading from the peer", (int)n);
    } else if (n != WS_ERR_TIMEOUT) {
        runner_phase_gone(ex, TEV_RESET, ws_strerror((int)n));
    }
}

void runner_write_failed(struct exec *ex, int err) {
    /* Only what is already in our socket buffer: after a failed write the
     * connection is over, nothing more can arrive. */
    struct wsclient *cl = &ex->cl;
    while (ex->phase != RUN_GONE && ex->stop == RUN_GO) {
        long n = conn_read(cl->conn, cl->rx, WSCLIENT_RX_CAP, 0 /* no wait */);
        if (n <= 0) {
            /* Nothing more (or an EOF or reset): after a write failed
             * through a reset, the socket reads as EOF, so neither says
             * more than the failed write itself. */
            if (n < 0 && n != WS_ERR_TIMEOUT && runner_error_is_ours((int)n))
                runner_internal(ex, "reading from the peer", (int)n);
            break;
        }
        took(ex, (size_t)n);
    }
    runner_phase_gone(ex, TEV_WRITE_FAILED, ws_strerror(err));
}

/* Whether octets we wrote are still in our socket's send queue (not yet
 * taken by the peer's TCP): the peer has not received all it must answer. */
static bool sent_not_taken(const struct exec *ex) {
#ifdef TIOCOUTQ
    int queued = 0;
    int fd = ex->cl.conn ? conn_fd(ex->cl.conn) : -1;
    return fd >= 0 && ioctl(fd, TIOCOUTQ, &queued) == 0 && queued > 0;
#else
    (void)ex;
    return false;
#endif
}

int64_t runner_quiet_end(struct exec *ex, int64_t due_ms, int64_t quiet_ms) {
    if (quiet_ms <= 0)
        return INT64_MAX;
    int64_t since = ex->last_rx_ms > due_ms ? ex->last_rx_ms : due_ms;
    if (ex->tx_queued_ms > since)
        since = ex->tx_queued_ms;
    /* An answer is due once the peer has what it answers: while our octets
     * still wait in the send queue (a peer slow to read a long message),
     * the clock does not run. Looked at only near the end (a system call),
     * once per slice from there on. */
    int64_t now = clock_now_ms();
    if (since + quiet_ms <= now + RUNNER_SLICE_MS && sent_not_taken(ex)) {
        ex->tx_queued_ms = now;
        since = now;
    }
    return since + quiet_ms;
}

int64_t runner_idle_end(struct exec *ex, int64_t due_ms) {
    return runner_quiet_end(ex, due_ms, ex->idle_ms);
}

void runner_due(struct exec *ex, const char *what, bool required) {
    ex->due_ns = clock_now_ns();
    ex->due_what = what;
    ex->due_required = required;
}

/* Our case deadline ran out: recorded with whether the conversation was
 * still under way (tev.progressing), which the judge tells "slow" from
 * "wrong" by (judge.c, deadline_while_answering): a step of ours was still
 * being sent; or what the case waited for is not something the RFC
 * requires of the peer (an echo: as with the idle deadline, only the echo
 * convention was missed); or it is, and the peer made progress toward it
 * (runner_int.h, progress_ns) since it was due, within the idle deadline
 * before (RUNNER_ACTIVE_S, scaled, when there is none). */
static void record_deadline(struct exec *ex) {
    int64_t now = clock_now_ns();
    int64_t window =
        (ex->idle_ms > 0 ? ex->idle_ms : (int64_t)(RUNNER_ACTIVE_S * ex->scale * 1000.0)) * 1000000;
    bool answering =
        ex->progress_ns >= 0 && ex->progress_ns > ex->due_ns && now - ex->progress_ns <= window;
    const char *what = ex->due_what ? ex->due_what : "the peer";
    char why[320];
    int len = snprintf(why, sizeof why, "the case deadline (%.1f s) ran out",
                       (double)ex->c->timeout_s * ex->scale);
    size_t used = len > 0 && (size_t)len < sizeof why ? (size_t)len : 0;
    if (ex->sending)
        snprintf(why + used, sizeof why - used,
                 " while our steps were still being sent (%llu octets so far)",
                 (unsigned long long)ex->tr->octets_out);
    else if (!ex->due_required)
        snprintf(why + used, sizeof why - used,
                 " while waiting for %s, which the RFC does not require of the peer", what);
    else if (answering)
        snprintf(why + used, sizeof why - used,
                 " while the peer was still answering (waiting for %s; its last progress %.1f s "
                 "before, %llu octets from it so far)",
                 what, (double)(now - ex->progress_ns) / 1e9,
                 (unsigned long long)ex->tr->octets_in);
    else
        snprintf(why + used, sizeof why - used,
                 " waiting for %s, with no progress from the peer for %.1f s since it was due",
                 what, (double)(now - ex->due_ns) / 1e9);
    struct tev ev = {.kind = TEV_TIMEOUT,
                     .t_us = runner_now_us(ex),
                     .detail = why,
                     .deadline = true,
                     .progressing = ex->sending || !ex->due_required || answering};
    runner_add(ex, &ev);
}

static bool check_stop(struct exec *ex) {
    if (ex->stop != RUN_GO)
        return true;
    if (ex->interrupted && *ex->interrupted) {
        ex->stop = RUN_STOP_INTERRUPT;
        return true;
    }
    if (clock_now_ms() >= ex->deadline_ms) {
        record_deadline(ex);
        ex->stop = RUN_STOP_DEADLINE;
        return true;
    }
    return false;
}

int64_t runner_poll_end(int64_t until_ms, int64_t idle_end_ms) {
    if (idle_end_ms >= until_ms)
        return until_ms;
    /* Look again within a slice: the idle deadline moves while the peer
     * takes our octets. */
    int64_t slice = clock_now_ms() + RUNNER_SLICE_MS;
    return idle_end_ms < slice ? idle_end_ms : slice;
}

void runner_record_idle(struct exec *ex, const char *what, bool answer_required) {
    char why[200];
    snprintf(why, sizeof why,
             "%s: no octet from the peer for %.1f s (the idle deadline, --idle-timeout)", what,
             (double)ex->idle_ms / 1000.0);
    struct tev ev = {.kind = TEV_TIMEOUT,
                     .t_us = runner_now_us(ex),
                     .detail = why,
                     .idle = true,
                     .answer_required = answer_required};
    runner_add(ex, &ev);
}

enum rx_poll_result runner_rx_poll(struct exec *ex, int64_t until_ms, bool want_write) {
    if (until_ms > ex->deadline_ms || until_ms < 0)
        until_ms = ex->deadline_ms;
    for (;;) {
        if (check_stop(ex))
            return RX_POLL_STOP;
        if (ex->phase == RUN_GONE)
            return RX_POLL_GONE;
        int64_t now = clock_now_ms();
        if (now >= until_ms)
            return RX_POLL_TIMEOUT;
        int64_t slice = now + RUNNER_SLICE_MS < until_ms ? now + RUNNER_SLICE_MS : until_ms;
        int rc = conn_wait_io(ex->cl.conn, want_write, slice);
        if (rc < 0) {
            /* poll() itself failed: ours, never the peer's doing. */
            runner_internal(ex, "waiting for the peer", rc);
            return RX_POLL_STOP;
        }
        if (rc & 1) {
            read_once(ex);
            if (ex->stop != RUN_GO)
                return RX_POLL_STOP;
            return ex->phase == RUN_GONE ? RX_POLL_GONE : RX_POLL_PROGRESS;
        }
        if (rc & 2)
            return RX_POLL_WRITABLE;
    }
}
