package memstore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/internal/scale"
	"github.com/authkit-dev/authkit/auth/memstore"
)

// The scale checks of issue 10 ("Must show" 5) hold a million sessions:
// too heavy for the default go test run. Run them with
//
//	AUTHKIT_SCALE=1 go test -run TestScale -v ./auth/memstore
//
// (without -race: the race detector multiplies memory and time). They log
// their figures and fail only on the limits.

type scaleClock struct{ ns atomic.Int64 }

func (c *scaleClock) Now() time.Time  { return time.Unix(0, c.ns.Load()).UTC() }
func (c *scaleClock) set(t time.Time) { c.ns.Store(t.UnixNano()) }

var scaleT0 = time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)

// memAfterGC returns the memory statistics after two collections.
func memAfterGC() runtime.MemStats {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m
}

// fill creates n sessions as Auth does (plain sessions, no device), over
// users users, and returns the tokens of every step-th.
func fill(t testing.TB, a *auth.Auth, n, users, step int) []string {
	t.Helper()
	ctx := context.Background()
	var kept []string
	for i := range n {
		s, err := a.CreateSession(ctx, fmt.Sprintf("user-%07d", i%users))
		if err != nil {
			t.Fatalf("CreateSession: %v", err)
		}
		if i%step == 0 {
			kept = append(kept, s.Token)
		}
	}
	return kept
}

func newScaleAuth(t testing.TB, s auth.SessionStore, c *scaleClock) *auth.Auth {
	t.Helper()
	a, err := auth.New(s, auth.Config{Clock: c})
	if err != nil {
		t.Fatalf("auth.New: %v", err)
	}
	return a
}

func TestScaleMemory(t *testing.T) {
	scale.Skip(t)
	const n = 1_000_000
	for _, users := range []int{1_000, n} {
		t.Run(fmt.Sprintf("users=%d", users), func(t *testing.T) {
			c := &scaleClock{}
			c.set(scaleT0)
			before := memAfterGC().HeapAlloc
			s := memstore.NewSessions()
			a := newScaleAuth(t, s, c)
			fill(t, a, n, users, n)
			after := memAfterGC().HeapAlloc
			t.Logf("%d sessions over %d users: %.0f bytes per session (heap %d MB)", n, users, float64(after-before)/n, (after-before)>>20)
			runtime.KeepAlive(s)
		})
	}
}

// floorRow is a session as the least an in-memory store could keep:
// the raw floor of a validation in memory is a Go map lookup by the
// token's hash.
type floorRow struct {
	userID                                  string
	created, renewed, active, idle, expires int64
}

// floorP99 looks up random tokens of tokens in m, as a validation at the
// floor would (hash the token, read the row, compare its expiry), for d
// and returns the p99 latency.
func floorP99(t testing.TB, m map[string]floorRow, tokens []string, now int64, d time.Duration) time.Duration {
	t.Helper()
	var lat []time.Duration
	r := rand.New(rand.NewPCG(3, 4))
	for end := time.Now().Add(d); time.Now().Before(end); {
		tok := tokens[r.IntN(len(tokens))]
		start := time.Now()
		row, ok := m[auth.SessionID(tok)]
		if !ok || row.idle < now {
			t.Fatalf("floor: no live row for a token")
		}
		lat = append(lat, time.Since(start))
	}
	return scale.Pct(lat, 0.99)
}

// floorOf is a floor map holding every session of s's users, keyed as
// the store keys them.
func floorOf(t testing.TB, a *auth.Auth, users, perUser int) map[string]floorRow {
	t.Helper()
	m := make(map[string]floorRow)
	for u := range users {
		ss, err := a.UserSessions(context.Background(), fmt.Sprintf("user-%07d", u))
		if err != nil || len(ss) != perUser {
			t.Fatalf("UserSessions = %d, %v", len(ss), err)
		}
		for _, x := range ss {
			m[x.ID] = floorRow{userID: x.UserID, created: x.CreatedAt.UnixNano(), renewed: x.RenewedAt.UnixNano(),
				active: x.ActiveExpiresAt.UnixNano(), idle: x.IdleExpiresAt.UnixNano(), expires: x.ExpiresAt.UnixNano()}
		}
	}
	return m
}

// TestScaleValidate compares validation p99 at 1,000 and 1,000,000
// sessions, with the raw floor at both sizes: a Go map of the same rows.
// The goal is the issue's: within 1.5x from the small size to the large
// one; where the floor itself grows more than that (CPU caches and TLB
// misses, as SQLite's page cache), authkit's ratio to the floor must not
// grow by more than half.
func TestScaleValidate(t *testing.T) {
	scale.Skip(t)
	c := &scaleClock{}
	c.set(scaleT0)
	small := newScaleAuth(t, memstore.NewSessions(), c)
	smallTokens := fill(t, small, 1_000, 100, 1)
	big := newScaleAuth(t, memstore.NewSessions(), c)
	bigTokens := fill(t, big, 1_000_000, 1_000, 10)
	smallFloor, bigFloor := floorOf(t, small, 100, 10), floorOf(t, big, 1_000, 1_000)
	now := scaleT0.UnixNano()
	// Interleaved rounds, so that a noisy moment hits both sizes.
	var p1k, p1m, f1k, f1m []time.Duration
	for range 5 {
		p := validateP99Parallel(t, small, smallTokens, 1, 300*time.Millisecond)
		p1k = append(p1k, p)
		f1k = append(f1k, floorP99(t, smallFloor, smallTokens, now, 300*time.Millisecond))
		p = validateP99Parallel(t, big, bigTokens, 1, 300*time.Millisecond)
		p1m = append(p1m, p)
		f1m = append(f1m, floorP99(t, bigFloor, bigTokens, now, 300*time.Millisecond))
	}
	m1k, m1m, fl1k, fl1m := scale.Pct(p1k, 0.5), scale.Pct(p1m, 0.5), scale.Pct(f1k, 0.5), scale.Pct(f1m, 0.5)
	ratio, floorGrowth := float64(m1m)/float64(m1k), float64(fl1m)/float64(fl1k)
	toFloor1k, toFloor1m := float64(m1k)/float64(fl1k), float64(m1m)/float64(fl1m)
	t.Logf("validation p99: %v at 1,000 sessions, %v at 1,000,000 (median of 5 rounds): ratio %.2f", m1k, m1m, ratio)
	t.Logf("floor (Go map) p99: %v at 1,000, %v at 1,000,000: ratio %.2f; authkit/floor %.2f at 1,000, %.2f at 1,000,000", fl1k, fl1m, floorGrowth, toFloor1k, toFloor1m)
	switch {
	case ratio <= 1.5:
	case floorGrowth > 1.5 && toFloor1m <= 1.5*toFloor1k:
		t.Logf("the floor itself grows %.2fx; authkit's ratio to it stays within half (%.2f -> %.2f)", floorGrowth, toFloor1k, toFloor1m)
	default:
		t.Errorf("validation p99 at 1,000,000 sessions is %.2f× that at 1,000 (floor %.2f×), want within 1.5×", ratio, floorGrowth)
	}
}

// load validates random live tokens in one goroutine and creates a
// session every 200 µs in another until stop is closed, and returns the
// validation latencies and the slowest CreateSession.
func load(t testing.TB, a *auth.Auth, tokens []string, stop <-chan struct{}) (lat []time.Duration, maxCreate time.Duration, creates int, createErrs int) {
	t.Helper()
	ctx := context.Background()
	var wg sync.WaitGroup
	wg.Go(func() {
		r := rand.New(rand.NewPCG(3, 4))
		scale.Until(stop, func() bool {
			start := time.Now()
			if _, err := a.ValidateSession(ctx, tokens[r.IntN(len(tokens))]); err != nil {
				t.Errorf("ValidateSession: %v", err)
				return false
			}
			lat = append(lat, time.Since(start))
			return true
		})
	})
	wg.Go(func() {
		tick := time.NewTicker(200 * time.Microsecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			start := time.Now()
			_, err := a.CreateSession(ctx, "signing-in")
			maxCreate = max(maxCreate, time.Since(start))
			creates++
			if err != nil {
				createErrs++
			}
		}
	})
	wg.Wait()
	return lat, maxCreate, creates, createErrs
}

func TestScaleSweep(t *testing.T) {
	scale.Skip(t)
	c := &scaleClock{}
	s := memstore.NewSessions()
	a := newScaleAuth(t, s, c)
	c.set(scaleT0.Add(-30 * 24 * time.Hour))
	fill(t, a, 500_000, 1_000, 500_000) // dead by scaleT0
	c.set(scaleT0)
	live := fill(t, a, 500_000, 1_000, 10)

	stop := make(chan struct{})
	time.AfterFunc(time.Second, func() { close(stop) })
	base, baseCreate, _, _ := load(t, a, live, stop)

	stop = make(chan struct{})
	var during []time.Duration
	var maxCreate time.Duration
	var creates, createErrs int
	done := make(chan struct{})
	go func() {
		defer close(done)
		during, maxCreate, creates, createErrs = load(t, a, live, stop)
	}()
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	n, err := a.DeleteExpiredSessions(context.Background())
	took := time.Since(start)
	time.Sleep(50 * time.Millisecond)
	close(stop)
	<-done
	if err != nil {
		t.Fatalf("DeleteExpiredSessions: %v", err)
	}
	if n != 500_000 {
		t.Errorf("DeleteExpiredSessions = %d, want 500000", n)
	}
	pb, pd := scale.Pct(base, 0.99), scale.Pct(during, 0.99)
	ratio := float64(pd) / float64(pb)
	t.Logf("sweep of %d expired of 1,000,000 in steps of %d: %v; validation p99 %v without, %v during (%d validations): ratio %.2f; CreateSession max %v without, %v during (%d creates, %d failed)",
		n, auth.DefaultSweepBatch, took, pb, pd, len(during), ratio, baseCreate, maxCreate, creates, createErrs)
	if ratio > 2 {
		t.Errorf("validation p99 during the sweep is %.2f× that without, want within 2×", ratio)
	}
	if createErrs > 0 || maxCreate > 100*time.Millisecond {
		t.Errorf("CreateSession during the sweep: %d failed, slowest %v; want none failed, none over 100ms", createErrs, maxCreate)
	}
}

func TestScaleUserSessions(t *testing.T) {
	scale.Skip(t)
	c := &scaleClock{}
	c.set(scaleT0)
	s := memstore.NewSessions()
	a := newScaleAuth(t, s, c)
	fill(t, a, 990_000, 1_000, 990_000)
	ctx := context.Background()
	for range 10_000 {
		if _, err := a.CreateSession(ctx, "heavy"); err != nil {
			t.Fatal(err)
		}
	}
	probe, err := a.CreateSession(ctx, "writer")
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	stop := make(chan struct{})
	var calls []time.Duration
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(stop)
		for range 50 {
			start := time.Now()
			got, err := s.UserSessions(ctx, "heavy")
			calls = append(calls, time.Since(start))
			if err != nil || len(got) != 10_000 {
				t.Errorf("UserSessions = %d, %v; want 10000", len(got), err)
				return
			}
		}
	})
	var maxWait time.Duration
	wg.Go(func() {
		scale.Until(stop, func() bool {
			// A renewal-free write under the same lock: deleting a
			// session that does not exist, then a read.
			start := time.Now()
			if err := s.DeleteSession(ctx, "0"); err != nil {
				t.Error(err)
				return false
			}
			if _, err := s.GetSession(ctx, probe.ID); err != nil {
				t.Error(err)
				return false
			}
			maxWait = max(maxWait, time.Since(start))
			return true
		})
	})
	wg.Wait()
	t.Logf("UserSessions of 10,000 sessions among 1,000,000: median %v, max %v per call; slowest concurrent DeleteSession+GetSession %v",
		scale.Pct(calls, 0.5), slices.Max(calls), maxWait)
	if maxWait > 5*time.Millisecond {
		t.Errorf("a DeleteSession+GetSession waited %v while UserSessions listed 10,000 sessions, want a few ms at most", maxWait)
	}
}

// BenchmarkValidateAt validates random sessions of a store holding 1,000
// and 1,000,000: the mean cost per validation at both sizes, steadier than
// the p99 of TestScaleValidate on a busy machine.
func BenchmarkValidateAt(b *testing.B) {
	for _, n := range []int{1_000, 1_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			c := &scaleClock{}
			c.set(scaleT0)
			a := newScaleAuth(b, memstore.NewSessions(), c)
			tokens := fill(b, a, n, 1_000, max(1, n/10_000))
			ctx := context.Background()
			r := rand.New(rand.NewPCG(5, 6))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := a.ValidateSession(ctx, tokens[r.IntN(len(tokens))]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
