/* refserver_offer: permessage-deflate negotiation for the reference server
 * (see refserver_offer.h), on codec/pmd_negotiate.
 *
 * 7692:7 "A server MUST decline an extension negotiation offer for this
 * extension if any of the following conditions are met: The negotiation
 * offer contains an extension parameter not defined for use in an offer.
 * The negotiation offer contains an extension parameter with an invalid
 * value. The negotiation offer contains multiple extension parameters with
 * the same name. The server doesn't support the offered configuration."
 * pmd_server_respond() applies exactly that; this file adds the server's
 * choices and the two negotiation faults. */
#include "refserver/refserver_offer.h"

#include <string.h>

#include "base/errors.h"
#include "codec/pmd_negotiate.h"
#include "refserver/faults.h"

/* The strict server's choices. It compresses with any window the client
 * asks for, 8 included: pmd_stream compresses "8" with zlib's 9, which never
 * emits a distance above 250, so every reference stays inside the 2^8 octets
 * the client keeps (7692:7.1.2.1 limits the window from above only). It asks
 * the client for nothing (no client_no_context_takeover, no smaller
 * client_max_window_bits) and takes server_no_context_takeover when offered. */
static const struct pmd_server_config strict_config = {
    .enabled = true,
    .server_max_window_bits = PMD_WINDOW_BITS_MAX,
    .server_min_window_bits = PMD_WINDOW_BITS_MIN,
    .support_server_no_context_takeover = true,
    .server_no_context_takeover = false,
    .client_no_context_takeover = false,
    .client_max_window_bits = PMD_WINDOW_BITS_MAX,
};

/* accept-invalid-offer: each offer with the parameters 7692:7 makes it
 * decline taken out (unknown, invalid value, the second of a name), the
 * valid rest kept in order; pmd_server_respond then accepts what is left.
 * A header that is malformed as a whole (6455:9.1 syntax) is still
 * declined: the fault is about parameters. */
static void drop_invalid_params(const struct pmd_ext_list *in, struct pmd_ext_list *out) {
    *out = *in;
    for (size_t e = 0; e < in->count; e++) {
        const struct pmd_ext_element *src = &in->elements[e];
        struct pmd_ext_element *dst = &out->elements[e];
        if (!pmd_span_is(src->name, PMD_EXTENSION_NAME))
            continue;
        dst->param_count = 0;
        for (size_t i = 0; i < src->param_count; i++) {
            struct pmd_params ignored;
            dst->params[dst->param_count++] = src->params[i];
            if (pmd_params_parse(dst, PMD_OFFER, &ignored) != PMD_P_OK)
                dst->param_count--; /* this one made the offer one to decline */
        }
    }
}

/* respond-unoffered-param breaks 7692:7.1.2.2 "If a received extension
 * negotiation offer doesn't have the "client_max_window_bits" extension
 * parameter, the corresponding extension negotiation response to the offer
 * MUST NOT include the "client_max_window_bits" extension parameter.": the
 * response gets client_max_window_bits=15 (the largest value, so what both
 * sides do stays the same; only the rule is broken). It is the one parameter
 * 7692 forbids a server to add; an offer that has it is answered as usual. */
static void add_unoffered_client_bits(const struct pmd_ext_element *offer_el,
                                      struct pmd_params *response) {
    struct pmd_params offer;
    if (pmd_params_parse(offer_el, PMD_OFFER, &offer) != PMD_P_OK ||
        offer.has_client_max_window_bits)
        return;
    response->has_client_max_window_bits = true;
    response->client_max_window_bits_has_value = true;
    response->client_max_window_bits = PMD_WINDOW_BITS_MAX;
}

int rs_offer_answer(const struct handshake_request *req, bool enabled, uint64_t faults,
                    struct rs_offer_answer *out) {
    memset(out, 0, sizeof *out);
    struct pmd_ext_list offers, lenient; /* about 11 KiB each */
    memset(&offers, 0, sizeof offers);
    for (size_t i = 0; i < req->header_count; i++) {
        const struct handshake_header *h = &req->headers[i];
        if (!handshake_view_eq_nocase(h->name, "Sec-WebSocket-Extensions"))
            continue;
        /* More elements or parameters than we keep: ours to decline. */
        if (pmd_ext_parse(h->value.ptr, h->value.len, &offers) != 0)
            return 0;
        if (offers.problem != PMD_P_OK) {
            /* 6455:4.2.1 "... including but not limited to any violations of
             * the ABNF grammar specified for the components of the
             * handshake, the server MUST stop processing the client's
             * handshake and return an HTTP response with an appropriate
             * error code (such as 400 Bad Request)." (the ABNF of 6455:9.1:
             * an empty value, an empty parameter, a quoted value that is no
             * token once unescaped) */
            out->malformed = true;
            return 0;
        }
    }
    if (!enabled)
        return 0;
    const struct pmd_ext_list *list = &offers;
    if (fault_on(faults, FAULT_ACCEPT_INVALID_OFFER)) {
        drop_invalid_params(&offers, &lenient);
        list = &lenient;
    }
    struct pmd_server_result res;
    if (pmd_server_respond(list, &strict_config, &res) != 0)
        return WS_ERR_INTERNAL;
    if (!res.accepted)
        return 0;
    if (fault_on(faults, FAULT_RESPOND_UNOFFERED_PARAM))
        add_unoffered_client_bits(&list->elements[res.element_index], &res.response);
    if (pmd_params_write(&res.response, out->response, RS_OFFER_RESPONSE_MAX) == 0)
        return WS_ERR_INTERNAL;
    out->accepted = true;
    out->agreed.server_window_bits = res.settings.server_max_window_bits;
    out->agreed.server_no_context_takeover = res.settings.server_no_context_takeover;
    out->agreed.client_window_bits = res.settings.client_max_window_bits;
    out->agreed.client_no_context_takeover = res.settings.client_no_context_takeover;
    return 0;
}
