/* pmd_params_fuzz: the permessage-deflate negotiation on arbitrary header
 * values. The input is split at its first NUL: before it, the client's
 * offers; after it, a server's response. Invariants, any broken one aborts:
 * - every span the parser keeps lies inside the input, names are non-empty;
 * - a parse that fails on our limit reports no problem;
 * - a valid offer's params written out and parsed again give the same params;
 * - the server's response to the offers, written out, is accepted by the
 *   client check against the same offers with the same settings, and has
 *   client_max_window_bits only when the offer had it (7692:7.1.2.2);
 * - the client check's verdict on the response never crashes, and agreed
 *   window bits are within 8..15. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/pmd_negotiate.h"

static void fail(const char *what) {
    fprintf(stderr, "pmd_params_fuzz: invariant broken: %s\n", what);
    abort();
}

static struct pmd_ext_list offers_list, resp_list, again_list;

static void check_spans(const struct pmd_ext_list *l, const char *v, size_t len) {
    for (size_t i = 0; i < l->count; i++) {
        const struct pmd_ext_element *e = &l->elements[i];
        if (e->name.len == 0 || e->name.ptr < v || e->name.ptr + e->name.len > v + len)
            fail("element name outside the value");
        for (size_t k = 0; k < e->param_count; k++) {
            const struct pmd_ext_param *p = &e->params[k];
            if (p->name.len == 0 || p->name.ptr < v || p->name.ptr + p->name.len > v + len)
                fail("parameter name outside the value");
            if (p->has_value &&
                (p->value.len == 0 || p->value.ptr < v || p->value.ptr + p->value.len > v + len))
                fail("parameter value outside the value");
        }
    }
}

static void check_settings(const struct pmd_settings *s) {
    if (s->server_max_window_bits < 8 || s->server_max_window_bits > 15 ||
        s->client_max_window_bits < 8 || s->client_max_window_bits > 15)
        fail("agreed window bits outside 8..15");
}

static void same_params(const struct pmd_params *a) {
    char text[256];
    size_t n = pmd_params_write(a, text, sizeof text);
    if (n == 0)
        fail("params do not fit 256 octets");
    memset(&again_list, 0, sizeof again_list);
    if (pmd_ext_parse(text, n, &again_list) != 0 || again_list.problem != PMD_P_OK ||
        again_list.count != 1)
        fail("written params do not parse");
    struct pmd_params b;
    if (pmd_params_parse(&again_list.elements[0], PMD_OFFER, &b) != PMD_P_OK ||
        memcmp(a, &b, sizeof b) != 0)
        fail("written params parse to other params");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *v = (const char *)data;
    const char *nul = memchr(v, 0, size);
    size_t offer_len = nul ? (size_t)(nul - v) : size;
    const char *resp = nul ? nul + 1 : v + size;
    size_t resp_len = nul ? size - offer_len - 1 : 0;

    memset(&offers_list, 0, sizeof offers_list);
    int rc = pmd_ext_parse(v, offer_len, &offers_list);
    if (rc != 0 && offers_list.problem != PMD_P_OK)
        fail("a limit error with a problem");
    if (rc == 0 && offers_list.problem == PMD_P_OK)
        check_spans(&offers_list, v, offer_len);
    if (offers_list.problem != PMD_P_OK && offers_list.problem_offset > offer_len)
        fail("problem offset past the value");

    struct pmd_params offers[PMD_EXT_MAX_ELEMENTS];
    size_t count = 0;
    for (size_t i = 0; rc == 0 && i < offers_list.count; i++) {
        if (!pmd_span_is(offers_list.elements[i].name, PMD_EXTENSION_NAME))
            continue;
        if (pmd_params_parse(&offers_list.elements[i], PMD_OFFER, &offers[count]) != PMD_P_OK)
            continue;
        same_params(&offers[count]);
        count++;
    }

    /* The server role with a few configurations taken from the first octet. */
    uint8_t k = size ? data[0] : 0;
    struct pmd_server_config cfg = {
        true,          (uint8_t)(8 + (k & 7)),        8, (k & 8) != 0, (k & 16) != 0,
        (k & 32) != 0, (uint8_t)(15 - ((k >> 6) & 3))};
    cfg.server_min_window_bits = (k & 1) ? 9 : 8;
    if (cfg.server_min_window_bits > cfg.server_max_window_bits)
        cfg.server_min_window_bits = cfg.server_max_window_bits;
    struct pmd_server_result sres;
    if (rc == 0) {
        if (pmd_server_respond(&offers_list, &cfg, &sres) != 0)
            fail("server_respond rejected a valid config");
        if (sres.accepted) {
            check_settings(&sres.settings);
            /* Which valid offer is it among offers[]? */
            struct pmd_params chosen;
            if (pmd_params_parse(&offers_list.elements[sres.element_index], PMD_OFFER, &chosen) !=
                PMD_P_OK)
                fail("server accepted an invalid offer");
            if (sres.response.has_client_max_window_bits && !chosen.has_client_max_window_bits)
                fail("7692:7.1.2.2 client_max_window_bits in a response to an offer without it");
            char text[256];
            size_t n = pmd_params_write(&sres.response, text, sizeof text);
            memset(&resp_list, 0, sizeof resp_list);
            if (n == 0 || pmd_ext_parse(text, n, &resp_list) != 0)
                fail("server response does not parse");
            struct pmd_client_result cres;
            if (pmd_client_check(&chosen, 1, &resp_list, &cres) != PMD_P_OK || !cres.accepted)
                fail("client rejects our own server's response");
            if (memcmp(&cres.settings, &sres.settings, sizeof cres.settings) != 0)
                fail("client and server agree on different settings");
        }
    }

    /* The client role on the response part. */
    memset(&resp_list, 0, sizeof resp_list);
    if (pmd_ext_parse(resp, resp_len, &resp_list) == 0) {
        struct pmd_client_result cres;
        enum pmd_problem p = pmd_client_check(offers, count, &resp_list, &cres);
        if (p != PMD_P_OK && cres.accepted)
            fail("accepted with a problem");
        if (cres.accepted)
            check_settings(&cres.settings);
        if (strcmp(pmd_problem_name(p), "unknown") == 0)
            fail("problem without a name");
    }
    return 0;
}
