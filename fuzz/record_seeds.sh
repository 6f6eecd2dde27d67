#!/usr/bin/env bash
# record_seeds.sh: seeds for the fuzz targets, recorded while the case corpus
# runs (as nghttp2 recorded its corpus while running h2spec): `wsspec run
# --record-seeds` saves what each server answered (the 101's head, its
# permessage-deflate response next to our offers, every compressed message)
# and, cut from each case's wire log (harness/run/runner_seeds.c), our
# handshake request, all we sent (refserver_conn), the frames both ways (frame
# and frame_parse: ours as a server parses them, the server's as a client
# does), every close payload and uncompressed text message (close, utf8),
# against the reference server, python3-websockets and Node ws, each with
# permessage-deflate on. The case loader's seeds (caseload) are the case files
# of cases/ themselves and each of their cases alone in a file. Of each
# target's recordings, at most MAX (default 100) are kept, spread over their
# sizes, and copied to fuzz/corpus/<target>/ under their SHA-256 (seeds
# already there stay). Deterministic for a given set of servers (the runs use
# a fixed seed and -j 1) except for what depends on timing (how a flood ends)
# and on the servers' own random masks.
# Usage: fuzz/record_seeds.sh [MAX]   (WSSPEC=path/to/wsspec)
# Set up first: scripts/setup.sh --tests && scripts/build.sh build
set -euo pipefail
cd "$(dirname "$0")/.."
max=${1:-100}
bin=${WSSPEC:-build/wsspec}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

start_target() { # command... -> sets url, pid
    "$@" >"$tmp/port" &
    pid=$!
    for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
    url="ws://127.0.0.1:$(head -1 "$tmp/port")/"
}

for target in reference python node; do
    case $target in
    reference) start_target "$bin" serve --quiet ;;
    python) start_target /usr/bin/python3 tests/peers/py_echo_server.py --deflate ;;
    node) start_target node tests/peers/node_ws_echo_server.js --deflate ;;
    esac
    "$bin" run "$url" -q --seed 1 --no-retry-timeouts --record-seeds "$tmp/rec" >/dev/null 2>&1 || true
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
done

# caseload: every case file of cases/ (kept, all of them), and each case
# alone in a file (recordings, spread like the others).
/usr/bin/python3 - cases fuzz/corpus/caseload "$tmp/rec/caseload" <<'PY'
import hashlib, json, pathlib, sys
cases, whole, alone = (pathlib.Path(a) for a in sys.argv[1:])
def save(d, data):
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha256(data).hexdigest()).write_bytes(data)
for f in sorted(cases.glob("*.json")):
    if f.name in ("schema.json", "behaviours.json"):
        continue  # not case files (case_load_path skips them too)
    save(whole, f.read_bytes())
    doc = json.loads(f.read_bytes())
    for case in doc["cases"]:
        save(alone, json.dumps(dict(doc, cases=[case]), indent=2, ensure_ascii=False).encode()
             + b"\n")
PY

/usr/bin/python3 - "$tmp/rec" fuzz/corpus "$max" <<'PY'
import hashlib, pathlib, sys
rec, corpus, most = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), int(sys.argv[3])
for target in sorted(p for p in rec.iterdir() if p.is_dir()):
    seeds = sorted(target.iterdir(), key=lambda p: (p.stat().st_size, p.name))
    # Spread over the sizes: every k-th of the sorted list, the largest included.
    step = max(1, len(seeds) // most)
    keep = seeds[::step][:most]
    dest = corpus / target.name
    dest.mkdir(parents=True, exist_ok=True)
    added = 0
    for s in keep:
        data = s.read_bytes()
        name = hashlib.sha256(data).hexdigest()
        if not (dest / name).exists():
            (dest / name).write_bytes(data)
            added += 1
    print(f"{target.name}: {len(seeds)} recorded, {len(keep)} kept, {added} new in {dest}")
PY
