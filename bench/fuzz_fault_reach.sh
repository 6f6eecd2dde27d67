#!/bin/sh
# fuzz_fault_reach.sh [MUTANTS]: how often the mutants of `wsspec fuzz`'s
# mutator reach each fuzz-only fault of the reference server (fuzz-crash,
# fuzz-hang, fuzz-wrong-close; harness/refserver/refserver_fuzzfaults.h), in
# MUTANTS (default 100000) mutants for each of the seeds 2, 3 and 4
# (SEEDS to change them). Builds bench/fuzz_fault_reach.c with gcc against
# build/libwsspec_core.a (BUILD to change it; scripts/build.sh first). When
# the library has no fuzz_mutate yet, MUTATOR_SRC names the mutator's .c
# files and MUTATOR_INC the folder of their private headers.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build}
lib=$build/libwsspec_core.a
[ -f "$lib" ] || { echo "fuzz_fault_reach: no $lib (scripts/build.sh first)" >&2; exit 2; }
extra=
if ! nm "$lib" 2>/dev/null | grep -q ' T fuzz_mutate$'; then
    [ -n "${MUTATOR_SRC:-}" ] || {
        echo "fuzz_fault_reach: $lib has no fuzz_mutate: set MUTATOR_SRC (and MUTATOR_INC)" >&2
        exit 2
    }
    extra=$MUTATOR_SRC
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wsspec-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

cc=${CC:-gcc}
# shellcheck disable=SC2086
"$cc" ${CFLAGS:--O2} -std=c11 -Wall -Wextra -D_GNU_SOURCE -I"$root/harness" -I"$root" \
    ${MUTATOR_INC:+-I"$MUTATOR_INC"} "$root/bench/fuzz_fault_reach.c" $extra "$lib" \
    -ljansson -lssl -lcrypto -lz -lm -lpthread -o "$tmp/fuzz_fault_reach"
for seed in ${SEEDS:-2 3 4}; do
    echo "seed $seed:"
    "$tmp/fuzz_fault_reach" "${1:-100000}" "$seed" "$root/cases"
done
