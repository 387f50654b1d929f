package authtest_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/fakeauth"
)

// printT stands in for the *testing.T of a test: it prints failures
// instead of failing. (go-cmp puts non-breaking spaces in its diffs at
// random so that nobody depends on their exact form; printT makes them
// plain to keep the output below stable.)
type printT struct{ testing.TB }

func (printT) Helper() {}
func (printT) Errorf(format string, args ...any) {
	fmt.Println(strings.ReplaceAll(fmt.Sprintf(format, args...), "\u00a0", " "))
}
func (printT) Logf(format string, args ...any) {}

// app is a toy server that handles the session cookie the way authkit
// does, on the fake clock the test shares with its jars (a fakeauth.Fake's
// own Clock when the server is a real auth.Auth).
func app(clock *fakeauth.Clock) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{
			Name: "auth_session", Value: "vmzwm3yfmyr4f2hvfn5tkarjk7qytcxa", Path: "/",
			MaxAge: 3600, Expires: clock.Now().Add(time.Hour),
			HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
		})
	})
	mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		if _, err := r.Cookie("auth_session"); err != nil {
			http.Error(w, "signed out", http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, "<h1>Hello, ann</h1>")
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "auth_session", Path: "/", MaxAge: -1, Expires: time.Unix(0, 0)})
	})
	return mux
}

// A jar keeps the cookies between requests served in process, expires
// them on its clock, and records what each response did.
func ExampleJar() {
	clock := fakeauth.NewClock(time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC))
	h := app(clock)
	jar := authtest.NewJar(authtest.WithName("ann"), authtest.WithClock(clock))

	login, _ := authtest.BuildRequest("POST", "/login").Request()
	jar.Do(h, login)

	me, _ := authtest.BuildRequest("GET", "/me").Request()
	fmt.Println(jar.Do(h, me).Code)

	clock.Advance(time.Hour) // the cookie's Max-Age
	fmt.Println(jar.Do(h, me).Code)

	for _, e := range jar.Timeline() {
		fmt.Println(e.Method, e.URL, e.Change)
	}
	// Output:
	// 200
	// 401
	// POST https://example.com/login set
}

// NewRequest is httptest.NewRequest for session tests: a path target is
// served over https, where a Secure session cookie travels.
func ExampleNewRequest() {
	testProfile := func(t *testing.T) {
		r := authtest.NewRequest(t, "GET", "/profile", nil)
		rec := authtest.NewRecorder()
		rec.Request = r // so that checks know the cookie it sent
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "%s %s over TLS: %v", r.Method, r.URL, r.TLS != nil)
		}).ServeHTTP(rec, r)
		if rec.Body.String() != "GET /profile over TLS: true" {
			t.Errorf("body %q", rec.Body)
		}
	}
	_ = testProfile // func TestProfile(t *testing.T) { ... } in a _test.go file
}

// BuildRequest builds what a browser would send: here a form post forged
// by another site, carrying the victim's session cookie.
func ExampleBuildRequest() {
	r, err := authtest.BuildRequest("POST", "/logout").
		WithSession("vmzwm3yfmyr4f2hvfn5tkarjk7qytcxa").
		CrossSite("https://evil.example").
		WithForm(map[string][]string{"all": {"1"}}).
		Request()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Method, r.Host, r.URL, r.TLS != nil)
	fmt.Println(r.Header.Get("Cookie"))
	fmt.Println(r.Header.Get("Origin"), r.Header.Get("Sec-Fetch-Site"))
	fmt.Println(r.Header.Get("Content-Type"))
	// Output:
	// POST example.com /logout true
	// auth_session=vmzwm3yfmyr4f2hvfn5tkarjk7qytcxa
	// https://evil.example cross-site
	// application/x-www-form-urlencoded
}

// An assertion passes quietly; a failing one says what it checked, shows
// the exchange with the tokens replaced, and a (-want +got) diff.
func ExampleAssertSession() {
	clock := fakeauth.NewClock(time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC))
	h := app(clock)
	jar := authtest.NewJar(authtest.WithClock(clock))
	var t testing.TB = printT{} // in a test, the *testing.T

	login, _ := authtest.BuildRequest("POST", "/login").Request()
	rec := jar.Do(h, login)
	fmt.Println(authtest.AssertSession(t, rec, authtest.Set))

	me, _ := authtest.BuildRequest("GET", "/me").Request()
	rec = jar.Do(h, me)
	fmt.Println(authtest.AssertSession(t, rec, authtest.Cleared))
	// Output:
	// true
	// authtest: session cookie "auth_session": want cleared, got untouched
	//     request:    GET /me
	//     cookie:     auth_session=<token-1>
	//     status:     200 OK
	//     set-cookie: (none for auth_session)
	//   (-want +got):
	//     authtest.sessionOutcome{
	//   - 	Change:         "cleared",
	//   + 	Change:         "untouched",
	//   - 	SetCookieLines: 1,
	//   + 	SetCookieLines: 0,
	//     }
	// false
}

// A jar's transcript is stable text, made to be kept in a golden file:
// in a test, authtest.AssertGolden(t, "login_logout", jar.Transcript())
// compares it with testdata/login_logout.golden, and -update rewrites it.
func ExampleJar_Transcript() {
	clock := fakeauth.NewClock(time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC))
	h := app(clock)
	jar := authtest.NewJar(authtest.WithClock(clock))
	for _, step := range []struct{ method, target string }{
		{"POST", "/login"}, {"GET", "/me"}, {"POST", "/logout"},
	} {
		r, _ := authtest.BuildRequest(step.method, step.target).SameOrigin().Request()
		jar.Do(h, r)
		clock.Advance(10 * time.Minute)
	}
	fmt.Print(jar.Transcript())
	fmt.Println(authtest.AssertGolden(printT{}, "example_transcript", jar.Transcript()))
	// Output:
	// POST https://example.com/login  at +0
	//   cookie:         (none)
	//   origin:         https://example.com
	//   sec-fetch-site: same-origin
	//   status:         200 OK
	//   set-cookie:     set       auth_session=<token-1>; Path=/; Expires=<now+1h>; Max-Age=3600; HttpOnly; Secure; SameSite=Lax
	//
	// GET https://example.com/me  at +10m
	//   cookie:         auth_session=<token-1>
	//   origin:         https://example.com
	//   sec-fetch-site: same-origin
	//   status:         200 OK
	//
	// POST https://example.com/logout  at +20m
	//   cookie:         auth_session=<token-1>
	//   origin:         https://example.com
	//   sec-fetch-site: same-origin
	//   status:         200 OK
	//   set-cookie:     cleared   auth_session=; Path=/; Expires=<past>; Max-Age=0
	// true
}

// ParseHTML reads a page's text, forms and links by CSS selector.
func ExampleParseHTML() {
	page := authtest.ParseHTML(printT{}, `
		<h1>Sign in</h1>
		<form action="/login" method="post">
			<input type="hidden" name="next" value="/me">
			<input name="user" value="ann">
			<button>Go</button>
		</form>
		<a href="/signup">Create an account</a>`)
	form := page.Form("form")
	fmt.Println(page.Text("h1"))
	fmt.Println(form.Method, form.Action, form.Fields.Encode())
	fmt.Println(page.Links(""))
	// Output:
	// Sign in
	// POST /login next=%2Fme&user=ann
	// [{Create an account /signup}]
}

// Do follows a form's redirect as a browser does: the POST answered 303
// becomes a GET of the Location, sent with the cookie the 303 set.
func ExampleJar_Do() {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "auth_session", Value: "vmzwm3yfmyr4f2hvfn5tkarjk7qytcxa", Path: "/", Secure: true})
		http.Redirect(w, r, "/me", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		if _, err := r.Cookie("auth_session"); err == nil {
			fmt.Fprint(w, "hello, ann")
		}
	})
	jar := authtest.NewJar()
	login, _ := authtest.BuildRequest("POST", "/login").SameOrigin().Request()
	rec := jar.Do(mux, login)
	fmt.Println(rec.Redirects[0].Code, authtest.SessionChange(rec.Redirects[0]))
	fmt.Println(rec.Request.Method, rec.Request.URL.Path, rec.Code, rec.Body.String())
	// Output:
	// 303 set
	// GET /me 200 hello, ann
}
