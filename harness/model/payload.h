/* payload: byte strings described in case files, generated on demand so a
 * 16 MiB message needs no 16 MiB file and, when sent, no 16 MiB buffer.
 *
 * JSON forms (cases/README.md):
 *   "Hello"                          the UTF-8 bytes of the string
 *   {"text": "Hello"}                same
 *   {"hex": "ce ba e1"}              hex digits, whitespace ignored
 *   {"repeat": P, "count": N}        payload P repeated, cut to exactly N octets
 *   {"random": N, "seed": S}         N deterministic pseudo-random octets (prng, seed S)
 *   {"concat": [P, P, ...]}          the payloads one after the other
 *   {"dataset": "json", "start": S, "units": N}
 *                                    a window of a generated data set (model/dataset.h):
 *                                    N units (code points or octets) from unit S, wrapping
 * Pure: no I/O (a dataset payload reads the process-wide data set cache). */
#ifndef WSSPEC_PAYLOAD_H
#define WSSPEC_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/dataset.h"

enum payload_kind {
    PAYLOAD_BYTES,   /* literal bytes (text or hex) */
    PAYLOAD_REPEAT,  /* unit repeated to `length` octets */
    PAYLOAD_RANDOM,  /* prng(seed), `length` octets */
    PAYLOAD_CONCAT,  /* parts */
    PAYLOAD_DATASET, /* a window of a data set: dataset */
};

struct payload {
    enum payload_kind kind;
    uint64_t length;       /* total octets this payload produces */
    uint8_t *bytes;        /* BYTES: owned, `length` octets; REPEAT: the unit (owned) */
    size_t unit_len;       /* REPEAT: unit length (> 0) */
    uint64_t seed;         /* RANDOM */
    struct payload *parts; /* CONCAT: owned array */
    size_t part_count;
    struct {
        enum dataset_kind kind;
        uint64_t start; /* the first unit (taken modulo the set's units) */
        uint64_t units; /* code points (text sets) or octets (binary sets) */
    } dataset;          /* DATASET: `length` is dataset_window_octets() of it */
};

/* Copy octets [offset, offset+len) of the payload into out (offset+len <=
 * length). RANDOM is generated in 8-octet blocks addressed by offset, so any
 * window can be produced without generating what comes before. */
void payload_read(const struct payload *p, uint64_t offset, uint8_t *out, size_t len);
/* The whole payload in a new buffer (caller frees); NULL when it is larger
 * than max_len or memory runs out. */
uint8_t *payload_materialize(const struct payload *p, size_t max_len);
/* SHA-256 of the whole payload, streamed in bounded chunks. */
void payload_sha256(const struct payload *p, uint8_t out[32]);
/* Deep copy / free. */
int payload_copy(struct payload *dst, const struct payload *src);
void payload_free(struct payload *p);
/* A window of a data set: units units from unit start (dataset.h), generating
 * the set if this is its first use. Returns 0, WS_ERR_ARG (no such kind),
 * WS_ERR_NOMEM (the set could not be generated) or WS_ERR_LIMIT (the window is 2^63 octets or longer: dataset_window_fits). */
int payload_from_dataset(struct payload *p, enum dataset_kind kind, uint64_t start, uint64_t units);
/* A literal payload from bytes (copied). */
int payload_from_bytes(struct payload *p, const uint8_t *data, size_t len);

#endif
