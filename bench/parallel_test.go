package bench

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/internal/testservices"
)

var (
	parallelOut      = flag.String("parallel.out", "", "run TestParallel and write its tables, in Markdown, to this file")
	parallelCPU      = flag.String("parallel.cpu", "1,2,4,8", "GOMAXPROCS values of TestParallel, comma-separated")
	parallelRounds   = flag.Int("parallel.rounds", 5, "rounds of TestParallel")
	parallelSlice    = flag.Duration("parallel.slice", 10*time.Millisecond, "how long one library runs in TestParallel before the other takes over")
	parallelSlices   = flag.Int("parallel.slices", 30, "slices of each library per round of TestParallel")
	parallelBackends = flag.String("parallel.backends", "postgres,redis", "backends of TestParallel, comma-separated")
)

// TestParallel measures authkit against its backend's floor (the wide
// one, "floor"; "baseline" for memory) at each GOMAXPROCS of
// -parallel.cpu, with GOMAXPROCS goroutines serving requests, as
// b.RunParallel does. On a shared machine whose load swings from one
// second to the next, benchmarks run one after the other (even
// interleaved, as run.sh does) compare the load as much as the libraries,
// so the two take turns in short slices (-parallel.slice): within a round,
// for every backend and count, authkit and the floor run -parallel.slices
// slices each, alternating. A library's figure in a round is the median of
// its slices' ns per request (a slice's time ÷ the requests served in
// it), so that a slice during which the process was not scheduled does
// not weigh on one library's figure; a round's ratio is authkit's figure
// ÷ the floor's. The tables give the median of -parallel.rounds rounds,
// after a round of warm-up that is not counted.
//
// The targets are made once per count, with GOMAXPROCS already set, so
// that pools sized by it are sized for that count: go-redis's (10 ×
// GOMAXPROCS) and the benchmarks' pgxpool (at least GOMAXPROCS, see
// postgresPoolConfig). On PostgreSQL and Redis, authkit and the floor
// share the pool (see parallelTargets). BenchmarkSession, by contrast,
// makes a target once for all the -cpu counts, at whatever GOMAXPROCS the
// benchmark run before it left.
//
// It runs only with -parallel.out and writes there, per backend, the
// median ns per request of each library, the median ratio, each round's
// ratio, and the load average (/proc/loadavg, first figure) at the start
// of each round. parallel.sh runs it; by hand, in bench/:
//
//	go test -run '^TestParallel$' -parallel.out parallel.md -parallel.rounds 7
func TestParallel(t *testing.T) {
	if *parallelOut == "" {
		t.Skip("run with -parallel.out FILE")
	}
	cpus, err := parseCPUs(*parallelCPU)
	if err != nil {
		t.Fatal(err)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))

	var runs []*parallelRun
	for _, be := range backends() {
		if !slices.Contains(strings.Split(*parallelBackends, ","), be.name) {
			continue
		}
		if be.require != nil {
			be.require(t)
		}
		for _, n := range cpus {
			runtime.GOMAXPROCS(n)
			libs, targets := parallelTargets(t, be)
			runs = append(runs, &parallelRun{backend: be.name, cpu: n, libs: libs, targets: targets, ns: make([][]float64, len(libs))})
		}
	}
	if len(runs) == 0 {
		t.Fatalf("no backend of %q", *parallelBackends)
	}

	// Round 0 warms up and is not counted: the pools open their
	// connections as the first requests ask for them.
	var loads []string
	for round := 0; round <= *parallelRounds; round++ {
		if round > 0 {
			loads = append(loads, loadAverage())
		}
		for _, r := range runs {
			runtime.GOMAXPROCS(r.cpu)
			var perSlice [2][]float64 // ns per request of each slice
			for slice := range 2 * *parallelSlices {
				i := (slice + round) % 2 // the first slice alternates from round to round
				d, n := serveParallel(r.targets[i], r.cpu, *parallelSlice)
				perSlice[i] = append(perSlice[i], float64(d.Nanoseconds())/float64(n))
			}
			for _, tg := range r.targets {
				tg.check(t)
			}
			if round == 0 {
				continue
			}
			for i := range r.targets {
				r.ns[i] = append(r.ns[i], median(perSlice[i]))
			}
			t.Logf("round %d, load %s: %s -cpu %d: authkit %.0f, %s %.0f ns", round, loads[len(loads)-1],
				r.backend, r.cpu, r.ns[0][len(r.ns[0])-1], r.libs[1], r.ns[1][len(r.ns[1])-1])
		}
	}
	md := parallelTables(runs, loads)
	t.Log("\n" + md)
	if err := os.WriteFile(*parallelOut, []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
}

// parallelTargets returns the names and targets of authkit and the
// floor on be, made at the current GOMAXPROCS. On PostgreSQL and Redis the
// two share one pool (pgxpool, sized by postgresPoolConfig; a go-redis
// client): the same connections, and so the same server processes (one
// PostgreSQL backend per connection), serve both, so that neither
// library's figures depend on how the kernel treats the processes of its
// own connections. Elsewhere they are the backend's "authkit" and "floor"
// ("baseline" for memory).
func parallelTargets(tb testing.TB, be backend) ([]string, []*target) {
	tb.Helper()
	switch be.name {
	case "postgres":
		pool := schemaPool(tb, "bench_parallel_") // the floor's table is in its search_path
		return []string{"authkit", "floor"}, []*target{
			newAuthkit(tb, authkitPostgresOn(tb, pool), false),
			postgresFloorOn(tb, pool, true),
		}
	case "redis":
		client := testservices.RedisClient(tb)
		return []string{"authkit", "floor"}, []*target{
			newAuthkit(tb, authkitRedisOn(tb, client), false),
			redisFloorOn(tb, client, true),
		}
	}
	libs := []string{"authkit", "floor"}
	if !slices.ContainsFunc(be.libs, func(l library) bool { return l.name == "floor" }) {
		libs[1] = "baseline" // memory's floor
	}
	var targets []*target
	for _, name := range libs {
		i := slices.IndexFunc(be.libs, func(l library) bool { return l.name == name })
		if i < 0 {
			tb.Fatalf("backend %s has no library %s", be.name, name)
		}
		targets = append(targets, be.libs[i].build(tb, false))
	}
	return libs, targets
}

// A parallelRun is one backend at one GOMAXPROCS: its targets (authkit's
// and the floor's, made at that count) and each one's ns per request, a
// figure per round.
type parallelRun struct {
	backend string
	cpu     int
	libs    []string
	targets []*target
	ns      [][]float64
}

// serveParallel serves t's request from procs goroutines, each with a
// writer of its own, until d has passed, and returns the requests served
// and the time they took: each goroutine's time from the start to the end
// of its own last request, averaged, so that a goroutine that finishes
// early does not count the others' last requests as its time. (A run of
// b.RunParallel counts until the last goroutine is done.) Each goroutine
// reads the clock once a request: tens of nanoseconds, nothing beside a
// round trip to a server, but a share of a memory store's figures.
func serveParallel(t *target, procs int, d time.Duration) (time.Duration, int64) {
	var served, busy atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	end := start.Add(d)
	for range procs {
		wg.Go(func() {
			w := newDiscardWriter()
			var n int64
			for {
				t.serve(w) // at least one request, however late the goroutine starts
				n++
				if now := time.Now(); !now.Before(end) {
					busy.Add(int64(now.Sub(start)))
					break
				}
			}
			served.Add(n)
		})
	}
	wg.Wait()
	return time.Duration(busy.Load() / int64(procs)), served.Load()
}

// parallelTables returns a Markdown table per backend: for each count,
// the median of each library's figures, the median of the rounds' ratios
// (authkit ÷ floor) and each round's ratio; then the load average at the
// start of each round.
func parallelTables(runs []*parallelRun, loads []string) string {
	var b strings.Builder
	backend := ""
	for _, r := range runs {
		if r.backend != backend {
			backend = r.backend
			fmt.Fprintf(&b, "#### %s\n\n| -cpu | authkit | %[2]s | authkit ÷ %[2]s (median of rounds) | ≤ 1.15 | each round |\n|---|---|---|---|---|---|\n", backend, r.libs[1])
		}
		a, f := median(r.ns[0]), median(r.ns[1])
		ratios := make([]float64, len(r.ns[0]))
		for i := range ratios {
			ratios[i] = r.ns[0][i] / r.ns[1][i]
		}
		ratio := median(ratios)
		meets := "yes"
		if ratio > 1.15 {
			meets = "no"
		}
		var each []string
		for _, x := range ratios {
			each = append(each, fmt.Sprintf("%.2f", x))
		}
		fmt.Fprintf(&b, "| %d | %s | %s | %.2f | %s | %s |\n", r.cpu, thousands(a), thousands(f), ratio, meets, strings.Join(each, ", "))
		if i := slices.Index(runs, r); i == len(runs)-1 || runs[i+1].backend != backend {
			b.WriteString("\n")
		}
	}
	fmt.Fprintf(&b, "Load average (1 minute) at the start of each round: %s.\n", strings.Join(loads, ", "))
	return b.String()
}

// median returns the median of v, without changing v.
func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// thousands formats ns rounded to a whole number, with commas between
// thousands, as the tables of PARALLEL.md are written.
func thousands(ns float64) string {
	s := strconv.FormatInt(int64(ns+0.5), 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// parseCPUs parses a comma-separated list of positive counts.
func parseCPUs(list string) ([]int, error) {
	var cpus []int
	for f := range strings.SplitSeq(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-parallel.cpu %q: %q is not a positive count", list, f)
		}
		cpus = append(cpus, n)
	}
	return cpus, nil
}

// loadAverage returns the one-minute load average from /proc/loadavg, or
// "?" where there is none.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "?"
}

// TestParallelHelpers checks the arithmetic and parsing TestParallel's
// tables rest on.
func TestParallelHelpers(t *testing.T) {
	if got := median([]float64{5, 1, 3}); got != 3 {
		t.Errorf("median of 5, 1, 3 = %v, want 3", got)
	}
	if got := median([]float64{4, 1, 3, 2}); got != 2.5 {
		t.Errorf("median of 4, 1, 3, 2 = %v, want 2.5", got)
	}
	for ns, want := range map[float64]string{7: "7", 999.6: "1,000", 35765: "35,765", 1234567: "1,234,567"} {
		if got := thousands(ns); got != want {
			t.Errorf("thousands(%v) = %q, want %q", ns, got, want)
		}
	}
	if got, err := parseCPUs("1, 2,8"); err != nil || !slices.Equal(got, []int{1, 2, 8}) {
		t.Errorf("parseCPUs(%q) = %v, %v, want [1 2 8]", "1, 2,8", got, err)
	}
	for _, bad := range []string{"", "0", "2,x", "-1"} {
		if got, err := parseCPUs(bad); err == nil {
			t.Errorf("parseCPUs(%q) = %v, want an error", bad, got)
		}
	}
}
