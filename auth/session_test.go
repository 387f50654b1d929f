package auth_test

import (
	"context"
	"encoding/json"
	"errors"
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
