#!/usr/bin/env bash
# Soak: the gvt-fleet scenario run long enough for well over 10^8 events, reporting the live heap
# (after a full GC that jcmd forces, read from the -Xlog:gc log) at 10 %, 50 % and 95 % of the
# run's virtual time (read from the progress lines), and the run's totals. A flat live heap after
# warm-up means nothing accumulates per event; one that grows with the run is a leak.
#   bench/soak.sh [VMS] [DURATION_MS] [vfiosim run arguments...]
#   e.g. bench/soak.sh 512 5000 --threads 2        (the default: about 2.5 x 10^9 events)
# The forced GCs cost a fraction of a second each and change no result.
set -euo pipefail
HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VMS="${1:-512}"; shift || true
DUR="${1:-5000}"; shift || true
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
command -v jcmd >/dev/null || { echo "soak: jcmd (from the JDK) is needed" >&2; exit 2; }
"$HOME_DIR/bin/vfiosim" --version >/dev/null   # build first, outside the measurement

JAVA_OPTS="${JAVA_OPTS:-} -Xlog:gc:file=$OUT/gc.log" "$HOME_DIR/bin/vfiosim" run \
  --set vfiosim.fleet.vms="$VMS" --set vfiosim.fleet.duration-ms="$DUR" "$@" --out "$OUT/run" \
  >"$OUT/stdout" 2>"$OUT/stderr" &
PID=$!

targets=(10 50 95)
next=0
: >"$OUT/points"
while kill -0 "$PID" 2>/dev/null; do
  sleep 1
  [ "$next" -lt "${#targets[@]}" ] || continue
  line="$(grep -a '^\[vfiosim\]' "$OUT/stderr" | tail -1 || true)"
  pct="$(sed -n 's/.*] *\([0-9]*\)% .*/\1/p' <<<"$line")"
  [ -n "$pct" ] || continue
  # a target passed between two progress lines together with the next one is skipped
  while [ "$((next + 1))" -lt "${#targets[@]}" ] && [ "$pct" -ge "${targets[$((next + 1))]}" ]; do
    next=$((next + 1))
  done
  if [ "$pct" -ge "${targets[$next]}" ]; then
    before="$(wc -l <"$OUT/gc.log")"
    if jcmd "$PID" GC.run >/dev/null 2>&1; then
      after="$( (tail -n +"$((before + 1))" "$OUT/gc.log" | grep -a 'Pause Full' || true) | tail -1 \
        | sed -n 's/.*->\([0-9]*[KMG]\)(.*/\1/p')"
      echo "${targets[$next]}|$pct|$after|$line" >>"$OUT/points"
    fi
    next=$((next + 1))
  fi
done
wait "$PID" || true

python3 - "$OUT/points" "$OUT/run/results.json" "$VMS" "$DUR" <<'PY'
import json, re, sys
points, res, vms, dur = sys.argv[1:5]
d = json.load(open(res))
h = d["host"]
print(f"soak: gvt-fleet, {vms} VMs x {dur} ms: {d['events']:,} events, complete={d['complete']}, "
      f"simulation {h['wall_ms'] / 1000:.1f} s, {h['events_per_sec'] / 1e6:.2f} M events/s, "
      f"{h['threads']} thread(s), peak heap {h['peak_heap_mb']} MB")
for p in open(points):
    target, pct, live, line = p.rstrip("\n").split("|", 3)
    ev = re.search(r"\| ([0-9.]+) M events \|", line)
    vt = re.search(r"virtual ([0-9.]+) ms", line)
    print(f"  {target:>3} % (progress {pct} %, virtual {vt.group(1) if vt else '?'} ms, "
          f"{ev.group(1) if ev else '?'} M events): live heap after full GC {live}")
PY
