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
    "$root/harness/mask.c" "$root/harness/frame.c" "$root/harness/frame_write.c" \
    "$root/harness/buf.c" "$root/harness/errors.c" "$root/harness/clock.c" \
    "$root/harness/prng.c" \
    -o "$tmp/bench_codec"

echo "$("$cc" --version | head -n 1); flags: ${CFLAGS:--O2}; $(uname -m)"
"$tmp/bench_codec" "${1:-0.5}"
