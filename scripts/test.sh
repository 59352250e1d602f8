#!/usr/bin/env bash
# The one test command: everything connectmail's CI runs, on a fresh machine.
#   ./scripts/test.sh            full run
#   FUZZTIME=0 ./scripts/test.sh skip the short fuzz runs
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS="${GOFLAGS:--mod=mod}"

step() { printf '\n==> %s\n' "$*"; }

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then echo "not gofmt-formatted:"; echo "$unformatted"; exit 1; fi

step "go vet"
go vet ./...

step "staticcheck"
go run honnef.co/go/tools/cmd/staticcheck@v0.7.0 ./...

# Optional real components the tests use when present.
source scripts/testenv.sh

step "go test"
go test -count=1 -timeout 20m ./...

if [ -n "${CONNECTMAIL_TEST_POSTGRES:-}" ]; then
  step "go test ./server on PostgreSQL (the end-to-end suite again, on the other store)"
  CONNECTMAIL_TEST_E2E_STORE=postgres go test -count=1 -timeout 10m ./server/
fi

FUZZTIME="${FUZZTIME:-5s}"
if [ "$FUZZTIME" != "0" ]; then
  step "fuzz ($FUZZTIME each)"
  while read -r pkg target; do
    [ -n "$pkg" ] || continue
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime 5s "$pkg"
  done < <(grep -rl --include='*_test.go' '^func Fuzz' . | while read -r f; do
             d=$(dirname "$f"); grep -o '^func Fuzz[A-Za-z0-9_]*' "$f" | sed 's/^func //' | sed "s#^#$d #"; done)
fi

step "all tests passed"
