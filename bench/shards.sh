#!/usr/bin/env bash
# shards.sh [N]: wall time of the whole corpus (default selection and profile,
# -j 2, against the built-in reference server) as one job, then as N shards
# (default 4) run one after another: each shard's time, their sum and the
# longest (what N parallel CI jobs would wait for), then `report --merge`
# of the shard reports, checked to give every case the verdict the one job
# gave. Prints one line per measurement. Build first: scripts/build.sh build
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${WSSPEC_BIN:-build/wsspec}
shards=${1:-4}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

t0=$(now)
$bin run -j 2 -q --json "$out/whole.json" >/dev/null || true
t1=$(now)
whole=$(elapsed "$t0" "$t1")
cases=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["cases"]))' "$out/whole.json")
echo "one job: $cases cases in $whole s"

sum=0
longest=0
for i in $(seq 1 "$shards"); do
    t0=$(now)
    $bin run -j 2 -q --shard "$i/$shards" --json "$out/shard-$i.json" >/dev/null || true
    t1=$(now)
    took=$(elapsed "$t0" "$t1")
    n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["cases"]))' "$out/shard-$i.json")
    echo "shard $i/$shards: $n cases in $took s"
    sum=$(awk -v a="$sum" -v b="$took" 'BEGIN { printf "%.2f", a + b }')
    longest=$(awk -v a="$longest" -v b="$took" 'BEGIN { printf "%.2f", (b > a ? b : a) }')
done
echo "$shards shards one after another: sum $sum s, longest $longest s (one job: $whole s)"

# Balanced by the one job's durations.
sum=0
longest=0
for i in $(seq 1 "$shards"); do
    t0=$(now)
    $bin run -j 2 -q --shard "$i/$shards" --shard-durations "$out/whole.json" \
        --json "$out/dshard-$i.json" >/dev/null || true
    t1=$(now)
    took=$(elapsed "$t0" "$t1")
    sum=$(awk -v a="$sum" -v b="$took" 'BEGIN { printf "%.2f", a + b }')
    longest=$(awk -v a="$longest" -v b="$took" 'BEGIN { printf "%.2f", (b > a ? b : a) }')
    echo "shard $i/$shards by durations: $took s"
done
echo "$shards shards by --shard-durations: sum $sum s, longest $longest s"

$bin report --merge "$out"/shard-*.json --json "$out/merged.json"
python3 - "$out/whole.json" "$out/merged.json" <<'PY'
import json, sys
whole, merged = (json.load(open(p)) for p in sys.argv[1:])
a = {c["id"]: c["verdict"] for c in whole["cases"]}
b = {c["id"]: c["verdict"] for c in merged["cases"]}
diff = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
print(f"merge: {len(b)} cases, {'same verdicts as the one job' if not diff else 'differs: ' + ', '.join(diff)}")
PY
