#!/bin/sh
# gate.sh: gate any CI job on WebSocket conformance with wsspec, in plain
# POSIX sh (docs/ci.md, "A plain shell gate").
#
#   docs/ci/gate.sh 'CMD --port {port}' [wsspec run options...]   wsspec starts CMD
#   docs/ci/gate.sh ws://host:port/path [wsspec run options...]   a server already up
#
# Environment:
#   WSSPEC    the wsspec binary (default: wsspec on PATH)
#   OUT       the report directory (default: wsspec-report): report.json,
#             junit.xml, report.ctrf.json, report.html, summary.md, and
#             step-summary.md (failures first, at most 1 MiB) and
#             annotations.txt (GitHub workflow commands)
#   BASELINE  optional: an earlier report.json or a known-failures file;
#             only regressions against it fail the gate
#
# Exit status: wsspec's (0 pass, 1 failures or regressions, 2 usage,
# 3 run incomplete, 4 internal error, 130 interrupted), after one line
# saying what it means. The reports are written whatever the status.
set -u
if [ $# -lt 1 ]; then
    echo "usage: gate.sh 'SERVER COMMAND {port}' | ws://URL [wsspec run options...]" >&2
    exit 2
fi
target=$1
shift
wsspec=${WSSPEC:-wsspec}
out=${OUT:-wsspec-report}

case $target in
ws://* | wss://*) set -- "$target" "$@" ;;
*) set -- --spawn "$target" "$@" ;;
esac
if [ -n "${BASELINE:-}" ]; then
    set -- "$@" --baseline "$BASELINE"
fi

"$wsspec" run "$@" -q --report-dir "$out" --summary "$out/step-summary.md" \
    --annotations "github=$out/annotations.txt"
status=$?

case $status in
0) echo "gate.sh: PASS: the server conforms (reports in $out/)" ;;
1) echo "gate.sh: FAIL: conformance failures (see $out/step-summary.md)" >&2 ;;
2) echo "gate.sh: usage error: check the options and case files" >&2 ;;
3) echo "gate.sh: INCOMPLETE: the server did not come up, died, or cases ended in error" >&2 ;;
130) echo "gate.sh: interrupted" >&2 ;;
*) echo "gate.sh: wsspec failed (exit status $status)" >&2 ;;
esac
exit $status
