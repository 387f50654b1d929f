package authe2e

import (
	"sync"
	"time"
)

// A Clock is an [auth.Clock] for an app under an end-to-end test: the real
// time plus an offset that the control handler moves. An app built for its
// end-to-end tests gives it to [auth.Config.Clock], so that every lifetime
// decision (renewal, idle expiry, one-time token expiry) reads it; the
// browser test then moves the server's time, which Playwright's page.clock
// and Cypress's cy.clock cannot. It is safe for concurrent use.
//
// [auth.Clock]: https://pkg.go.dev/github.com/authkit-dev/authkit/auth#Clock
// [auth.Config.Clock]: https://pkg.go.dev/github.com/authkit-dev/authkit/auth#Config
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
	now    func() time.Time
}

// NewClock returns a Clock reading the real time.
func NewClock() *Clock { return &Clock{now: time.Now} }

// Now returns the real time plus the clock's offset.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now().Add(c.offset)
}

// Advance moves the clock by d (back if d is negative) and returns the new
// time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
	return c.now().Add(c.offset)
}

// Set moves the clock so that it reads t now; it keeps running from there.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = t.Sub(c.now())
}

// Offset returns how far the clock is from the real time.
func (c *Clock) Offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset
}

// Reset puts the clock back on the real time.
func (c *Clock) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = 0
}
