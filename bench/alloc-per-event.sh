#!/usr/bin/env bash
# Bytes allocated per simulated event, from the GC log: the heap grown between young collections,
# plus what is in use at exit, over results.json "events". Includes start-up (configuration, Akka),
# a few tens of MB, so use a large run. Also prints wall time and events/s from results.json.
#   bench/alloc-per-event.sh [RUNS] [vfiosim run arguments...]
#   e.g. bench/alloc-per-event.sh 3 --set vfiosim.fleet.vms=512 --threads 1
# Fixed heap sizes (JAVA_OPTS below) keep the collections, and so the noise, alike between runs.
set -euo pipefail
HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-1}"; shift || true
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
"$HOME_DIR/bin/vfiosim" --version >/dev/null   # build first, outside the measurements

for r in $(seq "$RUNS"); do
  JAVA_OPTS="${JAVA_OPTS:--Xms1g -Xmn600m} -Xlog:gc,gc+heap+exit:file=$OUT/gc.log" \
    "$HOME_DIR/bin/vfiosim" run "$@" --no-progress --out "$OUT/run" >"$OUT/log" 2>&1 || { cat "$OUT/log"; exit 1; }
  python3 - "$OUT/gc.log" "$OUT/run/results.json" "$r" <<'EOF'
import json, re, sys
log, res, r = sys.argv[1], sys.argv[2], sys.argv[3]
unit = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
total, after = 0, 0
used_exit = 0
for line in open(log):
    m = re.search(r"Pause .*? (\d+)([KMG])->(\d+)([KMG])\(", line)
    if m:
        before = int(m.group(1)) * unit[m.group(2)]
        total += max(0, before - after)
        after = int(m.group(3)) * unit[m.group(4)]
        continue
    m = re.search(r"(PSYoungGen|ParOldGen)\s+total \d+K, used (\d+)K", line)
    if m:
        used_exit += int(m.group(2)) * 1024
total += max(0, used_exit - after)
d = json.load(open(res))
ev, h = d["events"], d["host"]
print(f"run {r}: {total / 2**20:.0f} MB allocated, {ev} events, {total / ev:.1f} B/event, "
      f"simulation {h['wall_ms']} ms, {h['events_per_sec'] / 1e6:.2f} M events/s, threads {h['threads']}")
EOF
done
