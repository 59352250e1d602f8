#!/usr/bin/env bash
# Builds the release archives: a static connectmail (CGO_ENABLED=0, -trimpath)
# for linux, darwin and windows on amd64 and arm64, each packed with the README
# (and, for linux, the systemd unit), plus SHA256SUMS over the archives.
#
#   scripts/release.sh v0.2.0                 all six targets into dist/
#   TARGETS=linux/amd64 scripts/release.sh    just one
#   OUT=/tmp/rel COMMIT=abc123 scripts/release.sh v0.2.0
#
# VERSION defaults to `git describe --tags --always --dirty`; COMMIT to
# `git rev-parse HEAD` (plus -dirty for uncommitted changes). Both are stamped
# with -ldflags -X because builds here run with -buildvcs=false, and they are
# what `connectmail version` prints. Archives are reproducible: fixed file
# order, owners and times (SOURCE_DATE_EPOCH, default the last commit's time).
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION="${1:-${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo v0.0.0-dev)}}"
if [ -z "${COMMIT:-}" ]; then
  COMMIT=$(git rev-parse HEAD 2>/dev/null || echo unknown)
  if [ "$COMMIT" != unknown ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    COMMIT="$COMMIT-dirty"
  fi
fi
TARGETS="${TARGETS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64}"
OUT="${OUT:-dist}"
SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}"
export SOURCE_DATE_EPOCH

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

archives=()
for target in $TARGETS; do
  os=${target%/*} arch=${target#*/}
  name="connectmail_${VERSION#v}_${os}_${arch}"
  exe=connectmail
  [ "$os" = windows ] && exe=connectmail.exe
  mkdir -p "$stage/$name"
  echo "building $name"
  CGO_ENABLED=0 GOOS="$os" GOARCH="$arch" go build -mod=readonly -trimpath -buildvcs=false \
    -ldflags "-s -w -buildid= -X main.version=$VERSION -X main.commit=$COMMIT" \
    -o "$stage/$name/$exe" ./cmd/connectmail
  cp README.md "$stage/$name/"
  [ ! -f LICENSE ] || cp LICENSE "$stage/$name/"
  [ "$os" != linux ] || cp packaging/connectmail.service "$stage/$name/"
  find "$stage/$name" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  if [ "$os" = windows ]; then
    archive="$name.zip"
    rm -f "$OUT/$archive"
    (cd "$stage" && find "$name" -print | LC_ALL=C sort | zip -q -X -@ "$OUT/$archive")
  else
    archive="$name.tar.gz"
    tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
      -cf - "$name" | gzip -n -9 >"$OUT/$archive"
  fi
  archives+=("$archive")
  rm -rf "${stage:?}/$name"
done

(cd "$OUT" && sha256sum "${archives[@]}" >SHA256SUMS)
echo "wrote ${#archives[@]} archives and SHA256SUMS to $OUT"
