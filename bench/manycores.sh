#!/usr/bin/env bash
# manycores.sh measures validation throughput by core count (issue 21) on
# the machine it runs on: BenchmarkSession's parallel form for authkit and
# the floors on memory and SQLite, at -cpu 1,2,4,8,16 (CPUS to change),
# ROUNDS interleaved rounds, with mutex and block profiles of authkit and
# the floor at the highest count. It needs no Go and no services where it
# runs, only the static test binary it builds (or is given):
#
#   bench/manycores.sh build           # here: writes results/manycores/bench.test (CGO_ENABLED=0)
#   bench/manycores.sh run [BINARY]    # there: measures, writes results/manycores/
#
# Copy bench.test and this script to the many-core machine, run "run"
# there and bring results/manycores/ back; table.md holds the medians and
# ratios for bench/MANYCORES.md. scs's SQLite store needs cgo and is
# skipped in a static binary; PostgreSQL and Redis are skipped where no
# server answers.
set -euo pipefail
cd "$(dirname "$0")"
CPUS=${CPUS:-1,2,4,8,16}
ROUNDS=${ROUNDS:-3}
BENCHTIME=${BENCHTIME:-1s}
out=${RESULTS:-results}/manycores
mkdir -p "$out"

case "${1:-}" in
build)
	CGO_ENABLED=0 go test -c -o "$out/bench.test" .
	echo "manycores.sh: wrote $out/bench.test; copy it with this script" >&2
	;;
run)
	bin=${2:-$out/bench.test}
	{
		echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1)"
		echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	} >"$out/meta.txt"
	: >"$out/bench.txt"
	for round in $(seq "$ROUNDS"); do
		echo "manycores.sh: round $round of $ROUNDS (load $(cut -d' ' -f1 /proc/loadavg))" >&2
		"$bin" -test.run '^$' -test.bench '^BenchmarkSession$/^backend=(memory|sqlite)$/^lib=(authkit|floor|floor-min|baseline)$/^form=parallel$' \
			-test.benchmem -test.count 1 -test.benchtime "$BENCHTIME" -test.cpu "$CPUS" -test.timeout 0 | tee -a "$out/bench.txt" >&2
	done
	top=${CPUS##*,}
	for lib in authkit floor; do
		"$bin" -test.run '^$' -test.bench "^BenchmarkSession\$/^backend=sqlite\$/^lib=$lib\$/^form=parallel\$" \
			-test.benchtime "$BENCHTIME" -test.cpu "$top" \
			-test.mutexprofile "$out/mutex-$lib.out" -test.blockprofile "$out/block-$lib.out" >/dev/null
	done
	# Medians per benchmark and -cpu, and authkit / floor per backend.
	awk '/^BenchmarkSession\// {
		n = split($1, p, "-"); cpu = (n > 1 && p[n] ~ /^[0-9]+$/) ? p[n] : 1
		name = $1; sub(/-[0-9]+$/, "", name); split(name, q, "/")
		key = q[2] "|" q[3] "|" cpu; v[key] = v[key] " " $3; keys[key] = 1
	}
	function median(s,   a, n, i, j, t) {
		n = split(s, a, " ")
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	END {
		print "| backend | lib | -cpu | ns/op (median) | authkit / floor |"
		print "|---|---|---|---|---|"
		for (k in keys) m[k] = median(v[k])
		for (k in keys) {
			split(k, f, "|"); r = ""
			if (f[2] == "lib=authkit") { fk = f[1] "|lib=floor|" f[3]; if (fk in m) r = sprintf("%.2f", m[k] / m[fk]) }
			if (f[1] == "backend=memory" && f[2] == "lib=authkit") { fk = f[1] "|lib=baseline|" f[3]; if (fk in m) r = sprintf("%.2f (÷ baseline)", m[k] / m[fk]) }
			printf "| %s | %s | %s | %.0f | %s |\n", f[1], f[2], f[3], m[k], r
		}
	}' "$out/bench.txt" | { read -r h; read -r s; echo "$h"; echo "$s"; sort -t'|' -k2,2 -k3,3 -k4,4n; } >"$out/table.md"
	cat "$out/meta.txt" "$out/table.md"
	echo "manycores.sh: profiles in $out (go tool pprof -top bench.test mutex-authkit.out)" >&2
	;;
*)
	echo "usage: $0 build | run [BINARY]" >&2
	exit 2
	;;
esac
