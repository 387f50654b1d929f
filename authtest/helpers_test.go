package authtest_test

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/fakeauth"
)

// wantContains fails unless s holds every part.
func wantContains(t *testing.T, s string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			t.Errorf("output lacks %q; output:\n%s", p, s)
		}
	}
}

// newClock returns a fake clock at 2024-01-01 12:00 UTC that moves only
// when told.
func newClock() *fakeauth.Clock {
	return fakeauth.NewClock(time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC))
}

// testToken returns a token of the real form, the same for the same i.
func testToken(i int) string {
	sum := sha256.Sum256([]byte(fmt.Sprint("token", i)))
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:20]))
}

const testLifetime = 14 * 24 * time.Hour

// sessionHandler is a small server that manages the session cookie by
// hand, the way authkit does, on paths named after what they do:
//
//	/login   sets a new token        /renew   re-issues the request's token, later expiry
//	/rotate  sets another token      /logout  clears the cookie
//	/none    touches nothing         /twice   writes two Set-Cookie lines
//	/same    re-issues the token with the expiry it had
type sessionHandler struct {
	clock   auth.Clock
	next    atomic.Int64
	expires sync.Map // token -> time.Time
}

func newSessionHandler(clock auth.Clock) *sessionHandler { return &sessionHandler{clock: clock} }

func (h *sessionHandler) cookie(token string, exp time.Time) *http.Cookie {
	now := h.clock.Now()
	h.expires.Store(token, exp)
	return &http.Cookie{
		Name: auth.DefaultCookieName, Value: token, Path: "/",
		Expires: exp, MaxAge: int(exp.Sub(now) / time.Second),
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	}
}

func (h *sessionHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := h.clock.Now()
	sent, _ := r.Cookie(auth.DefaultCookieName)
	switch r.URL.Path {
	case "/login", "/rotate":
		http.SetCookie(w, h.cookie(testToken(int(h.next.Add(1))), now.Add(testLifetime)))
	case "/renew":
		if sent != nil {
			http.SetCookie(w, h.cookie(sent.Value, now.Add(testLifetime)))
		}
	case "/same":
		if sent != nil {
			exp, _ := h.expires.Load(sent.Value)
			e, _ := exp.(time.Time)
			http.SetCookie(w, h.cookie(sent.Value, e))
		}
	case "/logout":
		http.SetCookie(w, &http.Cookie{
			Name: auth.DefaultCookieName, Path: "/", MaxAge: -1, Expires: time.Unix(0, 0),
			HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
		})
	case "/twice":
		http.SetCookie(w, h.cookie(testToken(int(h.next.Add(1))), now.Add(testLifetime)))
		http.SetCookie(w, h.cookie(testToken(int(h.next.Add(1))), now.Add(testLifetime)))
	case "/none":
	default:
		http.NotFound(w, r)
		return
	}
	fmt.Fprintf(w, "ok %s", r.URL.Path)
}

// linesHandler answers with the given Set-Cookie lines, verbatim.
func linesHandler(lines ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, l := range lines {
			w.Header().Add("Set-Cookie", l)
		}
	})
}

// coreHandler is a minimal app on the real auth core (no authrequest):
// POST /login creates a session, GET /me validates it and re-issues the
// cookie when the core renewed it, POST /logout invalidates and clears.
func coreHandler(t *testing.T, clock auth.Clock) (http.Handler, *auth.Auth) {
	t.Helper()
	a, err := auth.New(memstore.New(), auth.Config{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := a.CreateUser(ctx, auth.NewUser{ID: "ann"}); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		s, err := a.CreateSession(r.Context(), "ann")
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		http.SetCookie(w, a.SessionCookie(s))
		http.Redirect(w, r, "/me", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		c := authrequest.ReadSessionCookies(a, r)
		if !c.Sent {
			http.Error(w, "signed out", http.StatusUnauthorized)
			return
		}
		s, err := c.Find(func(tok string) (*auth.Session, error) { return a.ValidateSession(r.Context(), tok) })
		if s == nil && err == nil {
			http.SetCookie(w, a.BlankSessionCookie())
			http.Error(w, "signed out", http.StatusUnauthorized)
			return
		} else if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		if s.Fresh {
			http.SetCookie(w, a.SessionCookie(s))
		}
		fmt.Fprintf(w, "<p id=user>%s</p>", s.UserID)
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		for _, tok := range authrequest.ReadSessionCookies(a, r).Tokens {
			if s, err := a.ValidateSession(r.Context(), tok); err == nil {
				a.InvalidateSession(r.Context(), s.ID)
			}
		}
		http.SetCookie(w, a.BlankSessionCookie())
	})
	return mux, a
}
