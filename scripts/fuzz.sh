#!/usr/bin/env bash
# Runs every fuzz target of the module for a given time each (default 2m),
# one after the other, and prints the executions count of each.
#
#   scripts/fuzz.sh                    # 2 minutes per target
#   scripts/fuzz.sh 30s                # 30 seconds per target
#   scripts/fuzz.sh 2m ./authrequest   # only the targets of these packages
#   FUZZ_PARALLEL=1 scripts/fuzz.sh    # one fuzzing worker (a small machine)
#
# Targets are found by name (func FuzzX in a _test.go file), so a new one
# runs without being listed here: authrequest has FuzzOriginCheck,
# FuzzCookieTossing and FuzzTrustedOrigin (a pattern never matches a
# public-suffix sibling).
#
# Seed corpora live in each package's testdata/fuzz/<Target>/; a failing
# input is written there too, and then runs as a regular test case.
set -euo pipefail
cd "$(dirname "$0")/.."
time="${1:-2m}"
shift || true
parallel=()
if [ -n "${FUZZ_PARALLEL:-}" ]; then parallel=(-parallel "$FUZZ_PARALLEL"); fi
status=0
for pkg in $(go list "${@:-./...}" | grep -v /bench); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	for target in $(grep -hoE '^func (Fuzz[A-Za-z0-9_]+)' "$dir"/*_test.go 2>/dev/null | awk '{print $2}'); do
		echo "== $pkg $target ($time)"
		if out=$(go test -run '^$' -fuzz "^${target}\$" -fuzztime "$time" "${parallel[@]}" "$pkg" 2>&1); then
			echo "$out" | grep -E '^fuzz: elapsed' | tail -1
			echo "PASS"
		else
			echo "$out" | tail -30
			echo "FAIL: $pkg $target"
			status=1
		fi
	done
done
exit $status
