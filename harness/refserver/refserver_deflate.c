/* refserver_deflate: the inflater and deflater of one reference-server
 * connection, on codec/pmd_stream (see refserver_deflate.h).
 *
 * Faults that touch compression (keep-context, ignore-server-window-bits,
 * inflate-unbounded) arrive here already folded into the parameters by the
 * caller, so this file knows no fault. */
#include "refserver/refserver_deflate.h"

#include <stdlib.h>

#include "base/errors.h"
#include "codec/pmd_stream.h"

/* zlib's level 1: an echo server gains nothing from a better ratio, and the
 * full Autobahn compression profile pushes gigabytes through it. Every
 * window size and the context rules are honoured at any level. */
enum { ECHO_DEFLATE_LEVEL = 1 };

struct rs_deflate {
    struct pmd_inflater *inflater; /* the client's messages */
    struct pmd_deflater *deflater; /* our echoes */
};

int rs_deflate_new(struct rs_deflate **out, const struct rs_deflate_params *params) {
    *out = NULL;
    struct rs_deflate *d = calloc(1, sizeof *d);
    if (d == NULL)
        return WS_ERR_NOMEM;
    /* The client's messages inflate with the largest window, whatever
     * client_max_window_bits says: a client that compresses with a larger
     * window than agreed is not detected. RFC 7692 gives the receiver no
     * duty to detect it, and zlib cannot do it exactly short of one octet
     * per call (pmd_stream.c): with a smaller window, a distance between
     * 2^bits and 2^(bits+1) would be caught or not depending on how the
     * frames were split, so the same bytes could be echoed or refused.
     * With 15 bits every check is exact (DEFLATE has no longer distance):
     * under client_no_context_takeover (7692:7.1.1.2, 7.2.1: the client
     * starts each message with an empty LZ77 window) the inflater starts
     * each message empty, and a reference before the message start always
     * fails. Cost: 32 KiB of window per connection. */
    (void)params->client_window_bits;
    struct pmd_direction in = {.window_bits = 15,
                               .no_context_takeover = params->client_no_context_takeover};
    struct pmd_inflater_options in_opt = {.max_message_octets = params->inflate_cap};
    /* 7692:7.1.2.1 "a client limits the LZ77 sliding window size that the
     * server will use to compress messages"; 7692:7.1.1.1 under
     * server_no_context_takeover the server "MUST start compressing each new
     * message with an empty LZ77 sliding window". A window of 8 compresses
     * with zlib's 9, whose distances never exceed 250 (pmd_stream.c). */
    struct pmd_direction echo = {.window_bits = params->server_window_bits,
                                 .no_context_takeover = params->server_no_context_takeover};
    int rc = pmd_inflater_new(&d->inflater, &in, &in_opt);
    if (rc == 0)
        rc = pmd_deflater_new(&d->deflater, &echo, ECHO_DEFLATE_LEVEL);
    if (rc != 0) {
        rs_deflate_free(d);
        return rc;
    }
    *out = d;
    return 0;
}

void rs_deflate_free(struct rs_deflate *d) {
    if (d == NULL)
        return;
    pmd_inflater_free(d->inflater);
    pmd_deflater_free(d->deflater);
    free(d);
}

int rs_inflate(struct rs_deflate *d, const uint8_t *data, size_t len, bool end,
               rs_inflated_fn on_data, void *ctx, enum rs_inflate_status *status,
               const char **why) {
    struct pmd_inflate_result res;
    *status = RS_INF_MORE;
    *why = NULL;
    int rc = pmd_inflate(d->inflater, data, len, end, on_data, ctx, &res);
    if (rc != 0)
        return rc;
    switch (res.state) {
    case PMD_IN_MORE: *status = RS_INF_MORE; break;
    case PMD_IN_DONE: *status = RS_INF_DONE; break;
    case PMD_IN_CAP: *status = RS_INF_TOO_BIG; break;
    case PMD_IN_PROBLEM:
        *status = RS_INF_CORRUPT;
        *why = pmd_inflate_problem_name(res.problem);
        break;
    }
    return 0;
}

static int append_to_buf(void *ctx, const uint8_t *data, size_t len) {
    return buf_append(ctx, data, len);
}

int rs_deflate_echo(struct rs_deflate *d, const uint8_t *data, size_t len, bool end,
                    struct buf *echo) {
    return pmd_deflate(d->deflater, data, len, end, append_to_buf, echo);
}
