/* runner_close: the closing phase of one case, after its steps.
 *
 * What is left to wait for follows from the phase (runner_int.h):
 *
 *   FAILED       we fail the connection (a close 1002, or 1009 for our cap,
 *                when our stream allows one) and drop TCP;
 *   GONE         nothing: the peer left;
 *   OPEN         nobody closed: a peer that must fail the connection does it
 *                now; the wait ends after close_timeout without an octet
 *                from the peer;
 *   WE_CLOSED    the peer's close is due (6455:5.5.1, no time limit): the
 *                wait ends after the idle deadline (or close_timeout, when
 *                longer) without an octet from the peer, else at the case
 *                deadline (slow is not wrong: issue 8, item 7);
 *   PEER_CLOSED  our reply goes out (runner_flush_replies), then as CLOSED;
 *   CLOSED       the peer's TCP close is due (6455:5.5.1 "The server MUST
 *                close the underlying TCP connection immediately").
 *
 * Every wait ends as soon as the peer acted; a stopped case (deadline,
 * interrupt, our limit, an internal failure) drops TCP at once. */
#include <stdio.h>
#include <string.h>

#include "codec/closeframe.h"
#include "codec/frame.h"
#include "run/runner_int.h"

enum waited {
    WAITED_MET,     /* cond holds */
    WAITED_TIMEOUT, /* until_ms passed: the caller records it */
    WAITED_QUIET,   /* the peer was quiet for quiet_ms: the caller records it */
    WAITED_ENDED,   /* the case stopped (its deadline ends every wait), or the peer left
                       without cond */
};

/* Read until cond holds, the peer is gone, the case stops, until_ms passes
 * (INT64_MAX: only the case deadline) or the peer has been quiet for
 * quiet_ms while cond is due since due_ms (runner_quiet_end: no octet from
 * it, none of ours still waiting to be taken; quiet_ms <= 0: never). */
static enum waited wait_for(struct exec *ex, bool (*cond)(const struct exec *), int64_t until_ms,
                            int64_t due_ms, int64_t quiet_ms) {
    for (;;) {
        runner_flush_replies(ex);
        if (cond(ex))
            return WAITED_MET;
        int64_t quiet_end = runner_quiet_end(ex, due_ms, quiet_ms);
        enum rx_poll_result r = runner_rx_poll(ex, runner_poll_end(until_ms, quiet_end), false);
        if (r == RX_POLL_PROGRESS || r == RX_POLL_WRITABLE)
            continue;
        if (cond(ex))
            return WAITED_MET;
        if (r != RX_POLL_TIMEOUT)
            return WAITED_ENDED;
        if (clock_now_ms() >= until_ms)
            return WAITED_TIMEOUT;
        if (clock_now_ms() >= runner_quiet_end(ex, due_ms, quiet_ms))
            return WAITED_QUIET;
    }
}

/* A wait for an answer the RFC requires ended because the peer stayed
 * silent: recorded as the idle deadline's (runner_record_idle), so the
 * judge decides by the case's outcomes. */
static void record_silent(struct exec *ex, const char *what, int64_t quiet_ms) {
    char why[240];
    snprintf(why, sizeof why,
             "%s: no octet from the peer for %.1f s (the idle deadline, "
             "--idle-timeout, or close_timeout when longer)",
             what, (double)quiet_ms / 1000.0);
    struct tev ev = {.kind = TEV_TIMEOUT,
                     .t_us = runner_now_us(ex),
                     .detail = why,
                     .idle = true,
                     .answer_required = true};
    runner_add(ex, &ev);
}

/* The peer closed, failed or left: nothing more to wait for before our own
 * close decisions. */
static bool peer_acted(const struct exec *ex) {
    return ex->phase != RUN_OPEN && ex->phase != RUN_WE_CLOSED;
}

static bool peer_left(const struct exec *ex) {
    return runner_rx_over(ex);
}

/* We fail the connection. 6455:7.1.7 "the endpoint SHOULD send a Close
 * frame with an appropriate status code (Section 7.4) before proceeding to
 * _Close the WebSocket Connection_" (best effort: ex->fail_code). */
static void fail_connection(struct exec *ex) {
    if (ex->tr->we_sent_close || ex->phase == RUN_GONE || ex->tx != RUN_TX_OPEN || ex->sending ||
        ex->frame_owed > 0 || ex->stop != RUN_GO)
        return;
    struct frame_spec spec = {.fin = true, .opcode = FRAME_OP_CLOSE, .masked = true};
    uint64_t key = prng_next(&ex->prng);
    memcpy(spec.mask_key, &key, 4);
    uint8_t code[2];
    closeframe_payload_write(ex->fail_code ? ex->fail_code : 1002, NULL, 0, code, sizeof code);
    struct buf frame = {0};
    int rc = frame_build(&spec, code, sizeof code, &frame);
    if (rc != 0)
        runner_internal(ex, "building our close frame", rc);
    else if (runner_write(ex, frame.data, frame.len, false) == 0)
        runner_phase_we_closed(ex, true, ex->fail_code ? ex->fail_code : 1002);
    buf_free(&frame);
}

/* The case ends here with TCP closed by us (the deadline, a stop, a
 * failure, or a peer that did not finish the closing handshake). */
static void drop(struct exec *ex) {
    ex->tr->we_dropped_tcp = ex->phase != RUN_GONE;
    ex->tr->clean = false;
}

static void done(struct exec *ex) {
    struct transcript *tr = ex->tr;
    tr->clean = tr->we_sent_close && tr->peer_sent_close && ex->gone_orderly;
}

void runner_exec_closing(struct exec *ex) {
    double ct_s = (ex->c->close_timeout_s > 0 ? ex->c->close_timeout_s : 2.0) * ex->scale;
    int64_t ct_ms = (int64_t)(ct_s * 1000.0);
    char why[160];

    /* Octets of trailing coalesced steps. */
    if (ex->held.len && ex->stop == RUN_GO && ex->tx == RUN_TX_OPEN &&
        (ex->phase == RUN_OPEN || ex->phase == RUN_WE_CLOSED)) {
        struct step flush = {.kind = STEP_SEND_RAW};
        runner_send_step(ex, &flush);
    }
    runner_flush_replies(ex);
    if (ex->phase == RUN_FAILED)
        fail_connection(ex);
    if (ex->stop != RUN_GO || ex->phase == RUN_FAILED) {
        drop(ex); /* the case stopped, or we fail the connection */
        return;
    }
    if (ex->phase == RUN_GONE) {
        done(ex);
        return;
    }
    if (ex->phase == RUN_OPEN || ex->phase == RUN_WE_CLOSED) {
        bool we_closed = ex->phase == RUN_WE_CLOSED;
        int64_t due = clock_now_ms();
        enum waited w;
        if (we_closed) {
            /* We closed: the peer's close frame is due (6455:5.5.1 "If an
             * endpoint receives a Close frame and did not previously send a
             * Close frame, the endpoint MUST send a Close frame in
             * response"), with no time limit in the RFC: slow is not wrong.
             * A peer still sending (the rest of its echoes, taking our
             * octets) is waited for up to the case deadline; a silent one
             * for the idle deadline, or close_timeout when longer. Without
             * an idle deadline, only the case deadline ends the wait. */
            int64_t quiet = ex->idle_ms > 0 ? (ex->idle_ms > ct_ms ? ex->idle_ms : ct_ms) : 0;
            runner_due(ex, "the peer's answer to our close", true);
            w = wait_for(ex, peer_acted, INT64_MAX, due, quiet);
            if (w == WAITED_QUIET)
                record_silent(ex, "waiting for the peer's answer to our close", quiet);
        } else {
            /* Nobody closed: a peer that must fail the connection does it
             * now. Given close_timeout of silence, and as long as it keeps
             * sending (up to the case deadline). */
            runner_due(ex, "the peer to close or fail the connection", true);
            w = wait_for(ex, peer_acted, INT64_MAX, due, ct_ms);
            if (w == WAITED_QUIET) {
                snprintf(why, sizeof why,
                         "the connection was still open after the last step, with nothing "
                         "from the peer for %.1f s (close_timeout)",
                         ct_s);
                runner_record(ex, TEV_TIMEOUT, why);
            }
        }
        if (w != WAITED_MET) {
            drop(ex);
            return;
        }
        if (ex->phase == RUN_FAILED)
            fail_connection(ex);
        if (ex->phase == RUN_FAILED || ex->stop != RUN_GO) {
            drop(ex);
            return;
        }
        if (ex->phase == RUN_GONE) {
            done(ex);
            return;
        }
    }
    /* Both close frames are out (our reply is sent by wait_for). 6455:5.5.1
     * "The server MUST close the underlying TCP connection immediately; the
     * client SHOULD wait for the server to close the connection":
     * close_timeout, or the idle deadline when it ends first. */
    runner_due(ex, "the peer's TCP close", true);
    enum waited w = wait_for(ex, peer_left, clock_now_ms() + ct_ms, clock_now_ms(), ex->idle_ms);
    if (w != WAITED_MET) {
        if (w == WAITED_TIMEOUT) {
            snprintf(why, sizeof why,
                     "the peer did not close TCP within %.1f s of the closing handshake", ct_s);
            runner_record(ex, TEV_TIMEOUT, why);
        } else if (w == WAITED_QUIET) {
            runner_record_idle(ex, "waiting for the peer to close TCP", true);
        }
        drop(ex);
        return;
    }
    if (ex->phase == RUN_FAILED) {
        drop(ex);
        return;
    }
    done(ex);
}
