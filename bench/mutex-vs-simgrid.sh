#!/usr/bin/env bash
# Side by side: vfiosim's mutex-bench against the SimGrid 3.32 peer benchmark on the same closed
# system (N clients, K iterations, hold 100 ns = 300 cycles at 3 GHz, think 0), alternating the two
# so that both see the same machine load. Prints each run and the medians.
#   bench/mutex-vs-simgrid.sh [N] [K] [RUNS]      e.g.  bench/mutex-vs-simgrid.sh 1024 1250 5
# SIMGRID_BENCH points at ../shared/bench/simgrid-mutex by default (built with its build.sh).
set -euo pipefail
HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SG="${SIMGRID_BENCH:-$HOME_DIR/../shared/bench/simgrid-mutex}"
N="${1:-64}"; K="${2:-20000}"; RUNS="${3:-5}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
[ -x "$SG/mutex_bench" ] || "$SG/build.sh" >/dev/null

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

"$HOME_DIR/bin/vfiosim" --version >/dev/null   # build first, outside the measurements
: > "$OUT/v"; : > "$OUT/s"
for r in $(seq "$RUNS"); do
  "$HOME_DIR/bin/vfiosim" run "$HOME_DIR/conf/scenarios/mutex-bench.conf" --no-progress --out "$OUT/run" \
    --set vfiosim.workload.clients="$N" --set vfiosim.workload.iterations="$K" \
    --set vfiosim.workload.hold-cycles=300 --set vfiosim.workload.think-cycles=0 >/dev/null
  v=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['host']['lock_acquisitions_per_sec'])" "$OUT/run/results.json")
  s=$("$SG/run.sh" "$N" "$K" | sed -n 's/.*acquisitions \/ wall second *: *\([0-9.e+]*\) (creation+run).*/\1/p')
  awk -v r="$r" -v v="$v" -v s="$s" 'BEGIN { printf "run %d: vfiosim %.3f M/s   simgrid %.3f M/s\n", r, v / 1e6, s / 1e6 }'
  echo "$v" >> "$OUT/v"; echo "$s" >> "$OUT/s"
done
vm=$(median < "$OUT/v"); sm=$(median < "$OUT/s")
awk -v n="$N" -v k="$K" -v runs="$RUNS" -v v="$vm" -v s="$sm" 'BEGIN {
  printf "N=%s K=%s median of %s: vfiosim %.3f M acquisitions/s, SimGrid %.3f M/s, ratio %.1fx\n", n, k, runs, v / 1e6, s / 1e6, v / s }'
