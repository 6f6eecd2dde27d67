#!/usr/bin/env bash
# run-main.sh: set up (only what the main job needs), build, and run the main
# job: the full case corpus against the built-in reference server, with every
# report in out/reports/ (ignored by git; never inside a source folder).
# Extra arguments go to `wsspec run`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh build
exec build/wsspec run -j "$(nproc)" --report-dir out/reports "$@"
