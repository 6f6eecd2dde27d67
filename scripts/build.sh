#!/usr/bin/env bash
# build.sh [DIR] [cmake options...]: configure and build wsspec into DIR (default build/),
# warnings as errors. BUILD_TARGETS="a b": build only those targets.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
cmake -S . -B "$dir" -DWSSPEC_WERROR=ON "$@" >/dev/null
cmake --build "$dir" -j"$(nproc)" ${BUILD_TARGETS:+--target $BUILD_TARGETS} >"$dir/build.log" 2>&1 || { cat "$dir/build.log"; exit 1; }
echo "build: $dir ok" >&2
