package auth_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/fakeauth"
)

// cheap Argon2 parameters keep the password tests fast; production uses
// the defaults.
var cheapArgon2 = auth.Argon2Params{Memory: 64, Time: 1, Threads: 1}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)

func newAuth(t *testing.T, cfg auth.Config) (*auth.Auth, *fakeauth.Clock, *memstore.Store) {
	t.Helper()
	clock := fakeauth.NewClock(t0)
	if cfg.Clock == nil {
		cfg.Clock = clock
	}
	if cfg.Argon2 == (auth.Argon2Params{}) {
		cfg.Argon2 = cheapArgon2
	}
	store := memstore.New()
	a, err := auth.New(store, cfg)
	if err != nil {
		t.Fatalf("auth.New: %v", err)
	}
	return a, clock, store
}

// configError returns the error New gives for cfg on a fresh memstore:
// nil when it accepts the configuration.
func configError(cfg auth.Config) error {
	_, err := auth.New(memstore.New(), cfg)
	return err
}

func newUserSession(t *testing.T, a *auth.Auth) (*auth.User, *auth.Session) {
	t.Helper()
	ctx := context.Background()
	u, err := a.CreateUser(ctx, auth.NewUser{Attributes: map[string]any{"username": "ada"}})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	s, err := a.CreateSession(ctx, u.ID)
	if err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	return u, s
}

func TestNewDefaults(t *testing.T) {
	a, err := auth.New(memstore.New(), auth.Config{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := a.Config()
	if cfg.ActivePeriod != 24*time.Hour || cfg.IdlePeriod != 14*24*time.Hour ||
		cfg.BrowserSessionActivePeriod != time.Hour || cfg.BrowserSessionIdlePeriod != 2*time.Hour {
		t.Errorf("Config() periods = %v, %v, browser %v, %v; want 24h, 336h, browser 1h, 2h",
			cfg.ActivePeriod, cfg.IdlePeriod, cfg.BrowserSessionActivePeriod, cfg.BrowserSessionIdlePeriod)
	}
	if cfg.MaxLifetime != 0 || cfg.Clock != (auth.SystemClock{}) || cfg.Logger == nil || cfg.Argon2 != auth.DefaultArgon2Params() ||
		cfg.SweepBatch != auth.DefaultSweepBatch || cfg.MaxSessionAttributesSize != auth.DefaultMaxSessionAttributesSize {
		t.Errorf("Config() = %+v, want every default filled in", cfg)
	}
	if cfg.Cookie.Name != auth.DefaultCookieName || cfg.Cookie.Path != "/" || cfg.Cookie.SameSite != http.SameSiteLaxMode {
		t.Errorf("Config().Cookie = %+v, want the defaults", cfg.Cookie)
	}
	if !a.KeepsUsers() {
		t.Error("KeepsUsers() on a memstore = false, want true")
	}
	if a.CookieName() != "auth_session" {
		t.Errorf("CookieName = %q", a.CookieName())
	}
	if _, err := auth.New(nil, auth.Config{}); err == nil {
		t.Error("New(nil store) succeeded")
	}
	if err := configError(auth.Config{ActivePeriod: -time.Second}); err == nil {
		t.Error("New with a negative period succeeded")
	}
}

func TestTokenConfigDefaultsAndValidation(t *testing.T) {
	a, _, _ := newAuth(t, auth.Config{})
	cfg := a.Config()
	if cfg.TokenTTL != auth.DefaultTokenTTL || cfg.CodeDigits != auth.DefaultCodeDigits || cfg.MaxCodeAttempts != auth.DefaultMaxCodeAttempts {
		t.Errorf("Config() = TokenTTL %v, CodeDigits %d, MaxCodeAttempts %d; want the defaults", cfg.TokenTTL, cfg.CodeDigits, cfg.MaxCodeAttempts)
	}
	a, _, _ = newAuth(t, auth.Config{TokenTTL: time.Hour, CodeDigits: 6, MaxCodeAttempts: 3})
	cfg = a.Config()
	if cfg.TokenTTL != time.Hour || cfg.CodeDigits != 6 || cfg.MaxCodeAttempts != 3 {
		t.Errorf("Config() = TokenTTL %v, CodeDigits %d, MaxCodeAttempts %d; want 1h, 6, 3", cfg.TokenTTL, cfg.CodeDigits, cfg.MaxCodeAttempts)
	}
	for _, bad := range []auth.Config{{TokenTTL: -1}, {CodeDigits: 5}, {CodeDigits: 9}, {CodeDigits: -1}, {MaxCodeAttempts: -1}} {
		if _, err := auth.New(struct{ auth.SessionStore }{nil}, bad); err == nil {
			t.Errorf("New(%+v) succeeded", bad)
		}
	}
}

func TestCreateSession(t *testing.T) {
	a, _, _ := newAuth(t, auth.Config{})
	u, s := newUserSession(t, a)
	if !auth.ValidToken(s.Token) {
		t.Errorf("token %q is not well formed", s.Token)
	}
	if s.ID != auth.SessionID(s.Token) || s.ID == s.Token {
		t.Errorf("ID %q is not the hash of the token", s.ID)
	}
	if s.UserID != u.ID || !s.Fresh {
		t.Errorf("session = %+v", s)
	}
	if want := t0.Add(24 * time.Hour); !s.ActiveExpiresAt.Equal(want) {
		t.Errorf("ActiveExpiresAt = %v, want %v", s.ActiveExpiresAt, want)
	}
	if want := t0.Add(15 * 24 * time.Hour); !s.IdleExpiresAt.Equal(want) {
		t.Errorf("IdleExpiresAt = %v, want %v", s.IdleExpiresAt, want)
	}
	_, err := a.CreateSession(context.Background(), "no-such-user")
	if !errors.Is(err, auth.ErrInvalidUser) {
		t.Errorf("CreateSession(unknown user) = %v, want ErrInvalidUser", err)
	}
}

func TestTokensAreUnique(t *testing.T) {
	a, _, _ := newAuth(t, auth.Config{})
	u, _ := newUserSession(t, a)
	seen := map[string]bool{}
	for range 1000 {
		s, err := a.CreateSession(context.Background(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if seen[s.Token] {
			t.Fatalf("token %q issued twice", s.Token)
		}
		seen[s.Token] = true
	}
}

// TestLifetimeBoundaries checks the lifetime rules of session.go: t-1ns, t and t+1ns at
// the end of the active period and at the end of the idle period.
func TestLifetimeBoundaries(t *testing.T) {
	ns := time.Nanosecond
	tests := []struct {
		name      string
		at        func(s *auth.Session) time.Time
		wantState auth.State
		wantFresh bool
	}{
		{"active end -1ns", func(s *auth.Session) time.Time { return s.ActiveExpiresAt.Add(-ns) }, auth.StateActive, false},
		{"active end", func(s *auth.Session) time.Time { return s.ActiveExpiresAt }, auth.StateActive, false},
		{"active end +1ns", func(s *auth.Session) time.Time { return s.ActiveExpiresAt.Add(ns) }, auth.StateIdle, true},
		{"idle end -1ns", func(s *auth.Session) time.Time { return s.IdleExpiresAt.Add(-ns) }, auth.StateIdle, true},
		{"idle end", func(s *auth.Session) time.Time { return s.IdleExpiresAt }, auth.StateIdle, true},
		{"idle end +1ns", func(s *auth.Session) time.Time { return s.IdleExpiresAt.Add(ns) }, auth.StateDead, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, clock, store := newAuth(t, auth.Config{})
			_, s := newUserSession(t, a)
			now := tt.at(s)
			if got := s.State(now); got != tt.wantState {
				t.Fatalf("State = %v, want %v", got, tt.wantState)
			}
			clock.Set(now)
			got, err := a.ValidateSession(context.Background(), s.Token)
			if tt.wantState == auth.StateDead {
				if !errors.Is(err, auth.ErrInvalidSession) || got != nil {
					t.Fatalf("ValidateSession = %v, %v; want nil, ErrInvalidSession", got, err)
				}
				if _, _, err := store.GetSessionAndUser(context.Background(), s.ID); !errors.Is(err, auth.ErrNotFound) {
					t.Errorf("dead session still stored: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ValidateSession: %v", err)
			}
			if got.ID != s.ID || got.Token != s.Token || got.Fresh != tt.wantFresh {
				t.Errorf("got ID %q token %q fresh %v; want %q %q %v", got.ID, got.Token, got.Fresh, s.ID, s.Token, tt.wantFresh)
			}
			wantActive := s.ActiveExpiresAt
			if tt.wantFresh {
				wantActive = now.Add(24 * time.Hour)
			}
			if !got.ActiveExpiresAt.Equal(wantActive) || !got.IdleExpiresAt.Equal(wantActive.Add(14*24*time.Hour)) {
				t.Errorf("expiries = %v, %v; want %v, %v", got.ActiveExpiresAt, got.IdleExpiresAt, wantActive, wantActive.Add(14*24*time.Hour))
			}
			rec, _, err := store.GetSessionAndUser(context.Background(), s.ID)
			if err != nil || !rec.ActiveExpiresAt.Equal(wantActive) {
				t.Errorf("stored ActiveExpiresAt = %v (%v), want %v", rec.ActiveExpiresAt, err, wantActive)
			}
		})
	}
}

// countingStore counts the calls that reach the store.
type countingStore struct {
	*memstore.Store
	mu                 sync.Mutex
	gets, joins, users int
	renews, renewed    int
	sweeps             []int  // the limit of each DeleteExpiredSessions call
	afterSweep         func() // called after each DeleteExpiredSessions
}

func (c *countingStore) count(n *int) {
	c.mu.Lock()
	*n++
	c.mu.Unlock()
}

func (c *countingStore) GetSession(ctx context.Context, id string) (auth.SessionRecord, error) {
	c.count(&c.gets)
	return c.Store.GetSession(ctx, id)
}

func (c *countingStore) GetSessionAndUser(ctx context.Context, id string) (auth.SessionRecord, auth.UserRecord, error) {
	c.count(&c.joins)
	return c.Store.GetSessionAndUser(ctx, id)
}

func (c *countingStore) GetUser(ctx context.Context, id string) (auth.UserRecord, error) {
	c.count(&c.users)
	return c.Store.GetUser(ctx, id)
}

func (c *countingStore) RenewSession(ctx context.Context, id string, old time.Time, r auth.Renewal) (bool, error) {
	ok, err := c.Store.RenewSession(ctx, id, old, r)
	c.mu.Lock()
	c.renews++
	if ok {
		c.renewed++
	}
	c.mu.Unlock()
	return ok, err
}

func (c *countingStore) DeleteExpiredSessions(ctx context.Context, now time.Time, limit int) (int, error) {
	n, err := c.Store.DeleteExpiredSessions(ctx, now, limit)
	c.mu.Lock()
	c.sweeps = append(c.sweeps, limit)
	c.mu.Unlock()
	if c.afterSweep != nil {
		c.afterSweep()
	}
	return n, err
}

// newCountingAuth returns an Auth on a memstore whose reads and renewals
// are counted.
func newCountingAuth(t *testing.T) (*auth.Auth, *fakeauth.Clock, *countingStore) {
	t.Helper()
	clock := fakeauth.NewClock(t0)
	cs := &countingStore{Store: memstore.New()}
	a, err := auth.New(cs, auth.Config{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	return a, clock, cs
}

func TestActiveValidationWritesNothing(t *testing.T) {
	a, _, cs := newCountingAuth(t)
	_, s := newUserSession(t, a)
	for range 100 {
		if _, err := a.ValidateSession(context.Background(), s.Token); err != nil {
			t.Fatal(err)
		}
	}
	if cs.gets != 100 || cs.joins != 0 || cs.users != 0 || cs.renews != 0 {
		t.Errorf("GetSession, GetSessionAndUser, GetUser, RenewSession calls = %d, %d, %d, %d; want 100, 0, 0, 0 (a session read alone)",
			cs.gets, cs.joins, cs.users, cs.renews)
	}
}

func TestConcurrentRenewalOneWrite(t *testing.T) {
	a, clock, cs := newCountingAuth(t)
	_, s := newUserSession(t, a)
	clock.Set(s.ActiveExpiresAt.Add(time.Hour))
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 64 {
		wg.Go(func() {
			got, err := a.ValidateSession(context.Background(), s.Token)
			if err != nil {
				errs <- err
				return
			}
			if !got.ActiveExpiresAt.Equal(clock.Now().Add(24 * time.Hour)) {
				errs <- errors.New("a caller did not get the renewed session")
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if cs.renewed != 1 {
		t.Errorf("successful renewal writes = %d, want 1", cs.renewed)
	}
}

func TestInvalidateRacingRenewal(t *testing.T) {
	for i := range 50 {
		a, clock, store := newAuth(t, auth.Config{})
		_, s := newUserSession(t, a)
		clock.Set(s.ActiveExpiresAt.Add(time.Hour))
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() { a.ValidateSession(context.Background(), s.Token) })
		}
		wg.Go(func() {
			if err := a.InvalidateSession(context.Background(), s.ID); err != nil {
				t.Error(err)
			}
		})
		wg.Wait()
		if _, _, err := store.GetSessionAndUser(context.Background(), s.ID); !errors.Is(err, auth.ErrNotFound) {
			t.Fatalf("round %d: invalidated session revived (%v)", i, err)
		}
		if _, err := a.ValidateSession(context.Background(), s.Token); !errors.Is(err, auth.ErrInvalidSession) {
			t.Fatalf("round %d: ValidateSession after invalidation = %v", i, err)
		}
	}
}

func TestValidateRejects(t *testing.T) {
	a, _, _ := newAuth(t, auth.Config{})
	_, s := newUserSession(t, a)
	for _, token := range []string{
		"", "short", strings.ToUpper(s.Token), s.Token + "a", s.Token[:31] + "1", s.Token[:31] + "=",
		s.ID,                               // the public ID is not a token
		"abcdefghijklmnopqrstuvwxyz234567", // well formed, unknown
	} {
		if got, err := a.ValidateSession(context.Background(), token); !errors.Is(err, auth.ErrInvalidSession) || got != nil {
			t.Errorf("ValidateSession(%q) = %v, %v; want ErrInvalidSession", token, got, err)
		}
	}
}

func TestMalformedTokenSkipsStore(t *testing.T) {
	cs := &countingStore{Store: memstore.New()}
	a, err := auth.New(cs, auth.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, token := range []string{"", "x", strings.Repeat("A", 32), strings.Repeat("a", 8192), "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\x00a"} {
		a.ValidateSession(context.Background(), token)
	}
	for _, token := range []string{"", "x", strings.Repeat("A", 32)} {
		a.ValidateSessionUser(context.Background(), token)
	}
	if cs.gets+cs.joins+cs.users != 0 {
		t.Errorf("store reads for malformed tokens = %d, want 0", cs.gets+cs.joins+cs.users)
	}
}

func TestValidateSessionUser(t *testing.T) {
	a, _, _ := newAuth(t, auth.Config{})
	checkValidateSessionUser(t, a)
}

// checkValidateSessionUser signs a new user in on a and checks that
// ValidateSessionUser returns that session and that user.
func checkValidateSessionUser(t *testing.T, a *auth.Auth) {
	t.Helper()
	u, s := newUserSession(t, a)
	gs, gu, err := a.ValidateSessionUser(context.Background(), s.Token)
	if err != nil {
		t.Fatal(err)
	}
	if gs.ID != s.ID || gu.ID != u.ID || gu.Attributes["username"] != "ada" {
		t.Errorf("got %+v, %+v", gs, gu)
	}
}

func TestDeletedUserSessionInvalid(t *testing.T) {
	a, _, store := newAuth(t, auth.Config{})
	u, s := newUserSession(t, a)
	if err := a.DeleteUser(context.Background(), u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.ValidateSession(context.Background(), s.Token); !errors.Is(err, auth.ErrInvalidSession) {
		t.Errorf("ValidateSession after DeleteUser = %v", err)
	}
	if recs, _ := store.UserSessions(context.Background(), u.ID); len(recs) != 0 {
		t.Errorf("sessions left after DeleteUser: %v", recs)
	}
}

// orphanStore reports every session's user as gone, like a store whose user
// row was removed without the cascade.
type orphanStore struct {
	*memstore.Store
	deleted []string
}

func (o *orphanStore) GetSessionAndUser(ctx context.Context, id string) (auth.SessionRecord, auth.UserRecord, error) {
	s, _, err := o.Store.GetSessionAndUser(ctx, id)
	if err != nil {
		return s, auth.UserRecord{}, err
	}
	return s, auth.UserRecord{}, auth.ErrUserNotFound
}

func (o *orphanStore) DeleteSession(ctx context.Context, id string) error {
	o.deleted = append(o.deleted, id)
	return o.Store.DeleteSession(ctx, id)
}

func TestOrphanSessionDeleted(t *testing.T) {
	os := &orphanStore{Store: memstore.New()}
	a, err := auth.New(os, auth.Config{})
	if err != nil {
		t.Fatal(err)
	}
	_, s := newUserSession(t, a)
	// ValidateSession reads the session alone: the store's contract is that
	// sessions end with their user.
	if _, err := a.ValidateSession(context.Background(), s.Token); err != nil {
		t.Fatalf("ValidateSession = %v, want the session", err)
	}
	if _, _, err := a.ValidateSessionUser(context.Background(), s.Token); !errors.Is(err, auth.ErrInvalidSession) || errors.Is(err, auth.ErrStore) {
		t.Fatalf("ValidateSessionUser = %v, want ErrInvalidSession", err)
	}
	if len(os.deleted) != 1 || os.deleted[0] != s.ID {
		t.Errorf("deleted = %v, want [%s]", os.deleted, s.ID)
	}
	if _, err := os.Store.GetSession(context.Background(), s.ID); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("orphan session still stored: %v", err)
	}
}

// failingStore fails every call with err.
type failingStore struct {
	*memstore.Store
	err error
}

func (f failingStore) GetSession(context.Context, string) (auth.SessionRecord, error) {
	return auth.SessionRecord{}, f.err
}

func (f failingStore) GetSessionAndUser(context.Context, string) (auth.SessionRecord, auth.UserRecord, error) {
	return auth.SessionRecord{}, auth.UserRecord{}, f.err
}

func TestStoreFailureIsNotLogout(t *testing.T) {
	boom := errors.New("connection reset")
	a, err := auth.New(failingStore{Store: memstore.New(), err: boom}, auth.Config{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.ValidateSession(context.Background(), "abcdefghijklmnopqrstuvwxyz234567")
	if !errors.Is(err, auth.ErrStore) || !errors.Is(err, boom) || errors.Is(err, auth.ErrInvalidSession) {
		t.Errorf("ValidateSession: err = %v; want ErrStore wrapping the store's error, not ErrInvalidSession", err)
	}
	_, _, err = a.ValidateSessionUser(context.Background(), "abcdefghijklmnopqrstuvwxyz234567")
	if !errors.Is(err, auth.ErrStore) || !errors.Is(err, boom) || errors.Is(err, auth.ErrInvalidSession) {
		t.Errorf("ValidateSessionUser: err = %v; want ErrStore wrapping the store's error, not ErrInvalidSession", err)
	}
}

func TestUserSessionsAndSweep(t *testing.T) {
	a, clock, _ := newAuth(t, auth.Config{})
	ctx := context.Background()
	u, s1 := newUserSession(t, a)
	clock.Set(t0.Add(10 * 24 * time.Hour))
	s2, err := a.CreateSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	clock.Set(s1.IdleExpiresAt.Add(time.Nanosecond)) // s1 dead, s2 idle
	list, err := a.UserSessions(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != s2.ID || list[0].Token != "" {
		t.Fatalf("UserSessions = %+v; want only %s, without token", list, s2.ID)
	}
	n, err := a.DeleteExpiredSessions(ctx)
	if err != nil || n != 1 {
		t.Errorf("DeleteExpiredSessions = %d, %v; want 1", n, err)
	}
	if err := a.InvalidateUserSessions(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := a.UserSessions(ctx, u.ID); len(list) != 0 {
		t.Errorf("sessions after InvalidateUserSessions: %v", list)
	}
	if err := a.InvalidateSession(ctx, s2.ID); err != nil {
		t.Errorf("invalidating an absent session: %v", err)
	}
}

// A stored session whose user ID is empty (emptied by a fault or a hand
// edit of the store: a Redis hash field, a SQLite row with foreign keys
// off) belongs to no user, so it is no session on any path that reads it.
func TestSessionWithoutUserIDIsNoSession(t *testing.T) {
	ctx := context.Background()
	store := memstore.NewSessions() // takes any user ID, as a store for an app's users does
	a, err := auth.New(store, auth.Config{Clock: fakeauth.NewClock(t0)})
	if err != nil {
		t.Fatal(err)
	}
	s, err := a.CreateSession(ctx, "u1")
	if err != nil {
		t.Fatal(err)
	}
	rec, err := store.GetSession(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.DeleteSession(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	rec.UserID = ""
	if err := store.CreateSession(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if got, err := a.UserSessions(ctx, ""); err != nil || len(got) != 0 {
		t.Errorf("UserSessions(\"\") = %d sessions, %v; want none", len(got), err)
	}
	if got, err := a.UpdateSessionAttributes(ctx, s, map[string]any{"mfa": true}); !errors.Is(err, auth.ErrInvalidSession) {
		t.Errorf("UpdateSessionAttributes = %+v, %v; want ErrInvalidSession", got, err)
	}
	if got, err := a.ValidateSession(ctx, s.Token); !errors.Is(err, auth.ErrInvalidSession) || errors.Is(err, auth.ErrStore) {
		t.Errorf("ValidateSession = %+v, %v; want ErrInvalidSession", got, err)
	}
	if _, err := store.GetSession(ctx, s.ID); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("after ValidateSession the record is still stored (%v); want it deleted, as a dead one is", err)
	}
	// Nor can one be made.
	if got, err := a.CreateSession(ctx, ""); !errors.Is(err, auth.ErrInvalidUser) {
		t.Errorf("CreateSession(\"\") = %+v, %v; want ErrInvalidUser", got, err)
	}
	if recs, _ := store.UserSessions(ctx, ""); len(recs) != 0 {
		t.Errorf("CreateSession(\"\") stored %d sessions, want none", len(recs))
	}
}
