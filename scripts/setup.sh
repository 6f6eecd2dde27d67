#!/usr/bin/env bash
# setup.sh: install every Debian package (and npm module) that wsspec's build,
# tests and reports need. Idempotent: installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(build-essential cmake pkg-config clang libclang-rt-14-dev libjansson-dev libssl-dev
      zlib1g-dev clang-format openssl ca-certificates time python3 python3-pytest python3-jsonschema python3-websockets
      chromium)
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || pkgs+=(nodejs npm)

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

# Third-party peers from the npm registry (Node's ws), pinned by package-lock.json.
if [ -f tests/peers/package.json ] && [ ! -d tests/peers/node_modules/ws ]; then
    echo "setup: npm ci in tests/peers" >&2
    (cd tests/peers && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
echo "setup: ok" >&2
