package auth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/fakeauth"
)

func TestCreateSessionWithRecordsDevice(t *testing.T) {
	a, _, store := newAuth(t, auth.Config{})
	u, _ := newUserSession(t, a)
	ctx := context.Background()
	s, err := a.CreateSessionWith(ctx, u.ID, auth.SessionOptions{
		UserAgent:  "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0",
		ClientIP:   "2001:db8::1",
		Attributes: map[string]any{"device": "laptop", "mfa": true},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := auth.SessionRecord{
		ID: s.ID, UserID: u.ID, CreatedAt: t0, RenewedAt: t0,
		ActiveExpiresAt: t0.Add(24 * time.Hour), IdleExpiresAt: t0.Add(15 * 24 * time.Hour),
		UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0", ClientIP: "2001:db8::1",
		Attributes: json.RawMessage(`{"device":"laptop","mfa":true}`),
	}
	got, err := store.GetSession(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	attrsAsText := cmp.Transformer("JSON", func(m json.RawMessage) string { return string(m) })
	if diff := cmp.Diff(want, got, attrsAsText); diff != "" {
		t.Errorf("stored session mismatch (-want +got):\n%s", diff)
	}
	// The returned session and a validated one carry the same.
	for name, sess := range map[string]*auth.Session{"CreateSessionWith": s, "ValidateSession": mustValidate(t, a, s.Token)} {
		if sess.UserAgent != want.UserAgent || sess.ClientIP != want.ClientIP || string(sess.Attributes) != string(want.Attributes) ||
			!sess.CreatedAt.Equal(t0) || !sess.RenewedAt.Equal(t0) || !sess.ExpiresAt.IsZero() {
			t.Errorf("%s returned %+v, want the device, attributes and times given", name, sess)
		}
	}
}

func mustValidate(t *testing.T, a *auth.Auth, token string) *auth.Session {
	t.Helper()
	s, err := a.ValidateSession(context.Background(), token)
	if err != nil {
		t.Fatalf("ValidateSession: %v", err)
	}
	return s
}

func TestCreateSessionWithTruncates(t *testing.T) {
	a, _, store := newAuth(t, auth.Config{})
	u, _ := newUserSession(t, a)
	ctx := context.Background()
	tests := []struct {
		name           string
		ua, ip         string
		wantUA, wantIP string
	}{
		{"fits", strings.Repeat("a", 512), strings.Repeat("1", 64), strings.Repeat("a", 512), strings.Repeat("1", 64)},
		{"ascii over", strings.Repeat("a", 513), strings.Repeat("1", 65), strings.Repeat("a", 512), strings.Repeat("1", 64)},
		// "é" is 2 bytes: 511 bytes of "a" and one "é" would end at 513, so
		// the cut falls before it rather than in its middle.
		{"at a rune boundary", strings.Repeat("a", 511) + "é", strings.Repeat("1", 63) + "é", strings.Repeat("a", 511), strings.Repeat("1", 63)},
		{"4-byte runes", strings.Repeat("🐙", 200), strings.Repeat("🐙", 20), strings.Repeat("🐙", 128), strings.Repeat("🐙", 16)},
		{"empty", "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := a.CreateSessionWith(ctx, u.ID, auth.SessionOptions{UserAgent: tt.ua, ClientIP: tt.ip})
			if err != nil {
				t.Fatal(err)
			}
			got, err := store.GetSession(ctx, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.UserAgent != tt.wantUA || got.ClientIP != tt.wantIP {
				t.Errorf("stored UserAgent %d bytes, ClientIP %q; want %d bytes, %q", len(got.UserAgent), got.ClientIP, len(tt.wantUA), tt.wantIP)
			}
			if s.UserAgent != got.UserAgent || s.ClientIP != got.ClientIP {
				t.Errorf("returned session's device differs from the stored one")
			}
		})
	}
}

func TestCreateSessionWithBadAttributes(t *testing.T) {
	a, _, store := newAuth(t, auth.Config{})
	u, _ := newUserSession(t, a)
	_, err := a.CreateSessionWith(context.Background(), u.ID, auth.SessionOptions{Attributes: map[string]any{"c": make(chan int)}})
	if err == nil || errors.Is(err, auth.ErrStore) {
		t.Errorf("CreateSessionWith(attributes that do not encode) = %v, want an encoding error", err)
	}
	if recs, _ := store.UserSessions(context.Background(), u.ID); len(recs) != 1 {
		t.Errorf("user has %d sessions, want only the first", len(recs))
	}
}

func TestRenewalUpdatesRenewedAt(t *testing.T) {
	a, clock, store := newAuth(t, auth.Config{})
	_, s := newUserSession(t, a)
	renewAt := s.ActiveExpiresAt.Add(time.Minute)
	clock.Set(renewAt)
	got := mustValidate(t, a, s.Token)
	if !got.Fresh || !got.RenewedAt.Equal(renewAt) || !got.CreatedAt.Equal(t0) {
		t.Errorf("renewed session: Fresh %v, CreatedAt %v, RenewedAt %v; want true, %v, %v", got.Fresh, got.CreatedAt, got.RenewedAt, t0, renewAt)
	}
	rec, err := store.GetSession(context.Background(), s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !rec.RenewedAt.Equal(renewAt) || !rec.CreatedAt.Equal(t0) || !rec.ActiveExpiresAt.Equal(renewAt.Add(24*time.Hour)) {
		t.Errorf("stored after renewal: CreatedAt %v, RenewedAt %v, ActiveExpiresAt %v", rec.CreatedAt, rec.RenewedAt, rec.ActiveExpiresAt)
	}
	// An active validation afterwards changes nothing.
	clock.Set(renewAt.Add(time.Hour))
	if again := mustValidate(t, a, s.Token); again.Fresh || !again.RenewedAt.Equal(renewAt) {
		t.Errorf("active validation: Fresh %v, RenewedAt %v; want false, %v", again.Fresh, again.RenewedAt, renewAt)
	}
}

// An Auth on a store that keeps no users manages sessions for any user ID,
// and refuses every user and key method with ErrNoUserStore.
func TestNoUserStore(t *testing.T) {
	clock := fakeauth.NewClock(t0)
	a, err := auth.New(memstore.NewSessions(), auth.Config{Clock: clock, Argon2: cheapArgon2})
	if err != nil {
		t.Fatal(err)
	}
	if a.KeepsUsers() {
		t.Error("KeepsUsers() = true, want false")
	}
	ctx := context.Background()
	s, err := a.CreateSession(ctx, "app-user-7")
	if err != nil {
		t.Fatalf("CreateSession(any user ID): %v", err)
	}
	if got := mustValidate(t, a, s.Token); got.UserID != "app-user-7" {
		t.Errorf("UserID = %q", got.UserID)
	}
	calls := map[string]func() error{
		"ValidateSessionUser": func() error { _, _, err := a.ValidateSessionUser(ctx, s.Token); return err },
		"CreateUser":          func() error { _, err := a.CreateUser(ctx, auth.NewUser{}); return err },
		"GetUser":             func() error { _, err := a.GetUser(ctx, "app-user-7"); return err },
		"UpdateUserAttributes": func() error {
			_, err := a.UpdateUserAttributes(ctx, "app-user-7", map[string]any{"a": 1})
			return err
		},
		"DeleteUser": func() error { return a.DeleteUser(ctx, "app-user-7") },
		"CreateKey": func() error {
			_, err := a.CreateKey(ctx, "app-user-7", auth.NewKey{ProviderID: "username", ProviderUserID: "ada", Password: "pw"})
			return err
		},
		"GetKey":            func() error { _, err := a.GetKey(ctx, "username", "ada"); return err },
		"UseKey":            func() error { _, err := a.UseKey(ctx, "username", "ada", "pw"); return err },
		"UpdateKeyPassword": func() error { return a.UpdateKeyPassword(ctx, "username", "ada", "new") },
		"DeleteKey":         func() error { return a.DeleteKey(ctx, "username", "ada") },
		"UserKeys":          func() error { _, err := a.UserKeys(ctx, "app-user-7"); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, auth.ErrNoUserStore) {
			t.Errorf("%s = %v, want ErrNoUserStore", name, err)
		}
	}
	// None of them touched the session.
	if got := mustValidate(t, a, s.Token); got.ID != s.ID {
		t.Errorf("session changed")
	}
}

// newSplitAuth returns an Auth on a store that is a SessionStore and a
// UserStore but can't join them, so that Auth reads the session, then the
// user. users, when not nil, replaces the user half.
func newSplitAuth(t *testing.T, users auth.UserStore) (*auth.Auth, *countingStore) {
	t.Helper()
	cs := &countingStore{Store: memstore.New()}
	var store struct {
		auth.SessionStore
		auth.UserStore
	}
	store.SessionStore, store.UserStore = cs, cs
	if users != nil {
		store.UserStore = users
	}
	if _, ok := any(store).(auth.SessionUserGetter); ok {
		t.Fatal("test store still joins")
	}
	a, err := auth.New(store, auth.Config{Clock: fakeauth.NewClock(t0), Argon2: cheapArgon2})
	if err != nil {
		t.Fatal(err)
	}
	return a, cs
}

func TestValidateSessionUserFallback(t *testing.T) {
	a, cs := newSplitAuth(t, nil)
	checkValidateSessionUser(t, a)
	if cs.gets != 1 || cs.users != 1 || cs.joins != 0 {
		t.Errorf("GetSession, GetUser, GetSessionAndUser calls = %d, %d, %d; want 1, 1, 0", cs.gets, cs.users, cs.joins)
	}
}

// vanishingUsers is a UserStore whose GetUser finds nobody, as if the
// user were deleted between the session read and the user read.
type vanishingUsers struct{ auth.UserStore }

func (vanishingUsers) GetUser(context.Context, string) (auth.UserRecord, error) {
	return auth.UserRecord{}, auth.ErrNotFound
}

// On the fallback path a missing user (GetUser's ErrNotFound) ends the
// session, as ErrUserNotFound does on the joined path.
func TestValidateSessionUserFallbackMissingUser(t *testing.T) {
	inner := memstore.New()
	a, cs := newSplitAuth(t, vanishingUsers{inner})
	cs.Store = inner
	ctx := context.Background()
	_, s := newUserSession(t, a)
	if _, err := a.ValidateSession(ctx, s.Token); err != nil {
		t.Fatalf("ValidateSession: %v (it reads no user)", err)
	}
	if _, _, err := a.ValidateSessionUser(ctx, s.Token); !errors.Is(err, auth.ErrInvalidSession) || errors.Is(err, auth.ErrStore) {
		t.Fatalf("ValidateSessionUser(session of a missing user) = %v, want ErrInvalidSession", err)
	}
	if _, err := inner.GetSession(ctx, s.ID); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("session of a missing user still stored: %v", err)
	}
}

// The joined path: a store reporting ErrUserNotFound gets the session
// deleted, and ErrInvalidSession, not a store error.
func TestValidateSessionUserMissingUser(t *testing.T) {
	os := &orphanStore{Store: memstore.New()}
	a, err := auth.New(os, auth.Config{Clock: fakeauth.NewClock(t0), Argon2: cheapArgon2})
	if err != nil {
		t.Fatal(err)
	}
	_, s := newUserSession(t, a)
	_, _, err = a.ValidateSessionUser(context.Background(), s.Token)
	if !errors.Is(err, auth.ErrInvalidSession) || errors.Is(err, auth.ErrStore) {
		t.Fatalf("ValidateSessionUser = %v, want ErrInvalidSession", err)
	}
	if _, err := os.Store.GetSession(context.Background(), s.ID); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("session of a missing user still stored: %v", err)
	}
}

// newSweepAuth returns an Auth that sweeps in steps of batch on a counting
// store holding ten sessions of one user, all expired by the returned
// clock's time, and that user.
func newSweepAuth(t *testing.T, batch int) (*auth.Auth, *countingStore, *auth.User) {
	t.Helper()
	cs := &countingStore{Store: memstore.New()}
	clock := fakeauth.NewClock(t0)
	a, err := auth.New(cs, auth.Config{Clock: clock, Argon2: cheapArgon2, SweepBatch: batch})
	if err != nil {
		t.Fatal(err)
	}
	u, err := a.CreateUser(context.Background(), auth.NewUser{})
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		if _, err := a.CreateSession(context.Background(), u.ID); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(a.Config().ActivePeriod + a.Config().IdlePeriod + time.Nanosecond)
	return a, cs, u
}

func TestDeleteExpiredSessionsSteps(t *testing.T) {
	a, cs, u := newSweepAuth(t, 3)
	ctx := context.Background()
	live, err := a.CreateSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	n, err := a.DeleteExpiredSessions(ctx)
	if err != nil || n != 10 {
		t.Fatalf("DeleteExpiredSessions = %d, %v; want 10", n, err)
	}
	// 3 + 3 + 3 + 1: the short step ends the sweep.
	if want := []int{3, 3, 3, 3}; !cmp.Equal(cs.sweeps, want) {
		t.Errorf("store sweep calls with limits %v, want %v", cs.sweeps, want)
	}
	mustValidate(t, a, live.Token)

	// The default step is DefaultSweepBatch.
	cs2 := &countingStore{Store: memstore.New()}
	a2, err := auth.New(cs2, auth.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a2.DeleteExpiredSessions(ctx); err != nil {
		t.Fatal(err)
	}
	if want := []int{auth.DefaultSweepBatch}; !cmp.Equal(cs2.sweeps, want) {
		t.Errorf("default sweep calls %v, want %v", cs2.sweeps, want)
	}
	if _, err := auth.New(cs2, auth.Config{SweepBatch: -1}); err == nil {
		t.Error("New with a negative SweepBatch succeeded")
	}
}

func TestDeleteExpiredSessionsStopsOnCancel(t *testing.T) {
	a, cs, u := newSweepAuth(t, 2)
	ctx, cancel := context.WithCancel(context.Background())
	cs.afterSweep = cancel // done after the first step
	n, err := a.DeleteExpiredSessions(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("DeleteExpiredSessions after cancel: error = %v, want context.Canceled", err)
	}
	if n != 2 || len(cs.sweeps) != 1 {
		t.Errorf("DeleteExpiredSessions = %d after %d steps, want 2 after 1", n, len(cs.sweeps))
	}
	if recs, _ := cs.Store.UserSessions(context.Background(), u.ID); len(recs) != 8 {
		t.Errorf("%d sessions left, want 8", len(recs))
	}
}

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
