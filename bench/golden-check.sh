#!/usr/bin/env bash
# Golden check: runs a fixed set of scenarios and compares every result file with a reference set,
# so that a change meant to be performance-only (engine, data structures, allocation) can be shown
# to change no result at all. results.json is compared without its "host" key (wall time, events/s);
# lock_stat, perf-lock.txt, ops.csv and trace.json must be byte-identical.
#   bench/golden-check.sh record DIR     runs the set into DIR (the reference)
#   bench/golden-check.sh check DIR      runs the set again and diffs it against DIR; exit 1 on any difference
# Record with the commit you start from, check after every step.
set -euo pipefail
HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODE="${1:-}"; REF="${2:-}"
if [ -z "$MODE" ] || [ -z "$REF" ] || { [ "$MODE" != record ] && [ "$MODE" != check ]; }; then
  echo "usage: $0 record|check DIR" >&2
  exit 2
fi

# name | arguments to `vfiosim run`
CASES=(
  "fleet64|--set vfiosim.fleet.vms=64"
  "fleet64-t1|--set vfiosim.fleet.vms=64 --threads 1"
  "fleet64-t2|--set vfiosim.fleet.vms=64 --threads 2"
  "fleet64-v5.6|--set vfiosim.fleet.vms=64 --set vfiosim.generation=v5.6"
  "fleet64-contig|--set vfiosim.fleet.vms=64 --set vfiosim.generation=v5.10-contig"
  "fleet16-churn|--set vfiosim.fleet.vms=16 --set vfiosim.fleet.churn-interval-ms=5 --set vfiosim.fleet.vgpus-per-vm=2"
  "fleet8-trace|--set vfiosim.fleet.vms=8 --trace"
  "mutex-bench|$HOME_DIR/conf/scenarios/mutex-bench.conf"
)
FILES=(results.json lock_stat perf-lock.txt ops.csv trace.json)

"$HOME_DIR/bin/vfiosim" --version >/dev/null   # build first

if [ "$MODE" = record ]; then
  OUT="$REF"
  mkdir -p "$OUT"
else
  OUT="$(mktemp -d)"
  trap 'rm -rf "$OUT"' EXIT
fi

# results.json without "host", for comparison (keys keep their order).
strip_host() {
  python3 - "$1" "$2" <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    d = json.load(f)
d.pop("host", None)
with open(sys.argv[2], "w") as f:
    json.dump(d, f, indent=1)
EOF
}

fail=0
for c in "${CASES[@]}"; do
  name="${c%%|*}"; args="${c#*|}"
  # shellcheck disable=SC2086
  "$HOME_DIR/bin/vfiosim" run $args --no-progress --out "$OUT/$name" >"$OUT/$name.log" 2>&1 || {
    echo "$name: run failed (see $OUT/$name.log)"; tail -5 "$OUT/$name.log"; fail=1; continue; }
  strip_host "$OUT/$name/results.json" "$OUT/$name/results.nohost.json"
  if [ "$MODE" = check ]; then
    bad=""
    for f in results.nohost.json "${FILES[@]:1}"; do
      if [ -f "$REF/$name/$f" ] || [ -f "$OUT/$name/$f" ]; then
        cmp -s "$REF/$name/$f" "$OUT/$name/$f" || bad="$bad $f"
      fi
    done
    if [ -n "$bad" ]; then
      echo "$name: DIFFERS:$bad"
      fail=1
    else
      echo "$name: identical"
    fi
  else
    echo "$name: recorded"
  fi
done
exit $fail
