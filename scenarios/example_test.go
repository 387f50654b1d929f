package scenarios_test

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/scenarios"
)

// The README's "Testing your app with authkit", runnable: cases of the
// generated table against the app's handler, then a browser-like jar over
// two requests. In a test, scenarios.Run runs the table as subtests
// instead.
func Example() {
	for _, c := range scenarios.Standard(target) {
		switch c.Name() {
		case "active/GET /profile", "idle/GET /profile", "expired/GET /profile",
			"sign-out/cross-origin", "sign-out/active", "store-down/read/GET /profile":
			r := scenarios.Execute(context.Background(), target, c)
			fmt.Printf("%-46s passed=%v status=%d cookie=%s session=%s\n", c.Name(), r.Passed(), r.Status, r.Cookie, r.Effect)
		}
	}

	f, _ := fakeauth.New()
	_, s, _ := f.SeedUserSession(context.Background(), fakeauth.Active)
	jar := authtest.NewJar(authtest.WithClock(f.Clock))
	jar.SetSession(f, s)
	h := newHandler(f.Auth)
	r, _ := authtest.BuildRequest("GET", "/profile").Request()
	jar.Do(h, r)
	f.Clock.Advance(36 * time.Hour)
	jar.Do(h, r)
	for _, e := range jar.Timeline() {
		fmt.Println(e.Change)
	}
	// Output:
	// expired/GET /profile                           passed=true status=303 cookie=cleared session=deleted
	// active/GET /profile                            passed=true status=200 cookie=untouched session=kept
	// idle/GET /profile                              passed=true status=200 cookie=renewed session=renewed
	// store-down/read/GET /profile                   passed=true status=503 cookie=untouched session=kept
	// sign-out/active                                passed=true status=200 cookie=cleared session=deleted
	// sign-out/cross-origin                          passed=true status=403 cookie=untouched session=kept
	// set
	// renewed
}

// A custom case, built step by step: an idle session, the clock moved two
// more hours, a same-origin POST to the settings page.
func ExampleNew() {
	c := scenarios.New("settings after a long lunch").
		Session(fakeauth.Idle).
		Advance(2*time.Hour).
		Request("POST", "/settings").
		From(scenarios.SameOrigin).
		WantSession(scenarios.SessionRenewed).
		WantCookie(authtest.Renewed).
		WantStatus(http.StatusOK)
	fmt.Println(c.Describe())
	// Output:
	// given a session: idle, clock +2h0m0s; when POST /settings from same-origin; then session renewed, cookie renewed, status 200
}

// Standard generates the table from the target's routes: a "GET
// /profile" route gets GET cases only.
func ExampleStandard() {
	t := scenarios.Target{
		Routes:  []scenarios.Route{{Pattern: "GET /profile", SignedOut: scenarios.RedirectTo("/login")}},
		SignIn:  &scenarios.Form{Route: "POST /login", Success: scenarios.RedirectTo("/")},
		SignOut: &scenarios.SignOut{Route: "POST /logout", Success: scenarios.RedirectTo("/"), NoSession: scenarios.RedirectTo("/")},
	}
	cases := scenarios.Standard(t)
	fmt.Println(cases[0].Name())
	fmt.Println(cases[0].Describe())
	for _, c := range cases {
		if c.Name() == "sign-in/replaces-planted-session" {
			fmt.Println(c.Describe())
		}
	}
	// Output:
	// missing-cookie/GET /profile
	// given no-cookie; when GET /profile; then session no session, cookie untouched, status not 5xx, 0 validation(s), 0 write(s), answer 300-399 to /login
	// given a session: active; when POST /login with ada's password from same-origin; then session deleted, cookie rotated, 1 new session(s), answer 300-399 to /
}
