package bench

import (
	"flag"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/bench/internal/results"
)

var (
	pairedJSON = flag.String("paired.json", "", "run TestPaired and write its medians to this file as JSON, for cmd/report")
	pairedN    = flag.Int("paired.n", 3000, "requests per library and backend in TestPaired")
	pairedPar  = flag.Int("paired.parallel", 0, "run TestPairedParallel with this many goroutines serving at once")
)

// TestPaired measures the libraries of each backend paired: request after
// request, every library serves one request in an order shuffled anew for
// each cycle, so that a round trip that swings by half from one moment to
// the next (as they do on a shared machine) swings for every library alike.
// It reports each library's median and 90th percentile of single-request
// times; cmd/report divides the medians. It runs only with -paired.json,
// from bench/run.sh.
func TestPaired(t *testing.T) {
	if *pairedJSON == "" {
		t.Skip("run with -paired.json FILE (bench/run.sh does)")
	}
	var rows []results.Paired
	eachBackend(t, func(t *testing.T, be backend, targets []*target) {
		times := pairedRun(targets, *pairedN)
		for i, lib := range be.libs {
			targets[i].check(t)
			rows = append(rows, results.Paired{
				Backend: be.name, Lib: lib.name, N: len(times[i]),
				Median: quantile(times[i], 0.5), P90: quantile(times[i], 0.9),
			})
			t.Logf("%-20s median %8.0f ns  p90 %8.0f ns", lib.name, quantile(times[i], 0.5), quantile(times[i], 0.9))
		}
	})
	if err := results.Write(*pairedJSON, rows); err != nil {
		t.Fatal(err)
	}
}

// TestPairedParallel is TestPaired with goroutines serving at once: each of
// -paired.parallel goroutines serves every library of a backend in turn,
// in an order shuffled anew for each cycle, so that every library serves
// under the same concurrency and the same load from elsewhere, where
// separate parallel benchmarks each get the share of the machine that is
// free in their second. It logs each library's median and 90th percentile
// of single-request wall times (n per goroutine), and its median ÷ the
// floor's (the baseline's for memory). Set the cores with -test.cpu.
func TestPairedParallel(t *testing.T) {
	if *pairedPar <= 0 {
		t.Skip("run with -paired.parallel N")
	}
	eachBackend(t, func(t *testing.T, be backend, targets []*target) {
		runs := make([][][]float64, *pairedPar)
		var wg sync.WaitGroup
		for g := range runs {
			wg.Go(func() { runs[g] = pairedRun(targets, *pairedN) })
		}
		wg.Wait()
		medians := make(map[string]float64, len(be.libs))
		for i, lib := range be.libs {
			targets[i].check(t)
			var times []float64
			for _, r := range runs {
				times = append(times, r[i]...)
			}
			medians[lib.name] = quantile(times, 0.5)
			t.Logf("%-20s median %8.0f ns  p90 %8.0f ns", lib.name, medians[lib.name], quantile(times, 0.9))
		}
		for _, floor := range []string{"floor", "baseline"} {
			if m := medians[floor]; m > 0 {
				t.Logf("authkit ÷ %s: %.3f", floor, medians["authkit"]/m)
			}
		}
	})
}

// eachBackend calls fn in a subtest per backend (skipped where its server
// is missing) with the targets of its libraries, in be.libs's order.
func eachBackend(t *testing.T, fn func(t *testing.T, be backend, targets []*target)) {
	for _, be := range backends() {
		t.Run("backend="+be.name, func(t *testing.T) {
			if be.require != nil {
				be.require(t)
			}
			targets := make([]*target, len(be.libs))
			for i, lib := range be.libs {
				targets[i] = lib.build(t, false)
			}
			fn(t, be, targets)
		})
	}
}

// pairedRun serves n requests through each target, one cycle at a time:
// each cycle serves every target once, in a random order. A first cycle of
// warm-up requests is not counted. It returns each target's times in
// nanoseconds.
func pairedRun(targets []*target, n int) [][]float64 {
	w := newDiscardWriter()
	order := make([]int, len(targets))
	for i := range order {
		order[i] = i
	}
	times := make([][]float64, len(targets))
	for i := range times {
		times[i] = make([]float64, 0, n)
	}
	for cycle := -10; cycle < n; cycle++ {
		rand.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			start := time.Now()
			targets[i].serve(w)
			d := time.Since(start)
			if cycle >= 0 {
				times[i] = append(times[i], float64(d.Nanoseconds()))
			}
		}
	}
	return times
}

// quantile returns the q-quantile of v (nearest rank), sorting v.
func quantile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	i := int(q*float64(len(v))+0.5) - 1
	return v[max(0, min(i, len(v)-1))]
}
