#!/usr/bin/env bash
# How the history scan's cost grows with the history: the same repository
# cut at 25%, 50% and 100% of its commits, rolecall and git log -p timed
# back to back on each cut (medians of RUNS, default 3).
#
#   bench/history-scaling.sh REPO [RUNS]
#
# A cut is the first N commits of `git rev-list --all --topo-order
# --reverse` (parents before children, so a cut is closed under ancestry):
# a bare repository that borrows REPO's objects through
# objects/info/alternates and has one ref per commit of the cut that no
# other commit of the cut descends from. REPO must be complete (see
# bench/history-ratio.sh).
set -euo pipefail

repo=$(cd "${1:?usage: bench/history-scaling.sh REPO [RUNS]}" && pwd)
runs=${2:-3}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -C "$here" -o "$work/rolecall" ./cmd/rolecall
objects=$(git -C "$repo" rev-parse --path-format=absolute --git-path objects)
git -C "$repo" rev-list --all --topo-order --reverse --parents >"$work/order"
total=$(wc -l <"$work/order")
echo "repository: $repo ($total commits); load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"

measure() { # measure OUTFILE CMD...
  /usr/bin/time -f "%e %U %S %M" -o "$1" "${@:2}" >/dev/null 2>"$work/err" || {
    code=$?
    if [ "$2" != "$work/rolecall" ] || [ $code -ne 1 ]; then cat "$work/err" >&2; exit 1; fi
  }
}

printf '%-5s %8s | %-27s | %-27s | %-17s | %s\n' cut commits "git log -p: wall CPU RSS" "rolecall: wall CPU RSS" "ratio wall CPU" "rolecall CPU ms/commit"
for pct in 25 50 100; do
  n=$((total * pct / 100))
  cut="$work/cut$pct.git"
  git init -q --bare "$cut"
  echo "$objects" >"$cut/objects/info/alternates"
  head -n "$n" "$work/order" | python3 -c '
import sys
rows = [l.split() for l in sys.stdin]
parents = {p for r in rows for p in r[1:]}
for r in rows:
    if r[0] not in parents:
        print(f"create refs/cut/{r[0]} {r[0]}")
' | git -C "$cut" update-ref --stdin
  : >"$work/rows"
  for i in $(seq "$runs"); do
    measure "$work/git.t" git -C "$cut" log -p -U0 --full-history --all
    measure "$work/rc.t" "$work/rolecall" history -q --format json -o "$work/f.json" "$cut"
    echo "$(tail -n 1 "$work/git.t") $(tail -n 1 "$work/rc.t")" >>"$work/rows"
  done
  python3 - "$pct" "$n" "$work/rows" <<'PY'
import statistics, sys
pct, n, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = [list(map(float, l.split())) for l in open(path)]
med = lambda f: statistics.median(f(r) for r in rows)
gw, gc, gm = med(lambda r: r[0]), med(lambda r: r[1] + r[2]), med(lambda r: r[3]) / 1024
rw, rc, rm = med(lambda r: r[4]), med(lambda r: r[5] + r[6]), med(lambda r: r[7]) / 1024
print(f"{pct+'%':<5} {n:8d} | {gw:7.2f}s {gc:7.2f}s {gm:5.0f}MiB | {rw:7.2f}s {rc:7.2f}s {rm:5.0f}MiB | "
      f"{med(lambda r: r[4] / r[0]):6.2f} {med(lambda r: (r[5] + r[6]) / (r[1] + r[2])):6.2f}    | {1000 * rc / n:.2f}")
PY
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
