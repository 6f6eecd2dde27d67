#!/usr/bin/env bash
# fuzz_coverage.sh: coverage reached by the structure-aware fuzz targets
# (frame_parse_sa, refserver_conn_sa: fuzz/wsmutator/) against the raw-byte
# targets of the same code (frame_parse, refserver_conn), in the same run,
# with the same time budget and the same seeds: the encoded sequences of
# fuzz/corpus/<target>_sa/, and for the raw target the same wire bytes with
# its own config octets in front (fuzz/sa_seeds.c `raw`).
#
# Each repetition runs, one after the other on one core, raw then
# structure-aware, each from a fresh copy of the seeds. Reported per run and
# as the median over the repetitions, with the ratio structure-aware / raw:
#   cov, ft   libFuzzer's final `cov:` (edges) and `ft:` (features); the
#             mutator library is not coverage-instrumented, the harnesses are
#   lines, branches
#             llvm-cov over harness/ (the code under test, not the harness):
#             the final corpus replayed by a -fprofile-instr-generate build
#   execs/s   libFuzzer's average
#
# Usage: bench/fuzz_coverage.sh [SECONDS] [REPETITIONS] [PAIRS] [SEEDS]
#   SECONDS per run (default 60), REPETITIONS (default 3),
#   PAIRS any of frame_parse,refserver_conn (default both),
#   SEEDS all (default: fuzz/corpus/<pair>_sa/) or hello (only the first
#         seed of fuzz/sa_seeds.c, one masked text frame "Hello": how far
#         each fuzzer gets from almost nothing)
# Needs clang, llvm-profdata, llvm-cov (Debian clang-14 ships them).
# Builds into build-fuzz/ (-DWSSPEC_FUZZ=ON) and build-cov/ (coverage).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
reps=${2:-3}
pairs=${3:-frame_parse,refserver_conn}
pairs=${pairs//,/ }
seeds=${4:-all}
profdata=$(command -v llvm-profdata || command -v llvm-profdata-14)
llvmcov=$(command -v llvm-cov || command -v llvm-cov-14)

targets=""
for p in $pairs; do targets="$targets ${p}_fuzz ${p}_sa_fuzz"; done
replays=""
for t in $targets; do replays="$replays ${t}_replay"; done

echo "building build-fuzz/ and build-cov/ ..." >&2
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DWSSPEC_FUZZ=ON >/dev/null
# shellcheck disable=SC2086
cmake --build build-fuzz -j2 --target $targets sa_seeds >/dev/null
cmake -S . -B build-cov -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_C_FLAGS="-fprofile-instr-generate -fcoverage-mapping" \
    -DCMAKE_EXE_LINKER_FLAGS="-fprofile-instr-generate" >/dev/null
# shellcheck disable=SC2086
cmake --build build-cov -j2 --target $replays >/dev/null

tmp=$(mktemp -d "${TMPDIR:-/tmp}/wsspec-fuzzcov.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

seed_files() { # pair -> the SA seed files of this run
    case $seeds in
    all) ls -d "fuzz/corpus/${1}_sa"/* ;;
    hello)
        mkdir -p "$tmp/hello-$1"
        build-fuzz/sa_seeds seeds "$1" "$tmp/hello-$1" 2>/dev/null
        echo "$tmp/hello-$1/00.bin" ;;
    *) echo "fuzz_coverage: SEEDS is all or hello" >&2; exit 2 ;;
    esac
}

# llvm-cov's TOTAL line over harness/: "covered_lines covered_branches lines% branches%"
code_coverage() { # replay-binary corpus-dir
    LLVM_PROFILE_FILE="$tmp/cov-%p.profraw" "$1" "$2" >/dev/null 2>&1 || true
    "$profdata" merge -sparse "$tmp"/cov-*.profraw -o "$tmp/cov.profdata"
    rm -f "$tmp"/cov-*.profraw
    "$llvmcov" report "$1" -instr-profile="$tmp/cov.profdata" "$PWD/harness" |
        awk '/^TOTAL/ { print $8 - $9, $11 - $12, $10, $13 }'
}

one_run() { # pair kind rep -> prints "cov ft execs lines branches lines% branches%"
    local pair=$1 kind=$2 rep=$3 bin corpus log
    bin=build-fuzz/${pair}_fuzz
    [ "$kind" = sa ] && bin=build-fuzz/${pair}_sa_fuzz
    corpus=$tmp/$pair-$kind-$rep
    rm -rf "$corpus"
    mkdir -p "$corpus"
    for f in $(seed_files "$pair"); do
        if [ "$kind" = sa ]; then
            cp "$f" "$corpus/"
        else
            build-fuzz/sa_seeds raw "$pair" "$f" "$corpus/$(basename "$f")"
        fi
    done
    log=$tmp/$pair-$kind-$rep.log
    "$bin" -max_total_time="$seconds" -print_final_stats=1 -seed=$((rep + 1)) \
        -artifact_prefix="$tmp/crash-$pair-$kind-" "$corpus" >"$log" 2>&1 || {
        echo "$pair $kind rep $rep: the fuzzer stopped early (crash?), see below" >&2
        tail -30 "$log" >&2
    }
    local done_line cov ft execs
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)
    cov=$(echo "$done_line" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$done_line" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
    execs=$(sed -n 's/^stat::average_exec_per_sec:[[:space:]]*//p' "$log")
    local replay=build-cov/${pair}_fuzz_replay
    [ "$kind" = sa ] && replay=build-cov/${pair}_sa_fuzz_replay
    echo "${cov:-0} ${ft:-0} ${execs:-0} $(code_coverage "$replay" "$corpus")"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "fuzz_coverage: ${seconds}s per run, $reps repetitions, seeds: $seeds, $(clang --version | head -1), $(nproc) cores"
for pair in $pairs; do
    : >"$tmp/$pair.raw"
    : >"$tmp/$pair.sa"
    for rep in $(seq "$reps"); do
        for kind in raw sa; do
            r=$(one_run "$pair" "$kind" "$rep")
            echo "$r" >>"$tmp/$pair.$kind"
            printf '%-15s %-3s rep %d: cov %s ft %s execs/s %s lines %s branches %s (%s, %s)\n' \
                "$pair" "$kind" "$rep" $r
        done
    done
    printf '%-15s %-10s %10s %10s %10s\n' "$pair" median raw sa "sa/raw"
    for col in 1:cov 2:ft 4:lines 5:branches 3:execs/s; do
        i=${col%%:*}
        raw=$(cut -d' ' -f"$i" "$tmp/$pair.raw" | median)
        sa=$(cut -d' ' -f"$i" "$tmp/$pair.sa" | median)
        ratio=$(awk -v a="$sa" -v b="$raw" 'BEGIN { printf (b > 0) ? "%.3f" : "n/a", a / b }')
        printf '%-15s %-10s %10s %10s %10s\n' "" "${col#*:}" "$raw" "$sa" "$ratio"
    done
done
