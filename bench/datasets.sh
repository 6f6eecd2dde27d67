#!/bin/sh
# datasets.sh: build bench/bench_datasets.c with gcc -O2 in a temporary
# directory (no CMake, no sanitizers) and run it: each generated data set's
# size, units, generation time and zlib ratios (cases/README.md "Data sets").
# Usage: bench/datasets.sh   Environment: CC (default gcc), CFLAGS (default -O2).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wsspec-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

cc=${CC:-gcc}
"$cc" ${CFLAGS:--O2} -std=c11 -Wall -Wextra -Wpedantic \
    -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I"$root/harness" \
    "$root/bench/bench_datasets.c" \
    "$root/harness/model/dataset.c" "$root/harness/model/dataset_gen.c" \
    "$root/harness/model/dataset_text.c" "$root/harness/model/dataset_binary.c" \
    "$root/harness/base/buf.c" "$root/harness/base/errors.c" "$root/harness/base/clock.c" \
    "$root/harness/base/prng.c" -lz -lpthread \
    -o "$tmp/bench_datasets"

echo "$("$cc" --version | head -n 1); flags: ${CFLAGS:--O2}; zlib $(printf '#include <zlib.h>\nZLIB_VERSION\n' | "$cc" -E -P - | tail -n 1); $(uname -m)"
"$tmp/bench_datasets"
