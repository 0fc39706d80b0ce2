#!/usr/bin/env bash
# Compare `rolecall history` with the time a diff-based scanner needs just
# to read its input: `git log -p --all` on the same repository.
#
#   bench/history-ratio.sh REPO [RUNS]
#
# REPO is a clone or bare mirror (e.g. one brought by the library's fetch:
# /work/.mirror/jakevdp+PythonDataScienceHandbook/repo). Each run times git
# and rolecall back to back, so both see the same machine load; the script
# prints every run's ratio, the median ratio, and rolecall's peak RSS.
#
# Partial clones lack some large blobs, on which `git log -p` stops with a
# fatal error; their paths are excluded from git's run (which makes git's
# work smaller, so the ratio is, if anything, unfavourable to rolecall).
set -euo pipefail

repo=${1:?usage: bench/history-ratio.sh REPO [RUNS]}
runs=${2:-3}
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

measure() { # measure OUTFILE CMD... : wall seconds and peak KB into OUTFILE
  /usr/bin/time -f "%e %M" -o "$1" "${@:2}" >/dev/null 2>"$work/err" || {
    code=$?
    # rolecall exits 1 when it finds something: that is a successful run.
    if [ "$2" != "$work/rolecall" ] || [ $code -ne 1 ]; then cat "$work/err" >&2; exit 1; fi
  }
}

ratios=()
for i in $(seq "$runs"); do
  measure "$work/git.t" git -C "$repo" log -p --all --full-history --no-renames -- . "${excludes[@]}"
  measure "$work/rc.t" "$work/rolecall" history -q --format json -o "$work/findings.json" "$repo"
  read -r gs gkb < <(tail -n 1 "$work/git.t")
  read -r rs rkb < <(tail -n 1 "$work/rc.t")
  ratio=$(python3 -c "print(f'{$rs/$gs:.2f}')")
  ratios+=("$ratio")
  printf 'run %d: git log -p %6.2fs (%4d MB)   rolecall history %6.2fs (%4d MB)   ratio %s\n' \
    "$i" "$gs" $((gkb / 1024)) "$rs" $((rkb / 1024)) "$ratio"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')
echo "median ratio rolecall/git-log-p: $median"
echo "findings: $(python3 -c "import json,sys;print(len(json.load(open(sys.argv[1]))))" "$work/findings.json")"
