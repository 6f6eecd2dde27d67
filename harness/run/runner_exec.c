/* runner_exec: the steps of one case (cases/README.md "Steps") and the
 * closing phase after them.
 *
 * Sending: a send step's octets (frame headers, masked payload generated
 * RUNNER_CHUNK octets at a time, never materialised) go through a chunker
 * that writes `chop` octets per write (the whole step, in RUNNER_CHUNK
 * pieces, when chop is 0) with `chop_delay` between chops. Coalesced steps
 * are held back and written with the next send that is not coalesced.
 * Writes never block the receive side: while the socket is full we keep
 * reading the peer's frames into the transcript (a peer echoing while we
 * send must not deadlock us). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "codec/closeframe.h"
#include "codec/frame.h"
#include "codec/mask.h"
#include "run/runner_int.h"

/* ---- writing ------------------------------------------------------------ */

static void write_failed(struct exec *ex, int err) {
    ex->peer_gone = true;
    if (!ex->we_closed)
        ex->tr->peer_closed_first = true;
    runner_record(ex, TEV_WRITE_FAILED, ws_strerror(err));
}

int runner_write(struct exec *ex, const uint8_t *data, size_t len, bool give_up_on_close) {
    size_t done = 0;
    while (done < len) {
        if (ex->stop || ex->peer_gone || ex->write_shut)
            return -1;
        long n = conn_write_some(ex->cl.conn, data + done, len - done);
        if (n > 0) {
            transcript_wire(ex->tr, WIRE_ENTRY_OUT, runner_now_us(ex), data + done, (size_t)n);
            done += (size_t)n;
            continue;
        }
        if (n < 0) {
            write_failed(ex, (int)n);
            return -1;
        }
        if (give_up_on_close && ex->peer_close)
            return -1; /* the conversation is over and the peer stopped reading */
        if (runner_rx_poll(ex, ex->deadline_ms, true) < 0)
            return -1;
    }
    return 0;
}

static void record_we_closed(struct exec *ex, bool has_code, uint16_t code) {
    if (ex->we_closed)
        return;
    ex->we_closed = true;
    ex->tr->we_sent_close = true;
    struct tev ev = {
        .kind = TEV_SENT_CLOSE, .t_us = runner_now_us(ex), .has_code = has_code, .code = code};
    (void)transcript_add(ex->tr, &ev);
}

void runner_flush_replies(struct exec *ex) {
    if (ex->sending || ex->broken_stream || ex->replies.len == 0)
        return;
    /* Take the queue: replies queued while we write go out next time. */
    struct buf out = ex->replies;
    memset(&ex->replies, 0, sizeof ex->replies);
    bool closing = ex->close_reply_due;
    if (runner_write(ex, out.data, out.len, false) == 0 && closing) {
        /* Our reply echoed the code of the peer's (last) close frame. */
        const struct tev *peer = NULL;
        for (size_t i = ex->tr->event_count; i-- > 0 && !peer;)
            if (ex->tr->events[i].kind == TEV_CLOSE)
                peer = &ex->tr->events[i];
        record_we_closed(ex, peer && peer->has_code, peer ? peer->code : 0);
    }
    buf_free(&out);
}

/* ---- the chunker --------------------------------------------------------- */

struct sender {
    struct exec *ex;
    uint32_t chop;    /* octets per write; 0 = whole writes */
    int64_t delay_ms; /* between chops */
    bool coalesce;
    uint8_t *chunk; /* owned */
    size_t len, cap;
    bool wrote;         /* a chop went out already (delays go between chops) */
    bool failed;        /* stopped: the rest of the step is dropped */
    uint64_t put_total; /* octets handed to put() */
    uint64_t written;   /* octets written to the socket */
    uint64_t *bounds;   /* owned: put_total at the end of each frame */
    size_t bound_count, bound_cap;
    bool held_close; /* a close frame of ours ends at held_close_end (in put_total) */
    uint64_t held_close_end;
    bool held_close_has_code;
    uint16_t held_close_code;
};

/* Remember that a frame ends here: stopping at this point leaves no frame
 * half sent. */
static void frame_boundary(struct sender *s) {
    if (s->bound_count == s->bound_cap) {
        size_t cap = s->bound_cap ? s->bound_cap * 2 : 8;
        uint64_t *grown = realloc(s->bounds, cap * sizeof *grown);
        if (!grown)
            return; /* only costs precision: a stop here then counts as mid-frame */
        s->bounds = grown;
        s->bound_cap = cap;
    }
    s->bounds[s->bound_count++] = s->put_total;
}

static bool at_boundary(const struct sender *s) {
    if (s->written == 0)
        return true;
    for (size_t i = 0; i < s->bound_count; i++)
        if (s->bounds[i] == s->written)
            return true;
    return false;
}

static bool conversation_over(const struct exec *ex) {
    return ex->stop || ex->peer_close || ex->peer_gone || ex->rx_dead || ex->write_shut ||
           ex->broken_stream;
}

/* Sleep for ms while still reading the peer (and answering it, between
 * steps). Ends early when the peer closes: the conversation is over. */
static void pause_reading(struct exec *ex, int64_t ms) {
    int64_t until = clock_now_ms() + ms;
    for (;;) {
        runner_flush_replies(ex);
        if (ex->peer_close || ex->rx_dead)
            return;
        enum rx_poll_result r = runner_rx_poll(ex, until, false);
        if (r != RX_POLL_PROGRESS)
            return;
    }
}

static void chunk_write(struct sender *s) {
    struct exec *ex = s->ex;
    if (s->len == 0 || s->failed)
        return;
    if (s->wrote && s->delay_ms > 0)
        pause_reading(ex, s->delay_ms);
    /* Once the peer closed, the rest of the step is not sent. */
    if (conversation_over(ex) || runner_write(ex, s->chunk, s->len, true) != 0) {
        s->failed = true;
        return;
    }
    s->wrote = true;
    s->written += s->len;
    s->len = 0;
}

static void put(struct sender *s, const uint8_t *data, size_t len) {
    if (s->failed)
        return;
    s->put_total += len;
    if (s->coalesce) {
        if (buf_append(&s->ex->held, data, len) != 0)
            s->failed = true;
        return;
    }
    while (len > 0 && !s->failed) {
        size_t take = s->cap - s->len < len ? s->cap - s->len : len;
        memcpy(s->chunk + s->len, data, take);
        s->len += take;
        data += take;
        len -= take;
        if (s->len == s->cap)
            chunk_write(s);
    }
}

static int sender_start(struct sender *s, struct exec *ex, const struct step *st) {
    memset(s, 0, sizeof *s);
    s->ex = ex;
    s->coalesce = st->coalesce;
    s->chop = st->chop ? st->chop : ex->c->chop ? ex->c->chop : ex->chop_override;
    double delay = st->chop_delay_s > 0 ? st->chop_delay_s : ex->c->chop_delay_s;
    s->delay_ms = (int64_t)(delay * ex->scale * 1000.0);
    s->cap = s->chop ? s->chop : RUNNER_CHUNK;
    if (s->coalesce)
        return 0;
    s->chunk = malloc(s->cap);
    if (!s->chunk)
        return WS_ERR_NOMEM;
    ex->sending = true;
    /* Octets of earlier coalesced steps go out first, in the same writes. */
    if (ex->held.len) {
        struct buf held = ex->held;
        memset(&ex->held, 0, sizeof ex->held);
        s->held_close = ex->held_close;
        s->held_close_end = ex->held_close_end;
        s->held_close_has_code = ex->held_close_has_code;
        s->held_close_code = ex->held_close_code;
        ex->held_close = false;
        put(s, held.data, held.len);
        frame_boundary(s); /* held octets are whole frames */
        buf_free(&held);
    }
    return 0;
}

static void sender_finish(struct sender *s) {
    chunk_write(s);
    if (!s->coalesce) {
        s->ex->sending = false;
        /* A step cut short inside a frame: no frame of ours can follow it
         * on this connection (not even the reply to the peer's close). */
        if (s->failed && !at_boundary(s))
            s->ex->broken_stream = true;
        if (s->held_close && s->written >= s->held_close_end)
            record_we_closed(s->ex, s->held_close_has_code, s->held_close_code);
    }
    free(s->chunk);
    free(s->bounds);
}

/* Octets [from, from+len) of prefix || payload. */
struct source {
    const uint8_t *prefix;
    size_t prefix_len;
    const struct payload *p; /* may be NULL */
};

static uint64_t source_len(const struct source *src) {
    return src->prefix_len + (src->p ? src->p->length : 0);
}

static void source_read(const struct source *src, uint64_t from, uint8_t *out, size_t len) {
    while (len > 0 && from < src->prefix_len) {
        *out++ = src->prefix[from++];
        len--;
    }
    if (len > 0)
        payload_read(src->p, from - src->prefix_len, out, len);
}

static void mask_key(struct exec *ex, enum mask_mode mode, const uint8_t explicit_key[4],
                     struct frame_spec *spec) {
    spec->masked = mode != MASK_NONE;
    if (mode == MASK_KEY) {
        memcpy(spec->mask_key, explicit_key, 4);
    } else {
        uint64_t r = prng_next(&ex->prng);
        memcpy(spec->mask_key, &r, 4);
    }
}

/* One frame: header, then payload octets [from, from+len) of src masked
 * as a frame payload starting at offset 0. */
static int put_frame(struct sender *s, const struct frame_spec *spec, const struct source *src,
                     uint64_t from, uint64_t len) {
    uint8_t header[14];
    int header_len = frame_write_header(spec, len, header);
    if (header_len < 0)
        return header_len;
    put(s, header, (size_t)header_len);
    uint64_t done = 0;
    while (done < len && !s->failed) {
        size_t n = len - done < RUNNER_CHUNK ? (size_t)(len - done) : RUNNER_CHUNK;
        source_read(src, from + done, s->ex->gen, n);
        if (spec->masked)
            mask_apply(s->ex->gen, n, spec->mask_key, done);
        put(s, s->ex->gen, n);
        done += n;
    }
    frame_boundary(s);
    return 0;
}

/* A close frame of ours was handed to the sender: it counts as sent once
 * its last octet is written (for a coalesced step, once the held octets go
 * out with the next send). */
static void note_we_closed(struct sender *s, const struct source *src) {
    struct exec *ex = s->ex;
    bool has_code = source_len(src) >= 2;
    uint16_t code = 0;
    if (has_code) {
        uint8_t octets[2];
        source_read(src, 0, octets, 2);
        code = (uint16_t)(octets[0] << 8 | octets[1]);
    }
    if (!s->coalesce) {
        if (!s->held_close) { /* the first close frame of the write counts */
            s->held_close = true;
            s->held_close_end = s->put_total;
            s->held_close_has_code = has_code;
            s->held_close_code = code;
        }
    } else if (!ex->held_close) {
        ex->held_close = true;
        ex->held_close_has_code = has_code;
        ex->held_close_code = code;
        ex->held_close_end = ex->held.len;
    }
}

static void case_bug(struct exec *ex, const char *what, int err) {
    if (ex->tr->error)
        return;
    char msg[256];
    snprintf(msg, sizeof msg, "case %s: %s: %s", ex->c->id, what, ws_strerror(err));
    ex->tr->error = strdup(msg);
    ex->stop = true;
}

/* ---- send steps ----------------------------------------------------------- */

static void send_frame_step(struct exec *ex, struct sender *s, const struct frame_step *f) {
    struct frame_spec spec = {.fin = f->fin,
                              .rsv = f->rsv,
                              .opcode = f->opcode,
                              .len_form = (enum frame_len_form)f->len_form,
                              .declared_len_set = f->declared_len_set,
                              .declared_len = f->declared_len};
    mask_key(ex, f->mask, f->mask_key, &spec);
    struct source src = {.p = &f->payload};
    int rc = put_frame(s, &spec, &src, 0, source_len(&src));
    if (rc < 0)
        case_bug(ex, "send_frame cannot be encoded", rc);
    else if (f->opcode == FRAME_OP_CLOSE && !s->failed)
        note_we_closed(s, &src);
}

static void send_message_step(struct exec *ex, struct sender *s, const struct message_step *m) {
    struct source src = {.p = &m->payload};
    uint64_t total = source_len(&src), off = 0;
    size_t index = 0;
    do {
        uint64_t size = total - off;
        if (m->fragment_count > 0) {
            uint64_t want = m->fragments[index < m->fragment_count ? index : m->fragment_count - 1];
            bool repeats = index >= m->fragment_count - 1;
            /* A repeating size of 0 would never use the payload up. */
            if (want < size && !(repeats && want == 0))
                size = want;
        }
        bool last = off + size == total;
        struct frame_spec spec = {.fin = last,
                                  .opcode = index == 0 ? m->opcode : FRAME_OP_CONT,
                                  .rsv = index == 0 ? m->rsv : 0};
        mask_key(ex, m->mask, NULL, &spec);
        int rc = put_frame(s, &spec, &src, off, size);
        if (rc < 0) {
            case_bug(ex, "send_message cannot be encoded", rc);
            return;
        }
        off += size;
        index++;
    } while (off < total && !s->failed);
}

static void send_close_step(struct exec *ex, struct sender *s, const struct close_step *c) {
    uint8_t code[2];
    struct source src = {0};
    if (c->raw_set) {
        src.p = &c->raw;
    } else if (c->has_code) {
        closeframe_payload_write(c->code, NULL, 0, code, sizeof code);
        src.prefix = code;
        src.prefix_len = 2;
        src.p = &c->reason;
    }
    struct frame_spec spec = {.fin = true, .opcode = FRAME_OP_CLOSE};
    mask_key(ex, c->mask, NULL, &spec);
    int rc = put_frame(s, &spec, &src, 0, source_len(&src));
    if (rc < 0)
        case_bug(ex, "send_close cannot be encoded", rc);
    else if (!s->failed)
        note_we_closed(s, &src);
}

static void send_step(struct exec *ex, const struct step *st) {
    struct sender s;
    if (sender_start(&s, ex, st) != 0) {
        case_bug(ex, "sending", WS_ERR_NOMEM);
        return;
    }
    switch (st->kind) {
    case STEP_SEND_FRAME: send_frame_step(ex, &s, &st->u.frame); break;
    case STEP_SEND_MESSAGE: send_message_step(ex, &s, &st->u.message); break;
    case STEP_SEND_CLOSE: send_close_step(ex, &s, &st->u.close); break;
    case STEP_SEND_RAW: {
        uint64_t done = 0;
        while (done < st->u.raw.length && !s.failed) {
            size_t n = st->u.raw.length - done < RUNNER_CHUNK ? (size_t)(st->u.raw.length - done)
                                                              : RUNNER_CHUNK;
            payload_read(&st->u.raw, done, ex->gen, n);
            put(&s, ex->gen, n);
            done += n;
        }
        break;
    }
    default: break;
    }
    sender_finish(&s);
    runner_flush_replies(ex);
}

/* ---- other steps ----------------------------------------------------------- */

static uint64_t wait_counter(const struct exec *ex, enum wait_for what) {
    switch (what) {
    case WAIT_MESSAGE: return ex->n_message;
    case WAIT_PING: return ex->n_ping;
    case WAIT_PONG: return ex->n_pong;
    case WAIT_CLOSE: return ex->n_close;
    case WAIT_ANY: return ex->n_message + ex->n_ping + ex->n_pong + ex->n_close;
    case WAIT_EOF: return ex->peer_gone ? 1 : 0;
    }
    return 0;
}

static const char *wait_name(enum wait_for what) {
    static const char *const names[] = {"message", "ping", "pong", "close", "any event", "eof"};
    return (unsigned)what < sizeof names / sizeof names[0] ? names[what] : "?";
}

/* A wait claims `count` events of its kind beyond those earlier waits
 * claimed, so an event that arrived while we were still sending (the
 * runner reads during writes) satisfies the next wait instead of being
 * missed by it. */
static void wait_step(struct exec *ex, const struct wait_step *w) {
    uint32_t count = w->count ? w->count : 1;
    uint64_t start = ex->waited[w->what];
    if (w->what == WAIT_EOF)
        start = 0;
    ex->waited[w->what] = start + count;
    double seconds = w->timeout_s > 0 ? w->timeout_s : ex->c->timeout_s;
    int64_t until = clock_now_ms() + (int64_t)(seconds * ex->scale * 1000.0);
    for (;;) {
        runner_flush_replies(ex);
        if (wait_counter(ex, w->what) - start >= count)
            return;
        /* "returns early when the peer closes" */
        if (ex->peer_gone || (w->what != WAIT_EOF && ex->peer_close) || ex->rx_dead)
            return;
        enum rx_poll_result r = runner_rx_poll(ex, until, false);
        if (r == RX_POLL_TIMEOUT) {
            ex->waited[w->what] = wait_counter(ex, w->what);
            char why[128];
            snprintf(why, sizeof why, "waiting for %u %s: nothing after %.1f s", count,
                     wait_name(w->what), seconds * ex->scale);
            runner_record(ex, TEV_TIMEOUT, why);
            return;
        }
        if (r < 0)
            return;
    }
}

static void run_step(struct exec *ex, const struct step *st) {
    switch (st->kind) {
    case STEP_SEND_FRAME:
    case STEP_SEND_MESSAGE:
    case STEP_SEND_CLOSE:
    case STEP_SEND_RAW:
        /* Once the peer closed (or we broke off), the conversation is over. */
        if (!conversation_over(ex))
            send_step(ex, st);
        break;
    case STEP_PAUSE:
        if (!ex->stop && !ex->peer_close && !ex->peer_gone && !ex->rx_dead)
            pause_reading(ex, (int64_t)(st->u.pause_s * ex->scale * 1000.0));
        break;
    case STEP_WAIT:
        /* A wait may outlive the peer's close frame (waiting for its EOF). */
        if (!ex->stop && !ex->peer_gone && !ex->rx_dead)
            wait_step(ex, &st->u.wait);
        break;
    case STEP_MARK: runner_record(ex, TEV_MARK, st->u.mark); break;
    case STEP_REPEAT:
        for (uint32_t i = 0; i < st->u.repeat.count && !ex->stop; i++)
            runner_exec_steps(ex, st->u.repeat.steps, st->u.repeat.step_count);
        break;
    case STEP_SHUTDOWN:
        if (!ex->write_shut && !ex->peer_gone && !ex->stop) {
            if (ex->held.len && !conversation_over(ex)) {
                struct step flush = {.kind = STEP_SEND_RAW};
                send_step(ex, &flush);
            }
            conn_shutdown_write(ex->cl.conn);
            ex->write_shut = true;
        }
        break;
    }
}

void runner_exec_steps(struct exec *ex, const struct step *steps, size_t n) {
    for (size_t i = 0; i < n && !ex->stop; i++)
        run_step(ex, &steps[i]);
}

/* ---- the closing phase ------------------------------------------------------ */

/* Read until cond holds, the peer is gone or ms pass. Returns whether cond
 * holds. */
static bool wait_for(struct exec *ex, bool (*cond)(const struct exec *), int64_t ms) {
    int64_t until = clock_now_ms() + ms;
    for (;;) {
        runner_flush_replies(ex);
        if (cond(ex))
            return true;
        if (runner_rx_poll(ex, until, false) <= 0)
            return cond(ex);
    }
}

static bool peer_acted(const struct exec *ex) {
    return ex->peer_close || ex->peer_gone || ex->rx_dead;
}

static bool peer_left(const struct exec *ex) {
    return ex->peer_gone || ex->rx_dead;
}

/* The peer broke the protocol: 6455:7.1.7 "the endpoint SHOULD send a
 * Close frame with an appropriate status code (Section 7.4) before
 * proceeding to _Close the WebSocket Connection_" (best effort: 1002). */
static void fail_connection(struct exec *ex) {
    if (ex->we_closed || ex->peer_gone || ex->broken_stream || ex->sending || ex->write_shut)
        return;
    struct frame_spec spec = {.fin = true, .opcode = FRAME_OP_CLOSE};
    mask_key(ex, MASK_RANDOM, NULL, &spec);
    uint8_t code[2];
    closeframe_payload_write(1002, NULL, 0, code, sizeof code);
    struct buf frame = {0};
    if (frame_build(&spec, code, sizeof code, &frame) == 0 &&
        runner_write(ex, frame.data, frame.len, false) == 0) {
        record_we_closed(ex, true, 1002);
    }
    buf_free(&frame);
}

void runner_exec_closing(struct exec *ex) {
    struct transcript *tr = ex->tr;
    double ct_s = (ex->c->close_timeout_s > 0 ? ex->c->close_timeout_s : 2.0) * ex->scale;
    int64_t ct_ms = (int64_t)(ct_s * 1000.0);
    char why[160];

    /* Octets of trailing coalesced steps. */
    if (ex->held.len && !conversation_over(ex)) {
        struct step flush = {.kind = STEP_SEND_RAW};
        send_step(ex, &flush);
    }
    runner_flush_replies(ex);
    if (ex->rx_dead)
        fail_connection(ex);
    if (ex->stop || ex->rx_dead)
        goto drop; /* the deadline ran out, or we fail the connection */
    if (ex->peer_gone)
        goto done;

    if (!ex->peer_close) {
        /* We closed and wait for the answer, or nobody closed and a peer
         * that must fail the connection does it now. */
        if (!wait_for(ex, peer_acted, ct_ms)) {
            if (ex->we_closed)
                snprintf(why, sizeof why,
                         "no close frame from the peer within %.1f s of ours (close_timeout)",
                         ct_s);
            else
                snprintf(why, sizeof why,
                         "the connection was still open %.1f s after the last"
                         " step (close_timeout)",
                         ct_s);
            runner_record(ex, TEV_TIMEOUT, why);
            goto drop;
        }
        if (ex->rx_dead || ex->stop)
            goto drop;
        if (ex->peer_gone)
            goto done;
    }
    /* Both close frames are out (our reply is sent by wait_for). 6455:5.5.1
     * "The server MUST close the underlying TCP connection immediately; the
     * client SHOULD wait for the server to close the connection". */
    if (!wait_for(ex, peer_left, ct_ms)) {
        snprintf(why, sizeof why,
                 "the peer did not close TCP within %.1f s of the closing handshake", ct_s);
        runner_record(ex, TEV_TIMEOUT, why);
        goto drop;
    }
    if (ex->rx_dead)
        goto drop;
done:
    tr->clean = tr->we_sent_close && tr->peer_sent_close && ex->eof_seen;
    return;
drop:
    tr->we_dropped_tcp = !ex->peer_gone;
    tr->clean = false;
}
