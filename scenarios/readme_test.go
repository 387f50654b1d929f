package scenarios_test

// This file holds the code of the README sections "A handler" and
// "Testing your app with authkit", as they appear there:
// TestReadmeCodeIsThisFile checks that each README code block is in this
// file, character for character, so that the README's code keeps
// compiling and passing.

import (
	"fmt"
	"log"
	"net/http"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/internal/readmecode"
	"github.com/authkit-dev/authkit/scenarios"
)

func newHandler(a *auth.Auth) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/auth/", authrequest.APIHandler(a))
	mux.HandleFunc("GET /profile", func(w http.ResponseWriter, r *http.Request) {
		session, user, err := authrequest.FromContext(r.Context()).SessionUser()
		switch {
		case err != nil: // the store is down (503): say so, and keep the cookie
			http.Error(w, "try again later", authrequest.StatusCode(err))
		case session == nil:
			http.Redirect(w, r, "/login", http.StatusSeeOther)
		default:
			fmt.Fprintf(w, "hello, %s", user.Attributes["username"])
		}
	})
	// Middleware answers cross-site POST/PUT/PATCH/DELETE with 403.
	return authrequest.MustMiddleware(a)(mux)
}

func main() {
	a, err := auth.New(memstore.New(), auth.Config{}) // Secure, HttpOnly, SameSite=Lax cookies
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(http.ListenAndServe(":8080", newHandler(a)))
}

// target describes the app as it is routed; the standard table is made from it.
var target = scenarios.Target{
	Handler: func(f *fakeauth.Fake) http.Handler { return newHandler(f.Auth) },
	Routes: []scenarios.Route{
		{Pattern: "GET /profile", SignedOut: scenarios.RedirectTo("/login")},
		scenarios.APIUser("/api/auth/user"),
	},
	SignOut: scenarios.APISignOut("/api/auth/logout"),
}

func TestApp(t *testing.T) {
	// The standard table for this app, and a case of our own.
	scenarios.Run(t, target, append(scenarios.Standard(target),
		scenarios.Idle().Named("idle profile is renewed").Request("GET", "/profile").WantStatus(http.StatusOK))...)

	// A browser across a day and a half: the session is renewed once.
	f := fakeauth.NewT(t)
	_, s, err := f.SeedUserSession(t.Context(), fakeauth.Active)
	if err != nil {
		t.Fatal(err)
	}
	jar := authtest.NewJar(authtest.WithClock(f.Clock))
	jar.SetSession(f, s)
	h := newHandler(f.Auth)
	authtest.AssertSession(t, jar.Do(h, authtest.NewRequest(t, "GET", "/profile", nil)), authtest.Untouched)
	f.Clock.Advance(36 * time.Hour)
	authtest.AssertSession(t, jar.Do(h, authtest.NewRequest(t, "GET", "/profile", nil)), authtest.Renewed)
	authtest.AssertSessionHistory(t, jar, authtest.Set, authtest.Renewed)
}

// TestReadmeCodeIsThisFile checks that the first Go block of each README
// section named here is in this file as it is printed.
func TestReadmeCodeIsThisFile(t *testing.T) {
	readmecode.Check(t, "../README.md", "readme_test.go", "## A handler", "## Testing your app with authkit")
}
