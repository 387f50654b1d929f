package auth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
)

// A window is fixed: it ends window after its first attempt, its end
// instant included; the first attempt after it opens a new one.
func TestCountAttemptWindow(t *testing.T) {
	a, clock, _ := newAuth(t, auth.Config{})
	ctx := context.Background()
	count := func(want int, wantReset time.Time) {
		t.Helper()
		n, reset, err := a.CountAttempt(ctx, "signin:ip:192.0.2.1", time.Minute)
		if err != nil || n != want || !reset.Equal(wantReset) {
			t.Errorf("CountAttempt at %v = %d, %v, %v; want %d, %v", clock.Now(), n, reset, err, want, wantReset)
		}
	}
	end := t0.Add(time.Minute)
	count(1, end)
	clock.Advance(30 * time.Second)
	count(2, end)
	clock.Set(end)
	count(3, end)
	clock.Set(end.Add(time.Nanosecond))
	count(1, end.Add(time.Nanosecond+time.Minute))
	if err := a.ResetAttempts(ctx, "signin:ip:192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	count(1, end.Add(time.Nanosecond+time.Minute))
	if err := a.ResetAttempts(ctx, "never-counted"); err != nil {
		t.Errorf("ResetAttempts of an unknown key: %v", err)
	}
	if n, _, _ := a.CountAttempt(ctx, "other", time.Minute); n != 1 {
		t.Errorf("another key counts %d, want 1", n)
	}
}

func TestCountAttemptRefusesBadInput(t *testing.T) {
	a, _, _ := newAuth(t, auth.Config{})
	ctx := context.Background()
	for _, tc := range []struct {
		key    string
		window time.Duration
	}{{"", time.Minute}, {strings.Repeat("k", auth.MaxCounterKey+1), time.Minute}, {"k", 0}, {"k", -time.Second}} {
		if _, _, err := a.CountAttempt(ctx, tc.key, tc.window); err == nil {
			t.Errorf("CountAttempt(%d-byte key, %v) succeeded", len(tc.key), tc.window)
		}
	}
	if err := a.ResetAttempts(ctx, ""); err == nil {
		t.Error("ResetAttempts(\"\") succeeded")
	}
}
