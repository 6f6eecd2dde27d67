#!/usr/bin/env bash
# report_sizes.sh: the size of the reports of one run of the whole corpus
# against `wsspec serve` with fault combinations that fail from none of it to
# nearly all of it: the size of every output format (report.json, JUnit,
# report.html, the Markdown summary, CTRF, the --summary step summary, the
# GitHub annotations, TAP) and of the whole --report-dir (the Autobahn
# directory too), with the run's wall time.
#
# Compare two builds on the same machine:
#   WSSPEC=/tmp/wsspec-before bench/report_sizes.sh   # a build of main before the change
#   bench/report_sizes.sh                             # build/wsspec
# Environment: WSSPEC (the binary under test, also the server; default
# build/wsspec), JOBS (-j of the runs, default 8), FAULTS (one combination,
# faults separated by spaces, instead of the built-in list).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${WSSPEC:-build/wsspec}")
jobs=${JOBS:-8}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wsspec-sizes.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

if [ -n "${FAULTS:-}" ]; then
    combos=("$FAULTS")
else
    combos=(
        ""                                                 # strict: every case passes
        "echo-altered"                                     # every echo is wrong
        "echo-altered accept-bad-close-code no-utf8-check" # about two cases in three fail
        "mask-server-frames"                               # nearly every case fails
    )
fi

echo "$("$bin" --version | head -1), $(nproc) cores, -j $jobs"
printf '%-50s %5s %5s %9s %9s %9s %7s %9s %8s %6s %8s %9s %7s\n' "faults" "cases" "fail" \
    "json" "junit" "html" "md" "ctrf" "summary" "annot" "tap" "dir" "seconds"
for combo in "${combos[@]}"; do
    serve="$bin serve --port {port} -q"
    for fault in $combo; do
        serve="$serve --fault $fault"
    done
    rm -rf "$tmp/out"
    start=$(date +%s.%N)
    # Exit status 1 (failures) is the point here; a size needs the reports only.
    "$bin" run --spawn "$serve" --cases-dir cases -j "$jobs" -q --report-dir "$tmp/out" \
        --summary "$tmp/step-summary.md" --annotations "github=$tmp/annotations.txt" \
        >"$tmp/stdout" 2>&1 || true
    end=$(date +%s.%N)
    summary=$(grep '^wsspec: ' "$tmp/stdout" | tail -1 || true)
    if [ ! -s "$tmp/out/report.json" ] || [ -z "$summary" ]; then
        echo "run with faults '$combo' wrote no report:" >&2
        tail -5 "$tmp/stdout" >&2
        exit 1
    fi
    cases=$(sed -E 's/^wsspec: ([0-9]+) cases.*/\1/' <<<"$summary")
    fails=$(sed -E 's/.* ([0-9]+) fail,.*/\1/' <<<"$summary")
    "$bin" report "$tmp/out/report.json" --tap >"$tmp/report.tap"
    size() { stat -c %s "$1"; }
    printf '%-50s %5s %5s %9s %9s %9s %7s %9s %8s %6s %8s %9s %7.2f\n' "${combo:-(none)}" \
        "$cases" "$fails" "$(size "$tmp/out/report.json")" "$(size "$tmp/out/junit.xml")" \
        "$(size "$tmp/out/report.html")" "$(size "$tmp/out/summary.md")" \
        "$(size "$tmp/out/report.ctrf.json")" "$(size "$tmp/step-summary.md")" \
        "$(size "$tmp/annotations.txt")" "$(size "$tmp/report.tap")" \
        "$(du -sb "$tmp/out" | cut -f1)" "$(echo "$end - $start" | bc)"
done
