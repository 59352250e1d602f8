#!/bin/sh
# measure.sh runs the measurements of the README's "Performance" section
# with `connectmail bench` and writes one text report per run into OUT.
#
#   bench/measure.sh [OUT]          (default OUT: ./bench-results)
#
# Environment: MAILPIT (path of a Mailpit binary, default: mailpit on PATH or
# ~/go/bin/mailpit), PRELOAD (contacts for the million-contact run, default
# 1000000; 0 skips it), BIN (a connectmail binary; default: built from this
# checkout), PG (a postgres:// DSN of an empty database to measure the
# PostgreSQL store too; its tables are dropped before each run). Before each run it waits up to 4 minutes for the CPUs to be at
# least 90 % idle for 6 seconds (other work on the machine skews the
# figures) and records uptime before and after.
set -eu
cd "$(dirname "$0")/.."
OUT=${1:-bench-results}
mkdir -p "$OUT"
if [ -z "${BIN:-}" ]; then
	BIN=$OUT/connectmail
	go build -o "$BIN" ./cmd/connectmail
fi
MAILPIT=${MAILPIT:-$(command -v mailpit || echo "$HOME/go/bin/mailpit")}
PRELOAD=${PRELOAD:-1000000}
PSQL=${PSQL:-$(command -v psql || echo /usr/lib/postgresql/15/bin/psql)}

idle() { # prints the idle percentage of the CPUs over 3 seconds
	a=$(awk '/^cpu /{print $2+$3+$4+$5+$6+$7+$8, $5+$6}' /proc/stat)
	sleep 3
	b=$(awk '/^cpu /{print $2+$3+$4+$5+$6+$7+$8, $5+$6}' /proc/stat)
	echo "$a $b" | awk '{printf "%d", 100*($4-$2)/($3-$1)}'
}

quiet() { # waits for two idle windows in a row, 4 minutes at most
	t=0 ok=0
	while [ $ok -lt 2 ] && [ $t -lt 240 ]; do
		i=$(idle)
		if [ "$i" -ge 90 ]; then ok=$((ok + 1)); else ok=0; fi
		t=$((t + 3))
	done
	echo "CPUs ${i}% idle before the run"
}

run() { # run NAME ARGS...: one bench run into $OUT/NAME.txt
	name=$1
	shift
	{
		echo "\$ connectmail bench $*"
		quiet
		echo "uptime before: $(uptime)"
		"$BIN" bench "$@" 2>/dev/null || echo "(exit code $?)"
		echo "uptime after: $(uptime)"
	} >"$OUT/$name.txt"
	cat "$OUT/$name.txt"
	echo
}

git rev-parse HEAD >"$OUT/commit.txt" 2>/dev/null || echo "not a git checkout" >"$OUT/commit.txt"
for c in 16 32 64 128; do
	run "c$c" --sink --concurrency "$c" --duration 10s --compare-mailpit "$MAILPIT"
done
run r2000 --sink --rate 2000 --duration 10s --compare-mailpit "$MAILPIT"
run r1000 --sink --rate 1000 --duration 10s --compare-mailpit "$MAILPIT"
run template-c32 --sink --template --concurrency 32 --duration 10s
run describe-empty --sink --concurrency 32 --duration 10s --describe
run describe-empty-rate1000 --sink --concurrency 32 --duration 10s --describe --describe-rate 1000 --describe-duration 10s
if [ -n "${PG:-}" ]; then
	for i in 1 2; do
		"$PSQL" "$PG" -q -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' >/dev/null
		run "postgres-c32-$i" --sink --concurrency 32 --duration 10s --db "$PG"
	done
fi
if [ "$PRELOAD" -gt 0 ]; then
	# The preloaded database is kept in OUT (about 3.8 KB per contact) for
	# the alternating empty / preloaded runs, then removed.
	rm -f "$OUT/preload.db" "$OUT/preload.db-wal" "$OUT/preload.db-shm"
	run "preload$PRELOAD" --sink --preload "$PRELOAD" --concurrency 32 --duration 10s --describe --describe-rate 1000 --describe-duration 10s --db "sqlite:$OUT/preload.db"
	for i in 1 2; do
		run "ab-empty-$i" --sink --concurrency 32 --duration 10s
		run "ab-preloaded-$i" --sink --concurrency 32 --duration 10s --db "sqlite:$OUT/preload.db"
	done
	rm -f "$OUT/preload.db" "$OUT/preload.db-wal" "$OUT/preload.db-shm"
fi
