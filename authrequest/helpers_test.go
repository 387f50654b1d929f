package authrequest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/fakeauth"
)

// seedUser seeds the user name, password "pw", on f.
func seedUser(t testing.TB, f *fakeauth.Fake, name string) *auth.User {
	t.Helper()
	u, err := f.SeedUser(context.Background(), name, "pw")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// seedSession seeds a session of the user in state on f.
func seedSession(t testing.TB, f *fakeauth.Fake, userID string, state fakeauth.State) *auth.Session {
	t.Helper()
	s, err := f.SeedSession(context.Background(), userID, state)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// seedUserSession seeds a user with a session in state on f.
func seedUserSession(t testing.TB, f *fakeauth.Fake, state fakeauth.State) (*auth.User, *auth.Session) {
	t.Helper()
	u, s, err := f.SeedUserSession(context.Background(), state)
	if err != nil {
		t.Fatal(err)
	}
	return u, s
}

// seedTwoSessions seeds a user with two sessions on f: the first in state
// first, the second active. It returns the user and both sessions.
func seedTwoSessions(t testing.TB, f *fakeauth.Fake, first fakeauth.State) (u *auth.User, s1, s2 *auth.Session) {
	t.Helper()
	u, s1 = seedUserSession(t, f, first)
	return u, s1, seedSession(t, f, u.ID, fakeauth.Active)
}

// env is a fake Auth (fakeauth.NewT: memstore behind a fault and log
// wrapper, with a clock the test moves) and a user on it.
type env struct {
	fake  *fakeauth.Fake
	a     *auth.Auth
	clock *fakeauth.Clock
	store *fakeauth.Store
	user  *auth.User
}

func newEnv(t testing.TB) *env {
	t.Helper()
	f := fakeauth.NewT(t)
	e := &env{fake: f, a: f.Auth, clock: f.Clock, store: f.Store}
	var err error
	e.user, err = e.a.CreateUser(context.Background(), auth.NewUser{Attributes: map[string]any{"username": "ada"}})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) newSession(t testing.TB) *auth.Session {
	t.Helper()
	s, err := e.a.CreateSession(context.Background(), e.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.store.ClearCalls()
	return s
}

// newSignedIn returns a new env and a session of its user, with the
// store's call log cleared.
func newSignedIn(t testing.TB) (*env, *auth.Session) {
	t.Helper()
	e := newEnv(t)
	return e, e.newSession(t)
}

// checkNoStoreCalls fails t if the store was called since the call log was
// last cleared; during says what should have needed no store.
func (e *env) checkNoStoreCalls(t testing.TB, during string) {
	t.Helper()
	if calls := e.store.Calls(); len(calls) != 0 {
		t.Errorf("store calls during %s: %v, want none", during, calls)
	}
}

// stored reports whether the session is in the store.
func (e *env) stored(t testing.TB, id string) (auth.SessionRecord, bool) {
	t.Helper()
	rec, ok, err := e.fake.StoredSession(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return rec, ok
}

// request returns a request with the session cookie set to token, unless
// token is "".
func request(method, target, token string) *http.Request {
	r := httptest.NewRequest(method, target, nil)
	if token != "" {
		r.AddCookie(&http.Cookie{Name: "auth_session", Value: token})
	}
	return r
}

// sessionCookies returns the response's auth_session cookies. It fails t
// on any Set-Cookie line that does not parse.
func sessionCookies(t testing.TB, rec *httptest.ResponseRecorder) []*http.Cookie {
	t.Helper()
	var out []*http.Cookie
	for _, l := range rec.Result().Header.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(l)
		if err != nil {
			t.Fatalf("bad Set-Cookie %q: %v", l, err)
		}
		if c.Name == "auth_session" {
			out = append(out, c)
		}
	}
	return out
}

// cookieOutcome classifies the response's session cookie: "untouched",
// "cleared" or "set:<value>".
func cookieOutcome(t testing.TB, rec *httptest.ResponseRecorder) string {
	t.Helper()
	cs := sessionCookies(t, rec)
	switch len(cs) {
	case 0:
		return "untouched"
	case 1:
	default:
		t.Fatalf("%d Set-Cookie lines for auth_session, want at most 1: %v", len(cs), cs)
	}
	if c := cs[0]; c.Value == "" && c.MaxAge < 0 {
		return "cleared"
	}
	return "set:" + cs[0].Value
}

func authSessionID(token string) string { return auth.SessionID(token) }

// plantedToken is a well-formed token that names no session: what a
// sibling subdomain plants to keep a victim signed out.
const plantedToken = "abcdefghijklmnopqrstuvwxyz234567"

// checkOrigin runs AuthRequest.CheckOrigin on r with opts.
func checkOrigin(t testing.TB, r *http.Request, opts ...authrequest.Option) error {
	t.Helper()
	e := newEnv(t)
	ar, err := authrequest.NewWithOptions(e.a, httptest.NewRecorder(), r, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return ar.CheckOrigin()
}
