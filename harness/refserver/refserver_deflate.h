/* refserver_deflate: the permessage-deflate (RFC 7692) streams of one
 * reference-server connection (private to the refserver folder).
 *
 * One inflater for the client's compressed messages, one deflater for the
 * echoes, both on codec/pmd_stream. The echo is compressed while the message
 * arrives: every octet of the message (inflated, or as received when the
 * client did not compress it) goes into the deflater at once, and only the
 * compressed echo is kept. So a connection holds zlib's state and windows,
 * plus the compressed echo of the message in progress, never the inflated
 * message.
 *
 * The agreed parameters come in plain, so that this module sees only
 * pmd_stream.h and refserver_offer.c only pmd_negotiate.h. */
#ifndef WSSPEC_REFSERVER_DEFLATE_H
#define WSSPEC_REFSERVER_DEFLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* What was agreed, per direction (7692:7.1), and how we break it on purpose. */
struct rs_deflate_params {
    unsigned server_window_bits; /* 8..15: our echoes (server_max_window_bits) */
    bool server_no_context_takeover;
    unsigned client_window_bits; /* 8..15: the client's messages (not enforced, see .c) */
    bool client_no_context_takeover;
    uint64_t inflate_cap; /* largest inflated message: above it, RS_INF_TOO_BIG */
};

enum rs_inflate_status {
    RS_INF_MORE,    /* the message goes on */
    RS_INF_DONE,    /* the message ended and inflated completely */
    RS_INF_TOO_BIG, /* it inflates past inflate_cap (stopped there) */
    RS_INF_CORRUPT, /* not a valid compressed message (7692:7.2.2) */
};

struct rs_deflate;

/* Returns 0, WS_ERR_NOMEM, or WS_ERR_ARG (window bits outside 8..15). */
int rs_deflate_new(struct rs_deflate **out, const struct rs_deflate_params *params);
void rs_deflate_free(struct rs_deflate *d);

/* Octets of the message being inflated reach this callback as they are
 * produced (at most PMD_CHUNK at a time). Returns 0 or a negative ws_error. */
typedef int (*rs_inflated_fn)(void *ctx, const uint8_t *data, size_t len);

/* Inflates the next piece of a compressed message (7692:7.2.2); `end` on
 * its last frame. *status says what happened; on CORRUPT *why names the
 * problem. Returns 0 or a negative ws_error (ours, or the callback's). */
int rs_inflate(struct rs_deflate *d, const uint8_t *data, size_t len, bool end,
               rs_inflated_fn on_data, void *ctx, enum rs_inflate_status *status, const char **why);

/* Compresses the next piece of the echo (7692:7.2.1), appending the
 * compressed octets to *echo; `end` finishes the message (the 00 00 ff ff
 * tail removed). Returns 0 or a negative ws_error. */
int rs_deflate_echo(struct rs_deflate *d, const uint8_t *data, size_t len, bool end,
                    struct buf *echo);

#endif
