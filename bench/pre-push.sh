#!/usr/bin/env bash
# Time `rolecall pre-push` for a push of three new commits to a large
# repository.
#
#   bench/pre-push.sh REPO [RUNS]
#
# REPO is a clone or mirror (e.g. /work/.mirror/aws+amazon-sagemaker-examples/repo).
# The script makes a --shared clone of it (objects stay in REPO, reached
# through objects/info/alternates), marks the default branch as pushed
# (refs/remotes/origin/main), adds three commits on top with git plumbing,
# and times rolecall reading git's pre-push input for that push. It prints
# each run and the median wall time.
set -euo pipefail

repo=${1:?usage: bench/pre-push.sh REPO [RUNS]}
runs=${2:-7}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GIT_NO_LAZY_FETCH=1 GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.org \
  GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.org

go build -C "$here" -o "$work/rolecall" ./cmd/rolecall
git clone -q --shared --no-checkout "$repo" "$work/clone"
cd "$work/clone"
tip=$(git rev-parse HEAD)
git update-ref refs/remotes/origin/main "$tip"
parent=$tip
for i in 1 2 3; do
  blob=$(printf 'print("change %d")\n' "$i" | git hash-object -w --stdin)
  tree=$(git mktree < <(git ls-tree "$parent"; printf '100644 blob %s\tbench_change_%d.py\n' "$blob" "$i") )
  parent=$(git commit-tree "$tree" -p "$parent" -m "bench change $i")
done
git update-ref refs/heads/main "$parent"
echo "repository: $repo ($(git rev-list --all | wc -l) commits); pushing 3 commits on top of ${tip:0:12}"
line="refs/heads/main $parent refs/heads/main $tip"

times=()
for i in $(seq "$runs"); do
  start=$(date +%s.%N)
  echo "$line" | "$work/rolecall" pre-push origin "$repo" >/dev/null
  end=$(date +%s.%N)
  t=$(python3 -c "print(f'{$end-$start:.3f}')")
  times+=("$t")
  echo "run $i: ${t}s"
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print "median: " ((NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2) "s"}'
