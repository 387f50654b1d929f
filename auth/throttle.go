package auth

import (
	"context"
	"fmt"
	"time"
)

// MaxCounterKey is the longest key [Auth.CountAttempt] takes, in bytes.
const MaxCounterKey = 1024

// CountAttempt counts one attempt against key (an IP address's sign-ins,
// an account's email requests) in a fixed window: it returns how many
// attempts the key has made in its current window, this one included, and
// the last instant of that window. The first attempt after a window has
// ended (on the Auth's clock) opens a new one, of length window.
//
// The counter lives in the store ([CounterStore]), so several app servers
// on one store count together. The policy (what to count, the limits,
// what to answer when one is passed) is the caller's: see package authaccount.
//
// It returns [ErrNoCounterStore] when the store keeps no counters, an
// error for an empty or too long key or a window that is not positive, and
// [ErrStore] for a store failure.
func (a *Auth) CountAttempt(ctx context.Context, key string, window time.Duration) (count int, resetAt time.Time, err error) {
	if a.counters == nil {
		return 0, time.Time{}, fmt.Errorf("auth: count attempt: %w", ErrNoCounterStore)
	}
	if err := checkCounterKey(key); err != nil {
		return 0, time.Time{}, fmt.Errorf("auth: count attempt: %w", err)
	}
	if window <= 0 {
		return 0, time.Time{}, fmt.Errorf("auth: count attempt: window must be positive, got %v", window)
	}
	now := a.clock.Now().Round(0)
	count, resetAt, err = a.counters.IncrementCounter(ctx, key, now, now.Add(window))
	if err != nil {
		return 0, time.Time{}, storeError("count attempt", err)
	}
	return count, resetAt, nil
}

// ResetAttempts deletes the counter of key, so that its next attempt
// counts 1: after a successful sign-in, say. Resetting a key that has no
// counter is not an error.
func (a *Auth) ResetAttempts(ctx context.Context, key string) error {
	if a.counters == nil {
		return fmt.Errorf("auth: reset attempts: %w", ErrNoCounterStore)
	}
	if err := checkCounterKey(key); err != nil {
		return fmt.Errorf("auth: reset attempts: %w", err)
	}
	if err := a.counters.DeleteCounter(ctx, key); err != nil {
		return storeError("reset attempts", err)
	}
	return nil
}

func checkCounterKey(key string) error {
	if key == "" || len(key) > MaxCounterKey {
		return fmt.Errorf("key must be 1 to %d bytes, got %d", MaxCounterKey, len(key))
	}
	return nil
}
