/* empty_fuzzer: the baseline of bench/fuzz_targets.sh, a libFuzzer target
 * that does nothing with its input, built with the same flags as the real
 * ones (ASan+UBSan, coverage): its exec/s is what libFuzzer itself costs
 * (mutation, copying, coverage bookkeeping) on the same seeds and max_len. */
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    (void)data;
    (void)size;
    return 0;
}
