#!/usr/bin/env bash
# deflate.sh: the 216 Autobahn compression cases (12.x, 13.x) against the
# reference server (`wsspec serve`, its own process), python3-websockets and
# Node ws, each with permessage-deflate on; for each target: wall time, the
# CPU time of wsspec and of the target, and wsspec's peak RSS.
#
# The baseline, measured in the same run against the same target process:
# the same 216 series sent uncompressed (the case files with "compress" off
# and no offer), so the ratio says what compression costs, whatever the load
# of this shared machine.
#
# Usage: bench/deflate.sh [PROFILE] [JOBS] [TARGETS]
#   PROFILE quick|full (default full: 1000 messages a case, Autobahn's volume)
#   JOBS    -j of wsspec (default 2)
#   TARGETS any of reference,python,node (default all three)
# Set up first: scripts/setup.sh --tests && scripts/build.sh build
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-full}
jobs=${2:-2}
targets=${3:-reference,python,node}
bin=${WSSPEC:-build/wsspec}
out=${OUT:-out/bench-deflate}
mkdir -p "$out/plain"

# The uncompressed twins of the compression cases.
/usr/bin/python3 - "$out/plain" <<'PY'
import json, pathlib, sys
dest = pathlib.Path(sys.argv[1])
for name in ("deflate-payloads", "deflate-params"):
    doc = json.loads(pathlib.Path(f"cases/{name}.json").read_text())
    doc["group"] = name + "-plain"
    for case in doc["cases"]:
        case.pop("deflate", None)
        case.pop("autobahn", None)
        for step in case["steps"]:
            if "send_series" in step:
                step["send_series"]["compress"] = False
    (dest / f"{name}-plain.json").write_text(json.dumps(doc))
PY

start_target() { # command... -> sets url, pid
    local portfile
    portfile=$(mktemp)
    "$@" >"$portfile" &
    pid=$!
    for _ in $(seq 100); do [ -s "$portfile" ] && break; sleep 0.1; done
    url="ws://127.0.0.1:$(head -1 "$portfile")/"
    rm -f "$portfile"
}

cpu_of() { # pid -> user+system seconds so far (this process and its reaped children)
    awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15 + $16 + $17) / hz }' "/proc/$1/stat"
}

run_one() { # label selector-args... -> one line of figures
    local label=$1
    shift
    local before after
    before=$(cpu_of "$pid")
    /usr/bin/time -f "%e %U %S %M" -o "$out/time.txt" \
        "$bin" run "$url" "$@" --profile "$profile" -j "$jobs" -q --no-retry-timeouts \
        --json "$out/$label.json" >"$out/$label.log" 2>&1 || true
    after=$(cpu_of "$pid")
    read -r wall user sys rss <"$out/time.txt"
    /usr/bin/python3 - "$label" "$wall" "$user" "$sys" "$rss" "$before" "$after" \
        "$out/$label.json" <<'PY'
import collections, json, sys
label, wall, user, sys_, rss, before, after, report = sys.argv[1:]
counts = collections.Counter(c["verdict"] for c in json.load(open(report))["cases"])
octets = 0
for c in json.load(open(report))["cases"]:
    d = c.get("deflate") or {}
    octets += (d.get("out") or {}).get("payload", 0)
print(f"{label:28} wall {float(wall):7.1f} s  wsspec cpu {float(user) + float(sys_):7.1f} s  "
      f"target cpu {float(after) - float(before):7.1f} s  wsspec peak rss {int(rss) / 1024:6.1f} MiB  "
      f"verdicts {dict(counts)}")
PY
}

for target in ${targets//,/ }; do
    case $target in
    reference) start_target "$bin" serve --quiet ;;
    python) start_target /usr/bin/python3 tests/peers/py_echo_server.py --deflate ;;
    node) start_target node tests/peers/node_ws_echo_server.js --deflate ;;
    *) echo "unknown target $target" >&2; exit 2 ;;
    esac
    echo "== $target ($url), profile $profile, -j $jobs"
    run_one "$target-compressed" --autobahn '12.*' --autobahn '13.*' | tee "$out/$target.txt"
    run_one "$target-plain" --case-file "$out/plain/deflate-payloads-plain.json" \
        --case-file "$out/plain/deflate-params-plain.json" | tee -a "$out/$target.txt"
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    awk '/wall/ { w[NR] = $3 } END { if (w[2] > 0) printf "ratio compressed / plain wall time: %.2f\n", w[1] / w[2] }' \
        "$out/$target.txt"
done
