/* judge_describe: the judge's text for humans (judge_int.h): every outcome
 * as "expected" lists it, the peer's answer to the opening handshake, and
 * events in one line. Pure, like judge.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "codec/handshake.h"
#include "judge/judge.h"
#include "judge/judge_int.h"
#include "model/dataset.h"

void judge_describe_statuses(const struct handshake_expect *h, struct buf *b) {
    for (size_t i = 0; i < h->status_count; i++) {
        const char *sep = i == 0 ? "" : i + 1 == h->status_count ? " or " : ", ";
        if (h->statuses[i] < 10)
            buf_appendf(b, "%s%uxx", sep, h->statuses[i]);
        else
            buf_appendf(b, "%s%u", sep, h->statuses[i]);
    }
}

void judge_describe_lines(const struct handshake_response *resp, const char *name, char *out,
                          size_t cap) {
    size_t used = 0, shown = 0;
    if (cap == 0)
        return;
    out[0] = '\0';
    for (size_t i = 0; i < resp->header_count && used + 1 < cap; i++) {
        if (!handshake_view_eq_nocase(resp->headers[i].name, name))
            continue;
        char value[64 * 4 + 4];
        handshake_escape((const uint8_t *)resp->headers[i].value.ptr, resp->headers[i].value.len,
                         64, value, sizeof value);
        int n = shown == 4 ? snprintf(out + used, cap - used, ", ...")
                           : snprintf(out + used, cap - used, "%s\"%s\"", shown ? ", " : "", value);
        if (n < 0 || (size_t)n >= cap - used)
            break;
        used += (size_t)n;
        if (shown++ == 4)
            break;
    }
}

/* The peer's answer in one line: its status line, or how it did not answer. */
char *judge_describe_answer(const struct transcript *t) {
    if (t->handshake_unanswered) {
        for (size_t i = 0; i < t->event_count; i++) {
            enum tev_kind k = t->events[i].kind;
            if ((k == TEV_EOF || k == TEV_RESET || k == TEV_TIMEOUT || k == TEV_WRITE_FAILED) &&
                t->events[i].detail)
                return strdup(t->events[i].detail);
        }
        return strdup("no answer to the opening handshake");
    }
    const uint8_t *head = t->response_head.data;
    size_t len = t->response_head.len;
    const uint8_t *eol = len ? memchr(head, '\n', len) : NULL;
    size_t line = eol ? (size_t)(eol - head) : len;
    if (line > 0 && head[line - 1] == '\r')
        line--;
    if (line == 0) {
        char text[64];
        snprintf(text, sizeof text, "HTTP %d", t->http_status);
        return strdup(text);
    }
    char text[300];
    transcript_escape(head, line, text, sizeof text);
    return strdup(text);
}

/* ---- text for humans ----------------------------------------------------- */

static void describe_expect(const struct expect_event *e, struct buf *b) {
    if (e->optional)
        buf_append_str(b, "(optional) ");
    if (e->times > 1)
        buf_appendf(b, "%u x ", e->times);
    if (e->kind == EXPECT_MARK) {
        buf_appendf(b, "our mark \"%s\"", e->mark ? e->mark : "");
        return;
    }
    if (e->kind == EXPECT_SERIES) {
        buf_appendf(b, "the echoes of %u %s messages of %llu units from data set \"%s\", in order",
                    e->series.count, e->opcode == 2 ? "binary" : "text",
                    (unsigned long long)e->series.units,
                    dataset_name((enum dataset_kind)e->series.dataset));
        return;
    }
    if (e->kind == EXPECT_ANY_OF) {
        buf_append_str(b, "one of [");
        for (size_t i = 0; i < e->alternative_count; i++) {
            if (i)
                buf_append_str(b, " | ");
            struct expect_event alt = e->alternatives[i];
            alt.times = 1;
            alt.optional = false;
            describe_expect(&alt, b);
        }
        buf_append_str(b, "]");
        return;
    }
    struct tev fake = {.kind = e->kind == EXPECT_MESSAGE ? TEV_MESSAGE
                               : e->kind == EXPECT_PING  ? TEV_PING
                                                         : TEV_PONG,
                       .opcode = e->opcode};
    if (!e->payload_set) {
        if (e->kind == EXPECT_MESSAGE)
            buf_appendf(b, "message %s (any payload)", e->opcode == 2 ? "binary" : "text");
        else
            buf_appendf(b, "%s (any payload)", tev_kind_name(fake.kind));
        return;
    }
    fake.length = e->payload.length;
    fake.head_len = e->payload.length < TEV_HEAD_CAP ? (size_t)e->payload.length : TEV_HEAD_CAP;
    payload_read(&e->payload, 0, fake.head, fake.head_len);
    char line[256];
    tev_describe(&fake, line, sizeof line);
    buf_append_str(b, line);
}

static void describe_codes(const struct close_expect *ce, struct buf *b) {
    if (ce->code_count == 0) {
        buf_append_str(b, " with any valid code");
    } else {
        buf_append_str(b, " with ");
        for (size_t i = 0; i < ce->code_count; i++)
            buf_appendf(b, "%s%u",
                        i == 0                    ? ""
                        : i + 1 == ce->code_count ? " or "
                                                  : ", ",
                        ce->codes[i]);
    }
    if (ce->allow_no_code)
        buf_append_str(b, " (or no code)");
    if (ce->allow_drop)
        buf_append_str(b, " (or a TCP close without a close frame)");
    if (ce->exact)
        buf_append_str(b, " (exactly)");
}

static void describe_handshake(const struct handshake_expect *h, struct buf *b) {
    buf_append_str(b, "HTTP ");
    judge_describe_statuses(h, b);
    for (size_t i = 0; i < h->header_count; i++)
        buf_appendf(b, "%s%s: %s", i == 0 ? " with " : " and ", h->headers[i].name,
                    h->headers[i].value);
    for (size_t i = 0; i < h->absent_count; i++)
        buf_appendf(b, "%s%s", i == 0 ? " without " : ", ", h->absent[i]);
    if (h->allow_no_response)
        buf_append_str(b, " (or TCP closed with no answer)");
    if (h->allow_silence)
        buf_append_str(b, " (or no answer before the deadline)");
}

void judge_describe_outcome(const struct outcome *o, struct buf *b) {
    buf_appendf(b, "%s: ", verdict_name(o->verdict));
    if (o->deflate != DEFLATE_ANY)
        buf_append_str(b, o->deflate == DEFLATE_ON ? "with permessage-deflate agreed, "
                                                   : "without permessage-deflate, ");
    if (o->handshake.set) {
        describe_handshake(&o->handshake, b);
        if (!handshake_expect_status(&o->handshake, 101)) {
            if (o->note)
                buf_appendf(b, " (%s)", o->note);
            return;
        }
        buf_append_str(b, "; then ");
    }
    if (o->any_events) {
        buf_append_str(b, "any events");
    } else if (o->event_count == 0) {
        buf_append_str(b, "no messages");
    } else {
        for (size_t i = 0; i < o->event_count; i++) {
            if (i)
                buf_append_str(b, ", ");
            describe_expect(&o->events[i], b);
        }
    }
    const struct close_expect *ce = &o->close;
    switch (ce->by) {
    case CLOSE_BY_PEER:
        buf_append_str(b, ", then the peer fails the connection");
        describe_codes(ce, b);
        break;
    case CLOSE_BY_US:
        buf_append_str(b, ", then the peer answers our close");
        if (ce->exact || ce->code_count) {
            describe_codes(ce, b);
        } else {
            /* judge.c: the code of a reply is compared only when exact. */
            buf_append_str(b, " with any valid code or none");
            if (ce->allow_drop)
                buf_append_str(b, " (or a TCP close without a close frame)");
        }
        break;
    case CLOSE_BY_ANY:
        if (ce->code_count || ce->allow_drop || ce->exact) {
            buf_append_str(b, ", then the connection closes");
            describe_codes(ce, b);
        } else {
            buf_append_str(b, ", closed in any way");
        }
        break;
    case CLOSE_BY_NONE: buf_append_str(b, ", and the connection stays open"); break;
    }
    if (o->accept_limit)
        buf_append_str(b, " (or those events, then our limit reached)");
    if (o->note)
        buf_appendf(b, " (%s)", o->note);
}

char *judge_take_string(struct buf *b) {
    if (buf_append(b, "", 1) != 0) {
        buf_free(b);
        return strdup("");
    }
    char *s = (char *)b->data;
    memset(b, 0, sizeof *b);
    return s;
}

char *judge_describe_event_at(const struct transcript *t, int index, const char *fallback) {
    char line[512];
    if (index >= 0 && (size_t)index < t->event_count)
        tev_describe(&t->events[index], line, sizeof line);
    else
        snprintf(line, sizeof line, "%s", fallback);
    return strdup(line);
}
