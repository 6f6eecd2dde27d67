/* wsmutator_libfuzzer.h: include in exactly one file of a libFuzzer target
 * to give it wsmutator's LLVMFuzzerCustomMutator and
 * LLVMFuzzerCustomCrossOver. Payload octets are mutated by LLVMFuzzerMutate
 * when libFuzzer is linked (a weak reference, so the same file also links
 * into a replay main without libFuzzer). In LLVMFuzzerTestOneInput, turn the
 * input into wire bytes and chunks with wsmut_wire_from_input (wsmutator.h).
 *
 * SPDX-License-Identifier: MIT (see wsmutator.h) */
#ifndef WSMUTATOR_LIBFUZZER_H
#define WSMUTATOR_LIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

#include "wsmutator.h"

#if defined(__GNUC__) || defined(__clang__)
__attribute__((weak))
#endif
size_t
LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2,
                                 size_t size2, uint8_t *out, size_t max_out_size,
                                 unsigned int seed);

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed) {
    wsmut_byte_mutator bytes = NULL;
#if defined(__GNUC__) || defined(__clang__)
    if (LLVMFuzzerMutate)
        bytes = LLVMFuzzerMutate;
#endif
    return wsmut_mutate_with(data, size, max_size, seed, bytes, NULL);
}

size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2,
                                 size_t size2, uint8_t *out, size_t max_out_size,
                                 unsigned int seed) {
    return wsmut_crossover(data1, size1, data2, size2, out, max_out_size, seed);
}

#endif
