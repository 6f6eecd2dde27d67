/* runner_handshake: the opening handshake of one case (6455:4.1): build the
 * request (the case's overrides, or its raw octets), send it, read the
 * answer and decide what it means for the case:
 *
 *   - a valid 101: the connection is a WebSocket, the steps run;
 *   - a 101 that breaks 6455:4.1 / 4.2.2: a violation by the peer (we fail
 *     the connection; the judge fails the case), for every case;
 *   - another status, no answer, or an answer that is not HTTP: recorded for
 *     the judge when the case is about the handshake (an outcome has a
 *     "handshake" expectation), else the case could not run (error);
 *   - an answer over one of our caps (head size, line length, header count):
 *     a TEV_LIMIT naming the cap, for every case: the peer did nothing
 *     wrong (RFC 6455 and 7230 set no such limit), the case is an error;
 *   - out of memory or another failure of ours: an internal error, never
 *     an event of the peer's.
 *
 * What the 101 is checked against (key, offered subprotocols and
 * extensions) is read back from the octets actually sent, so overrides and
 * raw requests are judged by what the peer really saw. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "codec/handshake.h"
#include "run/runner.h"
#include "run/runner_int.h"

static bool about_handshake(const struct wcase *c) {
    for (size_t i = 0; i < c->outcome_count; i++)
        if (c->outcomes[i].handshake.set)
            return true;
    return false;
}

bool runner_wants_websocket(const struct wcase *c) {
    for (size_t i = 0; i < c->outcome_count; i++) {
        const struct handshake_expect *h = &c->outcomes[i].handshake;
        if (!h->set || handshake_expect_status(h, 101))
            return true;
    }
    return false;
}

/* ---- the request ------------------------------------------------------------ */

static void host_value(const struct ws_url *u, enum host_form form, char *out, size_t cap) {
    const char *open = u->host_is_ipv6 ? "[" : "", *close = u->host_is_ipv6 ? "]" : "";
    switch (form) {
    case HOST_FORM_NO_PORT: snprintf(out, cap, "%s%s%s", open, u->host, close); return;
    case HOST_FORM_PORT:
        snprintf(out, cap, "%s%s%s:%u", open, u->host, close, (unsigned)u->port);
        return;
    case HOST_FORM_URL: break;
    }
    url_host_header(u, out, cap);
}

/* The value a default header line carries (for a "set" that only respells
 * its name). */
static const char *default_value(const char *name, const char *host, const char *key) {
    struct handshake_view v = {name, strlen(name)};
    if (handshake_view_eq_nocase(v, "Host"))
        return host;
    if (handshake_view_eq_nocase(v, "Upgrade"))
        return "websocket";
    if (handshake_view_eq_nocase(v, "Connection"))
        return "Upgrade";
    if (handshake_view_eq_nocase(v, "Sec-WebSocket-Key"))
        return key;
    if (handshake_view_eq_nocase(v, "Sec-WebSocket-Version"))
        return "13";
    return NULL;
}

/* The request head of the case into *out. Returns 0 or a negative ws_error. */
static int build_request(const struct wcase *c, const struct ws_url *url, const char *key,
                         struct buf *out) {
    const struct handshake_override *h = c->has_handshake ? &c->handshake : NULL;
    char host[URL_MAX_HOST + 16];
    host_value(url, h ? h->host_form : HOST_FORM_URL, host, sizeof host);
    struct handshake_client_request req = {.target = url->resource, .host = host, .key = key};
    struct buf target = {0};
    struct handshake_header_override *overrides = NULL;
    char *deflate_offers = NULL;
    int rc = runner_deflate_offer_line(c, &deflate_offers);
    req.extensions = deflate_offers;
    if (h && rc == 0) {
        req.method = h->method;
        req.http_version = h->http_version;
        req.protocols = h->protocols;
        if (h->extensions)
            req.extensions = h->extensions;
        if (h->target)
            req.target = h->target;
        if (h->query) {
            /* RFC 3986 3.4: the query follows the first "?". */
            rc = buf_appendf(&target, "%s%c%s", req.target, strchr(req.target, '?') ? '&' : '?',
                             h->query);
            if (rc == 0 && (rc = buf_append(&target, "", 1)) == 0)
                req.target = (const char *)target.data;
        }
        overrides = calloc(h->header_count ? h->header_count : 1, sizeof *overrides);
        if (!overrides)
            rc = WS_ERR_NOMEM;
        for (size_t i = 0; rc == 0 && i < h->header_count; i++) {
            overrides[i].op = (enum handshake_header_op)h->headers[i].op;
            overrides[i].name = h->headers[i].name;
            overrides[i].value = h->headers[i].value;
            if (overrides[i].op == HANDSHAKE_HDR_SET && !overrides[i].value)
                overrides[i].value = default_value(h->headers[i].name, host, key);
        }
        req.overrides = overrides;
        req.override_count = h->header_count;
    }
    if (rc == 0)
        rc = handshake_build_request(&req, out);
    free(overrides);
    free(deflate_offers);
    buf_free(&target);
    return rc;
}

/* ---- what the request offered -------------------------------------------------- */

struct offer {
    char *key;        /* the first Sec-WebSocket-Key line's value, NULL = none */
    char *protocols;  /* every Sec-WebSocket-Protocol line, joined with ", " */
    char *extensions; /* every Sec-WebSocket-Extensions line, joined with ", " */
};

static void offer_free(struct offer *o) {
    free(o->key);
    free(o->protocols);
    free(o->extensions);
}

/* RFC 7230 3.2 OWS (SP / HTAB) off both ends. */
static struct handshake_view trim(struct handshake_view v) {
    while (v.len > 0 && (v.ptr[0] == ' ' || v.ptr[0] == '\t')) {
        v.ptr++;
        v.len--;
    }
    while (v.len > 0 && (v.ptr[v.len - 1] == ' ' || v.ptr[v.len - 1] == '\t'))
        v.len--;
    return v;
}

/* Join the value of every header line called `name` in the request head
 * into *out (NULL when there is none; lenient: lines may end in LF alone,
 * whitespace around the name is skipped, so even a request our own parser
 * rejects is read the way a lenient peer reads it). first_only stops at the
 * first line. Returns 0 or WS_ERR_NOMEM. */
static int sent_header(const uint8_t *head, size_t len, const char *name, bool first_only,
                       char **out) {
    *out = NULL;
    struct buf joined = {0};
    bool found = false;
    size_t pos = 0;
    /* The request line first, then header lines until an empty one. */
    const uint8_t *lf = memchr(head, '\n', len);
    pos = lf ? (size_t)(lf - head) + 1 : len;
    while (pos < len) {
        lf = memchr(head + pos, '\n', len - pos);
        size_t end = lf ? (size_t)(lf - head) : len;
        struct handshake_view line = {(const char *)head + pos, end - pos};
        if (line.len > 0 && line.ptr[line.len - 1] == '\r')
            line.len--;
        if (line.len == 0)
            break;
        const char *colon = memchr(line.ptr, ':', line.len);
        if (colon) {
            struct handshake_view n = {line.ptr, (size_t)(colon - line.ptr)};
            struct handshake_view v = {colon + 1, line.len - n.len - 1};
            n = trim(n);
            v = trim(v);
            if (handshake_view_eq_nocase(n, name)) {
                if ((found && buf_append(&joined, ", ", 2) != 0) ||
                    buf_append(&joined, v.ptr, v.len) != 0) {
                    buf_free(&joined);
                    return WS_ERR_NOMEM;
                }
                found = true;
                if (first_only)
                    break;
            }
        }
        pos = end + 1;
    }
    if (!found)
        return 0;
    if (buf_append(&joined, "", 1) != 0) {
        buf_free(&joined);
        return WS_ERR_NOMEM;
    }
    *out = (char *)joined.data;
    return 0;
}

/* What the request offered. Out of memory is an error of ours: a key we
 * failed to read back must not make a valid 101 look wrong. */
static int read_offer(const uint8_t *head, size_t len, struct offer *o) {
    int rc = sent_header(head, len, "Sec-WebSocket-Key", true, &o->key);
    if (rc == 0)
        rc = sent_header(head, len, "Sec-WebSocket-Protocol", false, &o->protocols);
    if (rc == 0)
        rc = sent_header(head, len, "Sec-WebSocket-Extensions", false, &o->extensions);
    return rc;
}

/* ---- the answer ------------------------------------------------------------------ */

/* Whether the answer went over one of our caps (the peer did nothing wrong). */
static bool over_our_cap(int rc) {
    return rc == WS_ERR_HANDSHAKE_LINE_TOO_LONG || rc == WS_ERR_HANDSHAKE_TOO_MANY_HEADERS ||
           rc == WS_ERR_HANDSHAKE_HEAD_TOO_BIG;
}

static void record_cap(struct exec *ex, const struct wsclient_handshake *hs) {
    char detail[300];
    const char *cap = "the receive buffer";
    char size[64] = "";
    switch (hs->head_status) {
    case WS_ERR_HANDSHAKE_LINE_TOO_LONG:
        cap = "a line of the response head";
        snprintf(size, sizeof size, " (%d octets)", HANDSHAKE_MAX_LINE);
        break;
    case WS_ERR_HANDSHAKE_TOO_MANY_HEADERS:
        cap = "header lines in the response head";
        snprintf(size, sizeof size, " (%d)", HANDSHAKE_MAX_HEADERS);
        break;
    case WS_ERR_HANDSHAKE_HEAD_TOO_BIG:
        cap = "the response head";
        snprintf(size, sizeof size, " (%d octets)", HANDSHAKE_MAX_HEAD);
        break;
    default: snprintf(size, sizeof size, " (%d octets)", WSCLIENT_RX_CAP); break;
    }
    snprintf(detail, sizeof detail,
             "the answer to the opening handshake is over our cap on %s%s: the peer did "
             "nothing wrong",
             cap, size);
    struct tev ev = {.kind = TEV_LIMIT, .t_us = runner_now_us(ex), .detail = detail};
    runner_add(ex, &ev);
}

/* No usable answer in a case about the handshake: what happened becomes an
 * event for the judge. rc is wsclient_handshake's return; 0 with
 * HANDSHAKE_RESP_NOT_HTTP is an answer that is no HTTP head. Returns false
 * when it is a failure of ours instead. */
static bool record_no_answer(struct exec *ex, int rc, const struct wsclient_handshake *hs,
                             const char *errmsg) {
    char detail[640];
    struct tev ev = {.t_us = runner_now_us(ex), .detail = detail};
    switch (rc) {
    case 0:
        if (hs->problem != HANDSHAKE_RESP_NOT_HTTP)
            return false;
        /* 6455:4.2.1 "the server MUST stop processing the client's handshake
         * and return an HTTP response with an appropriate error code" */
        ev.kind = TEV_VIOLATION;
        ev.rfc = "6455:4.2.1";
        snprintf(detail, sizeof detail, "the answer to the opening handshake is %s", errmsg);
        break;
    case WS_ERR_TIMEOUT:
        ev.kind = TEV_TIMEOUT;
        if (ex->cl.rx_len > 0)
            snprintf(detail, sizeof detail,
                     "no answer to the opening handshake before the case deadline: %s", errmsg);
        else
            snprintf(detail, sizeof detail,
                     "no answer to the opening handshake before the case deadline");
        break;
    case WS_ERR_CLOSED:
        ev.kind = TEV_EOF;
        snprintf(detail, sizeof detail, "no answer to the opening handshake: %s", errmsg);
        break;
    case WS_ERR_RESET:
    case WS_ERR_IO:
        ev.kind = TEV_RESET;
        snprintf(detail, sizeof detail, "no answer to the opening handshake: %s", errmsg);
        break;
    default: return false; /* our limit, out of memory, a bug: not the peer's fault */
    }
    runner_add(ex, &ev);
    ex->tr->handshake_unanswered = true;
    return true;
}

enum runner_open_result runner_open(struct exec *ex, const struct run_target *target) {
    const struct wcase *c = ex->c;
    struct transcript *tr = ex->tr;
    char key[HANDSHAKE_KEY_LEN + 1], errmsg[512] = "";
    uint8_t nonce[16];
    /* 6455:4.1 "The value of this header field MUST be a nonce consisting of
     * a randomly selected 16-byte value": from the case prng, reproducible. */
    prng_fill(&ex->prng, nonce, sizeof nonce);
    handshake_make_key(nonce, key);

    struct buf request = {0};
    int rc;
    if (c->has_handshake && c->handshake.raw_set) {
        uint8_t *raw = payload_materialize(&c->handshake.raw, (size_t)c->handshake.raw.length);
        rc = raw ? buf_append(&request, raw, (size_t)c->handshake.raw.length) : WS_ERR_NOMEM;
        /* an empty raw request materialises as NULL too: nothing to append */
        if (!raw && c->handshake.raw.length == 0)
            rc = 0;
        free(raw);
    } else {
        rc = build_request(c, &target->url, key, &request);
    }
    if (rc != 0) {
        /* Out of memory is ours; a request the case's overrides cannot make
         * (CR/LF in a header, say) is the case's problem: an error either way. */
        if (runner_error_is_ours(rc))
            transcript_set_internal(tr, "building the opening handshake: %s", ws_strerror(rc));
        else
            transcript_set_error(tr, "building the opening handshake: %s", ws_strerror(rc));
        buf_free(&request);
        return RUNNER_OPEN_ERROR;
    }
    size_t scan = 0;
    long head_len = handshake_head_complete(request.data, request.len, &scan);
    size_t recorded = head_len > 0 ? (size_t)head_len : request.len;
    struct offer offer = {0};
    if (buf_append(&tr->request_head, request.data, recorded) != 0 ||
        read_offer(request.data, recorded, &offer) != 0) {
        transcript_set_internal(tr, "recording the opening handshake: %s",
                                ws_strerror(WS_ERR_NOMEM));
        offer_free(&offer);
        buf_free(&request);
        return RUNNER_OPEN_ERROR;
    }

    struct wsclient_handshake hs;
    rc = wsclient_handshake_raw(&ex->cl, &target->url, &target->tls, request.data, request.len,
                                offer.key, offer.protocols, offer.extensions, ex->deadline_ms, &hs,
                                errmsg, sizeof errmsg);
    buf_free(&request);
    if (hs.head.len && ex->seed)
        ex->seed(ex->seed_ud, "hs_response", hs.head.data, hs.head.len);
    if (hs.head.len && buf_append(&tr->response_head, hs.head.data, hs.head.len) != 0) {
        transcript_set_internal(tr, "recording the answer to the opening handshake: %s",
                                ws_strerror(WS_ERR_NOMEM));
        wsclient_handshake_free(&hs);
        offer_free(&offer);
        return RUNNER_OPEN_ERROR;
    }

    enum runner_open_result result = RUNNER_OPEN_JUDGED;
    if (rc != 0 || hs.problem == HANDSHAKE_RESP_NOT_HTTP) {
        bool connected = ex->cl.conn != NULL;
        if (runner_error_is_ours(rc)) {
            transcript_set_internal(tr, "opening handshake with %s: %s", target->url_text,
                                    errmsg[0] ? errmsg : ws_strerror(rc));
            result = RUNNER_OPEN_ERROR;
        } else if (connected && over_our_cap(rc)) {
            record_cap(ex, &hs);
        } else if (!connected || !about_handshake(c) || !record_no_answer(ex, rc, &hs, errmsg)) {
            if (rc == WS_ERR_TIMEOUT)
                transcript_set_error(tr, "no opening handshake before the case deadline: %s",
                                     errmsg);
            else if (rc == 0 && hs.problem == HANDSHAKE_RESP_NOT_HTTP)
                transcript_set_error(tr, "the answer of %s to the opening handshake is %s",
                                     target->url_text, errmsg);
            else
                transcript_set_error(tr, "opening handshake with %s failed: %s", target->url_text,
                                     errmsg);
            result = RUNNER_OPEN_ERROR;
        }
        wsclient_handshake_free(&hs);
        offer_free(&offer);
        return result;
    }
    tr->http_status = hs.resp.status;
    if (hs.problem == HANDSHAKE_RESP_OK) {
        /* The 101 is valid as 6455:4.1 sees it; the permessage-deflate
         * response is judged as 7692:7 asks of a client. */
        result = runner_deflate_negotiate(ex, offer.extensions, &hs.resp) ? RUNNER_OPEN_WEBSOCKET
                                                                          : RUNNER_OPEN_JUDGED;
        if (tr->error)
            result = RUNNER_OPEN_ERROR;
    } else if (hs.problem == HANDSHAKE_RESP_NOT_101) {
        /* 6455:4.1 "If the status code received from the server is not 101,
         * the client handles the response per HTTP [RFC2616] procedures." */
        if (!about_handshake(c)) {
            char reason[100 * 4 + 4] = "";
            if (hs.resp.reason.ptr)
                handshake_escape((const uint8_t *)hs.resp.reason.ptr, hs.resp.reason.len, 100,
                                 reason, sizeof reason);
            transcript_set_error(tr,
                                 "the target did not accept the WebSocket handshake: HTTP %d %s",
                                 hs.resp.status, reason);
            result = RUNNER_OPEN_ERROR;
        }
    } else {
        /* 6455:4.1 "If the server's response does not conform to the
         * requirements for the server's handshake as defined in this section
         * and in Section 4.2.2, the client MUST _Fail the WebSocket
         * Connection_." A peer's violation, whatever the case is about. */
        char problem[480], detail[560];
        handshake_describe_problem(&hs.resp, hs.problem, offer.key, offer.protocols,
                                   offer.extensions, problem, sizeof problem);
        snprintf(detail, sizeof detail, "the 101 answer to the opening handshake is not valid: %s",
                 problem);
        struct tev ev = {
            .kind = TEV_VIOLATION, .t_us = runner_now_us(ex), .rfc = "6455:4.1", .detail = detail};
        runner_add(ex, &ev);
    }
    wsclient_handshake_free(&hs);
    offer_free(&offer);
    return result;
}

void runner_close_unwanted(struct exec *ex) {
    /* A 101 where the case wanted a refusal: the judge fails the case; the
     * connection still ends cleanly, with a normal closure (6455:7.4.1
     * 1000 "indicates a normal closure"). */
    struct step close = {.kind = STEP_SEND_CLOSE};
    close.u.close.has_code = true;
    close.u.close.code = 1000;
    close.u.close.mask = MASK_RANDOM;
    runner_exec_steps(ex, &close, 1);
}
