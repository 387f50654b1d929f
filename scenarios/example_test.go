package scenarios_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/scenarios"
)

// The README's "Testing your app with authkit", runnable: a scenario table
// against the app's handler, then a browser-like jar over two requests.
// In a test, scenarios.Run runs the table as subtests instead.
func Example() {
	target := scenarios.Target{Handler: app, Path: "/profile"}
	for _, c := range []scenarios.Case{
		scenarios.Active(), scenarios.Renewed(), scenarios.Expired(),
		scenarios.CrossOrigin(), scenarios.StoreDown(),
		scenarios.Renewed().Named("idle profile is renewed").WantStatus(http.StatusOK),
	} {
		r := scenarios.Execute(context.Background(), target, c)
		fmt.Printf("%-24s passed=%v status=%d cookie=%s session=%s\n", c.Name(), r.Passed(), r.Status, r.Cookie, r.Effect)
	}

	f, _ := fakeauth.New()
	_, s, _ := f.SeedUserSession(context.Background(), fakeauth.Active)
	jar := authtest.NewJar(authtest.WithClock(f.Clock))
	jar.SetCookies(&url.URL{Scheme: "https", Host: "example.com"}, []*http.Cookie{f.Auth.SessionCookie(s)})
	h := app(f)
	r, _ := authtest.NewRequest("GET", "/profile").Request()
	jar.Do(h, r)
	f.Clock.Advance(36 * time.Hour)
	jar.Do(h, r)
	for _, e := range jar.Timeline() {
		fmt.Println(e.Change)
	}
	// Output:
	// active                   passed=true status=200 cookie=untouched session=kept
	// renewed                  passed=true status=200 cookie=renewed session=renewed
	// expired                  passed=true status=401 cookie=cleared session=deleted
	// cross-origin             passed=true status=403 cookie=untouched session=kept
	// store-down               passed=true status=503 cookie=untouched session=kept
	// idle profile is renewed  passed=true status=200 cookie=renewed session=renewed
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
		WantCookie(authtest.CookieRenewed).
		WantStatus(http.StatusOK)
	fmt.Println(c.Describe())
	// Output:
	// given a session: idle, clock +2h0m0s; when POST /settings from same-origin; then session renewed, cookie renewed, status 200
}

// Standard crosses the section 4 matrix with boundary instants and
// methods.
func ExampleStandard() {
	cases := scenarios.Standard()
	fmt.Println(len(cases) >= 50, cases[0].Name())
	// Output:
	// true missing-cookie/GET
}
