/* judge_answer: an outcome's "handshake" expectation against the peer's
 * answer to the opening handshake (cases/README.md "The opening
 * handshake"): its status, its header lines, or no answer at all. Pure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/handshake.h"
#include "judge/judge_int.h"

/* 6455:4.1 "all header field names in both HTTP requests and HTTP
 * responses are case-insensitive"; a value matches when it is exactly the
 * expected one (after OWS trimming, which the parser did), or when one
 * element of its comma list is, ASCII case-insensitively (tokens such as
 * "Upgrade" are case-insensitive; 6455:4.4 allows "13, 8, 7"). */
static bool value_matches(struct handshake_view value, const char *want) {
    size_t n = strlen(want);
    if (value.len == n && memcmp(value.ptr, want, n) == 0)
        return true;
    return handshake_value_has_token(value, want);
}

/* Whether the peer closed TCP (or reset it) before answering. */
static bool closed_unanswered(const struct transcript *t) {
    for (size_t i = 0; i < t->event_count; i++) {
        enum tev_kind k = t->events[i].kind;
        if (k == TEV_EOF || k == TEV_RESET || k == TEV_WRITE_FAILED)
            return true;
    }
    return false;
}

enum handshake_match judge_handshake_matches(const struct transcript *t,
                                             const struct handshake_expect *h, char *why,
                                             size_t cap, int *depth) {
    *depth = 0;
    if (t->handshake_unanswered) {
        if (h->set && h->allow_no_response && closed_unanswered(t))
            return HM_DONE;
        /* Silence: not one octet before our deadline, the connection open
         * (a peer that does not see our request as ended waits for more). */
        if (h->set && h->allow_silence && !closed_unanswered(t) && t->octets_in == 0)
            return HM_DONE;
        snprintf(why, cap, "the peer did not answer the opening handshake");
        return HM_NO;
    }
    if (!h->set) {
        /* 0: no head was recorded (a transcript built without one). */
        if (t->http_status != 0 && t->http_status != 101) {
            snprintf(why, cap, "the peer answered the opening handshake with HTTP %d, not 101",
                     t->http_status);
            return HM_NO;
        }
        return HM_WEBSOCKET;
    }
    if (!handshake_expect_status(h, t->http_status)) {
        struct buf want = {0};
        judge_describe_statuses(h, &want);
        snprintf(why, cap, "the peer answered the opening handshake with HTTP %d, not %.*s",
                 t->http_status, (int)want.len, want.data ? (const char *)want.data : "");
        buf_free(&want);
        return HM_NO;
    }
    *depth = 1;
    if (h->header_count || h->absent_count) {
        struct handshake_response *resp = malloc(sizeof *resp);
        if (!resp ||
            handshake_parse_response(t->response_head.data, t->response_head.len, resp) <= 0) {
            snprintf(why, cap, "the answer's header lines could not be read");
            free(resp);
            return HM_NO;
        }
        for (size_t i = 0; i < h->header_count; i++) {
            const struct header_expect *e = &h->headers[i];
            bool seen = false, ok = false;
            for (size_t k = 0; k < resp->header_count && !ok; k++) {
                if (!handshake_view_eq_nocase(resp->headers[k].name, e->name))
                    continue;
                seen = true;
                ok = value_matches(resp->headers[k].value, e->value);
            }
            if (!ok) {
                char values[200];
                judge_describe_lines(resp, e->name, values, sizeof values);
                snprintf(why, cap, "the answer %s %s: %s%s%s%s", seen ? "has no matching" : "lacks",
                         e->name, e->value, seen ? " (it carries " : "", values, seen ? ")" : "");
                free(resp);
                return HM_NO;
            }
        }
        for (size_t i = 0; i < h->absent_count; i++) {
            if (handshake_find_header(resp->headers, resp->header_count, h->absent[i], NULL)) {
                char values[200];
                judge_describe_lines(resp, h->absent[i], values, sizeof values);
                snprintf(why, cap, "the answer carries %s: %s, which it must not", h->absent[i],
                         values);
                free(resp);
                return HM_NO;
            }
        }
        free(resp);
    }
    return t->http_status == 101 ? HM_WEBSOCKET : HM_DONE;
}
