// Package pace is how the stores' sweeps yield: after each bounded step,
// wait a multiple of the time the step took, so that a sweep takes a
// fixed share of the store's (or the process's) time and requests running
// meanwhile rarely queue behind it.
package pace

import (
	"context"
	"time"
)

// Duty is how many times as long as a step took the sweep waits after
// it: a sweep then takes about a quarter of the time.
const Duty = 3

// After waits Duty times as long as has passed since start, or until ctx
// is done, when it returns ctx's error.
func After(ctx context.Context, start time.Time) error {
	return Wait(ctx, Duty*time.Since(start))
}

// Wait waits for d, or until ctx is done, when it returns ctx's error.
func Wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
