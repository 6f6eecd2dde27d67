/* pmd_stream: permessage-deflate per-message compression (7692:7.2.1) and
 * incremental decompression (7692:7.2.2) on zlib raw DEFLATE (negative
 * windowBits: no zlib header or trailer).
 *
 * Window bits 8 when compressing. zlib refuses raw deflate with windowBits 8
 * (deflateInit2 returns Z_STREAM_ERROR) and uses 9 instead. That is still
 * safe for a peer that allows only 2^8 octets: zlib never emits a distance
 * above MAX_DIST = w_size - MIN_LOOKAHEAD = 512 - 262 = 250 octets
 * (deflate.h), under the 256 the peer keeps. 7692:7.1.2.1 bounds the
 * window only from above ("a client limits the LZ77 sliding window size
 * that the server will use to compress messages"), and the octets this
 * compressor references all lie within the last 2^8.
 * pmd_stream_test checks it with an exact inflater (strict_window, 8 bits).
 *
 * Window detection when decompressing. zlib's inflate reports "invalid
 * distance too far back" when a distance exceeds the window it holds plus
 * the octets already written by the same inflate() call. We produce at most
 * 2^window_bits octets per call, so a distance above 2^(window_bits+1) is
 * always caught, one between 2^window_bits and 2^(window_bits+1) only when
 * it reaches past what that call wrote. With strict_window each call
 * produces one octet and every distance beyond 2^window_bits is caught
 * (zlib's slow path checks each match against window + this call's output).
 * For 15 bits nothing is lost: DEFLATE has no distance beyond 32768. */
#include "codec/pmd_stream.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/errors.h"

/* 7692:7.2.1 step 3: "Remove 4 octets (that are 0x00 0x00 0xff 0xff) from the tail end." */
static const uint8_t pmd_tail[4] = {0x00, 0x00, 0xff, 0xff};

static bool window_bits_ok(unsigned bits) {
    return bits >= PMD_MIN_WINDOW_BITS && bits <= PMD_MAX_WINDOW_BITS;
}

/* ---- compression ---- */

struct pmd_deflater {
    z_stream z;
    bool no_context_takeover;
    bool in_message; /* a piece of the current message was compressed */
    bool emitted;    /* zlib produced octets for the current message */
    uint8_t held[4]; /* the last octets produced: maybe the tail to remove */
    size_t held_len;
    uint8_t out[PMD_CHUNK];
};

int pmd_deflater_new(struct pmd_deflater **out, const struct pmd_direction *dir, int level) {
    if (!out)
        return WS_ERR_ARG;
    *out = NULL;
    if (!dir || !window_bits_ok(dir->window_bits) || level < -1 || level > 9)
        return WS_ERR_ARG;
    struct pmd_deflater *d = calloc(1, sizeof *d);
    if (!d)
        return WS_ERR_NOMEM;
    /* 8 -> 9: see the comment at the top (zlib cannot do raw 8). */
    int bits = dir->window_bits == 8 ? 9 : (int)dir->window_bits;
    int rc = deflateInit2(&d->z, level, Z_DEFLATED, -bits, 8, Z_DEFAULT_STRATEGY);
    if (rc != Z_OK) {
        free(d);
        return rc == Z_MEM_ERROR ? WS_ERR_NOMEM : WS_ERR_INTERNAL;
    }
    d->no_context_takeover = dir->no_context_takeover;
    *out = d;
    return WS_OK;
}

void pmd_deflater_free(struct pmd_deflater *d) {
    if (!d)
        return;
    deflateEnd(&d->z);
    free(d);
}

/* Passes produced octets on, always keeping the last four back: at the
 * message end they are the 00 00 ff ff to remove. */
static int deflate_emit(struct pmd_deflater *d, const uint8_t *p, size_t n, pmd_sink_fn sink,
                        void *ctx) {
    if (n == 0)
        return WS_OK;
    size_t total = d->held_len + n;
    if (total <= 4) {
        memcpy(d->held + d->held_len, p, n);
        d->held_len = total;
        return WS_OK;
    }
    size_t release = total - 4; /* octets that can no longer be part of the tail */
    size_t from_held = release < d->held_len ? release : d->held_len;
    if (from_held > 0) {
        int rc = sink(ctx, d->held, from_held);
        if (rc < 0)
            return rc;
    }
    size_t from_new = release - from_held;
    if (from_new > 0) {
        int rc = sink(ctx, p, from_new);
        if (rc < 0)
            return rc;
    }
    /* The new held octets: what is left of held, then the rest of p. */
    uint8_t keep[4];
    size_t k = 0;
    for (size_t i = from_held; i < d->held_len; i++)
        keep[k++] = d->held[i];
    for (size_t i = from_new; i < n; i++)
        keep[k++] = p[i];
    memcpy(d->held, keep, k);
    d->held_len = k;
    return WS_OK;
}

int pmd_deflate(struct pmd_deflater *d, const uint8_t *data, size_t len, bool message_end,
                pmd_sink_fn sink, void *sink_ctx) {
    if (!d || !sink || (!data && len > 0))
        return WS_ERR_ARG;
    if (!d->in_message) {
        d->in_message = true;
        d->emitted = false;
        d->held_len = 0;
    }
    /* 7692:7.2.1 step 1 "Compress all the octets of the payload of the
     * message using DEFLATE." Step 2 "If the resulting data does not end
     * with an empty DEFLATE block with no compression (the "BTYPE" bits are
     * set to 00), append an empty DEFLATE block with no compression to the
     * tail end." Z_SYNC_FLUSH always ends the output with exactly that
     * block, so step 2 always holds at the message end. */
    int flush = message_end ? Z_SYNC_FLUSH : Z_NO_FLUSH;
    d->z.next_in = (Bytef *)(uintptr_t)data;
    d->z.avail_in = 0;
    size_t left = len;
    for (;;) {
        if (d->z.avail_in == 0 && left > 0) {
            uInt take = left > (size_t)UINT32_MAX / 2 ? (uInt)(UINT32_MAX / 2) : (uInt)left;
            d->z.avail_in = take;
            left -= take;
        }
        d->z.next_out = d->out;
        d->z.avail_out = sizeof d->out;
        int rc = deflate(&d->z, left > 0 ? Z_NO_FLUSH : flush);
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            return WS_ERR_INTERNAL; /* Z_STREAM_ERROR: our misuse of zlib */
        size_t got = sizeof d->out - d->z.avail_out;
        d->emitted = d->emitted || got > 0;
        int erc = deflate_emit(d, d->out, got, sink, sink_ctx);
        if (erc < 0)
            return erc;
        if (d->z.avail_out != 0 && d->z.avail_in == 0 && left == 0)
            break; /* zlib had room left: all input taken, flush done */
    }
    if (!message_end)
        return WS_OK;
    d->in_message = false;
    if (!d->emitted) {
        /* An empty message right after a flush: zlib has nothing to do and
         * writes nothing (deflate() returns Z_BUF_ERROR for a repeated
         * Z_SYNC_FLUSH). The stream stands at a byte boundary between
         * blocks, so step 2 appends the empty stored block 00 00 00 ff ff
         * and step 3 leaves 00, the empty message of 7692:7.2.3.6. */
        static const uint8_t empty_block = 0x00;
        return sink(sink_ctx, &empty_block, 1);
    }
    /* Step 3: the held octets are the tail of the sync flush's empty block. */
    if (d->held_len != 4 || memcmp(d->held, pmd_tail, 4) != 0)
        return WS_ERR_INTERNAL;
    d->held_len = 0;
    /* 7692:7.1.1.1 / 7.1.1.2: with no_context_takeover the sender "MUST
     * start compressing each new message with an empty LZ77 sliding window". */
    if (d->no_context_takeover && deflateReset(&d->z) != Z_OK)
        return WS_ERR_INTERNAL;
    return WS_OK;
}

/* ---- decompression ---- */

struct pmd_inflater {
    z_stream z;
    unsigned window_bits;
    bool no_context_takeover;
    bool strict_window;
    bool stopped;     /* CAP or PROBLEM: refuse further input */
    bool in_message;  /* a piece of the current message was fed */
    bool at_boundary; /* zlib stands between two DEFLATE blocks */
    uint64_t cap;
    uint64_t produced; /* inflated octets of this message */
    uint64_t consumed; /* compressed octets of this message */
    uint8_t *window;   /* 2^window_bits octets, kept over a BFINAL stream end */
    uint8_t out[PMD_CHUNK];
};

int pmd_inflater_new(struct pmd_inflater **out, const struct pmd_direction *dir,
                     const struct pmd_inflater_options *opt) {
    if (!out)
        return WS_ERR_ARG;
    *out = NULL;
    if (!dir || !opt || !window_bits_ok(dir->window_bits))
        return WS_ERR_ARG;
    struct pmd_inflater *inf = calloc(1, sizeof *inf);
    if (!inf)
        return WS_ERR_NOMEM;
    /* Only context takeover keeps the window over a BFINAL stream end. */
    if (!dir->no_context_takeover)
        inf->window = malloc((size_t)1 << dir->window_bits);
    /* zlib inflates raw DEFLATE with windowBits 8 (only deflate refuses it). */
    int rc = inf->window || dir->no_context_takeover ? inflateInit2(&inf->z, -(int)dir->window_bits)
                                                     : Z_MEM_ERROR;
    if (rc != Z_OK) {
        free(inf->window);
        free(inf);
        return rc == Z_MEM_ERROR ? WS_ERR_NOMEM : WS_ERR_INTERNAL;
    }
    inf->window_bits = dir->window_bits;
    inf->no_context_takeover = dir->no_context_takeover;
    inf->strict_window = opt->strict_window;
    inf->cap = opt->max_message_octets;
    inf->at_boundary = true;
    *out = inf;
    return WS_OK;
}

void pmd_inflater_free(struct pmd_inflater *inf) {
    if (!inf)
        return;
    inflateEnd(&inf->z);
    free(inf->window);
    free(inf);
}

/* A stream ended with a BFINAL block. 7692:7.2.1: "An endpoint MAY use both
 * DEFLATE blocks with the "BFINAL" bit set to 0 and DEFLATE blocks with the
 * "BFINAL" bit set to 1." ... "The next DEFLATE block follows the padded
 * data if any." So what follows is a new DEFLATE stream; under context
 * takeover it may still reference the octets before, so the window is kept. */
static int restart_stream(struct pmd_inflater *inf) {
    uInt have = 0;
    if (!inf->no_context_takeover && inflateGetDictionary(&inf->z, inf->window, &have) != Z_OK)
        return WS_ERR_INTERNAL;
    if (inflateReset(&inf->z) != Z_OK)
        return WS_ERR_INTERNAL;
    if (have > 0 && inflateSetDictionary(&inf->z, inf->window, have) != Z_OK)
        return WS_ERR_INTERNAL;
    inf->at_boundary = true;
    return WS_OK;
}

static enum pmd_inflate_problem data_error_problem(const z_stream *z) {
    /* zlib's only way to tell this error apart is its message (inflate.c
     * and inffast.c, every version since 1.2.3.5). */
    if (z->msg && strcmp(z->msg, "invalid distance too far back") == 0)
        return PMD_INFLATE_TOO_FAR_BACK;
    return PMD_INFLATE_CORRUPT;
}

/* Room for one inflate() call: a window's worth at most (see the top
 * comment), one octet when strict, and never more than cap + 1 octets in
 * all, so the cap is checked on what is produced, whatever the compressed
 * size says. */
static size_t out_room(const struct pmd_inflater *inf) {
    size_t room = inf->strict_window ? 1 : (size_t)1 << inf->window_bits;
    if (room > sizeof inf->out)
        room = sizeof inf->out;
    uint64_t below_cap = inf->cap - inf->produced; /* produced <= cap always */
    return below_cap < room ? (size_t)below_cap + 1 : room;
}

/* Inflates one input piece to the sink, and all the output it leads to.
 * Returns a ws_error (< 0), or 0 with res->state MORE (piece used up), CAP
 * or PROBLEM. */
static int inflate_piece(struct pmd_inflater *inf, const uint8_t *data, size_t len,
                         pmd_sink_fn sink, void *ctx, struct pmd_inflate_result *res) {
    size_t left = len;
    inf->z.next_in = (Bytef *)(uintptr_t)data;
    inf->z.avail_in = 0;
    for (;;) {
        if (inf->z.avail_in == 0 && left > 0) {
            uInt take = left > (size_t)UINT32_MAX / 2 ? (uInt)(UINT32_MAX / 2) : (uInt)left;
            inf->z.avail_in = take;
            left -= take;
        }
        size_t room = out_room(inf);
        uInt in_before = inf->z.avail_in;
        inf->z.next_out = inf->out;
        inf->z.avail_out = (uInt)room;
        int rc = inflate(&inf->z, Z_SYNC_FLUSH);
        size_t used = in_before - inf->z.avail_in;
        size_t got = room - inf->z.avail_out;
        inf->consumed += used;
        if (rc == Z_MEM_ERROR)
            return WS_ERR_NOMEM;
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR && rc != Z_DATA_ERROR)
            return WS_ERR_INTERNAL; /* Z_STREAM_ERROR, Z_NEED_DICT: not for raw */
        /* What was decoded before an error is passed on too, so the octets
         * the sink gets never depend on how the input was split. */
        if (got > inf->cap - inf->produced) {
            res->state = PMD_IN_CAP;
            got = (size_t)(inf->cap - inf->produced);
        }
        if (got > 0) {
            int src = sink(ctx, inf->out, got);
            if (src < 0)
                return src;
            inf->produced += got;
        }
        if (res->state == PMD_IN_CAP)
            return WS_OK;
        if (rc == Z_DATA_ERROR) {
            res->state = PMD_IN_PROBLEM;
            res->problem = data_error_problem(&inf->z);
            return WS_OK;
        }
        /* data_type + 128: "inflate() returned immediately after decoding an
         * end-of-block code or decoding the complete header" (zlib.h). */
        inf->at_boundary = (inf->z.data_type & 128) != 0;
        bool input_done = inf->z.avail_in == 0 && left == 0;
        if (rc == Z_STREAM_END) {
            int rrc = restart_stream(inf);
            if (rrc < 0)
                return rrc;
            if (input_done)
                return WS_OK;
            continue;
        }
        if (got > 0 && got == room)
            continue; /* output full: more may be pending in zlib */
        if (input_done)
            return WS_OK;
        if (used == 0 && got == 0)
            return WS_ERR_INTERNAL; /* no progress with input and room: a bug */
    }
}

int pmd_inflate(struct pmd_inflater *inf, const uint8_t *data, size_t len, bool message_end,
                pmd_sink_fn sink, void *sink_ctx, struct pmd_inflate_result *res) {
    if (!inf || !sink || !res || (!data && len > 0) || inf->stopped)
        return WS_ERR_ARG;
    memset(res, 0, sizeof *res);
    if (!inf->in_message) {
        inf->in_message = true;
        inf->produced = 0;
        inf->consumed = 0;
        /* 7692:7.1.1.1 / 7.1.1.2: under no_context_takeover the peer starts
         * each message with an empty window, so ours starts empty too and a
         * reference into the previous message is too far back. */
        if (inf->no_context_takeover && inflateReset(&inf->z) != Z_OK)
            return WS_ERR_INTERNAL;
        inf->at_boundary = true;
    }
    int rc = len > 0 ? inflate_piece(inf, data, len, sink, sink_ctx, res) : WS_OK;
    if (rc == WS_OK && res->state == PMD_IN_MORE && message_end) {
        /* 7692:7.2.2 step 1: "Append 4 octets of 0x00 0x00 0xff 0xff to the
         * tail end of the payload of the message." Step 2: "Decompress the
         * resulting data using DEFLATE." */
        uint64_t consumed = inf->consumed;
        rc = inflate_piece(inf, pmd_tail, sizeof pmd_tail, sink, sink_ctx, res);
        inf->consumed = consumed; /* the tail is ours, not the peer's */
        if (rc == WS_OK && res->state == PMD_IN_MORE) {
            /* The sender removed exactly the 4 octets of an empty stored
             * block (7692:7.2.1 steps 2-3), so with them back the data ends
             * between two blocks; anything else is a cut-off block. */
            if (!inf->at_boundary) {
                res->state = PMD_IN_PROBLEM;
                res->problem = PMD_INFLATE_NOT_AT_BOUNDARY;
            } else {
                res->state = PMD_IN_DONE;
            }
        }
    }
    res->message_octets = inf->produced;
    res->input_offset = inf->consumed;
    if (rc < 0 || res->state == PMD_IN_CAP || res->state == PMD_IN_PROBLEM)
        inf->stopped = true;
    else if (res->state == PMD_IN_DONE)
        inf->in_message = false;
    return rc;
}

const char *pmd_inflate_problem_name(enum pmd_inflate_problem p) {
    switch (p) {
    case PMD_INFLATE_OK: return "ok";
    case PMD_INFLATE_CORRUPT: return "corrupt-deflate";
    case PMD_INFLATE_TOO_FAR_BACK: return "distance-too-far-back";
    case PMD_INFLATE_NOT_AT_BOUNDARY: return "not-at-block-boundary";
    }
    return "unknown";
}

const char *pmd_inflate_state_name(enum pmd_inflate_state s) {
    switch (s) {
    case PMD_IN_MORE: return "more";
    case PMD_IN_DONE: return "done";
    case PMD_IN_CAP: return "cap";
    case PMD_IN_PROBLEM: return "problem";
    }
    return "unknown";
}
