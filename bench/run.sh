#!/usr/bin/env bash
# run.sh measures authkit against scs and gorilla/sessions and writes
# bench/BENCHMARKS.md: TestWrites (store reads and writes per 1,000
# requests), COUNT interleaved rounds of BenchmarkSession, TestPaired (every
# library and the backend's raw floor served in random order, request after
# request), benchstat's
# summary, CPU profiles of authkit's side, and cmd/report's tables, ratios
# and goals.
#
#   bench/run.sh                    # 6 rounds, -benchtime 1s
#   COUNT=10 BENCHTIME=2s bench/run.sh
#   REPORT_ONLY=1 bench/run.sh      # BENCHMARKS.md again from bench/results/, measuring nothing
#
# The raw material stays in bench/results/ (ignored by git; RESULTS=DIR for
# another place): the benchmark output, benchstat's tables, TestWrites'
# counts and log, the profiles, and the machine's description.
#
# The section "Parallel validation by cores" comes from bench/PARALLEL.md
# (measured with bench/manycores.sh and by hand, see there), appended.
#
# PostgreSQL and Redis are found as authkit's store tests find them
# (AUTHKIT_POSTGRES_URL, AUTHKIT_REDIS_URL; see internal/testservices);
# a backend whose server does not answer is skipped, and BENCHMARKS.md says
# so. Run it on a quiet machine: other load shows up in every figure.
set -euo pipefail

cd "$(dirname "$0")"
COUNT=${COUNT:-6}
BENCHTIME=${BENCHTIME:-1s}
# benchstat, pinned: go run fetches it through the module proxy without
# touching bench/go.mod.
BENCHSTAT=${BENCHSTAT:-golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da}
OUT=${OUT:-BENCHMARKS.md}
work=${RESULTS:-results}
mkdir -p "$work/profiles"
work=$(cd "$work" && pwd)

# describe records the machine and the run in meta.env, for the report.
describe() {
	local cpu cores gover date commit load services
	cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1)
	cores=$(nproc)
	gover=$(go version | sed 's/^go version //')
	date=$(date -u '+%Y-%m-%d %H:%M UTC')
	commit=$(git log -1 --format='%h %s' 2>/dev/null || echo unknown)
	if [ -n "$(git status --porcelain -- .. 2>/dev/null | grep -v -e '^?? bench/' -e ' bench/BENCHMARKS.md$' | head -n 1)" ]; then
		commit="$commit (with uncommitted changes)"
	fi
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	redact() { sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#'; }
	services="PostgreSQL $(echo "${AUTHKIT_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}" | redact), Redis $(echo "${AUTHKIT_REDIS_URL:-redis://127.0.0.1:6379/0}" | redact)"
	declare -p cpu cores gover date commit load services COUNT BENCHTIME >"$work/meta.env"
}

measure() {
	rm -f "$work"/bench.test "$work"/bench.txt "$work"/benchstat.txt "$work"/writes.json "$work"/writes.log "$work"/paired.json "$work"/paired.log \
		"$work"/meta.env "$work"/cpu-*.out "$work"/profiles/cpu-*.txt
	describe

	echo "run.sh: building" >&2
	go vet ./...
	go test -c -o "$work/bench.test" .

	echo "run.sh: TestWrites" >&2
	"$work/bench.test" -test.run '^TestWrites$' -test.count 1 -test.v \
		-writes.json "$work/writes.json" >"$work/writes.log" 2>&1 || {
		cat "$work/writes.log" >&2
		exit 1
	}

	# COUNT rounds of every benchmark once, rather than -test.count, which
	# runs each benchmark COUNT times in a row: interleaved, a burst of load
	# from elsewhere spreads over all the libraries instead of landing on one.
	echo "run.sh: BenchmarkSession, $COUNT rounds, -benchtime $BENCHTIME (about $((COUNT * 60 / 60 + 1)) min)" >&2
	: >"$work/bench.txt"
	for round in $(seq "$COUNT"); do
		echo "run.sh: round $round of $COUNT" >&2
		# -test.v: a skipped backend's reason is printed only then.
		"$work/bench.test" -test.run '^$' -test.bench '^BenchmarkSession$' -test.benchmem -test.v \
			-test.count 1 -test.benchtime "$BENCHTIME" -test.timeout 0 | tee -a "$work/bench.txt" >&2
	done

	# Paired: every library of a backend serves one request in turn, in a
	# random order, request after request (round trips swing too much from
	# one second to the next for separate benchmarks to compare within 10%).
	echo "run.sh: TestPaired, ${PAIRED_N:-3000} requests per library" >&2
	"$work/bench.test" -test.run '^TestPaired$' -test.count 1 -test.v -test.timeout 0 \
		-paired.json "$work/paired.json" -paired.n "${PAIRED_N:-3000}" >"$work/paired.log" 2>&1 || {
		cat "$work/paired.log" >&2
		exit 1
	}

	echo "run.sh: benchstat" >&2
	# One table per backend, a column per library: benchstat compares each
	# library with the first column, authkit.
	: >"$work/benchstat.txt"
	for backend in memory sqlite postgres redis; do
		if grep -q "^BenchmarkSession/backend=$backend/" "$work/bench.txt"; then
			{
				echo "### $backend"
				echo
				go run "$BENCHSTAT" -filter "/backend:$backend" -col /lib -row /form "$work/bench.txt"
				echo
			} >>"$work/benchstat.txt"
		fi
	done

	echo "run.sh: CPU profiles of authkit" >&2
	for backend in memory sqlite postgres redis; do
		"$work/bench.test" -test.run '^$' -test.bench "^BenchmarkSession\$/^backend=$backend\$/^lib=authkit\$/^form=serial\$" \
			-test.benchtime 2s -test.cpuprofile "$work/cpu-$backend.out" >/dev/null 2>&1 || true
		if [ -s "$work/cpu-$backend.out" ]; then
			go tool pprof -top -nodecount 20 "$work/bench.test" "$work/cpu-$backend.out" \
				>"$work/profiles/cpu-$backend.txt" 2>/dev/null || true
		fi
	done
}

if [ "${REPORT_ONLY:-}" != 1 ]; then
	measure
fi

echo "run.sh: writing $OUT" >&2
# shellcheck source=/dev/null
. "$work/meta.env"
paired=()
if [ -f "$work/paired.json" ]; then paired=(-paired "$work/paired.json"); fi
go run ./cmd/report -o "$OUT" \
	-bench "$work/bench.txt" -benchstat "$work/benchstat.txt" \
	-writes "$work/writes.json" -writes-log "$work/writes.log" -profiles "$work/profiles" "${paired[@]}" \
	-cpu "$cpu" -cores "$cores" -go "$gover" -date "$date" -commit "$commit" -load "$load" \
	-count "$COUNT" -benchtime "$BENCHTIME" -services "$services"
# The sections measured elsewhere (by core count, at 10 million
# sessions) are kept in files of their own and appended, so that this
# script does not wipe them.
if [ -f PARALLEL.md ]; then
	{
		echo
		cat PARALLEL.md
	} >>"$OUT"
fi
echo "run.sh: wrote $OUT (in bench/ unless absolute)" >&2
