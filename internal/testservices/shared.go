package testservices

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/fakeauth"
)

// RenewCounter is an [auth.SessionStore] that counts the renewals that
// wrote: the RenewSession calls that returned true. It hides the inner
// store's user methods; give [NewAuth] the pair with [WithUsers].
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

// newUser returns a user ID sessions on a can reference: a new user when
// a keeps users, sharedUser when it does not.
func newUser(t testing.TB, a *auth.Auth) string {
	t.Helper()
	if a.Users() == nil {
		return sharedUser
	}
	u, err := a.CreateUser(t.Context(), auth.NewUser{Attributes: map[string]any{"name": "Ada"}})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	return u.ID
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
	sess, err := servers[0].CreateSession(ctx, newUser(t, servers[0]))
	if err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	// Every server sees the session before it turns idle.
	for i, a := range servers {
		if _, err := a.ValidateSession(ctx, sess.Token); err != nil {
			t.Fatalf("server %d: ValidateSession(active): %v", i, err)
		}
	}
	clock.Advance(servers[0].ActivePeriod() + time.Minute)
	wantActive := clock.Now().Add(servers[0].ActivePeriod())

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

// CheckFaults checks what a store failure does, on an Auth whose store
// reaches its server through p. While p is cut, ValidateSession returns an
// error wrapping [auth.ErrStore], never [auth.ErrInvalidSession], and an
// [authrequest.AuthRequest] returns the error and leaves the session
// cookie alone. Once p is restored, the same token validates again (within
// a few seconds, while the client reconnects).
func CheckFaults(t *testing.T, a *auth.Auth, p *Proxy) {
	t.Helper()
	ctx := t.Context()
	sess, err := a.CreateSession(ctx, newUser(t, a))
	if err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	if _, err := a.ValidateSession(ctx, sess.Token); err != nil {
		t.Fatalf("ValidateSession before the cut: %v", err)
	}

	p.Cut()
	for i := range 3 {
		vctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err := a.ValidateSession(vctx, sess.Token)
		cancel()
		if !errors.Is(err, auth.ErrStore) || errors.Is(err, auth.ErrInvalidSession) {
			t.Errorf("ValidateSession #%d while cut: error = %v, want one wrapping auth.ErrStore and not auth.ErrInvalidSession", i, err)
		}
	}

	// Through an AuthRequest: an error, and no Set-Cookie for the session.
	w := httptest.NewRecorder()
	r := httptest.NewRequestWithContext(ctx, http.MethodGet, "https://app.example/", nil)
	r.AddCookie(a.SessionCookie(sess))
	got, err := authrequest.New(a, w, r).Session()
	if got != nil || !errors.Is(err, auth.ErrStore) {
		t.Errorf("AuthRequest.Session while cut = %v, %v; want nil and an error wrapping auth.ErrStore", got, err)
	}
	for _, c := range w.Result().Cookies() {
		if c.Name == a.CookieName() {
			t.Errorf("AuthRequest.Session while cut set the session cookie: %s", c)
		}
	}

	p.Restore()
	deadline := time.Now().Add(15 * time.Second)
	for {
		vctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		s, err := a.ValidateSession(vctx, sess.Token)
		cancel()
		if err == nil {
			if s.ID != sess.ID {
				t.Errorf("ValidateSession after restore returned session %.12s…, want %.12s…", s.ID, sess.ID)
			}
			break
		}
		if errors.Is(err, auth.ErrInvalidSession) {
			t.Fatalf("ValidateSession after restore: %v: the session was lost", err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("ValidateSession still failing 15s after restore: %v", err)
		}
		time.Sleep(50 * time.Millisecond) // waiting for the client to reconnect, not for expiry
	}
}
