package sqlcore

import (
	"context"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/internal/unixnano"
)

// Counters implements [auth.CounterStore] on a [Core], in both users
// modes. The SQL stores' types embed it.
type Counters struct{ c *Core }

// Counters returns the throttle counter methods on c.
func (c *Core) Counters() Counters { return Counters{c} }

// IncrementCounter implements [auth.CounterStore] with one INSERT ... ON
// CONFLICT DO UPDATE ... RETURNING: a counter whose window ended before
// now starts again at 1 with windowEnd, any other counts one more in its
// window. The database runs concurrent upserts of one key one after the
// other, so each returns its own count.
func (x Counters) IncrementCounter(ctx context.Context, key string, now, windowEnd time.Time) (int, time.Time, error) {
	c := x.c
	nowN, err := c.nanos(now)
	if err != nil {
		return 0, time.Time{}, err
	}
	end, err := c.nanos(windowEnd)
	if err != nil {
		return 0, time.Time{}, err
	}
	var count, resetAt int64
	if err := c.writeRow(ctx, c.q.tokens.incrementCounter, []any{key, end, nowN, nowN}, &count, &resetAt); err != nil {
		return 0, time.Time{}, c.wrap("increment counter", err)
	}
	return int(count), unixnano.Decode(resetAt), nil
}

// DeleteCounter implements [auth.CounterStore].
func (x Counters) DeleteCounter(ctx context.Context, key string) error {
	c := x.c
	if _, err := c.db.Exec(ctx, c.q.tokens.deleteCounter, key); err != nil {
		return c.wrap("delete counter", err)
	}
	return nil
}

// DeleteExpiredCounters implements [auth.CounterStore]: one bounded
// DELETE on the reset_at index, a step like DeleteExpiredSessions's.
func (x Counters) DeleteExpiredCounters(ctx context.Context, now time.Time, limit int) (int, error) {
	return x.c.sweep(ctx, "delete expired counters", x.c.q.tokens.deleteExpiredCounters, now, limit)
}

var (
	_ auth.TokenStore   = Tokens{}
	_ auth.CounterStore = Counters{}
)
