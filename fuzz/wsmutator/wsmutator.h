/* wsmutator: a structure-aware mutator of WebSocket (RFC 6455) frame
 * sequences, for anyone's libFuzzer target. Self-contained C11 (no
 * dependency beyond libc): copy fuzz/wsmutator/ (wsmutator.[ch],
 * wsmut_edit.[ch], wsmut_mutate.c, wsmutator_libfuzzer.h) into your project,
 * or link them; README.md shows how.
 *
 * SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the wsspec authors. Permission is hereby granted, free of
 * charge, to any person obtaining a copy of this software, to deal in it
 * without restriction, provided this notice is kept. The software is provided
 * "as is", without warranty of any kind.
 *
 * A fuzz input is a *sequence*: a target configuration word, a segmentation
 * plan (chunk sizes) and up to WSMUT_MAX_ITEMS items, each a frame (every
 * header field free, payload kept unmasked) or raw bytes (garbage, truncated
 * tails). wsmut_decode never fails: any byte string is some sequence, the
 * way a TLV reader maps unknown tags to known ones. The mutator decodes,
 * mutates along the bug classes of WebSocket parsers (lengths, masks, RSV x
 * opcode x FIN, fragmentation, control frames, close payloads, UTF-8 at
 * boundaries, segmentation), and encodes again.
 *
 * Encoding, version 1 (all decoders read missing bytes as 0):
 *
 *   octet 0     format version; this decoder reads every value as version 1
 *   octets 1-8  config, 64-bit little-endian: the target's own knobs
 *   items       until the end of the input, each opening with a tag octet:
 *     tag & 3 == 0  frame:  b0 = FIN|RSV1|RSV2|RSV3|opcode (as on the wire)
 *                           b1 = bit 7 masked, bits 6-5 length form
 *                                (enum wsmut_len_form), bit 4 declared
 *                                length set; bits 3-0 ignored
 *                           [4-octet masking key if masked]
 *                           [8-octet big-endian declared length if set]
 *                           varint payload length, payload (unmasked)
 *     tag & 3 == 1  raw:    varint length, bytes sent as they are
 *     tag & 3 == 2  plan:   varint count, count varints (chunk sizes)
 *     tag & 3 == 3  plan, and the plan repeats (cyclic)
 *   Varints are LEB128 (at most 10 octets). A length longer than the rest of
 *   the input takes the rest; a chunk size of 0 reads as 1; plan entries past
 *   WSMUT_MAX_CHUNKS and items past WSMUT_MAX_ITEMS are dropped (after the
 *   item limit, decoding stops). Several plan items append to one plan.
 *   wsmut_encode writes the plan first, then the items, so that
 *   decode(encode(decode(x))) == decode(x) for every x.
 */
#ifndef WSMUTATOR_H
#define WSMUTATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WSMUT_FORMAT_VERSION 1
#define WSMUT_HEADER_SIZE    9 /* version + config */
#define WSMUT_MAX_ITEMS      64
#define WSMUT_MAX_CHUNKS     64

enum wsmut_item_kind {
    WSMUT_ITEM_FRAME, /* a frame built from the fields below */
    WSMUT_ITEM_RAW,   /* payload[] sent as it is */
};

/* How the payload length is written (6455:5.2 "Payload length: 7 bits,
 * 7+16 bits, or 7+64 bits"). The value written is the declared length when
 * set, else the payload length. A forced form writes the value modulo its
 * field: FORM_7 writes the low 7 bits (so 126 and 127 announce an extended
 * length that is not there), FORM_16 writes 126 and the low 16 bits, FORM_64
 * writes 127 and all 64 bits (even with the top bit set). */
enum wsmut_len_form {
    WSMUT_LEN_MINIMAL = 0, /* the shortest form that holds the value */
    WSMUT_LEN_7 = 1,
    WSMUT_LEN_16 = 2,
    WSMUT_LEN_64 = 3,
};

struct wsmut_item {
    enum wsmut_item_kind kind;
    bool fin;
    uint8_t rsv;    /* 0..7: RSV1 = 4, RSV2 = 2, RSV3 = 1 */
    uint8_t opcode; /* 0..15 */
    bool masked;
    uint8_t mask_key[4];
    enum wsmut_len_form len_form;
    bool declared_set;     /* the header carries declared_len, not payload_len */
    uint64_t declared_len; /* any 64-bit value */
    uint8_t *payload;      /* owned (malloc); unmasked; RAW: the bytes */
    size_t payload_len;
};

struct wsmut_seq {
    uint64_t config; /* opaque to the library: the target reads it */
    size_t item_count;
    struct wsmut_item items[WSMUT_MAX_ITEMS];
    bool chunk_cyclic; /* the plan repeats; else the rest after it is one chunk */
    size_t chunk_count;
    uint32_t chunks[WSMUT_MAX_CHUNKS]; /* chunk sizes, each >= 1; none: one chunk */
};

/* Allocation failures abort(): this is a fuzzing library, and a fuzzer that
 * cannot allocate has nothing better to do. */

/* An empty sequence (config 0, no items, no plan). */
void wsmut_seq_init(struct wsmut_seq *s);
/* Free every payload; s is empty again. */
void wsmut_seq_free(struct wsmut_seq *s);
/* Replace s (initialised) with the sequence data[0..size) encodes. Never
 * fails. data borrowed. */
void wsmut_decode(struct wsmut_seq *s, const uint8_t *data, size_t size);
/* Write the encoding into out[0..cap). Returns its size; when that is above
 * cap nothing was written (call with cap 0 to learn the size). */
size_t wsmut_encode(const struct wsmut_seq *s, uint8_t *out, size_t cap);
/* True when a and b hold the same sequence. */
bool wsmut_seq_equal(const struct wsmut_seq *a, const struct wsmut_seq *b);

/* Append a frame (fin, rsv, opcode from first_octet as on the wire; payload
 * copied, may be NULL when len is 0; key used when masked) or raw bytes.
 * Returns the new item, or NULL when the sequence is full. */
struct wsmut_item *wsmut_add_frame(struct wsmut_seq *s, uint8_t first_octet, bool masked,
                                   const uint8_t key[4], const void *payload, size_t len);
struct wsmut_item *wsmut_add_raw(struct wsmut_seq *s, const void *bytes, size_t len);
/* Replace an item's payload with a copy of data[0..len) (data may alias it). */
void wsmut_item_set_payload(struct wsmut_item *it, const void *data, size_t len);

/* ---- wire bytes ------------------------------------------------------ */

/* The header octets of a frame item (2..14) into out. RFC 6455 5.2. */
size_t wsmut_frame_header(const struct wsmut_item *it, uint8_t out[14]);
/* Octets the item puts on the wire (header + payload, or the raw bytes). */
size_t wsmut_item_wire_size(const struct wsmut_item *it);
/* Write the wire bytes of the whole sequence (frames masked per 6455:5.3)
 * into out[0..cap). Returns their size; above cap nothing was written. */
size_t wsmut_serialize(const struct wsmut_seq *s, uint8_t *out, size_t cap);
/* Wire offset at which item `index` starts (index == item_count: the end). */
size_t wsmut_item_wire_offset(const struct wsmut_seq *s, size_t index);
/* The size of chunk number `index` of the plan when `remaining` wire octets
 * are left to send (1..remaining; remaining when the plan is over). */
size_t wsmut_chunk_size(const struct wsmut_seq *s, size_t index, size_t remaining);

/* What a target's LLVMFuzzerTestOneInput needs: the wire bytes in an exactly
 * sized heap buffer and where each chunk ends. */
struct wsmut_wire {
    uint64_t config;
    uint8_t *bytes; /* owned; exactly len octets (NULL when len is 0) */
    size_t len;
    size_t *chunk_ends; /* owned; chunk i is bytes[chunk_ends[i-1] .. chunk_ends[i]) */
    size_t chunk_count; /* 0 when len is 0 */
};
/* Decode data[0..size) (borrowed) into *w. Never fails. */
void wsmut_wire_from_input(const uint8_t *data, size_t size, struct wsmut_wire *w);
void wsmut_wire_free(struct wsmut_wire *w);

/* ---- mutation -------------------------------------------------------- */

/* A byte-level mutator with LLVMFuzzerMutate's contract: mutate
 * data[0..size) in place, capacity max_size, return the new size. */
typedef size_t (*wsmut_byte_mutator)(uint8_t *data, size_t size, size_t max_size);

/* The structure-level mutations (FUZZING.md section 5's bug classes). */
enum wsmut_kind {
    WSMUT_K_LENGTH_BOUNDARY, /* payload resized to 0/1/125/126/127/65535/65536.. */
    WSMUT_K_LENGTH_FORM,     /* minimal or forced 7/16/64-bit form */
    WSMUT_K_DECLARED_LENGTH, /* declared length != octets sent (+-1, 2^16, 2^31, 2^63, ..) */
    WSMUT_K_MASK,            /* mask on/off, key 0 / ff / random */
    WSMUT_K_HEADER_BITS,     /* RSV x opcode x FIN of one frame */
    WSMUT_K_FRAGMENT_SPLIT,  /* a frame split in two (continuation) */
    WSMUT_K_FRAGMENT_MERGE,  /* a frame and its continuation merged */
    WSMUT_K_CONTROL_INSERT,  /* ping/pong/close inside a fragmented message */
    WSMUT_K_CONTROL_ABUSE,   /* a control frame over 125 octets or fragmented */
    WSMUT_K_CLOSE_PAYLOAD,   /* close codes valid/reserved, 0/1 octet, bad UTF-8 reason */
    WSMUT_K_UTF8_EDGE,       /* UTF-8 edge sequence cut by a fragment or chunk boundary */
    WSMUT_K_CHUNK_PLAN,      /* 1-octet chunks, cuts inside header/length/key, random */
    WSMUT_K_PAYLOAD_BYTES,   /* one payload through the byte mutator */
    WSMUT_K_RAW,             /* garbage, truncated frame tails, raw bytes mutated */
    WSMUT_K_ITEMS,           /* insert, delete, duplicate, swap items */
    WSMUT_K_CONFIG,          /* the target's config word */
    WSMUT_K_COUNT
};

const char *wsmut_kind_name(enum wsmut_kind k); /* "length-boundary", ... */

/* libFuzzer's custom mutator contract: mutate the encoded sequence in
 * data[0..size) in place (capacity max_size), deterministic for a seed,
 * returns the new size (<= max_size). Payload octets go through the
 * built-in byte mutator. */
size_t wsmut_mutate(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
/* The same with a byte mutator of the caller's (NULL: built-in), e.g.
 * LLVMFuzzerMutate. *kinds_applied (may be NULL) gets a bit (1u << kind) per
 * mutation applied. */
size_t wsmut_mutate_with(uint8_t *data, size_t size, size_t max_size, unsigned int seed,
                         wsmut_byte_mutator bytes, uint32_t *kinds_applied);
/* libFuzzer's custom crossover contract: a child of two encoded sequences
 * (items of both, config and plan of either) into out[0..max_out_size).
 * Returns its size. */
size_t wsmut_crossover(const uint8_t *data1, size_t size1, const uint8_t *data2, size_t size2,
                       uint8_t *out, size_t max_out_size, unsigned int seed);

#endif
