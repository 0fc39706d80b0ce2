#!/usr/bin/env bash
# Directory-scan throughput against ripgrep searching the same tree for
# every rule keyword (what a keyword prefilter alone costs):
#
#   bench/scan-vs-rg.sh DIR [RUNS]
#
# Runs `rg -i -F -c -f keywords.txt DIR` (keywords from `rolecall rules
# --json`) and `rolecall scan DIR` back to back RUNS times (default 5) and
# prints MB/s of each (bytes of the regular files under DIR, outside .git)
# and the medians of the wall and CPU ratios rolecall/rg. A generated tree:
# go run ./bench/gentree -mib 256 -o DIR.
set -euo pipefail

dir=${1:?usage: bench/scan-vs-rg.sh DIR [RUNS]}
runs=${2:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v rg >/dev/null || { echo "needs ripgrep (apt-get install ripgrep)" >&2; exit 2; }
go build -C "$here" -o "$work/rolecall" ./cmd/rolecall
"$work/rolecall" rules --json | python3 -c '
import json, sys
print("\n".join(sorted({k for r in json.load(sys.stdin) for k in r["keywords"]})))' >"$work/keywords.txt"
bytes=$(find "$dir" -name .git -prune -o -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
echo "tree: $dir, $((bytes / 1000000)) MB; $(wc -l <"$work/keywords.txt") keywords; load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
: >"$work/rows"
for i in $(seq "$runs"); do
  /usr/bin/time -f "%e %U %S" -o "$work/rg.t" rg -i -F -c -f "$work/keywords.txt" "$dir" >/dev/null || [ $? -eq 1 ]
  /usr/bin/time -f "%e %U %S" -o "$work/rc.t" "$work/rolecall" scan -q --format json -o "$work/f.json" "$dir" || [ $? -eq 1 ]
  echo "$(tail -n 1 "$work/rg.t") $(tail -n 1 "$work/rc.t")" >>"$work/rows"
done
python3 - "$bytes" "$work/rows" <<'PY'
import statistics, sys
size = int(sys.argv[1]) / 1e6
rows = [list(map(float, l.split())) for l in open(sys.argv[2])]
for i, (gw, gu, gs, rw, ru, rs) in enumerate(rows, 1):
    print(f"run {i}: rg {gw:5.2f}s wall {gu+gs:5.2f}s CPU {size/gw:6.0f} MB/s | rolecall {rw:5.2f}s wall {ru+rs:5.2f}s CPU {size/rw:6.0f} MB/s")
med = lambda f: statistics.median(f(r) for r in rows)
print(f"median: rg {size/med(lambda r: r[0]):.0f} MB/s, rolecall {size/med(lambda r: r[3]):.0f} MB/s; "
      f"ratio rolecall/rg wall {med(lambda r: r[3]/r[0]):.2f} CPU {med(lambda r: (r[4]+r[5])/(r[1]+r[2])):.2f}")
PY
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
