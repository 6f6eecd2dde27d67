#!/usr/bin/env bash
# setup.sh [--tests]: install the Debian packages (and npm modules) wsspec needs.
# Idempotent: installs only what is missing; root or sudo.
#
#   setup.sh          what the main job needs (scripts/run-main.sh): a C compiler,
#                     CMake, pkg-config, OpenSSL, zlib and jansson headers.
#   setup.sh --tests  that, and what the test command needs (scripts/run-tests.sh):
#                     clang (sanitizer and libFuzzer builds), clang-format, the
#                     openssl tool (test certificates), python3 with pytest,
#                     pytest-xdist, jsonschema, websockets, junitparser (a JUnit
#                     reader that is not ours) and yaml (the CI examples), Chromium
#                     (the HTML report test),
#                     man-db (the install test reads the man page), GNU time
#                     (bench/), Node.js with the npm test peers (tests/peers).
set -euo pipefail
cd "$(dirname "$0")/.."

tests=false
case "${1:-}" in
"") ;;
--tests) tests=true ;;
*) echo "usage: scripts/setup.sh [--tests]" >&2; exit 2 ;;
esac

pkgs=(build-essential cmake pkg-config libjansson-dev libssl-dev zlib1g-dev)
if $tests; then
    pkgs+=(clang libclang-rt-14-dev clang-format openssl ca-certificates time man-db
           python3 python3-pytest python3-pytest-xdist python3-jsonschema python3-websockets
           python3-junitparser python3-yaml chromium)
    command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || pkgs+=(nodejs npm)
fi

missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# Third-party test peers from the npm registry (Node's ws), pinned by package-lock.json.
if $tests && [ -f tests/peers/package.json ] && [ ! -d tests/peers/node_modules/ws ]; then
    echo "setup: npm ci in tests/peers" >&2
    (cd tests/peers && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
if $tests; then echo "setup: ok (main job and tests)" >&2; else echo "setup: ok (main job)" >&2; fi
