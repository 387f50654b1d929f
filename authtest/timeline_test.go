package authtest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/authtest"
)

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

func TestTranscriptOfASessionLifecycle(t *testing.T) {
	clock := newStepClock()
	h, a := coreHandler(t, clock)
	jar := authtest.NewJar(authtest.WithName("ann"), authtest.WithClock(clock))

	rec := jar.Serve(h, authtest.BuildRequest("POST", "/login").SameOrigin().Build(t))
	authtest.RequireSession(t, rec, authtest.Set)
	authtest.AssertSessionAttrs(t, rec, authtest.DefaultCookieAttrs())
	authtest.AssertSessionExpiry(t, rec)
	authtest.AssertSessionExpiresAt(t, rec, clock.Now().Add(a.Config().ActivePeriod+a.Config().IdlePeriod))

	rec = jar.Do(h, authtest.BuildRequest("GET", "/me").Build(t))
	authtest.AssertSession(t, rec, authtest.Untouched) // active: nothing written
	if got := authtest.ParseHTML(t, rec.Body.String()).Text("#user"); got != "ann" {
		t.Errorf("user %q", got)
	}

	clock.Advance(a.Config().ActivePeriod + time.Minute) // idle: validation renews
	rec = jar.Do(h, authtest.BuildRequest("GET", "/me").Build(t))
	authtest.AssertSession(t, rec, authtest.Renewed)
	authtest.AssertSessionExpiry(t, rec)
	authtest.AssertSessionExpiresAt(t, rec, clock.Now().Add(a.Config().ActivePeriod+a.Config().IdlePeriod))

	rec = jar.Do(h, authtest.BuildRequest("POST", "/logout").SameOrigin().Build(t))
	authtest.AssertSession(t, rec, authtest.Cleared)
	authtest.AssertSessionExpiry(t, rec) // the blank cookie: Max-Age=0 and a past Expires

	rec = jar.Do(h, authtest.BuildRequest("GET", "/me").Build(t))
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("after logout: %d", rec.Code)
	}
	authtest.AssertSessionHistory(t, jar, authtest.Set, authtest.Renewed, authtest.Cleared)
	authtest.AssertGolden(t, "session_lifecycle", jar.Transcript())
}

// The transcript of a real-listener exchange on the system clock is the
// same from run to run: tokens, ports and times are all made stable.
func TestTranscriptIsStableOnTheSystemClock(t *testing.T) {
	run := func() string {
		h, _ := coreHandler(t, auth.SystemClock{})
		srv := httptest.NewServer(h)
		defer srv.Close()
		jar := authtest.NewJar(authtest.WithName("real"))
		client := jar.Client(nil)
		for _, step := range []struct{ method, path string }{{"POST", "/login"}, {"GET", "/me"}, {"POST", "/logout"}} {
			req, _ := http.NewRequest(step.method, srv.URL+step.path, nil)
			req.Header.Set("Authorization", "Bearer "+testToken(3))
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		return jar.Transcript()
	}
	first, second := run(), run()
	if first != second {
		t.Errorf("transcripts differ:\n%s\n---\n%s", first, second)
	}
	wantContains(t, first,
		"POST http://127.0.0.1:<port>/login  at +0",
		"  authorization:  Bearer <token-1>",
		"  set-cookie:     set       auth_session=<token-2>; Path=/; Expires=<now+360h>; Max-Age=1296000; HttpOnly; Secure; SameSite=Lax",
		"GET http://127.0.0.1:<port>/me  at +0\n  cookie:         auth_session=<token-2>\n",
		"  set-cookie:     cleared   auth_session=; Path=/; Expires=<past>; Max-Age=0; HttpOnly; Secure; SameSite=Lax",
	)
	if strings.Contains(first, testToken(3)) {
		t.Error("bearer token in the clear")
	}
}

func TestTranscriptRedactsOtherAuthorization(t *testing.T) {
	jar := authtest.NewJar()
	jar.Do(linesHandler(), authtest.BuildRequest("GET", "/").WithHeader("Authorization", "Basic dXNlcjpwYXNz").Build(t))
	tr := jar.Transcript()
	wantContains(t, tr, "  authorization:  Basic <redacted>\n")
	if strings.Contains(tr, "dXNlcjpwYXNz") {
		t.Errorf("Basic credentials in the clear:\n%s", tr)
	}
}
