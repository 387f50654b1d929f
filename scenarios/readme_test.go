package scenarios_test

// This file holds the code of the README section "Testing your app with
// authkit", as it appears there, so that it keeps compiling and passing.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/scenarios"
)

// app is the handler under test: the app's own mux behind authkit.
func app(f *fakeauth.Fake) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/profile", func(w http.ResponseWriter, r *http.Request) {
		s, err := authrequest.FromContext(r.Context()).Session()
		switch {
		case err != nil:
			http.Error(w, "try again", http.StatusServiceUnavailable)
		case s == nil:
			http.Error(w, "sign in first", http.StatusUnauthorized)
		default:
			fmt.Fprintln(w, "hello", s.UserID)
		}
	})
	return authrequest.Middleware(f.Auth)(mux)
}

func TestProfile(t *testing.T) {
	// A scenario table: the standard matrix, and a case of our own.
	scenarios.Run(t, scenarios.Target{Handler: app, Path: "/profile"}, append(scenarios.Standard(),
		scenarios.Renewed().Named("idle profile is renewed").WantStatus(http.StatusOK))...)

	// A browser across a day and a half: the session is renewed once.
	f := fakeauth.NewT(t)
	_, s, _ := f.SeedUserSession(context.Background(), fakeauth.Active)
	jar := authtest.NewJar(authtest.WithClock(f.Clock))
	jar.SetCookies(&url.URL{Scheme: "https", Host: "example.com"}, []*http.Cookie{f.Auth.SessionCookie(s)})
	h := app(f)
	authtest.AssertSession(t, jar.Do(h, authtest.NewRequest("GET", "/profile").Build(t)), authtest.CookieUntouched)
	f.Clock.Advance(36 * time.Hour)
	authtest.AssertSession(t, jar.Do(h, authtest.NewRequest("GET", "/profile").Build(t)), authtest.CookieRenewed)
	authtest.AssertSessionHistory(t, jar, authtest.CookieSet, authtest.CookieRenewed)
}
