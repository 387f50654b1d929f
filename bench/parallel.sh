#!/usr/bin/env bash
# parallel.sh runs TestParallel (parallel_test.go): authkit against its
# backend's floor at several GOMAXPROCS, alternating in short slices,
# medians of ROUNDS rounds. It writes a Markdown section (machine, commit,
# load before and after, the tables) to stdout and to OUT, and keeps the
# test's log, with every round's figures, next to it.
#
#   bench/parallel.sh                               # postgres,redis at 1,2,4,8, 7 rounds
#   ROUNDS=9 CPU=1,2,4,8,16 BACKENDS=sqlite,memory bench/parallel.sh
#
# PostgreSQL and Redis are found as in every benchmark here
# (AUTHKIT_POSTGRES_URL, AUTHKIT_REDIS_URL; see internal/testservices).
set -euo pipefail

cd "$(dirname "$0")"
ROUNDS=${ROUNDS:-7}
CPU=${CPU:-1,2,4,8}
BACKENDS=${BACKENDS:-postgres,redis}
OUT=${OUT:-results/parallel.md}
mkdir -p "$(dirname "$OUT")"
log=${OUT%.md}.log
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go test -c -o "$tmp/bench.test" .
commit=$(git log -1 --format='%h' 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain -- .. 2>/dev/null | grep -v '^?? bench/results/' | head -n 1)" ]; then
	commit="$commit (with uncommitted changes)"
fi
cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1)
before=$(cut -d' ' -f1-3 /proc/loadavg)
"$tmp/bench.test" -test.run '^TestParallel$' -test.v -test.timeout 0 \
	-parallel.out "$tmp/tables.md" -parallel.rounds "$ROUNDS" -parallel.cpu "$CPU" \
	-parallel.backends "$BACKENDS" >"$log" 2>&1 || {
	cat "$log" >&2
	exit 1
}
after=$(cut -d' ' -f1-3 /proc/loadavg)
{
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $cpu, $(nproc) cores, $(go version | cut -d' ' -f3), commit $commit."
	echo "Load average (1, 5, 15 minutes) before: $before; after: $after. $ROUNDS rounds."
	echo
	cat "$tmp/tables.md"
} | tee "$OUT"
