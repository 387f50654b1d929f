package auth_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
)

func TestUpdateSessionAttributesConflict(t *testing.T) {
	a, _, _ := newAuth(t, auth.Config{})
	u, _ := newUserSession(t, a)
	ctx := context.Background()
	s, err := a.CreateSessionWith(ctx, u.ID, auth.SessionOptions{Attributes: map[string]any{"mfa": false}})
	if err != nil {
		t.Fatal(err)
	}
	first, err := a.UpdateSessionAttributes(ctx, s, map[string]any{"mfa": true})
	if err != nil {
		t.Fatalf("UpdateSessionAttributes: %v", err)
	}
	if string(first.Attributes) != `{"mfa":true}` {
		t.Errorf("updated attributes = %s, want {\"mfa\":true}", first.Attributes)
	}
	// s still carries the attributes read before the first write: it loses.
	if _, err := a.UpdateSessionAttributes(ctx, s, map[string]any{"device": "phone"}); !errors.Is(err, auth.ErrSessionChanged) {
		t.Errorf("UpdateSessionAttributes with stale attributes: error = %v, want ErrSessionChanged", err)
	}
	got, err := a.ValidateSession(ctx, s.Token)
	if err != nil || string(got.Attributes) != `{"mfa":true}` {
		t.Errorf("after the lost write: attributes %s, %v; want the first write's", got.Attributes, err)
	}
	if err := a.InvalidateSession(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.UpdateSessionAttributes(ctx, got, nil); !errors.Is(err, auth.ErrInvalidSession) {
		t.Errorf("UpdateSessionAttributes on a deleted session: error = %v, want ErrInvalidSession", err)
	}
}

// Logging a session, with the logger's debug events on, never shows its
// token or attributes.
func TestSessionNeverLogsTokenOrAttributes(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, clock, _ := newAuth(t, auth.Config{Logger: log})
	u, _ := newUserSession(t, a)
	ctx := context.Background()
	s, err := a.CreateSessionWith(ctx, u.ID, auth.SessionOptions{Attributes: map[string]any{"secret": "s3cr3t-attr"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.UpdateSessionAttributes(ctx, s, map[string]any{"secret": "n3w-s3cr3t"}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(a.ActivePeriod() + time.Nanosecond)
	if _, err := a.ValidateSession(ctx, s.Token); err != nil {
		t.Fatal(err)
	}
	log.Info("app logs the session", "session", s)
	out := buf.String()
	for _, secret := range []string{s.Token, "s3cr3t-attr", "n3w-s3cr3t"} {
		if strings.Contains(out, secret) {
			t.Errorf("log output contains %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, s.ID) {
		t.Errorf("log output does not name the session ID:\n%s", out)
	}
}

func TestExpiriesCutToAbsoluteEnd(t *testing.T) {
	a, _, _ := newAuth(t, auth.Config{MaxLifetime: 36 * time.Hour})
	end := t0.Add(36 * time.Hour)
	for _, tc := range []struct {
		at               time.Time
		browser          bool
		wantActive, want time.Time
	}{
		{t0, false, t0.Add(24 * time.Hour), end},
		{t0.Add(20 * time.Hour), false, end, end},
		{t0, true, t0.Add(time.Hour), t0.Add(3 * time.Hour)},
		{end.Add(-time.Minute), true, end, end},
	} {
		active, idle := a.Expiries(tc.at, tc.browser, a.AbsoluteExpiry(t0, 0))
		if !active.Equal(tc.wantActive) || !idle.Equal(tc.want) {
			t.Errorf("Expiries(%v, browser %v) = %v, %v; want %v, %v", tc.at, tc.browser, active, idle, tc.wantActive, tc.want)
		}
	}
	if got := a.AbsoluteExpiry(t0, 2*time.Hour); !got.Equal(t0.Add(2 * time.Hour)) {
		t.Errorf("AbsoluteExpiry with a shorter session lifetime = %v, want %v", got, t0.Add(2*time.Hour))
	}
	if got := a.AbsoluteExpiry(t0, 48*time.Hour); !got.Equal(end) {
		t.Errorf("AbsoluteExpiry with a longer session lifetime = %v, want the Config's %v", got, end)
	}
}
