/* refserver_offer: the reference server's answer to a client's
 * Sec-WebSocket-Extensions offers (RFC 7692 section 7.1), private to the
 * refserver folder. The only file of the folder that sees
 * codec/pmd_negotiate.h.
 *
 * The strict answer accepts the first permessage-deflate offer that is valid
 * and supported (every window size 8..15, both no_context_takeover
 * parameters), asks nothing extra of the client, and answers per 7692:7.1.
 * Two faults change the answer: accept-invalid-offer and
 * respond-unoffered-param (faults.c). */
#ifndef WSSPEC_REFSERVER_OFFER_H
#define WSSPEC_REFSERVER_OFFER_H

#include <stdbool.h>
#include <stdint.h>

#include "codec/handshake.h"
#include "refserver/refserver_deflate.h"

/* "permessage-deflate" and its four parameters fit with room to spare. */
enum { RS_OFFER_RESPONSE_MAX = 160 };

struct rs_offer_answer {
    /* A Sec-WebSocket-Extensions line outside the ABNF of 6455:9.1: the
     * handshake is to be refused (6455:4.2.1), whatever enabled says. */
    bool malformed;
    bool accepted;
    struct rs_deflate_params agreed; /* when accepted (inflate_cap left 0) */
    char response[RS_OFFER_RESPONSE_MAX +
                  1]; /* the Sec-WebSocket-Extensions value, NUL-terminated */
};

/* Answers the request's offers. enabled = false declines them all (as does a
 * header with more elements or parameters than we hold); a malformed header
 * sets out->malformed. faults: the server's fault bit set.
 * Returns 0, or WS_ERR_INTERNAL when the negotiation module refuses our own
 * configuration (a bug). */
int rs_offer_answer(const struct handshake_request *req, bool enabled, uint64_t faults,
                    struct rs_offer_answer *out);

#endif
