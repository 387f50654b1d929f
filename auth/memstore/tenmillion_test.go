package memstore_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/internal/scale"
	"github.com/authkit-dev/authkit/auth/memstore"
)

// tenMillionEnv sets the size of TestTenMillion, in sessions: issue 21
// measures at AUTHKIT_TENMILLION=10000000 (bench/TENMILLION.md). Without
// it the test runs a small version, unless -short.
const tenMillionEnv = "AUTHKIT_TENMILLION"

// TestTenMillion measures issue 21's three figures for memstore, at n
// sessions (half of them expired) over n users, each created by
// Auth.CreateSession as TestScaleMemory's are (a plain session: 64-hex
// ID, a user ID "user-0000042", no user agent, IP or attributes):
//
//  1. the heap in use after GC per session;
//  2. validation p99 at n against at 1,000 sessions, GOMAXPROCS
//     goroutines validating, the two stores measured in interleaved
//     rounds;
//  3. the time Auth.DeleteExpiredSessions takes to sweep the n/2
//     expired sessions, and validation p99 during the sweep against
//     before it.
//
// At 10,000,000 it asserts the goals: at most 200 bytes, a ratio
// of at most 1.3, a sweep of at most 30 s with a ratio of at most 1.5.
// The small version (100,000, the default) reports them and asserts only
// that the sweep ends within 10 s (it took minutes before).
func TestTenMillion(t *testing.T) {
	n := 100_000
	big := false
	if v := os.Getenv(tenMillionEnv); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 10_000 {
			t.Fatalf("%s=%q: want a number of sessions, at least 10000", tenMillionEnv, v)
		}
		big = true
	} else if testing.Short() {
		t.Skip("the small version of the ten-million check; set " + tenMillionEnv + "=10000000 for the full one")
	}
	// The goals. The small version only reports them (the validation
	// goals are not met on the helper machine, see bench/TENMILLION.md,
	// latency ratios are noise on a shared CI machine, and the bytes
	// per session at 100,000 include the kept tokens); it asserts that
	// the sweep ends, in at most 10 s.
	maxBytes, maxValidate, maxSweepRatio := 200.0, 1.3, 1.5
	goal := t.Errorf
	if !big {
		goal = func(format string, args ...any) { t.Logf("(goal, checked at 10,000,000) "+format, args...) }
	}
	ctx := context.Background()
	c := &scaleClock{}
	workers := runtime.GOMAXPROCS(0)

	before := memAfterGC().HeapInuse
	s := memstore.NewSessions()
	a := newScaleAuth(t, s, c)
	start := time.Now()
	c.set(scaleT0.Add(-30 * 24 * time.Hour))
	fillParallel(t, a, 0, n/2, workers, 0) // dead by scaleT0
	c.set(scaleT0)
	live := fillParallel(t, a, n/2, n, workers, max(1, n/200_000))
	filled := time.Since(start)
	after := memAfterGC().HeapInuse
	perSession := float64(after-before) / float64(n)
	t.Logf("%d sessions over %d users, filled in %v: %.1f bytes per session (heap in use after GC, %d MiB; kept %d tokens)",
		n, n, filled.Round(time.Millisecond), perSession, (after-before)>>20, len(live))
	if perSession > maxBytes {
		goal("%.1f bytes per session, want at most %.0f", perSession, maxBytes)
	}

	// 2. Validation p99 at n and at 1,000, interleaved.
	small := newScaleAuth(t, memstore.NewSessions(), c)
	smallTokens := fill(t, small, 1_000, 1_000, 1)
	round := 300 * time.Millisecond
	if !big {
		round = 100 * time.Millisecond
	}
	var pSmall, pBig []time.Duration
	for range 5 {
		pSmall = append(pSmall, validateP99Parallel(t, small, smallTokens, workers, round))
		pBig = append(pBig, validateP99Parallel(t, a, live, workers, round))
	}
	mSmall, mBig := scale.Pct(pSmall, 0.5), scale.Pct(pBig, 0.5)
	ratio := float64(mBig) / float64(mSmall)
	t.Logf("validation p99 (%d goroutines, median of 5 rounds): %v at 1,000 sessions, %v at %d: ratio %.2f (rounds: %v; %v)",
		workers, mSmall, mBig, n, ratio, pSmall, pBig)
	if big {
		// The floor: what any validation in memory does at least, hash
		// the token and find its row, in a Go map of [32]byte to a row
		// number, at both sizes.
		fSmall, fBig := floorMap(smallTokens, 1_000), floorMap(live, n)
		var qSmall, qBig []time.Duration
		for range 5 {
			qSmall = append(qSmall, floorP99Parallel(t, fSmall, smallTokens, workers, round))
			qBig = append(qBig, floorP99Parallel(t, fBig, live, workers, round))
		}
		gSmall, gBig := scale.Pct(qSmall, 0.5), scale.Pct(qBig, 0.5)
		t.Logf("floor p99 (SHA-256 and a Go map lookup): %v at 1,000, %v at %d: ratio %.2f", gSmall, gBig, n, float64(gBig)/float64(gSmall))
		runtime.KeepAlive(fBig)
	}
	if ratio > maxValidate {
		goal("validation p99 at %d sessions is %.2f× that at 1,000, want at most %.1f×", n, ratio, maxValidate)
	}

	// 3. The sweep, with validations going on.
	base := validateP99Parallel(t, a, live, workers, time.Second)
	var stop atomic.Bool
	var during time.Duration
	done := make(chan struct{})
	go func() {
		defer close(done)
		during = validateP99Until(t, a, live, workers, &stop)
	}()
	time.Sleep(50 * time.Millisecond)
	// A sweep that has not ended after four times its goal (30 s for
	// 5,000,000: the same rate at any size, at least a second) is stopped,
	// and its time extrapolated from its rate.
	limit := max(time.Second, time.Duration(float64(30*time.Second)*float64(n/2)/5e6))
	sweepCtx, cancel := context.WithTimeout(ctx, 4*max(limit, 10*time.Second))
	defer cancel()
	start = time.Now()
	swept, err := a.DeleteExpiredSessions(sweepCtx)
	took := time.Since(start)
	stop.Store(true)
	<-done
	sweepRatio := float64(during) / float64(base)
	if sweepCtx.Err() != nil {
		t.Logf("the sweep stopped after %v, having deleted %d of %d", took.Round(time.Millisecond), swept, n/2)
		took = time.Duration(float64(took) * float64(n/2) / float64(max(swept, 1)))
		t.Errorf("the sweep of %d would take about %v at its rate, want at most %v", n/2, took.Round(time.Second), limit)
	} else if err != nil || swept != n/2 {
		t.Errorf("DeleteExpiredSessions = %d, %v; want %d", swept, err, n/2)
	}
	t.Logf("sweep of %d expired of %d in steps of %d: %v; validation p99 %v before, %v during: ratio %.2f",
		n/2, n, auth.DefaultSweepBatch, took.Round(time.Millisecond), base, during, sweepRatio)
	if big && took > limit {
		t.Errorf("the sweep of %d took %v, want at most %v", n/2, took, limit)
	}
	if !big && took > 10*time.Second {
		t.Errorf("the sweep of %d took %v, want at most 10s", n/2, took)
	}
	if sweepRatio > maxSweepRatio {
		goal("validation p99 during the sweep is %.2f× that before, want at most %.1f×", sweepRatio, maxSweepRatio)
	}
	runtime.KeepAlive(s)
}

// fillParallel creates the sessions from to to (each of the user
// "user-%07d" of its number) in workers goroutines, and returns the
// tokens of every step-th (none when step is 0).
func fillParallel(t testing.TB, a *auth.Auth, from, to, workers, step int) []string {
	t.Helper()
	var mu sync.Mutex
	var kept []string
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			var mine []string
			for i := from + w; i < to; i += workers {
				s, err := a.CreateSession(context.Background(), fmt.Sprintf("user-%07d", i))
				if err != nil {
					t.Errorf("CreateSession: %v", err)
					return
				}
				if step > 0 && i%step == 0 {
					mine = append(mine, s.Token)
				}
			}
			mu.Lock()
			kept = append(kept, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return kept
}

// validateP99Parallel validates random tokens in workers goroutines for d
// and returns the p99 latency of all their validations.
func validateP99Parallel(t testing.TB, a *auth.Auth, tokens []string, workers int, d time.Duration) time.Duration {
	var stop atomic.Bool
	time.AfterFunc(d, func() { stop.Store(true) })
	return validateP99Until(t, a, tokens, workers, &stop)
}

// validateP99Until validates random tokens in workers goroutines until
// stop is set and returns the p99 latency of all their validations.
func validateP99Until(t testing.TB, a *auth.Auth, tokens []string, workers int, stop *atomic.Bool) time.Duration {
	t.Helper()
	ctx := context.Background()
	return p99Parallel(workers, stop, func(r *rand.Rand) bool {
		if _, err := a.ValidateSession(ctx, tokens[r.IntN(len(tokens))]); err != nil {
			t.Errorf("ValidateSession: %v", err)
			return false
		}
		return true
	})
}

// p99Parallel calls op in workers goroutines, each with its own random
// source, until stop is set or op returns false, and returns the p99
// latency of all the calls.
func p99Parallel(workers int, stop *atomic.Bool, op func(r *rand.Rand) bool) time.Duration {
	lats := make([][]time.Duration, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 7))
			lat := make([]time.Duration, 0, 1<<16)
			for !stop.Load() {
				start := time.Now()
				if !op(r) {
					return
				}
				lat = append(lat, time.Since(start))
			}
			lats[w] = lat
		})
	}
	wg.Wait()
	var all []time.Duration
	for _, l := range lats {
		all = append(all, l...)
	}
	return scale.Pct(all, 0.99)
}

// floorMap is a Go map of n keys, those of tokens' session IDs and random
// others, to row numbers.
func floorMap(tokens []string, n int) map[[32]byte]int32 {
	m := make(map[[32]byte]int32)
	for i, tok := range tokens {
		m[sha256.Sum256([]byte(tok))] = int32(i)
	}
	r := rand.New(rand.NewPCG(8, 9))
	var k [32]byte
	for i := len(m); i < n; i++ {
		for j := 0; j < len(k); j += 8 {
			binary.LittleEndian.PutUint64(k[j:], r.Uint64())
		}
		m[k] = int32(i)
	}
	return m
}

// floorP99Parallel is validateP99Parallel for the floor: hash a random
// token of tokens, look it up in m.
func floorP99Parallel(t testing.TB, m map[[32]byte]int32, tokens []string, workers int, d time.Duration) time.Duration {
	var stop atomic.Bool
	time.AfterFunc(d, func() { stop.Store(true) })
	return p99Parallel(workers, &stop, func(r *rand.Rand) bool {
		if _, ok := m[sha256.Sum256([]byte(tokens[r.IntN(len(tokens))]))]; !ok {
			t.Error("floor: a token's row is missing")
			return false
		}
		return true
	})
}
