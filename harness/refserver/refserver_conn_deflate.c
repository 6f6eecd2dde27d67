/* refserver_conn_deflate: the permessage-deflate (RFC 7692) side of a
 * reference-server connection: what changes once the extension is agreed,
 * the message data path (inflate, UTF-8, compressed echo) and the end of a
 * message. The streams themselves are refserver_deflate.c's; the failure
 * and echo helpers are refserver_conn.c's (refserver_conn_int.h). */
#include <stdio.h>

#include "base/errors.h"
#include "refserver/faults.h"
#include "refserver/refserver_conn_int.h"

#define FAULT(p, f) fault_on((p)->cfg->faults, (f))

/* Compressed payload octets one message may have: the inflated cap plus
 * what DEFLATE may add to incompressible data (5 octets per stored block of
 * up to 65535, and a little more), so that a message within --max-message
 * is never refused for its compressed size. */
uint64_t rs_pmd_compressed_cap(uint64_t message_cap) {
    uint64_t slack = (message_cap >> 10) + 1024;
    return message_cap > UINT64_MAX - slack ? UINT64_MAX : message_cap + slack;
}

/* permessage-deflate was agreed: RSV1 becomes legal on data frames
 * (7692:6 "the "Per-Message Compressed" bit"), frames may carry the
 * compressed size, and the streams are made. keep-context and
 * ignore-server-window-bits break the agreement here, for our echoes. */
int rs_pmd_start(struct rs_proto *p, const struct rs_deflate_params *agreed) {
    struct rs_deflate_params params = *agreed;
    params.inflate_cap = p->cfg->inflate_cap;
    /* Breaks 7692:7.2.1 "If the "agreed parameters" contain the
     * "server_no_context_takeover" extension parameter, the server MUST
     * start compressing each new message with an empty LZ77 sliding
     * window." (the parameter of 7692:7.1.1.1) */
    if (FAULT(p, FAULT_KEEP_CONTEXT))
        params.server_no_context_takeover = false;
    /* Breaks 7692:7.1.2.1: the client limits "the LZ77 sliding window size
     * that the server will use to compress messages". */
    if (FAULT(p, FAULT_IGNORE_SERVER_WINDOW_BITS))
        params.server_window_bits = 15;
    int rc = rs_deflate_new(&p->pmd, &params);
    if (rc != 0)
        return rc;
    p->parser.limits.allowed_rsv = FRAME_RSV1;
    if (p->parser.limits.max_frame_payload != 0)
        p->parser.limits.max_frame_payload = rs_pmd_compressed_cap(p->cfg->message_cap);
    return 0;
}

int rs_pmd_misplaced_rsv1(struct rs_proto *p, bool control, struct buf *out) {
    /* 7692:6.1 "An endpoint MUST NOT set the "Per-Message Compressed" bit
     * of control frames and non-first fragments of a data message. An
     * endpoint receiving such a frame MUST _Fail the WebSocket
     * Connection_." (6455:7.4.1 "1002 indicates that an endpoint is
     * terminating the connection due to a protocol error.") The two faults
     * read the bit as clear instead. */
    if (!FAULT(p, control ? FAULT_ACCEPT_RSV1_CONTROL : FAULT_ACCEPT_RSV1_CONTINUATION))
        return rs_conn_fail(p, 1002,
                            control ? "protocol error: RSV1 on a control frame"
                                    : "protocol error: RSV1 on a continuation frame",
                            out);
    p->cur.rsv &= (uint8_t)~FRAME_RSV1;
    return 0;
}

/* permessage-deflate: the message's octets (inflated, or as received when
 * the client did not compress it) as they come: UTF-8 checked and
 * compressed into the echo at once (refserver_deflate.h). An invalid octet
 * is remembered; the caller fails the connection. */
static int on_message_octets(void *ctx, const uint8_t *data, size_t len) {
    struct rs_proto *p = ctx;
    if (p->msg_utf8_bad)
        return 0;
    if (p->msg_opcode == FRAME_OP_TEXT && !FAULT(p, FAULT_NO_UTF8_CHECK) &&
        utf8_feed(&p->utf8, data, len) == UTF8_INVALID) {
        p->msg_utf8_bad = true;
        return 0;
    }
    return rs_deflate_echo(p->pmd, data, len, false, &p->msg);
}

/* What an inflate step found wrong, answered on the wire. */
static int inflate_outcome(struct rs_proto *p, enum rs_inflate_status status, const char *why,
                           struct buf *out) {
    /* 6455:8.1 fail-fast first: the octets the inflater produced came
     * before any problem it found after them (pmd_inflate passes on what
     * it decoded before a corruption), so the first fault in the stream is
     * answered, however the frames were split. */
    if (p->msg_utf8_bad && rs_conn_utf8_fail_fast(p))
        return rs_conn_fail(p, 1007, "invalid UTF-8 in a text message", out);
    if (status == RS_INF_TOO_BIG) {
        /* Under inflate-unbounded (and ignore-message-limit) the cap is our
         * internal 1 GiB, never answered with 1009. */
        if (p->cfg->inflate_cap > p->cfg->max_message) {
            rs_conn_abort(p, "inflated message above the internal 1 GiB cap");
            return 0;
        }
        /* 6455:7.4.1 "1009 indicates that an endpoint is terminating the
         * connection because it has received a message that is too big for
         * it to process.", on the inflated size, checked as it is produced. */
        return rs_conn_fail(p, 1009, "message too big (inflated)", out);
    }
    if (status == RS_INF_CORRUPT) {
        /* RFC 7692 names no close code for a compressed payload that does
         * not inflate. We answer 1007, as Node's ws does: 6455:7.4.1 "1007
         * indicates that an endpoint is terminating the connection because
         * it has received data within a message that was not consistent
         * with the type of the message"; RSV1 made the message a compressed
         * one (7692:6) and its data is not DEFLATE. The frames themselves
         * are well formed, so 1002 "protocol error" would misplace the
         * fault. */
        char text[80];
        snprintf(text, sizeof text, "compressed message does not inflate: %s", why);
        return rs_conn_fail(p, 1007, text, out);
    }
    return 0;
}

int rs_pmd_payload(struct rs_proto *p, const uint8_t *data, size_t len, struct buf *out) {
    if (!p->msg_compressed) {
        int rc = on_message_octets(p, data, len);
        if (rc == 0 && p->msg_utf8_bad && rs_conn_utf8_fail_fast(p))
            return rs_conn_fail(p, 1007, "invalid UTF-8 in a text message", out);
        return rc;
    }
    /* 7692:7.2.2 decompressed as the frames arrive, capped on the inflated
     * size (pmd_inflate). */
    enum rs_inflate_status status;
    const char *why;
    int rc = rs_inflate(p->pmd, data, len, false, on_message_octets, p, &status, &why);
    return rc != 0 ? rc : inflate_outcome(p, status, why, out);
}

/* The end of a message on a permessage-deflate connection: the last of it
 * inflated, UTF-8 judged, and the compressed echo sent with RSV1. Every echo
 * is compressed, also of a message that came uncompressed: 7692:6 lets the
 * sender choose per message ("the "Per-Message Compressed" bit ... indicates
 * whether a message is compressed or not"). */
int rs_pmd_message_end(struct rs_proto *p, struct buf *out) {
    int rc = 0;
    if (p->msg_compressed) {
        enum rs_inflate_status status;
        const char *why;
        rc = rs_inflate(p->pmd, NULL, 0, true, on_message_octets, p, &status, &why);
        if (rc == 0)
            rc = inflate_outcome(p, status, why, out);
        if (rc != 0 || !rs_conn_echoing(p))
            return rc;
    }
    /* 6455:8.1 (as in on_payload), on the inflated text; a message that
     * ends inside a code point is not valid UTF-8 either. */
    if (p->msg_opcode == FRAME_OP_TEXT && !FAULT(p, FAULT_NO_UTF8_CHECK) &&
        (p->msg_utf8_bad || utf8_finish(&p->utf8) == UTF8_INVALID))
        return rs_conn_fail(p, 1007, "invalid UTF-8 in a text message", out);
    if (FAULT(p, FAULT_ECHO_ALTERED))
        rc = rs_deflate_echo(p->pmd, (const uint8_t *)"!", 1, false, &p->msg);
    if (rc == 0)
        rc = rs_deflate_echo(p->pmd, NULL, 0, true, &p->msg);
    if (rc != 0)
        return rc;
    /* corrupt-deflate breaks 7692:7.2.1 "Compress all the octets of the
     * payload of the message using DEFLATE": the first block header gets
     * BFINAL 1 and BTYPE 11, which RFC 1951 3.2.3 reserves ("11 - reserved
     * (error)"). A compressed message is never empty (7692:7.2.3.6: 0x00). */
    if (FAULT(p, FAULT_CORRUPT_DEFLATE) && p->msg.len > 0)
        p->msg.data[0] |= 0x07;
    return rs_conn_send_echo(p, FRAME_RSV1, out);
}
