/* transcript: the record of one case run (transcript.h).
 *
 * Wire log layout (in t->wire): a sequence of records, each
 *   u8  direction (enum wire_entry_dir)
 *   i64 microseconds since the case started, little-endian
 *   u32 octet count, little-endian
 *   the octets
 * Only wire_cap octets of payload are kept in all; the rest is counted in
 * wire_dropped_out / wire_dropped_in. transcript_wire_next() walks it. */
#include "model/transcript.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "codec/frame.h"

#define WIRE_RECORD_HEAD 13 /* u8 + i64 + u32 */

void transcript_init(struct transcript *t, size_t wire_cap) {
    memset(t, 0, sizeof *t);
    t->wire_cap = wire_cap;
}

void transcript_set_event_limit(struct transcript *t, size_t max_events) {
    t->event_limit = max_events;
}

/* The events that end a case, or say why it ended: they may use the reserve. */
static bool ends_case(enum tev_kind k) {
    return k == TEV_LIMIT || k == TEV_TIMEOUT || k == TEV_EOF || k == TEV_RESET ||
           k == TEV_WRITE_FAILED || k == TEV_SENT_CLOSE;
}

int transcript_add(struct transcript *t, const struct tev *ev) {
    if (t->event_limit) {
        size_t room = t->event_limit + (ends_case(ev->kind) ? TRANSCRIPT_RESERVE : 0);
        if (t->event_count >= room) {
            t->events_dropped++;
            return WS_ERR_LIMIT;
        }
    }
    if (t->event_count == t->event_cap) {
        size_t cap = t->event_cap ? t->event_cap * 2 : 16;
        if (cap < t->event_cap || cap > SIZE_MAX / sizeof *t->events) {
            t->events_lost++;
            return WS_ERR_OVERFLOW;
        }
        struct tev *grown = realloc(t->events, cap * sizeof *grown);
        if (!grown) {
            t->events_lost++;
            return WS_ERR_NOMEM;
        }
        t->events = grown;
        t->event_cap = cap;
    }
    struct tev copy = *ev;
    if (copy.head_len > TEV_HEAD_CAP)
        copy.head_len = TEV_HEAD_CAP;
    if (ev->detail) {
        copy.detail = strdup(ev->detail);
        if (!copy.detail) {
            t->events_lost++;
            return WS_ERR_NOMEM;
        }
    }
    t->events[t->event_count++] = copy;
    return 0;
}

size_t transcript_drop_events(struct transcript *t, size_t keep_head, size_t from) {
    if (from > t->event_count)
        from = t->event_count;
    if (keep_head >= from)
        return 0;
    size_t gone = from - keep_head;
    for (size_t i = keep_head; i < from; i++)
        free(t->events[i].detail);
    memmove(t->events + keep_head, t->events + from, (t->event_count - from) * sizeof *t->events);
    t->event_count -= gone;
    t->events_dropped += gone;
    /* Give the memory back (a smaller realloc cannot fail in a way that
     * matters: the old block stays valid). */
    size_t cap = t->event_count ? t->event_count : 1;
    struct tev *smaller = realloc(t->events, cap * sizeof *smaller);
    if (smaller) {
        t->events = smaller;
        t->event_cap = cap;
    }
    return gone;
}

static void put_le(uint8_t *out, uint64_t v, int octets) {
    for (int i = 0; i < octets; i++)
        out[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *in, int octets) {
    uint64_t v = 0;
    for (int i = octets - 1; i >= 0; i--)
        v = (v << 8) | in[i];
    return v;
}

void transcript_wire(struct transcript *t, enum wire_entry_dir dir, int64_t t_us,
                     const uint8_t *data, size_t len) {
    uint64_t *dropped = dir == WIRE_ENTRY_OUT ? &t->wire_dropped_out : &t->wire_dropped_in;
    if (dir == WIRE_ENTRY_OUT)
        t->octets_out += len;
    else
        t->octets_in += len;
    if (len == 0)
        return;
    /* The cap bounds the whole log (record heads included), so it also
     * bounds the payload kept. */
    size_t used = t->wire.len + WIRE_RECORD_HEAD;
    size_t room = used < t->wire_cap ? t->wire_cap - used : 0;
    size_t keep = len < room ? len : room;
    if (keep > UINT32_MAX)
        keep = UINT32_MAX;
    if (keep > 0) {
        uint8_t head[WIRE_RECORD_HEAD];
        head[0] = (uint8_t)dir;
        put_le(head + 1, (uint64_t)t_us, 8);
        put_le(head + 9, keep, 4);
        if (buf_reserve(&t->wire, WIRE_RECORD_HEAD + keep) != 0) {
            keep = 0; /* out of memory: count it as dropped */
        } else {
            buf_append(&t->wire, head, sizeof head);
            buf_append(&t->wire, data, keep);
        }
    }
    *dropped += len - keep;
}

void transcript_trim_wire(struct transcript *t, size_t keep) {
    size_t pos = 0, cut = 0;
    struct wire_record rec;
    bool cutting = false;
    while (transcript_wire_next(t, &pos, &rec)) {
        if (!cutting && pos > keep) {
            cutting = true;
            cut = pos - WIRE_RECORD_HEAD - rec.len;
        }
        if (cutting)
            *(rec.dir == WIRE_ENTRY_OUT ? &t->wire_dropped_out : &t->wire_dropped_in) += rec.len;
    }
    if (!cutting)
        return;
    t->wire.len = cut;
    uint8_t *smaller = realloc(t->wire.data, cut ? cut : 1);
    if (smaller) {
        t->wire.data = smaller;
        t->wire.cap = cut ? cut : 1;
    }
}

int transcript_wire_next(const struct transcript *t, size_t *pos, struct wire_record *out) {
    if (*pos + WIRE_RECORD_HEAD > t->wire.len)
        return 0;
    const uint8_t *p = t->wire.data + *pos;
    size_t len = (size_t)get_le(p + 9, 4);
    if (len > t->wire.len - *pos - WIRE_RECORD_HEAD)
        return 0; /* cannot happen: we wrote it */
    out->dir = p[0] == WIRE_ENTRY_OUT ? WIRE_ENTRY_OUT : WIRE_ENTRY_IN;
    out->t_us = (int64_t)get_le(p + 1, 8);
    out->data = p + WIRE_RECORD_HEAD;
    out->len = len;
    *pos += WIRE_RECORD_HEAD + len;
    return 1;
}

void transcript_free(struct transcript *t) {
    for (size_t i = 0; i < t->event_count; i++)
        free(t->events[i].detail);
    free(t->events);
    buf_free(&t->wire);
    buf_free(&t->response_head);
    buf_free(&t->request_head);
    free(t->error);
    memset(t, 0, sizeof *t);
}

const char *tev_kind_name(enum tev_kind k) {
    switch (k) {
    case TEV_MESSAGE: return "message";
    case TEV_PING: return "ping";
    case TEV_PONG: return "pong";
    case TEV_CLOSE: return "close";
    case TEV_EOF: return "eof";
    case TEV_RESET: return "reset";
    case TEV_VIOLATION: return "violation";
    case TEV_MARK: return "mark";
    case TEV_SENT_CLOSE: return "sent-close";
    case TEV_TIMEOUT: return "timeout";
    case TEV_WRITE_FAILED: return "write-failed";
    case TEV_LIMIT: return "limit";
    }
    return "?";
}

size_t transcript_escape(const uint8_t *data, size_t len, char *out, size_t cap) {
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    if (cap == 0)
        return 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = data[i];
        char piece[5];
        size_t n;
        if (c == '"' || c == '\\') {
            piece[0] = '\\';
            piece[1] = (char)c;
            n = 2;
        } else if (c >= 0x20 && c < 0x7f) {
            piece[0] = (char)c;
            n = 1;
        } else {
            piece[0] = '\\';
            piece[1] = 'x';
            piece[2] = hex[c >> 4];
            piece[3] = hex[c & 15];
            n = 4;
        }
        if (o + n >= cap)
            break;
        memcpy(out + o, piece, n);
        o += n;
    }
    out[o] = '\0';
    return o;
}

/* "\"Hello\"" for text, "0a0b..." for binary, with "..." when cut. */
static void describe_payload(const struct tev *ev, bool as_text, char *out, size_t cap) {
    size_t shown = ev->head_len;
    if (as_text) {
        char esc[TEV_HEAD_CAP * 4 + 1];
        if (shown > 40)
            shown = 40;
        transcript_escape(ev->head, shown, esc, sizeof esc);
        /* A description may be cut to fit `cap`; that is fine. */
        size_t o = 0;
        const char *parts[] = {"\"", esc, "\"", ev->length > shown ? "..." : ""};
        for (size_t i = 0; i < 4 && cap > 0; i++) {
            size_t n = strlen(parts[i]);
            if (o + n >= cap)
                n = cap - 1 - o;
            memcpy(out + o, parts[i], n);
            o += n;
        }
        if (cap > 0)
            out[o] = '\0';
        return;
    }
    char hexs[2 * 16 + 1];
    if (shown > 16)
        shown = 16;
    for (size_t i = 0; i < shown; i++)
        snprintf(hexs + 2 * i, 3, "%02x", ev->head[i]);
    hexs[2 * shown] = '\0';
    snprintf(out, cap, "0x%s%s", hexs, ev->length > shown ? "..." : "");
}

void tev_describe(const struct tev *ev, char *out, size_t cap) {
    char pay[200] = "";
    const char *detail = ev->detail ? ev->detail : "";
    switch (ev->kind) {
    case TEV_MESSAGE:
        describe_payload(ev, ev->opcode != 0x2, pay, sizeof pay);
        if (ev->length == 0)
            snprintf(out, cap, "message %s 0 octets", frame_opcode_name(ev->opcode));
        else
            snprintf(out, cap, "message %s %llu octets %s", frame_opcode_name(ev->opcode),
                     (unsigned long long)ev->length, pay);
        return;
    case TEV_PING:
    case TEV_PONG: {
        const char *what =
            ev->kind == TEV_PONG && ev->unsolicited ? "unsolicited pong" : tev_kind_name(ev->kind);
        describe_payload(ev, true, pay, sizeof pay);
        if (ev->length == 0)
            snprintf(out, cap, "%s (empty)", what);
        else
            snprintf(out, cap, "%s %llu octets %s", what, (unsigned long long)ev->length, pay);
        return;
    }
    case TEV_CLOSE:
    case TEV_SENT_CLOSE: {
        const char *who = ev->kind == TEV_CLOSE ? "close" : "we sent close";
        if (!ev->has_code)
            snprintf(out, cap, "%s with no status code", who);
        else if (detail[0])
            snprintf(out, cap, "%s %u \"%s\"", who, ev->code, detail);
        else
            snprintf(out, cap, "%s %u", who, ev->code);
        return;
    }
    case TEV_EOF: snprintf(out, cap, "the peer closed TCP"); return;
    case TEV_RESET:
        snprintf(out, cap, "connection reset%s%s", detail[0] ? ": " : "", detail);
        return;
    case TEV_VIOLATION:
        snprintf(out, cap, "violation: %s%s%s%s", detail, ev->rfc ? " (" : "",
                 ev->rfc ? ev->rfc : "", ev->rfc ? ")" : "");
        return;
    case TEV_MARK: snprintf(out, cap, "mark \"%s\"", detail); return;
    case TEV_TIMEOUT: snprintf(out, cap, "timeout: %s", detail); return;
    case TEV_LIMIT: snprintf(out, cap, "our limit: %s", detail); return;
    case TEV_WRITE_FAILED:
        snprintf(out, cap, "our write failed%s%s", detail[0] ? ": " : "", detail);
        return;
    }
    snprintf(out, cap, "?");
}

void transcript_set_error(struct transcript *t, const char *fmt, ...) {
    if (t->error)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    t->error = strdup(msg);
    if (!t->error)
        t->internal = true; /* the reason is lost, the error is not */
}

void transcript_set_internal(struct transcript *t, const char *fmt, ...) {
    if (t->internal)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    free(t->error);
    t->error = strdup(msg);
    t->internal = true;
}

bool transcript_is_internal(const struct transcript *t) {
    return t->internal || t->events_lost > 0;
}
