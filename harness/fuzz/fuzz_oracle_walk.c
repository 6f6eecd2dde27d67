/* fuzz_oracle_walk: the octets a case sends, parsed as a conforming server
 * parses them (fuzz_oracle_int.h). Every step is serialised as the runner
 * serialises it (runner_exec.c: fragments, close payloads, declared
 * lengths), with one fixed masking key where the runner would draw one: a
 * key changes no frame's validity (6455:5.3 "The masking key is a 32-bit
 * value chosen at random by the client"), except where a frame's octets are
 * read as something else (a declared length that is not the length sent):
 * then only explicit keys (or none) are modelled. */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/errors.h"
#include "codec/closeframe.h"
#include "codec/frame.h"
#include "codec/utf8.h"
#include "fuzz/fuzz_oracle_int.h"
#include "model/payload.h"

#define MAX_FLAT_STEPS 200000u
#define MAX_STREAM     (80u * 1024u * 1024u)
#define MAX_ITEMS      20000u

void ow_unsupported(struct walk *w, const char *why) {
    if (w->done)
        return;
    w->tr->supported = false;
    w->tr->why = why;
    w->done = true;
}

/* ---- flattening steps (repeat expanded) ---- */

static int flatten(struct walk *w, const struct step *steps, size_t n) {
    for (size_t i = 0; i < n && !w->done; i++) {
        const struct step *s = &steps[i];
        if (s->kind == STEP_REPEAT) {
            for (uint32_t k = 0; k < s->u.repeat.count && !w->done; k++)
                if (flatten(w, s->u.repeat.steps, s->u.repeat.step_count) != 0)
                    return -1;
            continue;
        }
        if (w->flat_count >= MAX_FLAT_STEPS) {
            ow_unsupported(w, "more steps than the oracle walks");
            return 0;
        }
        if ((w->flat_count & (w->flat_count - 1)) == 0) { /* grow at powers of two */
            size_t cap = w->flat_count ? w->flat_count * 2 : 16;
            const struct step **p = realloc(w->flat, cap * sizeof *p);
            if (!p)
                return -1;
            w->flat = p;
        }
        w->flat[w->flat_count++] = s;
    }
    return 0;
}

/* ---- items ---- */

static struct ow_item *add_item(struct walk *w, enum ow_item_kind kind) {
    struct ow_trace *tr = w->tr;
    if (tr->item_count >= MAX_ITEMS) {
        ow_unsupported(w, "more answers than the oracle lists");
        return NULL;
    }
    if (tr->item_count == tr->item_cap) {
        size_t cap = tr->item_cap ? tr->item_cap * 2 : 16;
        struct ow_item *p = realloc(tr->items, cap * sizeof *p);
        if (!p) {
            w->err = WS_ERR_NOMEM;
            w->done = true;
            return NULL;
        }
        tr->items = p;
        tr->item_cap = cap;
    }
    struct ow_item *it = &tr->items[tr->item_count++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->segment = w->segment;
    it->late = w->utf8_pending;
    return it;
}

static void add_payload_item(struct walk *w, enum ow_item_kind kind, uint8_t opcode,
                             const uint8_t *data, size_t len) {
    struct ow_item *it = add_item(w, kind);
    if (!it)
        return;
    it->opcode = opcode;
    it->data = malloc(len ? len : 1);
    if (!it->data) {
        w->tr->item_count--;
        w->err = WS_ERR_NOMEM;
        w->done = true;
        return;
    }
    if (len)
        memcpy(it->data, data, len);
    it->len = len;
}

/* ---- the end ---- */

/* Whether a close frame of ours follows step `from` before a wait that only
 * the peer's close ends: the peer's failure then races our close, and either
 * may come first. A wait the answers before the failure satisfy does not
 * hold our close back. */
static bool close_follows(const struct walk *w, size_t from) {
    size_t echoes = 0, pongs = 0;
    for (size_t i = 0; i < w->tr->item_count; i++) {
        const struct ow_item *it = &w->tr->items[i];
        echoes += it->kind == OW_ECHO && !it->synced;
        pongs += it->kind == OW_PONG && !it->synced;
    }
    for (size_t i = from + 1; i < w->flat_count; i++) {
        const struct step *s = w->flat[i];
        if (s->kind == STEP_WAIT) {
            uint32_t need = s->u.wait.count ? s->u.wait.count : 1;
            size_t *have = s->u.wait.what == WAIT_MESSAGE ? &echoes
                           : s->u.wait.what == WAIT_PONG  ? &pongs
                                                          : NULL;
            if (s->u.wait.what == WAIT_ANY && echoes + pongs >= need) {
                size_t e = need < echoes ? need : echoes;
                echoes -= e;
                pongs -= need - e;
                continue;
            }
            if (!have || *have < need)
                return false; /* it waits for the peer's close */
            *have -= need;
            continue;
        }
        if (s->kind == STEP_SEND_CLOSE || s->kind == STEP_SEND_RAW ||
            (s->kind == STEP_SEND_FRAME && s->u.frame.opcode == FRAME_OP_CLOSE))
            return true;
    }
    return false;
}

/* Our marks after the step that ends the conversation: the runner records
 * each while the peer has not closed yet, and slow is not wrong, so each
 * may be there or not. */
static void trailing_marks(struct walk *w) {
    /* w->si is past the step that ended it: walk_steps' loop moved on */
    for (size_t i = w->si; i < w->flat_count; i++)
        if (w->flat[i]->kind == STEP_MARK &&
            w->tr->trailing_count < sizeof w->tr->trailing / sizeof w->tr->trailing[0])
            w->tr->trailing[w->tr->trailing_count++] = w->flat[i]->u.mark;
}

static void end_fail(struct walk *w, enum oracle_rule_id rule, uint16_t code1, uint16_t code2) {
    struct ow_trace *tr = w->tr;
    if (w->done)
        return;
    tr->end = OW_END_FAIL;
    tr->rule = w->utf8_pending && rule != OR_CLOSE_REASON_UTF8 ? OR_INVALID_UTF8 : rule;
    tr->code_count = 0;
    if (w->utf8_pending && code1 != 1007)
        tr->codes[tr->code_count++] = 1007;
    tr->codes[tr->code_count++] = code1;
    if (code2 && tr->code_count < 2)
        tr->codes[tr->code_count++] = code2;
    tr->close_frame = w->cur_opcode == FRAME_OP_CLOSE;
    if (tr->close_frame) {
        /* The failing frame is a close frame of ours: the runner counts it as
         * our close (cases close-payload-1-octet, reserved-bits.rsv-all-close);
         * an unmasked one may not be read as a close at all
         * (masking.unmasked-close). */
        const struct step *s = w->cur_aligned ? w->flat[w->cur_step] : NULL;
        bool ours = s && (s->kind == STEP_SEND_CLOSE || s->kind == STEP_SEND_FRAME);
        /* Written in chops, the peer may fail on its first octets before the
         * runner has written the last (when it counts our close as sent). */
        bool one_write = s && s->chop == 0 && w->c->chop == 0 && !s->coalesce && !w->utf8_pending;
        tr->by = ours && one_write && rule != OR_UNMASKED ? CLOSE_BY_US : CLOSE_BY_ANY;
    } else {
        /* our close frame already written (its octets read as part of the
         * failing frame), or following before a wait: either may come first */
        tr->by = w->close_fed || close_follows(w, w->si) ? CLOSE_BY_ANY : CLOSE_BY_PEER;
    }
    w->done = true;
}

static void end_close(struct walk *w) {
    if (w->utf8_pending) {
        ow_unsupported(w, "our close comes while an invalid text message is unfinished");
        return;
    }
    const struct step *s = w->cur_aligned ? w->flat[w->cur_step] : NULL;
    bool ours = s && (s->kind == STEP_SEND_CLOSE || s->kind == STEP_SEND_FRAME);
    w->tr->end = OW_END_CLOSE;
    w->tr->rule = OR_NONE;
    w->tr->by = ours ? CLOSE_BY_US : CLOSE_BY_ANY;
    w->done = true;
}

static bool sender_only(struct walk *w, enum oracle_rule_id rule) {
    if (w->tr->sender_only_seen < w->skip) {
        w->tr->sender_only_seen++;
        return false; /* the peer that accepted it goes on */
    }
    if (w->utf8_pending) {
        ow_unsupported(w, "a sender-only violation inside an invalid text message");
        return true;
    }
    w->tr->end = OW_END_SENDER_ONLY;
    w->tr->rule = rule;
    w->tr->by = CLOSE_BY_ANY;
    w->done = true;
    return true;
}

static enum oracle_rule_id violation_rule(enum frame_violation v) {
    switch (v) {
    case FRAME_V_RESERVED_OPCODE: return OR_RESERVED_OPCODE;
    case FRAME_V_RSV_BITS: return OR_RSV_BITS;
    case FRAME_V_CONTROL_TOO_LONG: return OR_CONTROL_TOO_LONG;
    case FRAME_V_CONTROL_FRAGMENTED: return OR_CONTROL_FRAGMENTED;
    case FRAME_V_UNMASKED: return OR_UNMASKED;
    case FRAME_V_LENGTH_MSB: return OR_LENGTH_MSB;
    case FRAME_V_ORPHAN_CONTINUATION: return OR_ORPHAN_CONTINUATION;
    case FRAME_V_EXPECTED_CONTINUATION: return OR_EXPECTED_CONTINUATION;
    default: return OR_COUNT;
    }
}

/* ---- frames as the server sees them ---- */

static void on_header(struct walk *w, const struct frame_header *h) {
    uint64_t end = w->frame_start + h->header_len + h->payload_len;
    uint64_t payload_start = w->frame_start + h->header_len;
    w->cur_opcode = h->opcode;
    w->cur_aligned = false;
    w->cur_own = false;
    w->cur_raw_ping = false;
    w->cur_tainted = false;
    while (w->frame_cursor < w->frame_count && w->frames[w->frame_cursor].end <= w->frame_start)
        w->frame_cursor++;
    for (size_t i = w->frame_cursor; i < w->frame_count && w->frames[i].start < end; i++) {
        const struct sframe *f = &w->frames[i];
        if (f->start == w->frame_start) {
            /* one of ours (a declared length longer than sent included: the
             * runner counts it as the frame of its step) */
            w->cur_aligned = f->end == end;
            w->cur_step = f->step;
            w->cur_own = true;
            /* a payload longer than the frame we wrote: the octets after it
             * are unmasked with our random key by the peer */
            if (f->random_key && f->end < end)
                w->cur_tainted = true;
        } else if (f->random_key) {
            /* Octets masked with a key the runner draws, read as part of
             * another frame: what they say depends on the key. */
            if (f->start < payload_start) {
                ow_unsupported(w, "a declared length makes octets masked with a random key be read "
                                  "as a frame header");
                return;
            }
            w->cur_tainted = true;
        }
    }
    /* A tainted payload's octets are unknown: not checked as UTF-8 (a frame
     * that ends with it is not modelled, see on_end; one the octets stop
     * inside ends the case any way, OW_END_TRUNCATED). */
    /* a ping inside raw octets that start at a frame boundary: the runner
     * knows it sent it (runner_exec.c note_raw_pings) */
    if (!w->cur_own && w->flat[w->si]->kind == STEP_SEND_RAW && w->raw_at_boundary &&
        h->opcode == FRAME_OP_PING && end <= w->step_end)
        w->cur_raw_ping = true;
    buf_clear(&w->ctl);
    utf8_init(&w->reason_utf8);
    if (h->non_minimal && sender_only(w, OR_NON_MINIMAL_LENGTH))
        return;
    if (frame_opcode_is_control(h->opcode))
        return;
    if (h->opcode != FRAME_OP_CONT) {
        buf_clear(&w->msg);
        w->msg_opcode = h->opcode;
        w->msg_big = false;
        utf8_init(&w->utf8);
    }
    if (!w->msg_big && w->msg.len + h->payload_len > ORACLE_BIG_MESSAGE) {
        w->msg_big = true;
        if (w->tr->big_count < sizeof w->tr->big_at / sizeof w->tr->big_at[0])
            w->tr->big_at[w->tr->big_count++] = w->tr->item_count;
    }
}

static void on_payload(struct walk *w, const uint8_t *data, size_t len) {
    if (frame_opcode_is_control(w->cur_opcode)) {
        size_t before = w->ctl.len;
        if (buf_append(&w->ctl, data, len) != 0)
            goto nomem;
        /* A close reason is checked as it arrives, as a text message is: the
         * peer may fail from its invalid octet on (utf8-extra.close-reason-
         * fail-fast-*). */
        size_t from = before < 2 ? 2 : before;
        if (w->cur_opcode == FRAME_OP_CLOSE && w->ctl.len > from && !w->utf8_pending &&
            !w->cur_tainted &&
            utf8_feed(&w->reason_utf8, w->ctl.data + from, w->ctl.len - from) == UTF8_INVALID)
            w->utf8_pending = true;
        return;
    }
    if (w->msg.len + len > ORACLE_MAX_MESSAGE) {
        ow_unsupported(w, "a message larger than the oracle holds");
        return;
    }
    if (buf_append(&w->msg, data, len) != 0)
        goto nomem;
    if (w->msg_opcode == FRAME_OP_TEXT && !w->utf8_pending && !w->cur_tainted &&
        utf8_feed(&w->utf8, data, len) == UTF8_INVALID)
        w->utf8_pending = true; /* 6455:8.1: the peer may fail from here on */
    return;
nomem:
    w->err = WS_ERR_NOMEM;
    w->done = true;
}

static void on_close_frame(struct walk *w) {
    struct closeframe_info info;
    enum closeframe_payload_problem p =
        closeframe_parse(w->ctl.data, w->ctl.len, CLOSEFRAME_FROM_CLIENT, &info);
    switch (p) {
    case CLOSEFRAME_P_OK: end_close(w); return;
    case CLOSEFRAME_P_ONE_BYTE: end_fail(w, OR_CLOSE_ONE_OCTET, 1002, 0); return;
    case CLOSEFRAME_P_REASON_UTF8:
        /* 6455:7.4.1: 1007 and 1002 both fit a close reason (cases/README.md) */
        end_fail(w, OR_CLOSE_REASON_UTF8, 1007, 1002);
        return;
    case CLOSEFRAME_P_TOO_LONG: end_fail(w, OR_CONTROL_TOO_LONG, 1002, 0); return;
    case CLOSEFRAME_P_BAD_CODE:
        if (!sender_only(w, OR_CLOSE_SENDER_CODE))
            end_close(w); /* the peer that accepts the code takes it as our close */
        return;
    }
}

static void on_end(struct walk *w, const struct frame_header *h) {
    /* the frames written after this one's header may have put octets masked
     * with a random key into its payload */
    uint64_t payload_start = w->frame_start + h->header_len;
    uint64_t payload_end = payload_start + h->payload_len;
    for (size_t i = w->frame_cursor; i < w->frame_count && w->frames[i].start < payload_end; i++) {
        const struct sframe *f = &w->frames[i];
        if (f->random_key && f->start != w->frame_start && f->end > payload_start)
            w->cur_tainted = true;
    }
    if (w->cur_tainted) {
        ow_unsupported(w, "a payload made of octets masked with a random key");
        return;
    }
    switch (h->opcode) {
    case FRAME_OP_CLOSE: on_close_frame(w); return;
    case FRAME_OP_PING:
        if (w->cur_aligned && w->flat[w->cur_step]->kind == STEP_SEND_FRAME) {
            add_payload_item(w, OW_PONG, 0, w->ctl.data, w->ctl.len);
        } else if (w->cur_raw_ping) {
            add_payload_item(w, OW_PONG, 0, w->ctl.data, w->ctl.len);
        } else if (!w->cur_aligned) {
            ow_unsupported(w, "a ping the runner does not know it sent");
        }
        /* else a ping sent by send_message: its pong is unsolicited to the
         * runner and skipped by the judge */
        return;
    case FRAME_OP_PONG: return;
    default: break;
    }
    if (!h->fin)
        return;
    if (w->msg_opcode == FRAME_OP_TEXT && !w->utf8_pending && utf8_finish(&w->utf8) != UTF8_VALID)
        w->utf8_pending = true; /* ends inside a code point */
    if (w->utf8_pending) {
        /* 6455:8.1 "MUST _Fail the WebSocket Connection_"; 7.4.1 1007 */
        end_fail(w, OR_INVALID_UTF8, 1007, 0);
        return;
    }
    add_payload_item(w, OW_ECHO, w->msg_opcode, w->msg.data, w->msg.len);
}

static void feed(struct walk *w, uint8_t *buf, size_t len) {
    size_t used = 0;
    while (!w->done) {
        struct frame_event ev;
        size_t n = frame_parse(&w->parser, buf + used, len - used, &ev);
        used += n;
        uint64_t at = w->fed + used;
        switch (ev.kind) {
        case FRAME_EV_NEED_MORE: w->fed += len; return;
        case FRAME_EV_HEADER: on_header(w, &ev.hdr); break;
        case FRAME_EV_PAYLOAD: on_payload(w, ev.data, ev.len); break;
        case FRAME_EV_END:
            on_end(w, &ev.hdr);
            w->frame_start = at;
            break;
        case FRAME_EV_VIOLATION: {
            w->cur_opcode = (uint8_t)(w->parser.head[0] & 0x0f);
            w->cur_aligned = false;
            for (size_t i = w->frame_cursor; i < w->frame_count; i++) {
                const struct sframe *f = &w->frames[i];
                if (f->start == w->frame_start) {
                    w->cur_aligned = true;
                    w->cur_step = f->step;
                    const struct step *st = w->flat[f->step];
                    if (st->kind == STEP_SEND_FRAME && st->u.frame.declared_len_set &&
                        st->u.frame.declared_len > st->u.frame.payload.length &&
                        ev.violation != FRAME_V_LENGTH_MSB) {
                        /* a peer may read a frame whole before it judges it,
                         * and this one never comes whole (python3-websockets
                         * waits for it): not modelled. A length with its top
                         * bit set no peer can wait for (lengths.len64-top-bit-*). */
                        ow_unsupported(w, "a frame breaking a rule that declares more than it "
                                          "carries");
                        return;
                    }
                } else if (f->random_key && f->start < w->frame_start && f->end > w->frame_start) {
                    ow_unsupported(w, "a declared length makes octets masked with a random key be "
                                      "read as a frame header");
                    return;
                }
            }
            enum oracle_rule_id r = violation_rule(ev.violation);
            if (r == OR_COUNT) {
                ow_unsupported(w, "a violation the oracle does not map");
                return;
            }
            /* 6455:5.2 "the most significant bit MUST be 0": 1002, or 1009
             * for a length no peer holds (lengths.len64-top-bit-*) */
            end_fail(w, r, 1002, r == OR_LENGTH_MSB ? 1009 : 0);
            return;
        }
        }
    }
}

/* ---- steps that are no octets ---- */

/* A wait claims count answers of its kind: they came before we went on. A
 * wait the peer need not satisfy would stall the case: not modelled. */
static void on_wait(struct walk *w, const struct wait_step *ws) {
    if (w->held) {
        /* coalesced octets go out with the next send, after the wait */
        ow_unsupported(w, "a wait while coalesced octets are held back");
        return;
    }
    if (ws->what == WAIT_CLOSE || ws->what == WAIT_EOF) {
        ow_unsupported(w, "a wait for the peer's close before anything ends the connection");
        return;
    }
    uint32_t need = ws->count ? ws->count : 1;
    for (size_t i = 0; i < w->tr->item_count && need > 0; i++) {
        struct ow_item *it = &w->tr->items[i];
        if (it->synced || it->kind == OW_MARK)
            continue;
        if (ws->what == WAIT_ANY || (ws->what == WAIT_MESSAGE && it->kind == OW_ECHO) ||
            (ws->what == WAIT_PONG && it->kind == OW_PONG)) {
            it->synced = true;
            need--;
        }
    }
    if (need > 0 && ws->what != WAIT_PING) {
        ow_unsupported(w, "a wait step the peer need not satisfy");
        return;
    }
    if (ws->what == WAIT_PING) {
        ow_unsupported(w, "a wait for a ping from the peer");
        return;
    }
    w->segment++;
}

static bool parser_mid_frame(const struct walk *w) {
    return w->parser.state != FRAME_S_HEAD || w->parser.head_have > 0;
}

static void at_stream_end(struct walk *w, bool shutdown) {
    if (w->done)
        return;
    if (!parser_mid_frame(w)) {
        ow_unsupported(w, shutdown ? "our FIN comes without a close"
                                   : "the steps neither close nor break a rule");
        return;
    }
    const struct frame_header *h = &w->parser.hdr;
    bool header_read = w->parser.state == FRAME_S_PAYLOAD;
    if (w->utf8_pending) {
        ow_unsupported(w, "the octets stop inside an invalid text message");
        return;
    }
    if (header_read && h->payload_len > ORACLE_HUGE_FRAME) {
        w->tr->end = OW_END_HUGE;
        w->tr->rule = OR_MESSAGE_TOO_BIG;
        w->done = true;
        return;
    }
    if (!shutdown) {
        ow_unsupported(w, "the octets stop inside a frame and nothing ends the case");
        return;
    }
    w->tr->end = OW_END_TRUNCATED;
    w->tr->rule = OR_TRUNCATED_FRAME;
    w->done = true;
}

static int walk_steps(struct walk *w) {
    struct buf out = {0};
    for (w->si = 0; w->si < w->flat_count && !w->done; w->si++) {
        const struct step *s = w->flat[w->si];
        switch (s->kind) {
        case STEP_SEND_FRAME:
        case STEP_SEND_MESSAGE:
        case STEP_SEND_CLOSE:
        case STEP_SEND_RAW: {
            w->held = s->coalesce;
            if (s->kind == STEP_SEND_CLOSE ||
                (s->kind == STEP_SEND_FRAME && s->u.frame.opcode == FRAME_OP_CLOSE))
                w->close_fed = true;
            w->raw_at_boundary = !parser_mid_frame(w);
            buf_clear(&out);
            int rc = ow_serialise(w, s, &out);
            if (rc != 0) {
                buf_free(&out);
                return rc == WS_ERR_NOMEM ? rc
                                          : (ow_unsupported(w, "a frame the writer refuses"), 0);
            }
            if (w->done)
                break;
            if (w->fed + out.len > MAX_STREAM) {
                ow_unsupported(w, "more octets than the oracle walks");
                break;
            }
            w->step_end = w->fed + out.len;
            feed(w, out.data, out.len);
            break;
        }
        case STEP_WAIT: on_wait(w, &s->u.wait); break;
        case STEP_MARK: { /* a mark starts a segment: the answers after it follow it */
            /* an answer no wait has claimed yet may come before or after it:
             * the peer's timing, not modelled */
            for (size_t i = 0; i < w->tr->item_count && !w->done; i++)
                if (w->tr->items[i].kind != OW_MARK && !w->tr->items[i].synced)
                    ow_unsupported(w, "a mark after answers no wait claimed");
            if (w->done)
                break;
            w->segment++;
            struct ow_item *it = add_item(w, OW_MARK);
            if (it)
                it->mark = s->u.mark;
            break;
        }
        case STEP_SHUTDOWN: at_stream_end(w, true); break;
        case STEP_SEND_SERIES: ow_unsupported(w, "a send_series (not modelled)"); break;
        default: break;
        }
    }
    buf_free(&out);
    if (!w->done)
        at_stream_end(w, false);
    else if (w->tr->supported && w->si < w->flat_count)
        trailing_marks(w);
    for (size_t i = 0; w->tr->trailing_count && i < w->tr->item_count; i++)
        if (w->tr->items[i].kind != OW_MARK && !w->tr->items[i].synced) {
            /* an answer no wait claimed may come after a mark that follows */
            w->tr->supported = false; /* (the walk is done: set it here) */
            w->tr->why = "a mark after answers no wait claimed";
        }
    return w->err;
}

/* 6455:5.5.3 "If an endpoint receives a Ping frame and has not yet sent Pong
 * frame(s) in response to previous Ping frame(s), the endpoint MAY elect to
 * send a Pong frame for only the most recently processed Ping frame." A pong
 * followed by another ping of its segment (nothing we waited for between)
 * may be skipped. */
static void mark_optional_pongs(struct ow_trace *tr) {
    for (size_t i = 0; i < tr->item_count; i++) {
        if (tr->items[i].kind != OW_PONG)
            continue;
        for (size_t j = i + 1; j < tr->item_count && tr->items[j].segment == tr->items[i].segment;
             j++)
            if (tr->items[j].kind == OW_PONG) {
                tr->items[i].optional = true;
                break;
            }
    }
}

static bool steps_compress(const struct step *steps, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const struct step *s = &steps[i];
        if ((s->kind == STEP_SEND_FRAME && s->u.frame.compress) ||
            (s->kind == STEP_SEND_MESSAGE && s->u.message.compress) ||
            (s->kind == STEP_REPEAT && steps_compress(s->u.repeat.steps, s->u.repeat.step_count)))
            return true;
    }
    return false;
}

int ow_walk(const struct wcase *c, size_t skip, struct ow_trace *tr) {
    memset(tr, 0, sizeof *tr);
    tr->supported = true;
    struct walk w = {.c = c, .tr = tr, .skip = skip};
    if (c->has_handshake) {
        ow_unsupported(&w, "a handshake of its own (not modelled)");
        return 0;
    }
    if (c->deflate.set || steps_compress(c->steps, c->step_count)) {
        ow_unsupported(&w, "permessage-deflate (not modelled)");
        return 0;
    }
    struct frame_limits limits = {.max_frame_payload = 0, .allowed_rsv = 0, .strict_length = false};
    frame_parser_init(&w.parser, FRAME_ROLE_SERVER, &limits);
    int rc = flatten(&w, c->steps, c->step_count) != 0 ? WS_ERR_NOMEM : 0;
    if (rc == 0 && !w.done)
        rc = walk_steps(&w);
    if (rc == 0 && tr->supported) {
        mark_optional_pongs(tr);
        bool peer_events = false;
        for (size_t i = 0; i < tr->item_count; i++) {
            const struct ow_item *it = &tr->items[i];
            if (it->kind != OW_MARK) {
                peer_events = true;
            } else if (peer_events) {
                /* a mark after answers that no wait claimed: their order
                 * against it is the peer's timing */
                for (size_t j = 0; j < i; j++)
                    if (tr->items[j].kind != OW_MARK && !tr->items[j].synced) {
                        tr->supported = false; /* (the walk is done: set it here) */
                        tr->why = "a mark after answers no wait claimed";
                    }
            }
        }
    }
    free(w.flat);
    free(w.frames);
    buf_free(&w.ctl);
    buf_free(&w.msg);
    if (rc != 0)
        ow_trace_free(tr);
    return rc;
}

void ow_trace_free(struct ow_trace *tr) {
    for (size_t i = 0; i < tr->item_count; i++)
        free(tr->items[i].data);
    free(tr->items);
    memset(tr, 0, sizeof *tr);
}
