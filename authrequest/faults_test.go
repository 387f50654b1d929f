package authrequest_test

import (
	"errors"
	"fmt"
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
				e, s := newSignedIn(t)
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
	e, s := newSignedIn(t)
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

func TestStatusCode(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, http.StatusOK},
		{auth.ErrStore, http.StatusServiceUnavailable},
		{fmt.Errorf("%w: %w", auth.ErrStore, auth.ErrInvalidSession), http.StatusServiceUnavailable},
		{fmt.Errorf("renewing: %w", auth.ErrStore), http.StatusServiceUnavailable},
		{authrequest.ErrCrossOrigin, http.StatusForbidden},
		{authrequest.ErrNotSignedIn, http.StatusUnauthorized},
		{auth.ErrInvalidSession, http.StatusUnauthorized},
		{auth.ErrInvalidKey, http.StatusUnauthorized},
		{auth.ErrInvalidPassword, http.StatusUnauthorized},
		{authrequest.ErrSessionNotFound, http.StatusNotFound},
		{auth.ErrDuplicateKey, http.StatusConflict},
		{auth.ErrDuplicateUser, http.StatusConflict},
		{auth.ErrSessionChanged, http.StatusConflict},
		{authrequest.ErrNoMiddleware, http.StatusInternalServerError},
		{authrequest.ErrHeadersWritten, http.StatusInternalServerError},
		{errors.New("something else"), http.StatusInternalServerError},
	} {
		if got := authrequest.StatusCode(tc.err); got != tc.want {
			t.Errorf("StatusCode(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

// TestAPIHandlerStoreFailureIs503: APIHandler answers a store failure
// with 503 and keeps the cookie, alone and behind Middleware.
func TestAPIHandlerStoreFailureIs503(t *testing.T) {
	e, s := newSignedIn(t)
	for name, h := range map[string]http.Handler{
		"alone":             authrequest.APIHandler(e.a),
		"behind Middleware": authrequest.MustMiddleware(e.a)(authrequest.APIHandler(e.a)),
	} {
		for _, r := range []*http.Request{request("GET", "/api/auth/user", s.Token), request("POST", "/api/auth/logout", s.Token)} {
			// Session() reads GetSession, SessionUser() GetSessionAndUser.
			e.store.FailNext("GetSession", 1, nil)
			e.store.FailNext("GetSessionAndUser", 1, nil)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			e.store.ClearFaults()
			if rec.Code != http.StatusServiceUnavailable || cookieOutcome(t, rec) != "untouched" {
				t.Errorf("%s, %s %s with a failing store: %d, cookie %s; want 503, untouched", name, r.Method, r.URL.Path, rec.Code, cookieOutcome(t, rec))
			}
		}
	}
}
