/* mask: RFC 6455 5.3 masking, a machine word at a time.
 *
 * 6455:5.3 "Octet i of the transformed data ("transformed-octet-i") is the
 * XOR of octet i of the original data ("original-octet-i") with octet at
 * index i modulo 4 of the masking key ("masking-key-octet-j")". */
#ifndef WSSPEC_MASK_H
#define WSSPEC_MASK_H

#include <stddef.h>
#include <stdint.h>

/* XOR data[0..len) in place with key, as if data started at payload offset
 * `offset` (so a payload can be unmasked in pieces). Masking and unmasking
 * are the same operation. Works on unaligned buffers. */
void mask_apply(uint8_t *data, size_t len, const uint8_t key[4], uint64_t offset);

/* The obvious byte-at-a-time version: the reference for tests and the
 * baseline of the benchmark. */
void mask_apply_bytewise(uint8_t *data, size_t len, const uint8_t key[4], uint64_t offset);

#endif
