#!/bin/sh
# sa_seeds.sh: the seed corpora of the structure-aware targets,
# fuzz/corpus/frame_parse_sa/ and fuzz/corpus/refserver_conn_sa/, written by
# the sa_seeds program (fuzz/sa_seeds.c, built with the project) and named by
# their SHA-256. Deterministic: the same program gives the same files.
# Usage: fuzz/sa_seeds.sh [BUILD_DIR]   (default build)
set -eu
cd "$(dirname "$0")/.."
bin=${1:-build}/sa_seeds
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
for target in frame_parse refserver_conn; do
    out=fuzz/corpus/${target}_sa
    mkdir -p "$tmp/$target" "$out"
    "$bin" seeds "$target" "$tmp/$target"
    for f in "$tmp/$target"/*.bin; do
        cp "$f" "$out/$(sha256sum "$f" | cut -d' ' -f1)"
    done
    echo "$out: $(ls "$out" | wc -l) seeds"
done
