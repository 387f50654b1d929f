package auth_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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
	clock.Advance(a.Config().ActivePeriod + time.Nanosecond)
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
		_, _, expiresAt := a.NewSessionExpiries(t0, auth.SessionOptions{})
		active, idle := auth.Expiries(a, tc.at, tc.browser, expiresAt)
		if !active.Equal(tc.wantActive) || !idle.Equal(tc.want) {
			t.Errorf("Expiries(%v, browser %v) = %v, %v; want %v, %v", tc.at, tc.browser, active, idle, tc.wantActive, tc.want)
		}
	}
	if _, _, got := a.NewSessionExpiries(t0, auth.SessionOptions{MaxLifetime: 2 * time.Hour}); !got.Equal(t0.Add(2 * time.Hour)) {
		t.Errorf("NewSessionExpiries with a shorter session lifetime: ExpiresAt = %v, want %v", got, t0.Add(2*time.Hour))
	}
	if _, _, got := a.NewSessionExpiries(t0, auth.SessionOptions{MaxLifetime: 48 * time.Hour}); !got.Equal(end) {
		t.Errorf("NewSessionExpiries with a longer session lifetime: ExpiresAt = %v, want the Config's %v", got, end)
	}
}

// A session dead by its stored expiries, but not yet swept or presented,
// can't be changed: UpdateSessionAttributes reports it as it reports a
// session that is gone. The end of the idle period belongs to the
// session's life, as in Session.State.
func TestUpdateSessionAttributesDeadSession(t *testing.T) {
	for _, off := range []time.Duration{-time.Nanosecond, 0, time.Nanosecond} {
		t.Run(fmt.Sprintf("IdleEnd%+v", off), func(t *testing.T) {
			a, clock, store := newAuth(t, auth.Config{})
			u, s := newUserSession(t, a)
			ctx := context.Background()
			clock.Set(s.IdleExpiresAt.Add(off))
			got, err := a.UpdateSessionAttributes(ctx, s, map[string]any{"mfa": true})
			if off <= 0 {
				if err != nil {
					t.Fatalf("UpdateSessionAttributes %v from the idle end: %v", off, err)
				}
				if string(got.Attributes) != `{"mfa":true}` {
					t.Errorf("attributes = %s, want {\"mfa\":true}", got.Attributes)
				}
				return
			}
			if err == nil {
				t.Fatalf("UpdateSessionAttributes 1ns after the idle end = %s, want an error", got.Attributes)
			}
			rec, _ := store.GetSession(ctx, s.ID)
			if rec.Attributes != nil {
				t.Errorf("stored attributes of the dead session = %s, want unchanged (none)", rec.Attributes)
			}
			// The same error as for a session that is gone.
			gone, err2 := a.CreateSession(ctx, u.ID)
			if err2 != nil {
				t.Fatal(err2)
			}
			if err := a.InvalidateSession(ctx, gone.ID); err != nil {
				t.Fatal(err)
			}
			_, want := a.UpdateSessionAttributes(ctx, gone, map[string]any{"mfa": true})
			if !errors.Is(err, auth.ErrInvalidSession) || err.Error() != want.Error() {
				t.Errorf("UpdateSessionAttributes on a dead session: error = %v, want %v (as for a session that is gone)", err, want)
			}
		})
	}
}

// attrsOfSize returns attributes whose JSON encoding is exactly n bytes.
func attrsOfSize(n int) map[string]any {
	return map[string]any{"k": strings.Repeat("x", n-len(`{"k":""}`))}
}

func TestSessionAttributesSizeLimit(t *testing.T) {
	ctx := context.Background()
	t.Run("Default", func(t *testing.T) {
		a, _, store := newAuth(t, auth.Config{})
		u, plain := newUserSession(t, a)
		s, err := a.CreateSessionWith(ctx, u.ID, auth.SessionOptions{Attributes: attrsOfSize(auth.DefaultMaxSessionAttributesSize)})
		if err != nil {
			t.Fatalf("CreateSessionWith(attributes of %d bytes, the default limit): %v", auth.DefaultMaxSessionAttributesSize, err)
		}
		for _, size := range []int{auth.DefaultMaxSessionAttributesSize + 1, 8 << 20} {
			_, err := a.CreateSessionWith(ctx, u.ID, auth.SessionOptions{Attributes: attrsOfSize(size)})
			if !errors.Is(err, auth.ErrAttributesTooLarge) || errors.Is(err, auth.ErrStore) {
				t.Errorf("CreateSessionWith(attributes of %d bytes): error = %v, want ErrAttributesTooLarge", size, err)
			}
			_, err = a.UpdateSessionAttributes(ctx, s, attrsOfSize(size))
			if !errors.Is(err, auth.ErrAttributesTooLarge) {
				t.Errorf("UpdateSessionAttributes(attributes of %d bytes): error = %v, want ErrAttributesTooLarge", size, err)
			}
		}
		if recs, _ := store.UserSessions(ctx, u.ID); len(recs) != 2 {
			t.Errorf("user has %d sessions, want 2 (none created over the limit)", len(recs))
		}
		if got := mustValidate(t, a, s.Token); len(got.Attributes) != auth.DefaultMaxSessionAttributesSize {
			t.Errorf("stored attributes are %d bytes, want the %d written before the refused updates", len(got.Attributes), auth.DefaultMaxSessionAttributesSize)
		}
		if _, err := a.UpdateSessionAttributes(ctx, plain, attrsOfSize(auth.DefaultMaxSessionAttributesSize)); err != nil {
			t.Errorf("UpdateSessionAttributes(attributes at the limit): %v", err)
		}
	})
	t.Run("Configured", func(t *testing.T) {
		a, _, _ := newAuth(t, auth.Config{MaxSessionAttributesSize: 64 << 10})
		u, s := newUserSession(t, a)
		if _, err := a.UpdateSessionAttributes(ctx, s, attrsOfSize(64<<10)); err != nil {
			t.Errorf("UpdateSessionAttributes(64 KiB, the configured limit): %v", err)
		}
		if _, err := a.CreateSessionWith(ctx, u.ID, auth.SessionOptions{Attributes: attrsOfSize(64<<10 + 1)}); !errors.Is(err, auth.ErrAttributesTooLarge) {
			t.Errorf("CreateSessionWith(64 KiB + 1): error = %v, want ErrAttributesTooLarge", err)
		}
	})
	t.Run("Negative", func(t *testing.T) {
		if err := configError(auth.Config{MaxSessionAttributesSize: -1}); err == nil {
			t.Error("New(MaxSessionAttributesSize -1) = nil error, want one")
		}
	})
}
