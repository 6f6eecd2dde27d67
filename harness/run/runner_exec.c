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
#include "model/dataset.h"
#include "run/runner_int.h"

/* ---- writing ------------------------------------------------------------ */

int runner_write(struct exec *ex, const uint8_t *data, size_t len, bool give_up_on_close) {
    size_t done = 0;
    bool blocked = false; /* the socket was full: octets taken now are the peer's reading */
    while (done < len) {
        if (ex->stop != RUN_GO || ex->phase == RUN_GONE || ex->tx == RUN_TX_SHUT)
            return -1;
        long n = conn_write_some(ex->cl.conn, data + done, len - done);
        if (n > 0) {
            transcript_wire(ex->tr, WIRE_ENTRY_OUT, runner_now_us(ex), data + done, (size_t)n);
            done += (size_t)n;
            if (blocked)
                ex->progress_ns = clock_now_ns();
            if (ex->close_mark > 0 && done >= ex->close_mark) {
                ex->close_mark = 0;
                runner_phase_we_closed(ex, ex->close_mark_has_code, ex->close_mark_code);
            }
            continue;
        }
        if (n < 0) {
            if (runner_error_is_ours((int)n))
                runner_internal(ex, "writing to the peer", (int)n);
            else
                runner_write_failed(ex, (int)n);
            return -1;
        }
        blocked = true;
        if (give_up_on_close && runner_peer_closed(ex))
            return -1; /* the conversation is over and the peer stopped reading */
        if (runner_rx_poll(ex, ex->deadline_ms, true) < 0)
            return -1;
    }
    return 0;
}

void runner_flush_replies(struct exec *ex) {
    if (ex->sending || ex->tx != RUN_TX_OPEN || ex->replies.len == 0 || ex->frame_owed > 0)
        return;
    /* Take the queue: replies queued while we write go out next time. */
    struct buf out = ex->replies;
    memset(&ex->replies, 0, sizeof ex->replies);
    /* The queue ends with our close reply when the peer's close came first. */
    bool closing = ex->phase == RUN_PEER_CLOSED;
    if (runner_write(ex, out.data, out.len, false) == 0 && closing) {
        /* Our reply echoed the code of the peer's (last) close frame. */
        const struct tev *peer = NULL;
        for (size_t i = ex->tr->event_count; i-- > 0 && !peer;)
            if (ex->tr->events[i].kind == TEV_CLOSE)
                peer = &ex->tr->events[i];
        runner_phase_we_closed(ex, peer && peer->has_code, peer ? peer->code : 0);
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

/* Whether no step of ours may send any more: the case stopped, the peer
 * closed, failed or left, or our own stream is shut or broken. */
static bool conversation_over(const struct exec *ex) {
    return ex->stop != RUN_GO || ex->tx != RUN_TX_OPEN ||
           (ex->phase != RUN_OPEN && ex->phase != RUN_WE_CLOSED);
}

/* Whether the peer acted in a way that ends the conversation: its close
 * frame, a violation that fails the connection, or TCP gone. */
static bool peer_ended(const struct exec *ex) {
    return ex->phase != RUN_OPEN && ex->phase != RUN_WE_CLOSED;
}

/* Sleep for ms while still reading the peer (and answering it, between
 * steps). A pause gives the peer the time to act (to fail fast, to
 * answer); once it closed, failed or left, nothing is left to wait for, so
 * the pause ends at once. */
static void pause_reading(struct exec *ex, int64_t ms) {
    int64_t until = clock_now_ms() + ms;
    for (;;) {
        runner_flush_replies(ex);
        if (peer_ended(ex) || ex->stop != RUN_GO)
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
    if (conversation_over(ex)) {
        s->failed = true;
        return;
    }
    /* Our close frame counts as sent once its last octet is written: the
     * peer's answer may arrive while the rest of the chunk waits for room
     * (runner_write reads meanwhile), or before a later write fails. */
    if (s->held_close && s->held_close_end > s->written &&
        s->held_close_end <= s->written + s->len) {
        ex->close_mark = (size_t)(s->held_close_end - s->written);
        ex->close_mark_has_code = s->held_close_has_code;
        ex->close_mark_code = s->held_close_code;
    }
    int rc = runner_write(ex, s->chunk, s->len, true);
    ex->close_mark = 0;
    if (rc != 0) {
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
    s->ex->frame_owed -= len < s->ex->frame_owed ? len : s->ex->frame_owed;
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
        if (s->failed && !at_boundary(s) && s->ex->tx == RUN_TX_OPEN)
            s->ex->tx = RUN_TX_BROKEN;
        if (s->held_close && s->written >= s->held_close_end)
            runner_phase_we_closed(s->ex, s->held_close_has_code, s->held_close_code);
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
    /* A frame that declared more than it carries is finished by later steps. */
    if (spec->declared_len_set && spec->declared_len > len && !s->failed)
        s->ex->frame_owed = spec->declared_len - len;
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

/* A step that cannot be sent: out of memory is ours (internal); a frame the
 * writer cannot encode is the case's own problem (an error, not the peer's). */
static void case_bug(struct exec *ex, const char *what, int err) {
    if (runner_error_is_ours(err)) {
        runner_internal(ex, what, err);
        return;
    }
    transcript_set_error(ex->tr, "case %s: %s: %s", ex->c->id, what, ws_strerror(err));
    if (ex->stop == RUN_GO)
        ex->stop = RUN_STOP_INTERNAL;
}

/* ---- send steps ----------------------------------------------------------- */

/* The ping frames inside raw octets of ours that start at a frame boundary
 * (a hand-built frame, e.g. the RFC's masked example): their pongs are
 * answers, not heartbeats. Read as the peer reads them; a frame the parser
 * rejects or that does not end in this step is not counted. */
static void note_raw_pings(struct exec *ex, const struct payload *raw) {
    struct frame_limits limits = {.max_frame_payload = 125, .strict_length = false};
    struct frame_parser parser;
    frame_parser_init(&parser, FRAME_ROLE_SERVER, &limits);
    uint8_t ping[125];
    size_t ping_len = 0;
    bool in_ping = false;
    for (uint64_t done = 0; done < raw->length;) {
        size_t n = raw->length - done < RUNNER_CHUNK ? (size_t)(raw->length - done) : RUNNER_CHUNK;
        payload_read(raw, done, ex->gen, n);
        done += n;
        /* Until the parser asks for more: a frame's END comes after its
         * last payload octet was consumed. */
        for (size_t used = 0;;) {
            struct frame_event ev;
            used += frame_parse(&parser, ex->gen + used, n - used, &ev);
            if (ev.kind == FRAME_EV_VIOLATION)
                return;
            if (ev.kind == FRAME_EV_HEADER) {
                in_ping = ev.hdr.opcode == FRAME_OP_PING;
                ping_len = 0;
            } else if (ev.kind == FRAME_EV_PAYLOAD && in_ping && ping_len + ev.len <= sizeof ping) {
                memcpy(ping + ping_len, ev.data, ev.len);
                ping_len += ev.len;
            } else if (ev.kind == FRAME_EV_END && in_ping) {
                uint8_t sha[32];
                if (EVP_Digest(ping, ping_len, sha, NULL, EVP_sha256(), NULL) != 1 ||
                    runner_ping_sent(ex, sha) != 0) {
                    runner_internal(ex, "remembering a ping of ours", WS_ERR_NOMEM);
                    return;
                }
                ex->pings_sent++;
                in_ping = false;
            } else if (ev.kind == FRAME_EV_NEED_MORE) {
                break;
            }
        }
    }
}

static void send_frame_step(struct exec *ex, struct sender *s, const struct frame_step *f) {
    struct frame_spec spec = {.fin = f->fin,
                              .rsv = f->rsv,
                              .opcode = f->opcode,
                              .len_form = (enum frame_len_form)f->len_form,
                              .declared_len_set = f->declared_len_set,
                              .declared_len = f->declared_len};
    mask_key(ex, f->mask, f->mask_key, &spec);
    struct source src = {.p = &f->payload};
    struct buf packed = {0};
    if (f->compress) {
        int rc = runner_deflate_message(ex, &f->payload, true, &packed);
        if (rc != 0) {
            buf_free(&packed);
            case_bug(ex, "compressing a send_frame payload", rc);
            return;
        }
        src = (struct source){.prefix = packed.data, .prefix_len = packed.len};
    }
    int rc = put_frame(s, &spec, &src, 0, source_len(&src));
    buf_free(&packed);
    if (rc < 0)
        case_bug(ex, "send_frame cannot be encoded", rc);
    else if (f->opcode == FRAME_OP_CLOSE && !s->failed)
        note_we_closed(s, &src);
    else if (f->opcode == FRAME_OP_PING && !s->failed) {
        ex->pings_sent++;
        uint8_t sha[32];
        payload_sha256(&f->payload, sha);
        if (runner_ping_sent(ex, sha) != 0)
            runner_internal(ex, "remembering a ping of ours", WS_ERR_NOMEM);
    }
}

static void send_message_step(struct exec *ex, struct sender *s, const struct message_step *m) {
    struct source src = {.p = &m->payload};
    struct buf packed = {0};
    uint8_t rsv = m->rsv;
    if (m->compress) {
        /* 7692:7.2.1 "Compress all the octets of the payload of the message
         * using DEFLATE", then split into frames; 7692:6 the first frame
         * carries the "Per-Message Compressed" bit (RSV1). */
        int rc = runner_deflate_message(ex, &m->payload, false, &packed);
        if (rc != 0) {
            buf_free(&packed);
            case_bug(ex, "compressing a send_message payload", rc);
            return;
        }
        src = (struct source){.prefix = packed.data, .prefix_len = packed.len};
        rsv |= FRAME_RSV1;
    }
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
                                  .rsv = index == 0 ? rsv : 0};
        mask_key(ex, m->mask, NULL, &spec);
        int rc = put_frame(s, &spec, &src, off, size);
        if (rc < 0) {
            case_bug(ex, "send_message cannot be encoded", rc);
            break;
        }
        off += size;
        index++;
    } while (off < total && !s->failed);
    buf_free(&packed);
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

void runner_send_step(struct exec *ex, const struct step *st) {
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
        if (ex->frame_owed == 0)
            note_raw_pings(ex, &st->u.raw);
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
    /* Pings from the peer and unsolicited pongs are allowed at any time
     * (6455:5.5.2, 5.5.3): they satisfy no wait but one for them. */
    case WAIT_ANY: return ex->n_message + ex->n_pong + ex->n_close;
    case WAIT_EOF: return ex->phase == RUN_GONE ? 1 : 0;
    }
    return 0;
}

static const char *wait_name(enum wait_for what) {
    static const char *const names[] = {"message", "ping", "pong", "close", "any event", "eof"};
    return (unsigned)what < sizeof names / sizeof names[0] ? names[what] : "?";
}

/* What a wait step waits for, as the record of the case deadline names it. */
static const char *wait_due_name(enum wait_for what) {
    static const char *const names[] = {"a message",     "a ping",    "a pong",
                                        "a close frame", "any event", "the TCP close"};
    return (unsigned)what < sizeof names / sizeof names[0] ? names[what] : "?";
}

/* Whether the answer a wait step waits for is one the RFC requires of the
 * peer (not only the echo convention): a pong to our ping (6455:5.5.2
 * "MUST send a Pong frame in response"), the reply to our close (6455:5.5.1
 * "MUST send a Close frame in response"), the TCP close after the closing
 * handshake (6455:5.5.1 "MUST close the underlying TCP connection"). */
static bool answer_required(const struct exec *ex, enum wait_for what) {
    switch (what) {
    case WAIT_PONG: return ex->pings_sent > 0;
    case WAIT_CLOSE: return ex->phase == RUN_WE_CLOSED;
    case WAIT_EOF: return ex->phase == RUN_CLOSED;
    default: return false;
    }
}

/* A wait claims `count` events of its kind beyond those earlier waits
 * claimed, so an event that arrived while we were still sending (the
 * runner reads during writes) satisfies the next wait instead of being
 * missed by it.
 *
 * It ends at its own timeout, or earlier at the idle deadline: no octet
 * from the peer for idle_ms while the answer is due. After the idle
 * deadline ran out once, a wait for an answer the RFC does not require
 * ends at once while the peer stays silent (one stuck peer costs a case
 * one idle deadline, not one per wait). */
static void wait_step(struct exec *ex, const struct wait_step *w) {
    uint32_t count = w->count ? w->count : 1;
    uint64_t start = ex->waited[w->what];
    if (w->what == WAIT_EOF)
        start = 0;
    ex->waited[w->what] = start + count;
    double seconds = w->timeout_s > 0 ? w->timeout_s : ex->c->timeout_s;
    int64_t due = clock_now_ms();
    int64_t until = due + (int64_t)(seconds * ex->scale * 1000.0);
    bool required = answer_required(ex, w->what);
    runner_due(ex, wait_due_name(w->what), required);
    char why[160];
    for (;;) {
        runner_flush_replies(ex);
        if (wait_counter(ex, w->what) - start >= count)
            return;
        /* "returns early when the peer closes" */
        if (runner_rx_over(ex) || (w->what != WAIT_EOF && runner_peer_closed(ex)) ||
            ex->stop != RUN_GO)
            return;
        if (ex->idle_struck && !required) {
            ex->waited[w->what] = wait_counter(ex, w->what);
            return;
        }
        enum rx_poll_result r =
            runner_rx_poll(ex, runner_poll_end(until, runner_idle_end(ex, due)), false);
        if (r < 0)
            return;
        if (r != RX_POLL_TIMEOUT)
            continue;
        if (clock_now_ms() >= until) {
            uint64_t got = wait_counter(ex, w->what) - start;
            ex->waited[w->what] = wait_counter(ex, w->what);
            snprintf(why, sizeof why, "waiting for %u %s: %llu after %.1f s", count,
                     wait_name(w->what), (unsigned long long)got, seconds * ex->scale);
            runner_record(ex, TEV_TIMEOUT, why);
            return;
        }
        if (clock_now_ms() >= runner_idle_end(ex, due)) {
            ex->waited[w->what] = wait_counter(ex, w->what);
            snprintf(why, sizeof why, "waiting for %u %s", count, wait_name(w->what));
            runner_record_idle(ex, why, required);
            ex->idle_struck = true;
            return;
        }
    }
}

/* send_series: message k, then its echo, k = 0, 1, ... (Autobahn 12.x/13.x
 * send one message and wait for its echo before the next). A message is
 * cut from the data set into one buffer, the only one of its size. */
static void series_step(struct exec *ex, const struct step *st) {
    const struct series_step *ss = &st->u.series;
    struct buf window = {0};
    for (uint32_t k = 0; k < ss->series.count && !conversation_over(ex); k++) {
        uint64_t start = 0;
        const struct dataset *d = series_window(&ss->series, k, &start);
        uint64_t octets = d ? dataset_window_octets(d, start, ss->series.units) : 0;
        window.len = 0;
        if (!d || octets > SIZE_MAX || buf_reserve(&window, (size_t)octets) != 0) {
            runner_internal(ex, "cutting a message from a data set", WS_ERR_NOMEM);
            break;
        }
        dataset_window_read(d, start, ss->series.units, 0, window.data, (size_t)octets);
        struct step msg = {
            .kind = STEP_SEND_MESSAGE, .chop = st->chop, .chop_delay_s = st->chop_delay_s};
        msg.u.message = (struct message_step){
            .opcode = ss->opcode,
            .mask = ss->mask,
            .compress = ss->compress,
            .payload = {.kind = PAYLOAD_BYTES, .length = octets, .bytes = window.data},
            .fragments = ss->fragments,
            .fragment_count = ss->fragment_count};
        runner_send_step(ex, &msg);
        uint64_t echoes = ex->n_message;
        struct wait_step echo = {.what = WAIT_MESSAGE, .count = 1};
        if (ex->stop == RUN_GO && !runner_rx_over(ex))
            wait_step(ex, &echo);
        if (ex->n_message == echoes)
            break; /* no echo: the judge sees where the series stopped */
    }
    buf_free(&window);
}

static void shutdown_step(struct exec *ex) {
    if (ex->tx == RUN_TX_SHUT || ex->phase == RUN_GONE || ex->stop != RUN_GO)
        return;
    if (ex->held.len && !conversation_over(ex)) {
        struct step flush = {.kind = STEP_SEND_RAW};
        runner_send_step(ex, &flush);
    }
    conn_shutdown_write(ex->cl.conn);
    ex->tx = RUN_TX_SHUT;
}

static void run_step(struct exec *ex, const struct step *st) {
    switch (st->kind) {
    case STEP_SEND_SERIES:
        if (!conversation_over(ex))
            series_step(ex, st);
        break;
    case STEP_SEND_FRAME:
    case STEP_SEND_MESSAGE:
    case STEP_SEND_CLOSE:
    case STEP_SEND_RAW:
        /* Once the peer closed (or we broke off), the conversation is over. */
        if (!conversation_over(ex))
            runner_send_step(ex, st);
        break;
    case STEP_PAUSE:
        if (ex->stop == RUN_GO && !peer_ended(ex)) {
            runner_due(ex, "the end of a pause of the case", false);
            pause_reading(ex, (int64_t)(st->u.pause_s * ex->scale * 1000.0));
        }
        break;
    case STEP_WAIT:
        /* A wait may outlive the peer's close frame (waiting for its EOF). */
        if (ex->stop == RUN_GO && !runner_rx_over(ex))
            wait_step(ex, &st->u.wait);
        break;
    case STEP_MARK: runner_record(ex, TEV_MARK, st->u.mark); break;
    case STEP_REPEAT:
        for (uint32_t i = 0; i < st->u.repeat.count && ex->stop == RUN_GO; i++)
            runner_exec_steps(ex, st->u.repeat.steps, st->u.repeat.step_count);
        break;
    case STEP_SHUTDOWN: shutdown_step(ex); break;
    }
}

void runner_exec_steps(struct exec *ex, const struct step *steps, size_t n) {
    for (size_t i = 0; i < n && ex->stop == RUN_GO; i++)
        run_step(ex, &steps[i]);
}
