#!/usr/bin/env bash
# run-tests.sh: set up, build and run every test: C unit tests and fuzz corpus
# replays (ctest), end-to-end tests (pytest) against the normal build, then the
# same under AddressSanitizer + UndefinedBehaviorSanitizer, then a short
# libFuzzer smoke run of every fuzz target (FUZZ_SECONDS each, default 10).
# Installs the main job's packages and the test tools (setup.sh --tests).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests
fuzz_seconds=${FUZZ_SECONDS:-10}
# The end-to-end tests mostly wait on peers and deadlines, so they run in
# PYTEST_WORKERS processes (pytest-xdist; default 3 on any machine): each test
# has its own peers, ports and temporary directories, and every deadline is
# scaled (WSSPEC_TIMEOUT_SCALE), so a busier machine changes no verdict.
pytest=(/usr/bin/python3 -m pytest -q -p no:cacheprovider -n "${PYTEST_WORKERS:-3}" tests/e2e)

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
WSSPEC_BIN="$PWD/build-asan/wsspec" WSSPEC_TIMEOUT_SCALE=4 "${pytest[@]}"

echo "== libFuzzer smoke (clang, ${fuzz_seconds}s per target)" >&2
scripts/build.sh build-fuzz -DWSSPEC_FUZZ=ON -DCMAKE_C_COMPILER=clang
for fuzzer in build-fuzz/*_fuzz; do
    target=$(basename "$fuzzer" _fuzz)
    dict=fuzz/$target.dict; [ -f "$dict" ] || dict=""
    work=$(mktemp -d)
    cp -r "fuzz/corpus/$target/." "$work/" 2>/dev/null || true
    maxlen=""; [ "$target" = utf8 ] && maxlen="-max_len=256"
    "$fuzzer" $maxlen -max_total_time="$fuzz_seconds" -print_final_stats=1 ${dict:+-dict=$dict} \
        -artifact_prefix="build-fuzz/$target-" "$work" 2>"build-fuzz/$target.log" \
        || { tail -50 "build-fuzz/$target.log"; echo "fuzz: $target found a crash" >&2; exit 1; }
    echo "fuzz: $target $(grep -o 'stat::number_of_executed_units: [0-9]*' "build-fuzz/$target.log" | awk '{print $2}') runs, no crash" >&2
    rm -rf "$work"
done
echo "run-tests: all passed" >&2
