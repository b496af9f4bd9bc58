#!/usr/bin/env bash
# The gvt-fleet scenario at several sizes: events/s, wall time, and live heap per VM.
#   bench/fleet-scale.sh [THREADS] [VMS...]        e.g.  bench/fleet-scale.sh 2 64 512 4096
# Each size runs once under -Xmx2g with GC logging. "live" is the largest heap left after a young
# collection (old generation + survivors: the model's state, what grows with VMs); bytes/VM
# compares each size with the first. JAVA_OPTS adds JVM flags.
set -euo pipefail
HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
THREADS="${1:-2}"; shift || true
SIZES=("$@"); [ ${#SIZES[@]} -gt 0 ] || SIZES=(64 512 4096)
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
"$HOME_DIR/bin/vfiosim" --version >/dev/null   # build first, outside the measurements
first_live=""; first_n=""
printf "%6s %8s %12s %12s %10s %10s %12s\n" vms threads events "events/s" "sim s" "live MB" "bytes/VM"
for n in "${SIZES[@]}"; do
  JAVA_OPTS="-Xmx2g ${JAVA_OPTS:-} -Xlog:gc:file=$OUT/gc-$n.log" "$HOME_DIR/bin/vfiosim" run --no-progress \
    --set vfiosim.fleet.vms="$n" --threads "$THREADS" --out "$OUT/run-$n" >/dev/null
  read -r events eps wall <<<"$(python3 -c "
import json,sys; r=json.load(open(sys.argv[1])); h=r['host']
print(r['events'], h['events_per_sec'], h['wall_ms']/1000)" "$OUT/run-$n/results.json")"
  live=$(python3 - "$OUT/gc-$n.log" <<'PY'
import re,sys
after=[int(m.group(1)) for m in re.finditer(r'Pause Young .*?->(\d+)M', open(sys.argv[1]).read())]
print(max(after) if after else 0)
PY
)
  if [ -z "$first_live" ]; then first_live=$live; first_n=$n; per="-"; else
    per=$(awk -v a="$live" -v b="$first_live" -v n="$n" -v m="$first_n" 'BEGIN { printf "%.0f", (a - b) * 1048576 / (n - m) }'); fi
  printf "%6s %8s %12s %10.2f M %10.2f %10s %12s\n" "$n" "$THREADS" "$events" "$(awk -v e="$eps" 'BEGIN{print e/1e6}')" "$wall" "$live" "$per"
done
