/* pmd_stream: per-message compression and decompression for
 * permessage-deflate (RFC 7692), on zlib raw DEFLATE.
 *
 * One object per direction: a pmd_deflater for the messages we send, a
 * pmd_inflater for the messages we receive. Each takes the agreed parameters
 * of its own direction (window bits 8..15, no_context_takeover); mapping
 * server_* / client_* onto the two directions is the negotiation's job.
 *
 * Pure: no I/O, no globals, no printing. Output goes to a caller-provided
 * sink in chunks of at most PMD_CHUNK octets. Memory is bounded by the
 * window size: zlib's state plus two buffers of at most 2^15 octets, never a
 * length taken from the input.
 *
 * Returns follow base/errors.h: 0 or a negative ws_error (ours: WS_ERR_ARG,
 * WS_ERR_NOMEM, WS_ERR_INTERNAL, or whatever the sink returned). What a peer
 * got wrong in a compressed message is an enum pmd_inflate_problem, reported
 * in struct pmd_inflate_result, never as a ws_error. */
#ifndef WSSPEC_PMD_STREAM_H
#define WSSPEC_PMD_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PMD_MIN_WINDOW_BITS 8    /* 7692:7.1.2.1 "a decimal integer value ... 8 to 15" */
#define PMD_MAX_WINDOW_BITS 15   /* 7692:7.1.2.1 */
#define PMD_CHUNK           4096 /* largest piece handed to a sink at once */

/* Receives output octets; returns 0, or a negative ws_error that stops the
 * call and is returned from it unchanged. */
typedef int (*pmd_sink_fn)(void *sink_ctx, const uint8_t *data, size_t len);

/* The agreed parameters of one direction. */
struct pmd_direction {
    unsigned window_bits;     /* 8..15: the LZ77 window is 2^window_bits octets */
    bool no_context_takeover; /* reset the LZ77 window at every message start */
};

/* ---- compression (messages we send) ---- */

struct pmd_deflater;

/* level: zlib's 0..9 (or -1, zlib's default). *out is NULL on failure.
 * WS_ERR_ARG for window bits outside 8..15 or a bad level. */
int pmd_deflater_new(struct pmd_deflater **out, const struct pmd_direction *dir, int level);
void pmd_deflater_free(struct pmd_deflater *d);

/* Compresses the next piece of the message being sent; message_end says this
 * is its last piece (len may be 0). The sink receives the compressed payload
 * (7692:7.2.1, the 00 00 ff ff tail removed at the message end), ready to be
 * split into frames anywhere. An empty message compresses to the single
 * octet 00 (7692:7.2.3.6). After an error the deflater is to be freed. */
int pmd_deflate(struct pmd_deflater *d, const uint8_t *data, size_t len, bool message_end,
                pmd_sink_fn sink, void *sink_ctx);

/* ---- decompression (messages we receive) ---- */

/* A peer's compressed message is not what RFC 7692 allows: verdict material. */
enum pmd_inflate_problem {
    PMD_INFLATE_OK = 0,
    PMD_INFLATE_CORRUPT,        /* not DEFLATE (RFC 1951): zlib says "invalid ..." */
    PMD_INFLATE_TOO_FAR_BACK,   /* a distance beyond the agreed window, or into the
                           * previous message under no_context_takeover */
    PMD_INFLATE_NOT_AT_BOUNDARY /* the payload + 00 00 ff ff does not end at a DEFLATE
                           * block boundary (7692:7.2.1 steps 2 and 3 not followed) */
};

enum pmd_inflate_state {
    PMD_IN_MORE = 0, /* the message goes on: feed its next piece */
    PMD_IN_DONE,     /* message_end was given and the message decompressed */
    PMD_IN_CAP,      /* the inflated size would exceed the cap: stopped there */
    PMD_IN_PROBLEM,  /* see problem */
};

struct pmd_inflate_result {
    enum pmd_inflate_state state;
    enum pmd_inflate_problem problem;
    uint64_t message_octets; /* inflated octets of this message handed to the sink so far */
    uint64_t input_offset;   /* compressed octets of this message consumed so far */
};

struct pmd_inflater_options {
    /* Largest inflated message, checked as octets are produced: at most
     * max_message_octets + 1 are ever produced, and none beyond the cap
     * reaches the sink. 0 allows no octets. */
    uint64_t max_message_octets;
    /* Produce one octet per zlib call so that every distance beyond the
     * window is caught (slow; see pmd_stream.c on window detection). */
    bool strict_window;
};

struct pmd_inflater;

int pmd_inflater_new(struct pmd_inflater **out, const struct pmd_direction *dir,
                     const struct pmd_inflater_options *opt);
void pmd_inflater_free(struct pmd_inflater *inf);

/* Feeds the next piece of a compressed message's payload (any split, down
 * to one octet; len may be 0); message_end says it is the last one, and the
 * 00 00 ff ff tail is then appended (7692:7.2.2). The result says whether
 * the message goes on, is done, hit the cap or broke a rule. After DONE the
 * next call starts the next message; after CAP or PROBLEM the inflater
 * refuses further input (WS_ERR_ARG): the connection is to be failed. */
int pmd_inflate(struct pmd_inflater *inf, const uint8_t *data, size_t len, bool message_end,
                pmd_sink_fn sink, void *sink_ctx, struct pmd_inflate_result *res);

const char *pmd_inflate_problem_name(enum pmd_inflate_problem p);
const char *pmd_inflate_state_name(enum pmd_inflate_state s);

#endif
