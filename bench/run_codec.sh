#!/bin/sh
# run_codec.sh: build bench/bench_codec.c with gcc -O2 in a temporary
# directory (no CMake, no sanitizers) and run it.
# Usage: bench/run_codec.sh [seconds-per-kernel]   (default 0.5)
# Environment: CC (default gcc), CFLAGS (default -O2).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wsspec-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

cc=${CC:-gcc}
"$cc" ${CFLAGS:--O2} -std=c11 -Wall -Wextra -Wpedantic \
    -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I"$root/harness" \
    "$root/bench/bench_codec.c" \
    "$root/harness/codec/mask.c" "$root/harness/codec/frame.c" \
    "$root/harness/codec/frame_write.c" "$root/harness/base/buf.c" \
    "$root/harness/base/errors.c" "$root/harness/base/clock.c" "$root/harness/base/prng.c" \
    -o "$tmp/bench_codec"

echo "$("$cc" --version | head -n 1); flags: ${CFLAGS:--O2}; $(uname -m)"
"$tmp/bench_codec" "${1:-0.5}"
