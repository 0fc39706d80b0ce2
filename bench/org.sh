#!/usr/bin/env bash
# Organisation scans at two sizes: generate 200 and 1,000 small repositories
# (git fast-import, a few seconds), scan each set with `rolecall org` from a
# fresh state at -j 1 and -j 4, and report repositories per second and peak
# memory (median of RUNS runs), and the ratio of peak memory 1,000 vs 200
# (the target is at most 1.2: nothing is held per repository once it is done).
#
#   bench/org.sh [RUNS] [SIZES]          # defaults: 3 runs, "200 1000"
#   MODE=clone bench/org.sh              # through bare mirrors (file:// URLs
#                                        # fetched with go-git) instead of --dir
#
# Each repository has 6 commits touching 4 files (one of them, a licence,
# shared by all, as forks and templates do) and one fake secret, made here
# from random bytes, so every run also streams findings to the store.
set -euo pipefail

runs=${1:-3}
sizes=${2:-"200 1000"}
mode=${MODE:-dir}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

go build -C "$here" -o "$work/rolecall" ./cmd/rolecall

# generate DIR COUNT: COUNT bare repositories, each from one fast-import
# stream written by python (one git process per repository).
generate() {
  python3 - "$1" "$2" <<'PY'
import base64, os, shutil, subprocess, sys
root, count = sys.argv[1], int(sys.argv[2])
os.makedirs(root, exist_ok=True)
template = os.path.join(root, ".template")
subprocess.run(["git", "init", "-q", "--bare", template], check=True)
licence = b"Licensed to everyone. Same text in every repository.\n"
def blob(path, body):
    return b"M 100644 inline %s\ndata %d\n%s\n" % (path, len(body), body)
for n in range(count):
    out = []
    for c in range(1, 7):
        if c == 3:
            # A key id and secret made from random bytes: fake, never stored here.
            kid = b"AKIA" + base64.b32encode(os.urandom(10))[:16]
            secret = base64.b64encode(os.urandom(30)).replace(b"+", b"x").replace(b"/", b"y")[:40]
            settings = b'AWS_ACCESS_KEY_ID = "%s"\nAWS_SECRET_ACCESS_KEY = "%s"\n' % (kid, secret)
        else:
            settings = b"DEBUG = %d\n" % c
        msg = b"commit %d" % c
        out.append(b"commit refs/heads/main\nmark :%d\ncommitter Bench <bench@example.org> %d +0000\ndata %d\n%s\n"
                   % (c, 1700000000 + n * 100 + c, len(msg), msg))
        if c > 1:
            out.append(b"from :%d\n" % (c - 1))
        out.append(blob(b"app.py", b"import os\n\ndef main():\n    return %d + %d\n" % (n, c)))
        out.append(blob(b"README.md", b"# repo %d\n\nrevision %d\n" % (n, c)))
        out.append(blob(b"LICENSE", licence))
        out.append(blob(b"config/settings.py", settings))
    d = os.path.join(root, "r%d.git" % n)
    shutil.copytree(template, d)
    subprocess.run(["git", "-C", d, "fast-import", "--quiet"], input=b"".join(out), check=True)
shutil.rmtree(template)
PY
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

declare -A peak
for size in $sizes; do
  start=$(date +%s)
  generate "$work/repos$size" "$size"
  echo "generated $size repositories in $(($(date +%s) - start))s"
  if [ "$mode" = clone ]; then
    for d in "$work/repos$size"/*.git; do echo "file://$d"; done >"$work/list$size"
    src=(--repos "$work/list$size")
  else
    src=(--dir "$work/repos$size")
  fi
  for j in 1 4; do
    rates=() mems=()
    for i in $(seq "$runs"); do
      rm -rf "$work/state"
      code=0
      /usr/bin/time -f "%e %M" -o "$work/t" "$work/rolecall" org "${src[@]}" --state "$work/state" -j "$j" -q \
        -o "$work/out.jsonl" --summary "$work/summary.json" || code=$?
      [ "$code" = 0 ] || [ "$code" = 1 ] || { echo "rolecall org exited $code" >&2; exit 1; }
      read -r secs kb < <(tail -n 1 "$work/t")
      rate=$(python3 -c "print(f'{$size/max($secs,0.01):.1f}')")
      rates+=("$rate") mems+=("$kb")
      printf 'size %5d  -j %d  run %d: %6.2fs  %7s repos/s  peak %4d MB  %s\n' "$size" "$j" "$i" "$secs" "$rate" $((kb / 1024)) \
        "$(python3 -c "import json,sys;s=json.load(open(sys.argv[1]));print(f\"commits {s['commits_scanned']} blobs {s['blobs_scanned']} findings {s['findings']} failed {len(s['failed'])}\")" "$work/summary.json")"
    done
    mr=$(printf '%s\n' "${rates[@]}" | median)
    mm=$(printf '%s\n' "${mems[@]}" | median)
    peak[$size.$j]=$mm
    printf 'MEDIAN size %5d  -j %d: %s repos/s, peak %d MB\n' "$size" "$j" "$mr" $((${mm%.*} / 1024))
  done
  rm -rf "$work/repos$size"
done
set -- $sizes
if [ $# -ge 2 ]; then
  for j in 1 4; do
    python3 -c "print(f'peak memory ratio $2 vs $1 at -j $j: {${peak[$2.$j]}/${peak[$1.$j]}:.2f}')"
  done
fi
