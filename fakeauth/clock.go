package fakeauth

import (
	"sync"
	"time"
)

// DefaultStart returns where a new [Clock] starts when given the zero
// time: 2026-01-01 09:00 UTC, a fixed instant, so that test output with
// times in it is stable.
func DefaultStart() time.Time { return time.Date(2026, time.January, 1, 9, 0, 0, 0, time.UTC) }

// A Clock is an [auth.Clock] that moves only when told. It is safe for
// concurrent use and works inside a testing/synctest bubble (it never
// reads the real time).
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock reading start, or [DefaultStart] if start is
// the zero time.
func NewClock(start time.Time) *Clock {
	if start.IsZero() {
		start = DefaultStart()
	}
	return &Clock{now: start}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d (back if d is negative) and returns
// the new time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// Set sets the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}
