#!/usr/bin/env bash
# run-tests.sh: set up, build and run every test: C unit tests and fuzz corpus
# replays (ctest), end-to-end tests (pytest) against the normal build, then the
# same under AddressSanitizer + UndefinedBehaviorSanitizer, then a short
# libFuzzer smoke run of every fuzz target (FUZZ_SECONDS each, default 5),
# and a shorter one with -fsanitize=unsigned-integer-overflow (FUZZ_UINT_SECONDS).
# Installs the main job's packages and the test tools (setup.sh --tests).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests
fuzz_seconds=${FUZZ_SECONDS:-5}
# The end-to-end tests mostly wait on peers and deadlines, so they run in
# PYTEST_WORKERS processes (pytest-xdist; default 4 on any machine): each test
# has its own peers, ports and temporary directories, and every deadline is
# scaled (WSSPEC_TIMEOUT_SCALE), so a busier machine changes no verdict.
pytest=(/usr/bin/python3 -m pytest -q -p no:cacheprovider -n "${PYTEST_WORKERS:-4}" --durations=15 tests/e2e)

echo "== build (gcc, -Werror)" >&2
scripts/build.sh build
echo "== ctest" >&2
(cd build && ctest --output-on-failure -j"$(nproc)")
echo "== pytest" >&2
WSSPEC_BIN="$PWD/build/wsspec" "${pytest[@]}"

echo "== build (ASan+UBSan)" >&2
scripts/build.sh build-asan -DWSSPEC_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
echo "== ctest (sanitizers)" >&2
(cd build-asan && ctest --output-on-failure -j"$(nproc)")
echo "== pytest (sanitizers)" >&2
# The per-fault whole-corpus verdict sweeps (marked `sweep`) ran whole above;
# here a sample of each (2) is enough to run their code under the sanitizers.
WSSPEC_BIN="$PWD/build-asan/wsspec" WSSPEC_TIMEOUT_SCALE=4 WSSPEC_SWEEP_SAMPLE=2 "${pytest[@]}"

# fuzz_smoke DIR SECONDS: run every libFuzzer target of DIR for SECONDS on a
# copy of its seeds, with the dictionary and max_len of fuzz/<target>.options.
fuzz_smoke() {
    local dir=$1 seconds=$2 fuzzer target opts dict maxlen work
    for fuzzer in "$dir"/*_fuzz; do
        target=$(basename "$fuzzer" _fuzz)
        opts=fuzz/$target.options
        dict=fuzz/$(sed -n 's/^dict = //p' "$opts")
        maxlen=$(sed -n 's/^max_len = //p' "$opts")
        work=$(mktemp -d)
        cp -r "fuzz/corpus/$target/." "$work/"
        "$fuzzer" -max_len="$maxlen" -dict="$dict" -max_total_time="$seconds" -print_final_stats=1 \
            -artifact_prefix="$dir/$target-" "$work" 2>"$dir/$target.log" \
            || { tail -50 "$dir/$target.log"; echo "fuzz: $target ($dir) found a crash" >&2; exit 1; }
        echo "fuzz: $target $(grep -o 'stat::number_of_executed_units: [0-9]*' "$dir/$target.log" | awk '{print $2}') runs, no crash" >&2
        rm -rf "$work"
    done
}
# fuzz/<target>_fuzz.c: the targets (the same list as CMakeLists.txt's, ctest fuzz_files)
fuzz_targets=$(for f in fuzz/*_fuzz.c; do basename "$f" .c; done)

echo "== libFuzzer smoke (clang, ${fuzz_seconds}s per target)" >&2
scripts/build.sh build-fuzz -DWSSPEC_FUZZ=ON -DWSSPEC_FUZZ_UINT=OFF -DCMAKE_C_COMPILER=clang
# libFuzzer reads every entry of each target's dictionary (tests/check_fuzz_dict.sh)
(cd build-fuzz && ctest --output-on-failure -R '^fuzz_dict_')
fuzz_smoke build-fuzz "$fuzz_seconds"

# Unsigned wrap is no UB, so UBSan misses it, but it is the length-bug class
# of WebSocket parsers (docs/fuzzing.md): the fuzz targets once more with
# -fsanitize=unsigned-integer-overflow,implicit-conversion, FUZZ_UINT_SECONDS each
# (default 3).
echo "== libFuzzer smoke, unsigned-integer-overflow (${FUZZ_UINT_SECONDS:-3}s per target)" >&2
BUILD_TARGETS=$(echo $fuzz_targets) scripts/build.sh build-fuzz-uint -DWSSPEC_FUZZ=ON -DWSSPEC_FUZZ_UINT=ON -DCMAKE_C_COMPILER=clang
fuzz_smoke build-fuzz-uint "${FUZZ_UINT_SECONDS:-3}"
echo "run-tests: all passed" >&2
