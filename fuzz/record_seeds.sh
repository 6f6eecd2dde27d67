#!/usr/bin/env bash
# record_seeds.sh: seeds for the fuzz targets, recorded while the case corpus
# runs (as nghttp2 recorded its corpus while running h2spec): `wsspec run
# --record-seeds` saves what each target answered (the 101's head, its
# permessage-deflate response next to our offers, every compressed message),
# against the reference server, python3-websockets and Node ws, each with
# permessage-deflate on. Of each target's recordings, at most MAX (default 40)
# are kept, spread over their sizes, and copied to fuzz/corpus/<target>/ under
# their SHA-256 (seeds already there stay). Deterministic for a given set of
# servers: the runs use a fixed seed and -j 1.
# Usage: fuzz/record_seeds.sh [MAX]   (WSSPEC=path/to/wsspec)
# Set up first: scripts/setup.sh --tests && scripts/build.sh build
set -euo pipefail
cd "$(dirname "$0")/.."
max=${1:-40}
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
