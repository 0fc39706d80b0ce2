#!/usr/bin/env bash
# Installs rolecall for the GitHub Action (action.yml): the released binary
# for the runner's OS and architecture, checked against the release's
# checksums.txt, or a build of the action's own checkout (version: source).
set -euo pipefail

# With no version given, install the release the action itself was pinned
# to (uses: rolecall/rolecall@v0.1.0), so the action and the binary match.
version=${ROLECALL_VERSION:-}
if [ -z "$version" ]; then
  ref=${ACTION_REF:-${GITHUB_ACTION_REF:-}}
  if [[ "$ref" =~ ^v[0-9]+\.[0-9]+\.[0-9]+ ]]; then
    version=$ref
  elif command -v go >/dev/null; then
    echo "rolecall: the action is pinned to ${ref:-an unknown ref}, not a release tag: building it from source"
    version=source
  else
    echo "::warning::rolecall: the action is pinned to ${ref:-an unknown ref}, not a release tag, and Go is not installed: installing the latest release (set version: to choose one)"
    version=latest
  fi
fi
dest=${RUNNER_TEMP:-/tmp}/rolecall-bin
mkdir -p "$dest"

if [ "$version" = "source" ]; then
  command -v go >/dev/null || { echo "::error::version: source needs Go on the runner (actions/setup-go)"; exit 1; }
  (cd "${ACTION_PATH:?}" && CGO_ENABLED=0 go build -trimpath -o "$dest/rolecall" ./cmd/rolecall)
  echo "$dest" >>"${GITHUB_PATH:?}"
  "$dest/rolecall" version
  exit 0
fi

case "${RUNNER_OS:-$(uname -s)}" in
  Linux) os=linux ;;
  macOS | Darwin) os=darwin ;;
  Windows) os=windows ;;
  *) echo "::error::unsupported runner OS ${RUNNER_OS:-unknown}"; exit 1 ;;
esac
case "${RUNNER_ARCH:-$(uname -m)}" in
  X64 | x86_64 | amd64) arch=amd64 ;;
  ARM64 | arm64 | aarch64) arch=arm64 ;;
  *) echo "::error::unsupported runner architecture ${RUNNER_ARCH:-unknown}"; exit 1 ;;
esac
ext=tar.gz
[ "$os" = windows ] && ext=zip
archive="rolecall_${os}_${arch}.${ext}"
if [ "$version" = latest ]; then
  base="https://github.com/rolecall/rolecall/releases/latest/download"
else
  base="https://github.com/rolecall/rolecall/releases/download/${version}"
fi

cd "$dest"
curl -fsSL --retry 3 -o "$archive" "$base/$archive"
curl -fsSL --retry 3 -o checksums.txt "$base/checksums.txt"
# Verify before unpacking: the archive must be listed, with this checksum.
grep -E "  ${archive}\$" checksums.txt >expected.txt || { echo "::error::$archive is not in the release's checksums.txt"; exit 1; }
if command -v sha256sum >/dev/null; then
  sha256sum -c expected.txt
else
  shasum -a 256 -c expected.txt
fi
if [ "$ext" = zip ]; then unzip -oq "$archive"; else tar -xzf "$archive"; fi
echo "$dest" >>"${GITHUB_PATH:?}"
./rolecall version
