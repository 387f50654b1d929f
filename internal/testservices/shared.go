package testservices

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/fakeauth"
)

// RenewCounter is an [auth.SessionStore] that counts the renewals that
// wrote: the RenewSession calls that returned true. It hides the inner
// store's user methods ([CheckSharedRenewal] puts them back beside it).
type RenewCounter struct {
	auth.SessionStore
	n atomic.Int64
}

// RenewSession implements [auth.SessionStore] and counts the calls that
// return true.
func (c *RenewCounter) RenewSession(ctx context.Context, id string, old time.Time, r auth.Renewal) (bool, error) {
	ok, err := c.SessionStore.RenewSession(ctx, id, old, r)
	if ok {
		c.n.Add(1)
	}
	return ok, err
}

// Renewals returns how many RenewSession calls returned true.
func (c *RenewCounter) Renewals() int64 { return c.n.Load() }

// counted is a RenewCounter with the inner store's users, so that an Auth
// on it manages users too.
type counted struct {
	*RenewCounter
	auth.UserStore
}

// NewAuth returns an Auth on s with clock and cheap password hashing.
func NewAuth(t testing.TB, s auth.SessionStore, clock auth.Clock) *auth.Auth {
	t.Helper()
	a, err := auth.New(s, auth.Config{Clock: clock, Argon2: auth.Argon2Params{Memory: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatalf("auth.New: %v", err)
	}
	return a
}

// sharedUser is the user ID the checks use on a store that keeps no users
// (and so takes any ID).
const sharedUser = "testservices-user"

// SignIn creates a session on a and returns it: for a new user when a
// keeps users, for a fixed user ID when it does not.
func SignIn(t testing.TB, a *auth.Auth) *auth.Session {
	t.Helper()
	userID := sharedUser
	if a.KeepsUsers() {
		u, err := a.CreateUser(t.Context(), auth.NewUser{Attributes: map[string]any{"name": "Ada"}})
		if err != nil {
			t.Fatalf("CreateUser: %v", err)
		}
		userID = u.ID
	}
	s, err := a.CreateSession(t.Context(), userID)
	if err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	return s
}

// CheckSharedRenewal plays several app servers on one backend: one Auth on
// each of the stores (each its own handle and connection pool on the same
// database, schema or key prefix), sharing a clock. It creates an idle
// session and validates it from 32 goroutines split over the servers, and
// checks that every validation returns the session (nobody is logged out)
// and that exactly one renewal was written. The session's user is created
// through the first store when it keeps users; a store that keeps none
// must take any user ID.
func CheckSharedRenewal(t *testing.T, stores ...auth.SessionStore) {
	t.Helper()
	const callers = 32
	ctx := t.Context()
	clock := fakeauth.NewClock(time.Date(2031, 3, 14, 15, 9, 26, 535897933, time.UTC))
	counters := make([]*RenewCounter, len(stores))
	servers := make([]*auth.Auth, len(stores))
	for i, s := range stores {
		counters[i] = &RenewCounter{SessionStore: s}
		var store auth.SessionStore = counters[i]
		if us, ok := s.(auth.UserStore); ok {
			store = counted{counters[i], us}
		}
		servers[i] = NewAuth(t, store, clock)
	}
	sess := SignIn(t, servers[0])
	// Every server sees the session before it turns idle.
	for i, a := range servers {
		if _, err := a.ValidateSession(ctx, sess.Token); err != nil {
			t.Fatalf("server %d: ValidateSession(active): %v", i, err)
		}
	}
	clock.Advance(servers[0].Config().ActivePeriod + time.Minute)
	wantActive := clock.Now().Add(servers[0].Config().ActivePeriod)

	got := make([]*auth.Session, callers)
	errs := make([]error, callers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range callers {
		a := servers[i%len(servers)]
		wg.Go(func() {
			<-start
			got[i], errs[i] = a.ValidateSession(ctx, sess.Token)
		})
	}
	close(start)
	wg.Wait()

	for i := range callers {
		if errs[i] != nil {
			t.Errorf("caller %d (server %d): ValidateSession: %v", i, i%len(servers), errs[i])
			continue
		}
		if got[i].ID != sess.ID || !got[i].ActiveExpiresAt.Equal(wantActive) {
			t.Errorf("caller %d: got session %.12s… active until %v, want %.12s… renewed until %v", i, got[i].ID, got[i].ActiveExpiresAt, sess.ID, wantActive)
		}
	}
	var total int64
	for _, c := range counters {
		total += c.Renewals()
	}
	if total != 1 {
		t.Errorf("renewals written = %d, want exactly 1", total)
	}
	// And the stored record is the renewed one, for every server.
	for i, a := range servers {
		s, err := a.ValidateSession(ctx, sess.Token)
		if err != nil {
			t.Fatalf("server %d: ValidateSession after the race: %v", i, err)
		}
		if !s.ActiveExpiresAt.Equal(wantActive) || s.Fresh {
			t.Errorf("server %d: after the race, session active until %v (Fresh %v), want %v and not Fresh", i, s.ActiveExpiresAt, s.Fresh, wantActive)
		}
	}
}
