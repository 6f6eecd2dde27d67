#!/usr/bin/env bash
# run_corpus.sh: wall time of the full RFC 6455 corpus against the reference
# server with -j 1 and -j 8, next to the floor measured in the same run: the
# same number of bare connect + handshake + close round trips. Also the peak
# RSS of each run (GNU time). Build first: scripts/build.sh build
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
for jobs in 1 8; do
    floor=$(build/bench_handshake "$url" "$count" "$jobs")
    /usr/bin/time -f "%e %M" -o /tmp/wsspec-bench-time $bin run "$url" -j "$jobs" -q >/tmp/wsspec-bench-run.txt || true
    read -r wall rss_kb </tmp/wsspec-bench-time
    tail -1 /tmp/wsspec-bench-run.txt
    awk -v j="$jobs" -v w="$wall" -v f="$floor" -v r="$rss_kb" 'BEGIN {
        printf "-j %d: corpus %.2f s, floor (bare round trips) %.2f s, ratio %.1f x floor, peak RSS %.1f MiB\n",
               j, w, f, w / f, r / 1024 }'
done
