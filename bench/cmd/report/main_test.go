package main

import (
	"math"
	"testing"
)

func TestUTestP(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b []float64
		want float64
	}{
		// Six runs each, fully apart: 2/924, benchstat's "p=0.002 n=6".
		{"apart", []float64{1, 2, 3, 4, 5, 6}, []float64{7, 8, 9, 10, 11, 12}, 2.0 / 924},
		{"apart, other way", []float64{7, 8, 9, 10, 11, 12}, []float64{1, 2, 3, 4, 5, 6}, 2.0 / 924},
		// Interleaved perfectly: U = 18 of 36, the centre.
		{"interleaved", []float64{1, 4, 5, 8, 9, 12}, []float64{2, 3, 6, 7, 10, 11}, 1},
		// Three apart of three: 2/20.
		{"three", []float64{1, 2, 3}, []float64{4, 5, 6}, 0.1},
		{"empty", nil, []float64{1}, 1},
	} {
		if got := uTestP(tc.a, tc.b); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%s: uTestP = %.6f, want %.6f", tc.name, got, tc.want)
		}
	}
}

func TestParseBenchAndSkips(t *testing.T) {
	raw := `goos: linux
BenchmarkSession/backend=memory/lib=authkit/form=serial-2         	 1700666	      1413 ns/op	     776 B/op	       8 allocs/op
BenchmarkSession/backend=memory/lib=authkit/form=serial-2         	 1700666	      1500 ns/op	     776 B/op	       8 allocs/op
BenchmarkSession/backend=memory/lib=authkit/form=serial-2         	 1700666	      1400 ns/op	     776 B/op	       8 allocs/op
BenchmarkSession/backend=memory/lib=scs/form=parallel-2           	   10000	     27804 ns/op	    9168 B/op	     200 allocs/op
BenchmarkSession/backend=postgres
    backends_test.go:72: PostgreSQL at postgres://x is unreachable (refused)
--- SKIP: BenchmarkSession/backend=postgres
=== RUN   TestWrites/backend=redis
redis: 2026/11/27 06:55:31 pool.go:762: redis: connection pool: failed to dial
    backends_test.go:81: Redis at redis://x is unreachable (refused)
--- PASS: TestWrites (1.77s)
    --- SKIP: TestWrites/backend=redis (1.77s)
`
	stats := medians(parseBench(raw))
	got := stats[key{"memory", "authkit", "serial"}]
	if got.ns != 1413 || got.bytes != 776 || got.allocs != 8 || len(got.nsRuns) != 3 {
		t.Errorf("authkit serial = %+v, want median 1413 ns, 776 B, 8 allocs over 3 runs", got)
	}
	if got := stats[key{"memory", "scs", "parallel"}]; got.ns != 27804 {
		t.Errorf("scs parallel = %+v, want 27804 ns", got)
	}
	skips := map[string]string{}
	parseSkips(raw, skips)
	for backend, want := range map[string]string{
		"postgres": "PostgreSQL at postgres://x is unreachable (refused)",
		"redis":    "Redis at redis://x is unreachable (refused)",
	} {
		if skips[backend] != want {
			t.Errorf("skip reason of %s = %q, want %q", backend, skips[backend], want)
		}
	}
}
