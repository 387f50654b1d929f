package fakeauth_test

import (
	"cmp"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/fakeauth"
)

// seedUserSession seeds the user ada on f with a session in state st,
// ending the test if seeding fails.
func seedUserSession(t *testing.T, f *fakeauth.Fake, st fakeauth.State) (*auth.User, *auth.Session) {
	t.Helper()
	u, s, err := f.SeedUserSession(context.Background(), st)
	if err != nil {
		t.Fatalf("seeding a session %v: %v", st, err)
	}
	return u, s
}

// allStates is every fakeauth.State, in order.
var allStates = []fakeauth.State{
	fakeauth.Active, fakeauth.Idle, fakeauth.Dead, fakeauth.ActiveEndMinus1, fakeauth.ActiveEnd, fakeauth.ActiveEndPlus1,
	fakeauth.IdleEndMinus1, fakeauth.IdleEnd, fakeauth.IdleEndPlus1, fakeauth.DeletedUser, fakeauth.Invalidated,
	fakeauth.AbsoluteEndMinus1, fakeauth.AbsoluteEnd, fakeauth.AbsoluteEndPlus1, fakeauth.BrowserSession, fakeauth.BrowserSessionIdle,
}

// Every seeding state is where its name and AuthState say, by the core's
// own Session.State and validation, whatever the lifetimes: with the
// defaults, with an absolute lifetime longer than the periods together,
// and with one shorter (where the idle period ends at the absolute end,
// so that IdleEnd-1ns is still idle; it was dead when the fake redid the
// period arithmetic instead of asking NewSessionExpiries).
func TestStatesAreTheCoresStates(t *testing.T) {
	ctx := context.Background()
	for _, cfg := range []auth.Config{{}, {MaxLifetime: 30 * 24 * time.Hour}, {MaxLifetime: 10 * 24 * time.Hour}, {MaxLifetime: 12 * time.Hour}} {
		for _, st := range allStates {
			if cfg.MaxLifetime != 0 && cfg.MaxLifetime < 24*time.Hour && (st == fakeauth.ActiveEndPlus1 || st == fakeauth.Idle || st == fakeauth.IdleEndMinus1 || st == fakeauth.IdleEnd) {
				continue // the active period ends at the absolute end: there is no idle period
			}
			f := fakeauth.NewT(t, fakeauth.WithConfig(cfg))
			_, s, err := f.SeedUserSession(ctx, st)
			if err != nil {
				t.Fatalf("MaxLifetime %v, %v: %v", cfg.MaxLifetime, st, err)
			}
			want := st.AuthState()
			if want == auth.StateDead {
				if _, err := f.Auth.ValidateSession(ctx, s.Token); !errors.Is(err, auth.ErrInvalidSession) {
					t.Errorf("MaxLifetime %v, %v: validation = %v, want ErrInvalidSession", cfg.MaxLifetime, st, err)
				}
				continue
			}
			if got := s.State(f.Clock.Now()); got != want {
				t.Errorf("MaxLifetime %v, %v: Session.State = %v, want %v (active until %v, idle until %v, ends %v, now %v)",
					cfg.MaxLifetime, st, got, want, s.ActiveExpiresAt, s.IdleExpiresAt, s.ExpiresAt, f.Clock.Now())
			}
		}
	}
	if got := fakeauth.State(0).AuthState(); got != 0 {
		t.Errorf("State(0).AuthState() = %v, want 0", got)
	}
}

func TestSeedSessionStates(t *testing.T) {
	ctx := context.Background()
	want := map[fakeauth.State]auth.State{
		fakeauth.Active: auth.StateActive, fakeauth.Idle: auth.StateIdle, fakeauth.Dead: auth.StateDead,
		fakeauth.ActiveEndMinus1: auth.StateActive, fakeauth.ActiveEnd: auth.StateActive, fakeauth.ActiveEndPlus1: auth.StateIdle,
		fakeauth.IdleEndMinus1: auth.StateIdle, fakeauth.IdleEnd: auth.StateIdle, fakeauth.IdleEndPlus1: auth.StateDead,
		fakeauth.AbsoluteEndMinus1: auth.StateActive, fakeauth.AbsoluteEnd: auth.StateActive, fakeauth.AbsoluteEndPlus1: auth.StateDead,
		fakeauth.BrowserSession: auth.StateActive, fakeauth.BrowserSessionIdle: auth.StateIdle,
	}
	for _, st := range allStates {
		t.Run(st.String(), func(t *testing.T) {
			t.Parallel()
			f := fakeauth.NewT(t)
			_, s := seedUserSession(t, f, st)
			now := f.Clock.Now()
			if !now.Equal(fakeauth.DefaultStart()) {
				t.Errorf("seeding moved the clock to %v", now)
			}
			if len(f.Store.Calls()) != 0 {
				t.Errorf("seeding was logged: %v", f.Store.Calls())
			}
			got, err := f.Auth.ValidateSession(ctx, s.Token)
			if st == fakeauth.DeletedUser || st == fakeauth.Invalidated {
				if !errors.Is(err, auth.ErrInvalidSession) {
					t.Errorf("session gone (%v) validated: %v", st, err)
				}
				return
			}
			if s.State(now) != want[st] {
				t.Fatalf("seeded state %v, want %v (active until %v, idle until %v, now %v)", s.State(now), want[st], s.ActiveExpiresAt, s.IdleExpiresAt, now)
			}
			switch want[st] {
			case auth.StateActive:
				if err != nil || got.Fresh || f.Store.Writes() != 0 {
					t.Errorf("active: %v, %v, %d writes", got, err, f.Store.Writes())
				}
			case auth.StateIdle:
				if err != nil || !got.Fresh || f.Store.Writes() != 1 {
					t.Errorf("idle: %v, %v, %d writes", got, err, f.Store.Writes())
				}
			case auth.StateDead:
				if !errors.Is(err, auth.ErrInvalidSession) {
					t.Errorf("dead: %v", err)
				}
			}
		})
	}
}

func TestBoundaryStatesSitOnTheEdge(t *testing.T) {
	ctx := context.Background()
	f := fakeauth.NewT(t)
	u, _ := f.SeedUser(ctx, "ada", "pw")
	now := f.Clock.Now()
	for st, check := range map[fakeauth.State]func(*auth.Session) bool{
		fakeauth.ActiveEnd:       func(s *auth.Session) bool { return s.ActiveExpiresAt.Equal(now) },
		fakeauth.ActiveEndMinus1: func(s *auth.Session) bool { return s.ActiveExpiresAt.Equal(now.Add(1)) },
		fakeauth.ActiveEndPlus1:  func(s *auth.Session) bool { return s.ActiveExpiresAt.Equal(now.Add(-1)) },
		fakeauth.IdleEnd:         func(s *auth.Session) bool { return s.IdleExpiresAt.Equal(now) },
		fakeauth.IdleEndMinus1:   func(s *auth.Session) bool { return s.IdleExpiresAt.Equal(now.Add(1)) },
		fakeauth.IdleEndPlus1:    func(s *auth.Session) bool { return s.IdleExpiresAt.Equal(now.Add(-1)) },
	} {
		s, err := f.SeedSession(ctx, u.ID, st)
		if err != nil || !check(s) {
			t.Errorf("%v: active until %v, idle until %v, now %v (%v)", st, s.ActiveExpiresAt, s.IdleExpiresAt, now, err)
		}
	}
}

func TestFaultsAimAtOneOperation(t *testing.T) {
	ctx := context.Background()
	f := fakeauth.NewT(t)
	_, s := seedUserSession(t, f, fakeauth.Idle)
	f.Store.FailNext(fakeauth.OpRenewSession, 2, nil)

	for i := range 2 {
		_, err := f.Auth.ValidateSession(ctx, s.Token)
		if !errors.Is(err, fakeauth.ErrInjected) || !errors.Is(err, auth.ErrStore) {
			t.Fatalf("call %d: %v, want the injected failure", i, err)
		}
	}
	if _, err := f.Auth.ValidateSession(ctx, s.Token); err != nil {
		t.Fatalf("third call: %v; the fault should be used up", err)
	}
	if got := f.Store.Count(fakeauth.OpGetSession); got != 3 {
		t.Errorf("reads = %d, want 3 (reads were never failed)", got)
	}
	if got := f.Store.Writes(); got != 1 {
		t.Errorf("writes = %d, want 1", got)
	}
}

func TestFailWhen(t *testing.T) {
	ctx := context.Background()
	f := fakeauth.NewT(t)
	u, s1 := seedUserSession(t, f, fakeauth.Active)
	s2, _ := f.SeedSession(ctx, u.ID, fakeauth.Active)
	down := errors.New("replica down")
	f.Store.FailWhen(fakeauth.OpGetSession, func(c fakeauth.Call) bool { return c.SessionID == s1.ID }, down)
	for range 3 {
		if _, err := f.Auth.ValidateSession(ctx, s1.Token); !errors.Is(err, down) {
			t.Errorf("s1: %v, want %v", err, down)
		}
		if _, err := f.Auth.ValidateSession(ctx, s2.Token); err != nil {
			t.Errorf("s2: %v, want no failure", err)
		}
	}
	if got := f.Store.PendingFaults()[fakeauth.OpGetSession]; got != -1 {
		t.Errorf("PendingFaults = %d, want -1 for a standing fault", got)
	}
	f.Store.ClearFaults()
	f.Store.ClearCalls()
	if _, err := f.Auth.ValidateSession(ctx, s1.Token); err != nil {
		t.Errorf("after ClearFaults: %v", err)
	}
	if len(f.Store.Calls()) != 1 {
		t.Errorf("Reset did not empty the log: %v", f.Store.Calls())
	}
}

func TestCallLogHasNoTokens(t *testing.T) {
	ctx := context.Background()
	f := fakeauth.NewT(t)
	u, _ := f.SeedUser(ctx, "ada", "pw")
	s, _ := f.Auth.CreateSession(ctx, u.ID)
	f.Auth.ValidateSession(ctx, s.Token)
	f.Auth.InvalidateSession(ctx, s.ID)
	var all strings.Builder
	for _, c := range f.Store.Calls() {
		all.WriteString(c.String() + "\n")
		if c.SessionID != s.ID {
			t.Errorf("call %v names session %q, want %q", c.Op, c.SessionID, s.ID)
		}
	}
	if strings.Contains(all.String(), s.Token) {
		t.Errorf("the call log holds the token:\n%s", all.String())
	}
	if !strings.Contains(all.String(), "CreateSession session=") || !strings.Contains(all.String(), "DeleteSession") {
		t.Errorf("log = %s", all.String())
	}
}

func TestFakesAreIndependent(t *testing.T) {
	a, b := fakeauth.NewT(t), fakeauth.NewT(t)
	a.Clock.Advance(48 * time.Hour)
	if !b.Clock.Now().Equal(fakeauth.DefaultStart()) {
		t.Error("moving one fake's clock moved another's")
	}
	a.Store.FailNext(fakeauth.OpCreateUser, 1, nil)
	if _, err := b.SeedUser(context.Background(), "x", ""); err != nil {
		t.Error(err)
	}
	if _, err := b.Auth.CreateUser(context.Background(), auth.NewUser{}); err != nil {
		t.Errorf("a fault of one fake hit another: %v", err)
	}
}

// TestInSynctestBubble: the fake's clock never reads real time and its
// locks are plain mutexes, so it works inside a testing/synctest bubble,
// alongside code that sleeps on the bubble's fake time.
func TestInSynctestBubble(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		f := fakeauth.NewT(t)
		_, s := seedUserSession(t, f, fakeauth.Idle)
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				time.Sleep(time.Second) // bubble time: returns at once
				if _, err := f.Auth.ValidateSession(ctx, s.Token); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		synctest.Wait()
		if f.Store.Writes() != 1 {
			t.Errorf("writes = %d, want 1", f.Store.Writes())
		}
	})
}

func TestCallLogLimit(t *testing.T) {
	ctx := context.Background()
	f := fakeauth.NewT(t)
	_, s := seedUserSession(t, f, fakeauth.Active)
	f.Store.SetLogLimit(3)
	for range 10 {
		f.Auth.ValidateSession(ctx, s.Token)
	}
	f.Auth.InvalidateSession(ctx, s.ID)
	calls := f.Store.Calls()
	if len(calls) != 3 || calls[2].Op != fakeauth.OpDeleteSession || f.Store.Count(fakeauth.OpGetSession) != 2 {
		t.Errorf("log with limit 3 = %v", calls)
	}
}

func TestResetEmptiesItsOwnStore(t *testing.T) {
	ctx := context.Background()
	f := fakeauth.NewT(t)
	u, s := seedUserSession(t, f, fakeauth.Active)
	other, _ := f.Auth.CreateUser(ctx, auth.NewUser{ID: "bob"})
	s2, _ := f.Auth.CreateSession(ctx, other.ID)
	f.Clock.Advance(time.Hour)
	f.Store.FailNext(fakeauth.OpGetUser, 1, nil)
	if err := f.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{s.ID, s2.ID} {
		if _, ok, err := f.StoredSession(ctx, id); ok || err != nil {
			t.Errorf("session %s after Reset: stored %v, %v", id, ok, err)
		}
	}
	for _, id := range []string{u.ID, other.ID} {
		if _, err := f.Auth.GetUser(ctx, id); !errors.Is(err, auth.ErrInvalidUser) {
			t.Errorf("user %s after Reset: %v, want ErrInvalidUser (and no injected fault)", id, err)
		}
	}
	if _, err := f.Auth.UseKey(ctx, "username", "ada", "password"); !errors.Is(err, auth.ErrInvalidKey) {
		t.Errorf("key after Reset: %v, want ErrInvalidKey", err)
	}
	if !f.Clock.Now().Equal(f.Start()) {
		t.Errorf("clock after Reset = %v, want %v", f.Clock.Now(), f.Start())
	}
	// The emptied store takes the same users again.
	if _, _, err := f.SeedUserSession(ctx, fakeauth.Active); err != nil {
		t.Errorf("seeding after Reset: %v", err)
	}
}

func TestResetOnAGivenStore(t *testing.T) {
	ctx := context.Background()
	f := fakeauth.NewT(t, fakeauth.WithStore(memstore.New()))
	_, s := seedUserSession(t, f, fakeauth.Active)
	f.Clock.Advance(time.Hour)
	if err := f.Reset(ctx); !errors.Is(err, fakeauth.ErrCantEmpty) {
		t.Errorf("Reset on a given store = %v, want ErrCantEmpty", err)
	}
	if _, ok, _ := f.StoredSession(ctx, s.ID); !ok {
		t.Error("a failed Reset deleted the session")
	}
	f.ResetKeepingStore()
	if !f.Clock.Now().Equal(f.Start()) || len(f.Store.Calls()) != 0 {
		t.Errorf("after ResetKeepingStore: clock %v, calls %v", f.Clock.Now(), f.Store.Calls())
	}
}

func TestSeededRecordIsConsistent(t *testing.T) {
	ctx := context.Background()
	f := fakeauth.NewT(t)
	u, _ := f.SeedUser(ctx, "ada", "pw")
	for _, at := range []time.Time{f.Clock.Now().Add(-40 * time.Hour), f.Clock.Now(), f.Clock.Now().Add(time.Hour)} {
		s, err := f.SeedSessionWith(ctx, u.ID, at, auth.SessionOptions{})
		if err != nil {
			t.Fatal(err)
		}
		rec, ok, err := f.StoredSession(ctx, s.ID)
		if !ok || err != nil {
			t.Fatalf("seeded session not stored: %v", err)
		}
		active, idle, _ := f.Auth.NewSessionExpiries(at, auth.SessionOptions{})
		if !rec.CreatedAt.Equal(at) || !rec.RenewedAt.Equal(at) || !rec.ActiveExpiresAt.Equal(active) || !rec.IdleExpiresAt.Equal(idle) {
			t.Errorf("seeded at %v: created %v, renewed %v, active %v, idle %v", at, rec.CreatedAt, rec.RenewedAt, rec.ActiveExpiresAt, rec.IdleExpiresAt)
		}
		if s.Fresh || s.Token == "" {
			t.Errorf("seeded session: Fresh %v, token %q", s.Fresh, s.Token)
		}
	}
	s, err := f.SeedSessionWith(ctx, u.ID, f.Clock.Now(), auth.SessionOptions{UserAgent: "curl/8", ClientIP: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	if rec, _, _ := f.StoredSession(ctx, s.ID); rec.UserAgent != "curl/8" || rec.ClientIP != "192.0.2.1" {
		t.Errorf("device not stored: %+v", rec)
	}
}

func TestDeletedUserSessionIsGone(t *testing.T) {
	ctx := context.Background()
	f := fakeauth.NewT(t)
	u, s := seedUserSession(t, f, fakeauth.DeletedUser)
	if _, ok, _ := f.StoredSession(ctx, s.ID); ok {
		t.Error("the session outlived its user")
	}
	if _, err := f.Auth.GetUser(ctx, u.ID); !errors.Is(err, auth.ErrInvalidUser) {
		t.Errorf("user: %v, want ErrInvalidUser", err)
	}
}

// The absolute-lifetime states sit on their edge, renewed since sign-in so
// that only ExpiresAt decides; the browser-session states keep the policy.
func TestLifetimeStates(t *testing.T) {
	ctx := context.Background()
	for _, cfg := range []auth.Config{{}, {MaxLifetime: 10 * 24 * time.Hour}} {
		f := fakeauth.NewT(t, fakeauth.WithConfig(cfg))
		u, _ := f.SeedUser(ctx, "ada", "pw")
		now := f.Clock.Now()
		lifetime := cmp.Or(cfg.MaxLifetime, fakeauth.DefaultSeedMaxLifetime)
		for st, end := range map[fakeauth.State]time.Time{
			fakeauth.AbsoluteEndMinus1: now.Add(1), fakeauth.AbsoluteEnd: now, fakeauth.AbsoluteEndPlus1: now.Add(-1),
		} {
			s, err := f.SeedSession(ctx, u.ID, st)
			if err != nil {
				t.Fatalf("%v: %v", st, err)
			}
			if !s.ExpiresAt.Equal(end) || !s.CreatedAt.Equal(end.Add(-lifetime)) || !s.RenewedAt.After(s.CreatedAt) {
				t.Errorf("%v (lifetime %v): created %v, renewed %v, expires %v; want expiry %v, renewed since", st, lifetime, s.CreatedAt, s.RenewedAt, s.ExpiresAt, end)
			}
			if !s.IdleExpiresAt.Equal(s.ExpiresAt) {
				t.Errorf("%v: idle until %v, want cut to the absolute end %v", st, s.IdleExpiresAt, s.ExpiresAt)
			}
		}
		for _, st := range []fakeauth.State{fakeauth.BrowserSession, fakeauth.BrowserSessionIdle} {
			s, err := f.SeedSession(ctx, u.ID, st)
			if err != nil {
				t.Fatal(err)
			}
			got, err := f.Auth.ValidateSession(ctx, s.Token)
			if err != nil || !got.BrowserSession {
				t.Errorf("%v: %+v, %v; want a browser session", st, got, err)
			}
			if c := f.Auth.SessionCookie(got); !c.Expires.IsZero() || c.MaxAge != 0 {
				t.Errorf("%v: cookie Expires %v, Max-Age %d; want neither", st, c.Expires, c.MaxAge)
			}
		}
	}
}
