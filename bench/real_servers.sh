#!/usr/bin/env bash
# real_servers.sh: the whole corpus against python3-websockets and Node ws
# (tests/peers/), RUNS times each (default 5): the verdict counts of every
# run, and how many cases got a different verdict in some run than in the
# first (the goal is 0). The JSON reports stay in OUT (default
# out/bench-real) for diffing two binaries: a "before" and an "after".
# Usage: bench/real_servers.sh [RUNS] [JOBS]   (WSSPEC=path/to/wsspec)
# Set up first: scripts/setup.sh --tests && scripts/build.sh build
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
jobs=${2:-4}
bin=${WSSPEC:-build/wsspec}
# WSSPEC_CASES_DIR: the corpus of that binary (default: the one it finds itself)
out=${OUT:-out/bench-real}
mkdir -p "$out"
start_server() { # name command... -> sets url, pid
    local portfile
    portfile=$(mktemp)
    "${@:2}" >"$portfile" &
    pid=$!
    for _ in $(seq 100); do [ -s "$portfile" ] && break; sleep 0.1; done
    url="ws://127.0.0.1:$(head -1 "$portfile")/"
    rm -f "$portfile"
}
for server in python node; do
    if [ $server = python ]; then
        start_server $server /usr/bin/python3 tests/peers/py_echo_server.py
    else
        start_server $server node tests/peers/node_ws_echo_server.js
    fi
    for r in $(seq "$runs"); do
        "$bin" run "$url" -j "$jobs" -q --json "$out/$server-$r.json" >/dev/null 2>&1 || true
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    /usr/bin/python3 - "$server" "$out" "$runs" <<'PY'
import collections, json, sys
server, out, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
verdicts = []
for r in range(1, runs + 1):
    doc = json.load(open(f"{out}/{server}-{r}.json"))
    verdicts.append({c["id"]: c["verdict"] for c in doc["cases"]})
for r, v in enumerate(verdicts, 1):
    counts = collections.Counter(v.values())
    print(f"{server} run {r}: {len(v)} cases, " +
          ", ".join(f"{k} {counts[k]}" for k in sorted(counts)))
flipped = sorted(i for i in verdicts[0] if len({v.get(i) for v in verdicts}) > 1)
print(f"{server}: {len(flipped)} case(s) with differing verdicts over {runs} runs")
for i in flipped:
    print("  ", i, [v.get(i) for v in verdicts])
PY
done
