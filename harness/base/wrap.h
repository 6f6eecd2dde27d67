/* wrap: marks a function whose unsigned arithmetic wraps on purpose (hashes,
 * PRNGs, mixing), for the fuzz build with -fsanitize=unsigned-integer-overflow
 * (CMake WSSPEC_FUZZ_UINT, docs/fuzzing.md). Unsigned wrap is defined in C
 * (C11 6.2.5p9 "a computation involving unsigned operands can never
 * overflow, because a result that cannot be represented by the resulting
 * unsigned integer type is reduced modulo the number that is one greater
 * than the largest value"), so that sanitizer reports every wrap; a wrap in a
 * length computation is a bug, one in a hash is the algorithm. Put
 * WS_WRAPS_ON_PURPOSE only on functions of the second kind, with a comment
 * saying which arithmetic wraps and why. */
#ifndef WSSPEC_WRAP_H
#define WSSPEC_WRAP_H

#if defined(__clang__)
#define WS_WRAPS_ON_PURPOSE __attribute__((no_sanitize("unsigned-integer-overflow")))
#else
#define WS_WRAPS_ON_PURPOSE /* gcc has no such sanitizer */
#endif

#endif
