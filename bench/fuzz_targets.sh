#!/usr/bin/env bash
# fuzz_targets.sh: the throughput (exec/s) of every in-process fuzz target
# (fuzz/<target>_fuzz.c) in the ASan+UBSan libFuzzer build, against an empty
# target (bench/empty_fuzzer.c: returns 0) built the same way.
#
# The baseline is measured in the same run, right after each target, with
# the same seeds (a fresh copy of fuzz/corpus/<target>), the same dictionary
# and max_len (fuzz/<target>.options), the same -seed and the same
# -max_total_time: the ratio target/empty says what the target's own work
# costs next to libFuzzer's (mutation, copying, coverage), whatever the load
# of this shared machine. One process at a time (no -fork/-jobs).
#
# Usage: bench/fuzz_targets.sh [SECONDS] [BUILD_DIR]
#   SECONDS    per run (default 10; two runs per target)
#   BUILD_DIR  a -DWSSPEC_FUZZ=ON build (default build-fuzz; built if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
dir=${2:-build-fuzz}
[ -x "$dir/bench_empty_fuzzer" ] ||
    scripts/build.sh "$dir" -DWSSPEC_FUZZ=ON -DWSSPEC_FUZZ_UINT=OFF -DCMAKE_C_COMPILER=clang
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run BINARY TARGET -> exec/s (libFuzzer's stat::average_exec_per_sec)
run() {
    local bin=$1 target=$2 work="$tmp/corpus-$RANDOM"
    mkdir "$work"
    cp -r "fuzz/corpus/$target/." "$work/"
    "$bin" -seed=1 -max_total_time="$seconds" -print_final_stats=1 \
        -max_len="$(sed -n 's/^max_len = //p' "fuzz/$target.options")" \
        -dict="fuzz/$(sed -n 's/^dict = //p' "fuzz/$target.options")" \
        -artifact_prefix="$tmp/" "$work" >"$tmp/log" 2>&1 ||
        { tail -30 "$tmp/log" >&2; echo "fuzz_targets: $bin failed" >&2; exit 1; }
    rm -rf "$work"
    sed -n 's/^stat::average_exec_per_sec: *//p' "$tmp/log"
}

echo "$(clang --version | head -1); ASan+UBSan libFuzzer build ($dir); $(nproc) CPUs; ${seconds}s per run"
printf '%-16s %12s %12s %8s\n' target exec/s empty_exec/s ratio
for src in fuzz/*_fuzz.c; do
    target=$(basename "$src" _fuzz.c)
    got=$(run "$dir/${target}_fuzz" "$target")
    base=$(run "$dir/bench_empty_fuzzer" "$target")
    printf '%-16s %12s %12s %8s\n' "$target" "$got" "$base" \
        "$(awk -v a="$got" -v b="$base" 'BEGIN { printf "%.4f", (b > 0 ? a / b : 0) }')"
done
