#!/usr/bin/env bash
# run_corpus.sh: wall time of the full RFC 6455 corpus against the reference
# server with -j 1 and -j 8, next to the floor measured in the same run: the
# same number of bare connect + handshake + close round trips. Also the peak
# RSS and the CPU time (user + system) of each run (GNU time) and of the
# server during it (/proc): with C cores a run cannot take less than their
# sum / C, nor less than its longest pause (the lengths.declared-* cases
# pause 1 s, scaled, while a correct peer stays silent).
# Build first: scripts/build.sh build
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/wsspec
portfile=$(mktemp)
$bin serve --port 0 --quiet >"$portfile" &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$portfile"' EXIT
for _ in $(seq 50); do [ -s "$portfile" ] && break; sleep 0.1; done
url="ws://127.0.0.1:$(head -1 "$portfile")/"
count=$($bin list 2>/dev/null | wc -l)
echo "cases: $count, target: wsspec serve at $url"
# CPU seconds (user + system) the server has used so far.
server_cpu() {
    awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print ($12 + $13) / hz }' "/proc/$server/stat"
}
for jobs in 1 8; do
    floor=$(build/bench_handshake "$url" "$count" "$jobs")
    server_before=$(server_cpu)
    /usr/bin/time -f "%e %M %U %S" -o /tmp/wsspec-bench-time $bin run "$url" -j "$jobs" -q >/tmp/wsspec-bench-run.txt || true
    read -r wall rss_kb user sys </tmp/wsspec-bench-time
    server_used=$(awk -v a="$server_before" -v b="$(server_cpu)" 'BEGIN { print b - a }')
    tail -1 /tmp/wsspec-bench-run.txt
    awk -v j="$jobs" -v w="$wall" -v f="$floor" -v r="$rss_kb" -v u="$user" -v s="$sys" \
        -v sv="$server_used" -v c="$(nproc)" 'BEGIN {
        printf "-j %d: corpus %.2f s, floor (bare round trips) %.2f s, ratio %.1f x floor, peak RSS %.1f MiB\n",
               j, w, f, w / f, r / 1024
        printf "      cpu: run %.2f s + server %.2f s = %.2f s, / %d cores = %.2f s\n",
               u + s, sv, u + s + sv, c, (u + s + sv) / c }'
done
