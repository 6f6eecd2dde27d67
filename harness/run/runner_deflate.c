/* runner_deflate: permessage-deflate (RFC 7692) on the client side of a
 * running case: the offer we send, the server's answer judged as a client
 * must judge it, our compressor for the messages we send and the inflater
 * for the peer's. The codec does the work (codec/pmd_negotiate.h,
 * codec/pmd_stream.h); this file only connects it to the case. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "codec/handshake.h"
#include "codec/pmd_negotiate.h"
#include "run/runner.h"
#include "run/runner_int.h"

/* Largest compressed message we build before sending it (a frame's length
 * comes before its payload, so a message is compressed whole first). */
#define RUNNER_MAX_PACKED (256u << 20)

/* The compression level of our compressor: zlib's fastest. The peer still
 * gets what it must inflate from any sender (dynamic Huffman blocks,
 * matches of every length, distances across the whole agreed window), and
 * our side of a full-profile run of the compression cases costs a third of
 * the CPU of zlib's default level 6 (measured: 3.1 s against 9.2 s for
 * deflate-payloads.json-131072 and .prose-131072 with --profile full). */
#define RUNNER_DEFLATE_LEVEL 1

static void offer_params(const struct deflate_offer *o, struct pmd_params *p) {
    memset(p, 0, sizeof *p);
    p->server_no_context_takeover = o->server_no_context_takeover;
    p->client_no_context_takeover = o->client_no_context_takeover;
    p->has_server_max_window_bits = o->server_max_window_bits != 0;
    p->server_max_window_bits = o->server_max_window_bits;
    p->has_client_max_window_bits = o->client_max_window_bits;
    p->client_max_window_bits_has_value = o->client_max_window_bits_value != 0;
    p->client_max_window_bits = o->client_max_window_bits_value;
}

int runner_deflate_offer_line(const struct wcase *c, char **out) {
    *out = NULL;
    if (!c->deflate.set || c->deflate.offer_count == 0)
        return 0;
    struct buf line = {0};
    for (size_t i = 0; i < c->deflate.offer_count; i++) {
        struct pmd_params p;
        char text[256];
        offer_params(&c->deflate.offers[i], &p);
        size_t n = pmd_params_write(&p, text, sizeof text);
        /* 6455:9.1: offers are a comma-separated list, in preference order. */
        if (n == 0 || (i > 0 && buf_append(&line, ", ", 2) != 0) ||
            buf_append(&line, text, n) != 0) {
            buf_free(&line);
            return n == 0 ? WS_ERR_INTERNAL : WS_ERR_NOMEM;
        }
    }
    if (buf_append(&line, "", 1) != 0) {
        buf_free(&line);
        return WS_ERR_NOMEM;
    }
    *out = (char *)line.data;
    return 0;
}

/* The offers our request made, read back from what was sent: valid ones
 * into offers[] (in order), the others counted. */
struct sent_offers {
    struct pmd_params valid[PMD_EXT_MAX_ELEMENTS];
    size_t valid_count;
    size_t invalid_count;
    enum pmd_problem first_invalid;
};

static void read_sent_offers(const char *offered, struct sent_offers *s) {
    memset(s, 0, sizeof *s);
    if (!offered)
        return;
    struct pmd_ext_list list;
    memset(&list, 0, sizeof list);
    /* A line we cannot parse whole (our cases may send any octets) still
     * offers the elements read before the problem. */
    (void)pmd_ext_parse(offered, strlen(offered), &list);
    for (size_t i = 0; i < list.count; i++) {
        if (!pmd_span_is(list.elements[i].name, PMD_EXTENSION_NAME))
            continue;
        struct pmd_params p;
        enum pmd_problem problem = pmd_params_parse(&list.elements[i], PMD_OFFER, &p);
        if (problem == PMD_P_OK) {
            s->valid[s->valid_count++] = p;
        } else if (s->invalid_count++ == 0) {
            s->first_invalid = problem;
        }
    }
}

/* Every Sec-WebSocket-Extensions line of the answer, one list. Returns 0,
 * or WS_ERR_LIMIT when the answer holds more elements than we keep. */
static int read_answer(const struct handshake_response *resp, struct pmd_ext_list *list) {
    memset(list, 0, sizeof *list);
    for (size_t i = 0; i < resp->header_count; i++) {
        if (!handshake_view_eq_nocase(resp->headers[i].name, "Sec-WebSocket-Extensions"))
            continue;
        int rc = pmd_ext_parse(resp->headers[i].value.ptr, resp->headers[i].value.len, list);
        if (rc != 0)
            return rc;
        if (list->problem != PMD_P_OK)
            break;
    }
    return 0;
}

static bool answer_has_pmd(const struct pmd_ext_list *list) {
    for (size_t i = 0; i < list->count; i++)
        if (pmd_span_is(list->elements[i].name, PMD_EXTENSION_NAME))
            return true;
    return false;
}

/* pmd_params_fuzz's input: the offers, NUL, the answer's values. */
static void record_params_seed(struct exec *ex, const char *offered,
                               const struct handshake_response *resp) {
    if (!ex->seed || !offered)
        return;
    struct buf seed = {0};
    bool first = true, ok = buf_append(&seed, offered, strlen(offered) + 1) == 0;
    for (size_t i = 0; ok && i < resp->header_count; i++) {
        if (!handshake_view_eq_nocase(resp->headers[i].name, "Sec-WebSocket-Extensions"))
            continue;
        ok = (first || buf_append(&seed, ", ", 2) == 0) &&
             buf_append(&seed, resp->headers[i].value.ptr, resp->headers[i].value.len) == 0;
        first = false;
    }
    if (ok)
        ex->seed(ex->seed_ud, "pmd_params", seed.data, seed.len);
    buf_free(&seed);
}

static void handshake_violation(struct exec *ex, const char *rfc, const char *detail) {
    struct tev ev = {
        .kind = TEV_VIOLATION, .t_us = runner_now_us(ex), .rfc = rfc, .detail = (char *)detail};
    runner_add(ex, &ev);
}

static int set_up(struct exec *ex, const struct pmd_settings *s) {
    const struct deflate_config *d = &ex->c->deflate;
    /* Our messages use the client's parameters: 7692:7.1.2.2
     * client_max_window_bits limits "the LZ77 sliding window size that the
     * client will use to compress messages"; 7692:7.1.1.2
     * client_no_context_takeover. A case may break them on purpose. */
    struct pmd_direction tx = {.window_bits = s->client_max_window_bits,
                               .no_context_takeover =
                                   s->client_no_context_takeover && !d->keep_context};
    if (d->window_bits)
        tx.window_bits = d->window_bits;
    struct pmd_direction rx = {.window_bits = s->server_max_window_bits,
                               .no_context_takeover = s->server_no_context_takeover};
    struct pmd_inflater_options opt = {.max_message_octets =
                                           ex->c->max_message ? ex->c->max_message : (64u << 20),
                                       .strict_window = d->strict_window};
    int rc = pmd_deflater_new(&ex->pmd_tx, &tx, RUNNER_DEFLATE_LEVEL);
    if (rc == 0)
        rc = pmd_inflater_new(&ex->pmd_rx, &rx, &opt);
    return rc;
}

bool runner_deflate_negotiate(struct exec *ex, const char *offered,
                              const struct handshake_response *resp) {
    struct transcript_deflate *td = &ex->tr->deflate;
    struct sent_offers *sent = malloc(sizeof *sent);
    struct pmd_ext_list *answer = malloc(sizeof *answer);
    bool ok = false;
    if (!sent || !answer) {
        runner_internal(ex, "reading the extension negotiation", WS_ERR_NOMEM);
        goto out;
    }
    read_sent_offers(offered, sent);
    record_params_seed(ex, offered, resp);
    td->offered = sent->valid_count + sent->invalid_count > 0;
    int rc = read_answer(resp, answer);
    if (rc != 0) {
        /* More elements than we keep: ours, not the peer's doing. */
        transcript_set_error(ex->tr, "the answer's Sec-WebSocket-Extensions: %s", ws_strerror(rc));
        goto out;
    }
    char why[400];
    if (answer_has_pmd(answer) && answer->problem == PMD_P_OK && sent->valid_count == 0 &&
        sent->invalid_count > 0) {
        /* 7692:7 "A server MUST decline an extension negotiation offer for
         * this extension if any of the following conditions are met: The
         * negotiation offer contains an extension parameter not defined for
         * use in an offer. The negotiation offer contains an extension
         * parameter with an invalid value. The negotiation offer contains
         * multiple extension parameters with the same name." */
        snprintf(why, sizeof why,
                 "the server accepted permessage-deflate although every offer of ours was "
                 "invalid (%s), which it MUST decline",
                 pmd_problem_name(sent->first_invalid));
        handshake_violation(ex, "7692:7", why);
        goto out;
    }
    struct pmd_client_result result;
    enum pmd_problem problem = pmd_client_check(sent->valid, sent->valid_count, answer, &result);
    if (problem != PMD_P_OK) {
        /* 7692:7 "A client MUST _Fail the WebSocket Connection_ if the peer
         * server accepted an extension negotiation offer for this extension
         * with an extension negotiation response meeting any of the
         * following conditions" (pmd_negotiate.c quotes each). */
        snprintf(why, sizeof why,
                 "the answer's permessage-deflate response is one a client MUST fail the "
                 "connection on: %s",
                 pmd_problem_name(problem));
        handshake_violation(ex, pmd_problem_section(problem), why);
        goto out;
    }
    ok = true;
    if (!result.accepted) {
        if (ex->c->deflate.set && ex->c->deflate.declined == DEFLATE_DECLINED_UNIMPLEMENTED)
            ex->skip_steps = true;
        goto out;
    }
    td->agreed = true;
    td->server_max_window_bits = result.settings.server_max_window_bits;
    td->client_max_window_bits = result.settings.client_max_window_bits;
    td->server_no_context_takeover = result.settings.server_no_context_takeover;
    td->client_no_context_takeover = result.settings.client_no_context_takeover;
    /* 7692:6 allocates RSV1 as the "Per-Message Compressed" bit. */
    ex->cl.parser.limits.allowed_rsv |= FRAME_RSV1;
    if ((rc = set_up(ex, &result.settings)) != 0) {
        runner_internal(ex, "setting up permessage-deflate", rc);
        ok = false;
    }
out:
    free(sent);
    free(answer);
    return ok;
}

void runner_deflate_free(struct exec *ex) {
    pmd_deflater_free(ex->pmd_tx);
    pmd_inflater_free(ex->pmd_rx);
    ex->pmd_tx = NULL;
    ex->pmd_rx = NULL;
}

/* ---- sending ---------------------------------------------------------------- */

static int packed_sink(void *ctx, const uint8_t *data, size_t len) {
    struct buf *out = ctx;
    if (out->len + len > RUNNER_MAX_PACKED)
        return WS_ERR_LIMIT;
    return buf_append(out, data, len);
}

int runner_deflate_message(struct exec *ex, const struct payload *p, bool standalone,
                           struct buf *out) {
    struct pmd_deflater *d = standalone ? NULL : ex->pmd_tx;
    struct pmd_deflater *own = NULL;
    if (!d) {
        /* 7692:7.2.1 with no agreement to follow: the largest window, and a
         * message of its own (no context). */
        struct pmd_direction dir = {.window_bits = 15, .no_context_takeover = true};
        int rc = pmd_deflater_new(&own, &dir, RUNNER_DEFLATE_LEVEL);
        if (rc != 0)
            return rc;
        d = own;
    }
    out->len = 0;
    int rc = 0;
    uint64_t done = 0;
    do {
        size_t n = p->length - done < RUNNER_CHUNK ? (size_t)(p->length - done) : RUNNER_CHUNK;
        if (n)
            payload_read(p, done, ex->gen, n);
        done += n;
        rc = pmd_deflate(d, ex->gen, n, done == p->length, packed_sink, out);
    } while (rc == 0 && done < p->length);
    pmd_deflater_free(own);
    if (rc == 0 && !standalone) {
        ex->tr->deflate.out_messages++;
        ex->tr->deflate.out_wire += out->len;
        ex->tr->deflate.out_payload += p->length;
    }
    return rc;
}

/* ---- receiving -------------------------------------------------------------- */

static int inflated_sink(void *ctx, const uint8_t *data, size_t len) {
    struct exec *ex = ctx;
    runner_message_data(ex, data, len);
    /* A violation in the inflated octets (UTF-8) ends the message here. */
    return runner_rx_over(ex) || ex->stop != RUN_GO ? WS_ERR_CLOSED : 0;
}

static const char *problem_rfc(enum pmd_inflate_problem p) {
    switch (p) {
    /* 7692:7.1.2.1 "a client limits the LZ77 sliding window size that the
     * server will use"; 7692:7.1.1.1 server_no_context_takeover: a distance
     * into the previous message, or past the agreed window. */
    case PMD_INFLATE_TOO_FAR_BACK: return "7692:7.1.2.1";
    /* 7692:7.2.1: the payload is what "Compress all the octets of the
     * payload of the message using DEFLATE" gave, its tail removed. */
    default: return "7692:7.2.1";
    }
}

/* pmd_inflate_fuzz's input: a config octet (low 3 bits: window bits - 8;
 * bit 3: no_context_takeover; high 4 bits: piece size, 0 = whole), then two
 * messages of equal length: this one twice. Only a message that inflates on
 * its own is one: the first of the connection, or any under
 * server_no_context_takeover (the target starts from an empty window; the
 * second copy then refers only to the first's octets, as the first did). */
static void record_inflate_seed(struct exec *ex) {
    struct buf *m = &ex->seed_msg;
    const struct transcript_deflate *d = &ex->tr->deflate;
    bool alone = d->in_messages == 1 || d->server_no_context_takeover;
    if (ex->seed && alone && m->len > 0 && m->len <= RUNNER_SEED_MAX) {
        uint8_t config = (uint8_t)((d->server_max_window_bits - 8) & 7) |
                         (d->server_no_context_takeover ? 8 : 0);
        struct buf seed = {0};
        if (buf_append(&seed, &config, 1) == 0 && buf_append(&seed, m->data, m->len) == 0 &&
            buf_append(&seed, m->data, m->len) == 0)
            ex->seed(ex->seed_ud, "pmd_inflate", seed.data, seed.len);
        buf_free(&seed);
    }
    m->len = 0;
}

void runner_inflate(struct exec *ex, const uint8_t *data, size_t len, bool message_end) {
    if (!ex->pmd_rx)
        return;
    /* One more octet than recorded: a message that outgrows it is not one. */
    if (ex->seed && len && ex->seed_msg.len <= RUNNER_SEED_MAX &&
        buf_append(&ex->seed_msg, data,
                   len < RUNNER_SEED_MAX + 1 - ex->seed_msg.len
                       ? len
                       : RUNNER_SEED_MAX + 1 - ex->seed_msg.len) != 0)
        ex->seed_msg.len = RUNNER_SEED_MAX + 1;
    struct pmd_inflate_result res;
    int rc = pmd_inflate(ex->pmd_rx, data, len, message_end, inflated_sink, ex, &res);
    if (runner_rx_over(ex) || ex->stop != RUN_GO)
        return; /* the sink saw a violation, or the case stopped */
    if (rc != 0) {
        runner_internal(ex, "inflating the peer's message", rc);
        return;
    }
    if (res.state == PMD_IN_CAP) {
        char why[200];
        snprintf(why, sizeof why,
                 "a compressed message inflating to more than the case's max_message (%llu "
                 "octets), our cap: the peer did nothing wrong",
                 (unsigned long long)(ex->c->max_message ? ex->c->max_message : (64u << 20)));
        runner_limit(ex, why);
    } else if (res.state == PMD_IN_PROBLEM) {
        char why[200];
        snprintf(why, sizeof why,
                 "a compressed message that does not inflate: %s (after %llu compressed octets)",
                 pmd_inflate_problem_name(res.problem), (unsigned long long)res.input_offset);
        runner_violation(ex, problem_rfc(res.problem), why);
    } else if (res.state == PMD_IN_DONE) {
        ex->tr->deflate.in_messages++;
        ex->tr->deflate.in_inflated += res.message_octets;
        record_inflate_seed(ex);
    }
}
