#!/usr/bin/env bash
# Checks the release configuration and builds a snapshot for this machine:
#
#   scripts/release-check.sh
#
# It installs GoReleaser v2.16.0 with `go install` (newer releases need a
# newer Go than the one this project builds with; the first install takes
# about ten minutes), runs `goreleaser check` and
# `goreleaser build --snapshot --clean --single-target`, and prints what the
# built binary says for `rolecall version`.
set -euo pipefail

cd "$(dirname "$0")/.."
tools=${ROLECALL_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/rolecall-tools}
goreleaser="$tools/goreleaser"
want=v2.16.0

if ! "$goreleaser" --version 2>/dev/null | grep -q "${want#v}"; then
  echo "installing goreleaser $want into $tools (about ten minutes the first time)"
  GOBIN="$tools" go install "github.com/goreleaser/goreleaser/v2@$want"
fi

"$goreleaser" check
"$goreleaser" build --snapshot --clean --single-target
bin=$(find dist -type f \( -name rolecall -o -name rolecall.exe \) | head -n 1)
echo "built $bin"
"$bin" version
