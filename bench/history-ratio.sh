#!/usr/bin/env bash
# Compare `rolecall history` with the time a diff-based scanner needs just
# to read its input: `git log -p -U0 --full-history --all` on the same
# repository.
#
#   bench/history-ratio.sh REPO [RUNS] [PLANTED]
#
# REPO is a clone or bare mirror; use a complete one (a fetched snapshot
# lacks some large blobs: ../shared/tools/complete-mirror.sh SRC DST
# rebuilds it without them), or a generated history
# (go run ./bench/genhistory -o DIR > PLANTED). Each run times git and
# rolecall back to back, so both see the same machine load; the script
# prints every run's wall time, CPU time (user + system) and peak RSS, and
# the medians of the three ratios rolecall/git (RUNS defaults to 5).
# PLANTED, a file of secrets one a line, is checked after the timed runs:
# every one must be in rolecall's findings.
#
# Partial clones lack some large blobs, on which `git log -p` stops with a
# fatal error; their paths are excluded from git's run (which makes git's
# work smaller, so the ratio is, if anything, unfavourable to rolecall).
set -euo pipefail

repo=${1:?usage: bench/history-ratio.sh REPO [RUNS] [PLANTED]}
runs=${2:-5}
planted=${3:-}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GIT_NO_LAZY_FETCH=1

go build -C "$here" -o "$work/rolecall" ./cmd/rolecall

# Paths of missing blobs, read NUL-separated so names with spaces survive.
git -C "$repo" rev-list --objects --all --missing=print 2>/dev/null | sed -n 's/^?//p' | sort -u >"$work/missing"
excludes=()
if [ -s "$work/missing" ]; then
  git -C "$repo" log --all --raw --no-renames --no-abbrev --format= -z |
    python3 -c '
import sys
missing = set(open(sys.argv[1]).read().split())
fields = sys.stdin.buffer.read().split(b"\0")
paths = set()
for meta, path in zip(fields, fields[1:]):
    parts = meta.decode(errors="replace").split()
    if meta.startswith(b":") and len(parts) >= 4 and parts[3] in missing:
        paths.add(path)
sys.stdout.buffer.write(b"".join(p + b"\0" for p in sorted(paths)))
' "$work/missing" >"$work/paths"
  while IFS= read -r -d '' p; do excludes+=(":(exclude,literal)$p"); done <"$work/paths"
fi
echo "repository: $repo"
printf "commits (--all): %s; missing blobs: %s (%s paths excluded from git log)\n" "$(git -C "$repo" rev-list --all | wc -l)" "$(wc -l <"$work/missing")" "${#excludes[@]}"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"

measure() { # measure OUTFILE CMD... : wall seconds, CPU seconds and peak KB into OUTFILE
  /usr/bin/time -f "%e %U %S %M" -o "$1" "${@:2}" >/dev/null 2>"$work/err" || {
    code=$?
    # rolecall exits 1 when it finds something: that is a successful run.
    if [ "$2" != "$work/rolecall" ] || [ $code -ne 1 ]; then cat "$work/err" >&2; exit 1; fi
  }
}

: >"$work/ratios"
for i in $(seq "$runs"); do
  measure "$work/git.t" git -C "$repo" log -p -U0 --full-history --all -- . "${excludes[@]}"
  measure "$work/rc.t" "$work/rolecall" history -q --format json -o "$work/findings.json" "$repo"
  read -r gw gu gs gkb < <(tail -n 1 "$work/git.t")
  read -r rw ru rs rkb < <(tail -n 1 "$work/rc.t")
  python3 - "$i" "$gw" "$gu" "$gs" "$gkb" "$rw" "$ru" "$rs" "$rkb" <<'EOF' | tee -a "$work/ratios"
import sys
i, gw, gu, gs, gkb, rw, ru, rs, rkb = sys.argv[1:]
gw, gc, gm = float(gw), float(gu) + float(gs), int(gkb) / 1024
rw, rc, rm = float(rw), float(ru) + float(rs), int(rkb) / 1024
print(f"run {i}: git log -p {gw:6.2f}s wall {gc:6.2f}s CPU {gm:5.0f} MiB | rolecall {rw:6.2f}s wall {rc:6.2f}s CPU {rm:5.0f} MiB"
      f" | ratio wall {rw/gw:.2f} CPU {rc/gc:.2f} RSS {rm/gm:.2f}")
EOF
done
python3 - "$work/ratios" <<'EOF'
import re, statistics, sys
rows = [l for l in open(sys.argv[1]) if l.startswith("run ")]
def col(name):
    return [float(re.search(name + r" ([0-9.]+)", l).group(1)) for l in rows]
rss = [float(m) for l in rows for m in re.findall(r"([0-9]+) MiB", l)[1:2]]
print(f"median ratio rolecall/git-log-p: wall {statistics.median(col('wall')):.2f}  CPU {statistics.median(col('CPU')):.2f}  "
      f"peak RSS {statistics.median(col('RSS')):.2f}  (rolecall peak RSS median {statistics.median(rss):.0f} MiB, max {max(rss):.0f} MiB)")
EOF
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "findings: $(python3 -c "import json,sys;print(len(json.load(open(sys.argv[1]))))" "$work/findings.json")"
if [ -n "$planted" ]; then
  "$work/rolecall" history -q --show-secrets --format json -o "$work/shown.json" "$repo" || [ $? -eq 1 ]
  python3 - "$planted" "$work/shown.json" <<'EOF'
import json, sys
want = [l.strip() for l in open(sys.argv[1]) if l.strip()]
found = {f["secret"] for f in json.load(open(sys.argv[2]))}
missed = [w for w in want if w not in found]
print(f"planted secrets found: {len(want) - len(missed)}/{len(want)}")
sys.exit(1 if missed else 0)
EOF
fi
