package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
)

// TestCounterStore runs the conformance suite for [auth.CounterStore] as
// named subtests of t; newStore returns a new, empty store per subtest.
//
// The groups are Increment (a new counter, a window's end instant
// belonging to it, a new window after it, keys apart, 32 concurrent
// increments), Times (window ends round-trip, the extremes included),
// Delete and Sweep (DeleteExpiredCounters deletes only counters whose
// window ended before now, at most limit; a store that expires counters
// by itself may delete none).
func TestCounterStore(t *testing.T, newStore func(t *testing.T) auth.CounterStore) {
	t.Helper()
	for _, c := range []struct {
		name string
		run  func(t *testing.T, s auth.CounterStore)
	}{
		{"Increment/New", testCounterNew},
		{"Increment/SameWindowThroughItsEnd", testCounterSameWindow},
		{"Increment/NewWindowAfterEnd", testCounterNewWindow},
		{"Increment/KeysApart", testCounterKeysApart},
		{"Increment/Concurrent", testCounterConcurrent},
		{"Times/RoundTrip", testCounterTimes},
		{"Delete", testCounterDelete},
		{"Sweep/OnlyEndedBeforeNow", testCounterSweep},
		{"Sweep/BoundedByLimit", testCounterSweepLimit},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, newStore(t)) })
	}
}

func increment(t *testing.T, s auth.CounterStore, key string, now, end time.Time, want int, wantReset time.Time) {
	t.Helper()
	n, reset, err := s.IncrementCounter(tokenCtx(t), key, now, end)
	if err != nil {
		t.Fatalf("IncrementCounter(%s, %v): %v", key, now, err)
	}
	if n != want || !reset.Equal(wantReset) {
		t.Errorf("IncrementCounter(%s, %v) = %d, %v; want %d, %v", key, now, n, reset, want, wantReset)
	}
}

func testCounterNew(t *testing.T, s auth.CounterStore) {
	increment(t, s, "k", t0(), t0().Add(time.Minute), 1, t0().Add(time.Minute))
}

// The window end belongs to the window: at resetAt the count goes on; a
// later windowEnd given meanwhile does not move it.
func testCounterSameWindow(t *testing.T, s auth.CounterStore) {
	end := t0().Add(time.Minute)
	increment(t, s, "k", t0(), end, 1, end)
	increment(t, s, "k", t0().Add(time.Second), end.Add(time.Second), 2, end)
	increment(t, s, "k", end.Add(-time.Nanosecond), end.Add(time.Minute), 3, end)
	increment(t, s, "k", end, end.Add(time.Minute), 4, end)
}

func testCounterNewWindow(t *testing.T, s auth.CounterStore) {
	end := t0().Add(time.Minute)
	increment(t, s, "k", t0(), end, 1, end)
	increment(t, s, "k", t0(), end, 2, end)
	next := end.Add(time.Nanosecond)
	increment(t, s, "k", next, next.Add(time.Minute), 1, next.Add(time.Minute))
	increment(t, s, "k", next, next.Add(time.Hour), 2, next.Add(time.Minute))
}

func testCounterKeysApart(t *testing.T, s auth.CounterStore) {
	end := t0().Add(time.Minute)
	increment(t, s, "signin:ip:192.0.2.1", t0(), end, 1, end)
	increment(t, s, "signin:ip:192.0.2.1", t0(), end, 2, end)
	increment(t, s, "signin:ip:192.0.2.10", t0(), end, 1, end)
	increment(t, s, "signin:email:ada@example.com", t0(), end.Add(time.Hour), 1, end.Add(time.Hour))
}

// n concurrent increments in one window return 1 to n, each once, and the
// same window end.
func testCounterConcurrent(t *testing.T, s auth.CounterStore) {
	ctx := tokenCtx(t)
	end := t0().Add(time.Minute)
	seen := concurrently(t, "IncrementCounter", 32, func() (int, error) {
		n, reset, err := s.IncrementCounter(ctx, "k", t0(), end)
		if err == nil && !reset.Equal(end) {
			t.Errorf("IncrementCounter = %d, window end %v; want window end %v", n, reset, end)
		}
		return n, err
	})
	wantEachOnce(t, "IncrementCounter", seen, 32)
}

func testCounterTimes(t *testing.T, s auth.CounterStore) {
	times := append(oddTimes(), lastInstant())
	for i, end := range times {
		now := end
		if i > 0 {
			now = firstInstant()
		}
		increment(t, s, fmt.Sprint("k", i), now, end, 1, end)
		increment(t, s, fmt.Sprint("k", i), now, end.Add(-time.Hour), 2, end)
	}
}

func testCounterDelete(t *testing.T, s auth.CounterStore) {
	ctx := tokenCtx(t)
	end := t0().Add(time.Minute)
	increment(t, s, "k", t0(), end, 1, end)
	increment(t, s, "k", t0(), end, 2, end)
	if err := s.DeleteCounter(ctx, "k"); err != nil {
		t.Fatalf("DeleteCounter: %v", err)
	}
	increment(t, s, "k", t0(), end.Add(time.Second), 1, end.Add(time.Second))
	if err := s.DeleteCounter(ctx, "absent"); err != nil {
		t.Errorf("DeleteCounter(absent): %v, want nil", err)
	}
}

// A counter whose window ended before now is deleted (or, in a store that
// expires counters by itself, may already be gone: 0 deleted); one whose
// window ends at now or later keeps its count.
func testCounterSweep(t *testing.T, s auth.CounterStore) {
	ctx := tokenCtx(t)
	now := t0()
	increment(t, s, "before", now.Add(-time.Hour), now.Add(-time.Nanosecond), 1, now.Add(-time.Nanosecond))
	increment(t, s, "at", now.Add(-time.Hour), now, 1, now)
	increment(t, s, "after", now.Add(-time.Hour), now.Add(time.Nanosecond), 1, now.Add(time.Nanosecond))
	n, err := s.DeleteExpiredCounters(ctx, now, 100)
	if err != nil || (n != 1 && n != 0) {
		t.Errorf("DeleteExpiredCounters = %d, %v; want 1 (or 0 for a store that expires counters itself)", n, err)
	}
	if n, err := s.DeleteExpiredCounters(ctx, now, 100); n != 0 || err != nil {
		t.Errorf("second DeleteExpiredCounters = %d, %v; want 0", n, err)
	}
	increment(t, s, "at", now, now.Add(time.Hour), 2, now)
	increment(t, s, "after", now, now.Add(time.Hour), 2, now.Add(time.Nanosecond))
}

func testCounterSweepLimit(t *testing.T, s auth.CounterStore) {
	ctx := tokenCtx(t)
	end := t0()
	for i := range 5 {
		increment(t, s, fmt.Sprint("x", i), end.Add(-time.Minute), end, 1, end)
	}
	increment(t, s, "live", end, end.Add(time.Hour), 1, end.Add(time.Hour))
	now := end.Add(time.Nanosecond)
	n, err := s.DeleteExpiredCounters(ctx, now, 2)
	if err != nil || (n != 2 && n != 0) {
		t.Fatalf("DeleteExpiredCounters(limit 2) = %d, %v; want 2 (or 0 for a store that expires counters itself)", n, err)
	}
	if n == 2 {
		for _, want := range []int{2, 1, 0} {
			if n, err := s.DeleteExpiredCounters(ctx, now, 2); n != want || err != nil {
				t.Errorf("DeleteExpiredCounters(limit 2) = %d, %v; want %d", n, err, want)
			}
		}
	}
	increment(t, s, "live", now, now.Add(time.Hour), 2, end.Add(time.Hour))
}
