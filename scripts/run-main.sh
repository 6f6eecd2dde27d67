#!/usr/bin/env bash
# run-main.sh: set up, build, and run the main job: the full case corpus
# against the built-in reference server, with every report in reports/out/.
# Extra arguments go to `wsspec run`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh build
exec build/wsspec run -j "$(nproc)" --report-dir reports/out "$@"
