#!/usr/bin/env bash
# run-main.sh: set up, build, and run the main job against the built-in
# reference server. Extra arguments go to `wsspec run`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh build
if build/wsspec run --help >/dev/null 2>&1; then
    exec build/wsspec run --report-dir reports/out "$@"
fi
# Before the runner exists: start the reference server and probe it.
portfile=$(mktemp)
build/wsspec serve --port 0 --quiet >"$portfile" &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$portfile"' EXIT
for _ in $(seq 50); do [ -s "$portfile" ] && break; sleep 0.1; done
build/wsspec probe "ws://127.0.0.1:$(head -1 "$portfile")/" --binary 1048576 --count 3
