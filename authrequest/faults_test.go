package authrequest_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/fakeauth"
)

// TestEveryStoreFailure fails each store operation in turn, under each
// request path that uses it: the failure comes back as an error, the
// cookie is untouched, nothing is lost, and the session validates again
// once the store recovers.
func TestEveryStoreFailure(t *testing.T) {
	type path struct {
		name  string
		state string // "active", "idle", "dead" or "orphan" before the request
		run   func(ar *authrequest.AuthRequest) error
	}
	session := func(ar *authrequest.AuthRequest) error { _, err := ar.Session(); return err }
	sessionUser := func(ar *authrequest.AuthRequest) error { _, _, err := ar.SessionUser(); return err }
	paths := []path{
		{"Session/active", "active", session},
		{"Session/idle", "idle", session},
		{"Session/dead", "dead", session},
		{"SessionUser/active", "active", sessionUser},
		{"SessionUser/idle", "idle", sessionUser},
		{"Session+SessionUser/active", "active", func(ar *authrequest.AuthRequest) error {
			if err := session(ar); err != nil {
				return err
			}
			return sessionUser(ar)
		}},
		{"SignOut", "active", func(ar *authrequest.AuthRequest) error { return ar.SignOut() }},
		{"SignIn", "active", func(ar *authrequest.AuthRequest) error {
			_, err := ar.SignIn(ar.Request().Header.Get("X-User"))
			return err
		}},
	}
	covered := map[fakeauth.Op]bool{}
	for _, p := range paths {
		for _, op := range fakeauth.Ops() {
			t.Run(p.name+"/"+string(op), func(t *testing.T) {
				e := newEnv(t)
				s := e.newSession(t)
				switch p.state {
				case "idle":
					e.clock.Set(s.ActiveExpiresAt.Add(time.Hour))
				case "dead":
					e.clock.Set(s.IdleExpiresAt.Add(time.Hour))
				}
				before, _ := e.stored(t, s.ID)
				boom := errors.New("connection reset by peer")
				e.store.FailNext(op, 1, boom)

				r := request("POST", "http://example.com/", s.Token)
				r.Header.Set("X-User", e.user.ID)
				rec := httptest.NewRecorder()
				err := p.run(authrequest.New(e.a, rec, r))
				if e.store.PendingFaults()[op] == 1 {
					return // this path does not use op
				}
				covered[op] = true
				if !errors.Is(err, boom) || !errors.Is(err, auth.ErrStore) {
					t.Fatalf("error = %v; want one wrapping auth.ErrStore and the store's error", err)
				}
				if got := cookieOutcome(t, rec); got != "untouched" {
					t.Errorf("cookie = %s after a store failure, want untouched", got)
				}
				after, ok := e.stored(t, s.ID)
				if !ok || !after.IdleExpiresAt.Equal(before.IdleExpiresAt) {
					t.Errorf("stored session changed by a failed request: %v -> %v (stored %v)", before, after, ok)
				}
				if p.state == "dead" {
					return
				}
				// The store is back: the same cookie works again.
				rec = httptest.NewRecorder()
				got, err := authrequest.New(e.a, rec, request("GET", "/", s.Token)).Session()
				if err != nil || got == nil || got.ID != s.ID {
					t.Errorf("after recovery Session() = %v, %v; want the session", got, err)
				}
			})
		}
	}
	for _, op := range []fakeauth.Op{fakeauth.OpGetSession, fakeauth.OpGetSessionAndUser, fakeauth.OpRenewSession, fakeauth.OpDeleteSession, fakeauth.OpGetUser, fakeauth.OpCreateSession} {
		if !covered[op] {
			t.Errorf("no request path exercised a failure of %s", op)
		}
	}
}

// TestStoreFailureThroughMiddleware: the handler sees the error, answers
// 500 and the browser keeps its cookie.
func TestStoreFailureThroughMiddleware(t *testing.T) {
	e := newEnv(t)
	s := e.newSession(t)
	h := authrequest.MustMiddleware(e.a)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := authrequest.FromContext(r.Context()).Session(); err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ok"))
	}))
	e.store.FailNext(fakeauth.OpGetSession, 1, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, request("GET", "/", s.Token))
	if rec.Code != http.StatusServiceUnavailable || cookieOutcome(t, rec) != "untouched" {
		t.Errorf("status %d, cookie %s; want 503, untouched", rec.Code, cookieOutcome(t, rec))
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, request("GET", "/", s.Token))
	if rec.Code != http.StatusOK {
		t.Errorf("after recovery: status %d", rec.Code)
	}
}
