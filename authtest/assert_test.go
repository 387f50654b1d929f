package authtest_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authtest"
)

func TestAssertPassesOnMatchingChange(t *testing.T) {
	clock := newClock()
	h := newSessionHandler(clock)
	jar := authtest.NewJar(authtest.WithClock(clock))
	do := func(path string) *authtest.Recorder {
		return jar.Do(h, authtest.BuildRequest("GET", path).Build(t))
	}

	// Each assertion is run on a recordingT so that a wrong pass would
	// show up as "no failure where one was due" below.
	as := func(ch authtest.CookieChange) func(testing.TB, *authtest.Recorder) bool {
		return func(tb testing.TB, r *authtest.Recorder) bool { return authtest.AssertSession(tb, r, ch) }
	}
	checks := []struct {
		name string
		path string
		pass func(tb testing.TB, rec *authtest.Recorder) bool
		fail func(tb testing.TB, rec *authtest.Recorder) bool
	}{
		{"set", "/login", as(authtest.Set), as(authtest.Renewed)},
		{"renewed", "/renew", as(authtest.Renewed), as(authtest.Rotated)},
		{"rotated", "/rotate", as(authtest.Rotated), as(authtest.Set)},
		{"untouched", "/none", as(authtest.Untouched), as(authtest.Cleared)},
		{"cleared", "/logout", as(authtest.Cleared), as(authtest.Untouched)},
	}
	for _, c := range checks {
		rec := do(c.path)
		var passed, failed bool
		rt := runRecording(t, func(tb testing.TB) { passed = c.pass(tb, rec) })
		if !passed || rt.Failed() {
			t.Errorf("%s: the matching assertion failed:\n%s", c.name, rt.output())
		}
		rt = runRecording(t, func(tb testing.TB) { failed = !c.fail(tb, rec) })
		if !failed || !rt.Failed() {
			t.Errorf("%s: the other assertion passed", c.name)
		}
	}
}

func TestAssertFailureMessage(t *testing.T) {
	clock := newClock()
	h := newSessionHandler(clock)
	jar := authtest.NewJar(authtest.WithName("alice"), authtest.WithClock(clock))
	jar.Do(h, authtest.BuildRequest("POST", "/login").Build(t))
	rec := jar.Do(h, authtest.BuildRequest("GET", "/rotate?x=1").Build(t))

	rt := runRecording(t, func(tb testing.TB) { authtest.AssertSession(tb, rec, authtest.Renewed) })
	out := rt.output()
	wantContains(t, out,
		`authtest: session cookie "auth_session": want renewed, got rotated`,
		"jar:        alice",
		"request:    GET /rotate?x=1",
		"cookie:     auth_session=<token-1>",
		"status:     200 OK",
		"set-cookie: auth_session=<token-2>; Path=/; Expires=Mon, 15 Jan 2024 12:00:00 GMT; Max-Age=1209600; HttpOnly; Secure; SameSite=Lax",
		"(-want +got):",
		`- 	Change:         "renewed",`,
		`+ 	Change:         "rotated",`,
	)
	for _, tok := range []string{testToken(1), testToken(2)} {
		if strings.Contains(out, tok) {
			t.Errorf("message shows token %s in the clear:\n%s", tok, out)
		}
	}
	if len(rt.errors) != 1 || len(rt.fatals) != 0 {
		t.Errorf("Assert form: got %d Errorf and %d Fatalf calls, want 1 and 0", len(rt.errors), len(rt.fatals))
	}
}

func TestRequireStopsTheTest(t *testing.T) {
	h := newSessionHandler(auth.SystemClock{})
	rec := authtest.Serve(h, authtest.BuildRequest("GET", "/none").Build(t))
	reached := false
	rt := runRecording(t, func(tb testing.TB) {
		authtest.RequireSession(tb, rec, authtest.Set)
		reached = true
	})
	if reached {
		t.Error("RequireSession returned after a failure; it must stop the test")
	}
	if len(rt.fatals) != 1 || len(rt.errors) != 0 {
		t.Fatalf("got %d Fatalf and %d Errorf calls, want 1 and 0", len(rt.fatals), len(rt.errors))
	}
	wantContains(t, rt.output(),
		`want set, got untouched`,
		"request:    GET /none",
		"cookie:     (none)",
		"set-cookie: (none for auth_session)",
		`- 	Change:         "set",`,
		`+ 	Change:         "untouched",`,
		`- 	SetCookieLines: 1,`,
		`+ 	SetCookieLines: 0,`,
	)

	// And the passing form goes on.
	rec = authtest.Serve(h, authtest.BuildRequest("GET", "/login").Build(t))
	reached = false
	rt = runRecording(t, func(tb testing.TB) {
		authtest.RequireSession(tb, rec, authtest.Set)
		authtest.RequireOneSessionCookie(tb, rec)
		authtest.RequireSessionAttrs(tb, rec, authtest.DefaultCookieAttrs())
		authtest.RequireSessionExpiry(tb, rec)
		reached = true
	})
	if !reached || rt.Failed() {
		t.Errorf("passing Require checks stopped the test:\n%s", rt.output())
	}
}

func TestAssertTwoSetCookieLines(t *testing.T) {
	h := newSessionHandler(auth.SystemClock{})
	rec := authtest.Serve(h, authtest.BuildRequest("GET", "/twice").Build(t))
	rt := runRecording(t, func(tb testing.TB) {
		authtest.AssertSession(tb, rec, authtest.Set)
		authtest.AssertOneSessionCookie(tb, rec)
	})
	if len(rt.errors) != 2 {
		t.Fatalf("got %d failures, want 2:\n%s", len(rt.errors), rt.output())
	}
	wantContains(t, strings.ReplaceAll(rt.errors[0], "\u00a0", " "), "want set, got set in 2 Set-Cookie lines", "set-cookie: auth_session=<token-1>;", "set-cookie: auth_session=<token-2>;",
		"at most one Set-Cookie line", `- 	SetCookieLines: 1,`, `+ 	SetCookieLines: 2,`)
	wantContains(t, strings.ReplaceAll(rt.errors[1], "\u00a0", " "),
		`want 1 Set-Cookie line(s) for "auth_session", got 2`, "- 	Count: 1,", "+ 	Count: 2,")
}

func TestAssertSameTokenSamePlaceholder(t *testing.T) {
	// The request sends token 7 and the response sets it again next to
	// another cookie carrying token 8: one placeholder per token.
	tok7, tok8 := testToken(7), testToken(8)
	h := linesHandler(
		"auth_session="+tok7+"; Path=/; Max-Age=60",
		"auth_session="+tok8+"; Path=/; Max-Age=60",
	)
	r := authtest.BuildRequest("GET", "/").WithSession(tok7).Build(t)
	rec := authtest.Serve(h, r)
	rt := runRecording(t, func(tb testing.TB) { authtest.AssertSession(tb, rec, authtest.Renewed) })
	wantContains(t, rt.output(),
		"cookie:     auth_session=<token-1>",
		"set-cookie: auth_session=<token-1>; Path=/; Max-Age=60",
		"set-cookie: auth_session=<token-2>; Path=/; Max-Age=60",
		"want renewed, got rotated",
	)
}

func TestAssertBareRecorderHasNoRequest(t *testing.T) {
	tok := testToken(1)
	rec := httptest.NewRecorder()
	http.SetCookie(rec, &http.Cookie{Name: "auth_session", Value: tok, MaxAge: 60})
	rt := runRecording(t, func(tb testing.TB) { authtest.AssertSession(tb, rec, authtest.Renewed) })
	wantContains(t, rt.output(), "request:    (request unknown", "can't be told from a new one", "want renewed, got set")
	if !authtest.AssertSession(t, rec, authtest.Set) {
		t.Error("a bare recorder with a cookie should read as set")
	}
}

func TestAssertSessionAttrs(t *testing.T) {
	h := linesHandler("auth_session=" + testToken(1) + "; Path=/app; Domain=.Example.com; Max-Age=60; Secure; SameSite=Strict")
	rec := authtest.Serve(h, authtest.BuildRequest("GET", "/").Build(t))
	rt := runRecording(t, func(tb testing.TB) { authtest.AssertSessionAttrs(tb, rec, authtest.DefaultCookieAttrs()) })
	wantContains(t, rt.output(),
		`session cookie "auth_session": attributes differ`,
		`- 	Path:        "/",`, `+ 	Path:        "/app",`,
		`- 	Domain:      "",`, `+ 	Domain:      "example.com",`,
		`- 	HttpOnly:    true,`, `+ 	HttpOnly:    false,`,
		`- 	SameSite:    "Lax",`, `+ 	SameSite:    "Strict",`,
	)
	if strings.Contains(rt.output(), "Secure:      true") && strings.Contains(rt.output(), "- \tSecure") {
		t.Errorf("Secure matched but shows in the diff:\n%s", rt.output())
	}
	want := authtest.CookieAttrs{Path: "/app", Domain: "example.com", Secure: true, SameSite: http.SameSiteStrictMode}
	if !authtest.AssertSessionAttrs(t, rec, want) {
		t.Error("matching attributes failed")
	}

	// No cookie at all: the message says so.
	rec = authtest.Serve(linesHandler("other=1"), authtest.BuildRequest("GET", "/").Build(t))
	rt = runRecording(t, func(tb testing.TB) { authtest.AssertSessionAttrs(tb, rec, want) })
	wantContains(t, rt.output(), `the response has no Set-Cookie line for "auth_session"`, "also set:   other")
}

func TestAssertSessionExpiry(t *testing.T) {
	clock := newClock()
	now := clock.Now()
	exp := func(d time.Duration) string { return now.Add(d).UTC().Format(http.TimeFormat) }
	tok := testToken(1)
	cases := []struct {
		name  string
		line  string
		ok    bool
		parts []string
	}{
		{"consistent", "auth_session=" + tok + "; Max-Age=3600; Expires=" + exp(time.Hour), true, nil},
		{"within a second", "auth_session=" + tok + "; Max-Age=3600; Expires=" + exp(time.Hour-time.Second), true, nil},
		{"blank cookie", "auth_session=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT", true, nil},
		{"off by a minute", "auth_session=" + tok + "; Max-Age=3600; Expires=" + exp(time.Hour+time.Minute), false,
			[]string{"Max-Age and Expires disagree", "Expires must be now + Max-Age", `- 	Expires: "` + exp(time.Hour) + `"`}},
		{"no Max-Age", "auth_session=" + tok + "; Expires=" + exp(time.Hour), false,
			[]string{"Max-Age and Expires must both be set", `+ 	MaxAge:  "(none)"`}},
		{"no Expires", "auth_session=" + tok + "; Max-Age=3600", false,
			[]string{`+ 	Expires: "(none)"`}},
		{"deleting with future Expires", "auth_session=; Max-Age=0; Expires=" + exp(time.Hour), false,
			[]string{"needs an Expires in the past", `- 	Expires: "(before ` + exp(0) + `)"`}},
	}
	for _, c := range cases {
		rec := authtest.Serve(linesHandler(c.line), authtest.BuildRequest("GET", "/").Build(t))
		var ok bool
		rt := runRecording(t, func(tb testing.TB) { ok = authtest.AssertSessionExpiry(tb, rec, authtest.CheckClock(clock)) })
		if ok != c.ok {
			t.Errorf("%s: got %v, want %v:\n%s", c.name, ok, c.ok, rt.output())
		}
		wantContains(t, rt.output(), c.parts...)
	}
}

func TestAssertSessionExpiresAt(t *testing.T) {
	clock := newClock()
	h := newSessionHandler(clock)
	jar := authtest.NewJar(authtest.WithClock(clock))
	rec := jar.Do(h, authtest.BuildRequest("GET", "/login").Build(t))
	if !authtest.AssertSessionExpiresAt(t, rec, clock.Now().Add(testLifetime)) {
		t.Fatal("expiry at now+lifetime failed")
	}
	clock.Advance(time.Hour)
	rec = jar.Do(h, authtest.BuildRequest("GET", "/renew").Build(t))
	authtest.AssertSession(t, rec, authtest.Renewed)
	authtest.AssertSessionExpiresAt(t, rec, clock.Now().Add(testLifetime))
	rt := runRecording(t, func(tb testing.TB) {
		authtest.AssertSessionExpiresAt(tb, rec, clock.Now().Add(testLifetime-time.Hour))
	})
	wantContains(t, rt.output(), "want it to expire at 2024-01-15T12:00:00Z",
		`- 	ExpiresAt: "2024-01-15T12:00:00Z",`, `+ 	ExpiresAt: "2024-01-15T13:00:00Z",`)
}

func TestAssertSessionHistory(t *testing.T) {
	clock := newClock()
	h := newSessionHandler(clock)
	jar := authtest.NewJar(authtest.WithName("bob"), authtest.WithClock(clock))
	for _, p := range []string{"/login", "/none", "/renew", "/same", "/rotate", "/logout"} {
		clock.Advance(time.Hour)
		jar.Do(h, authtest.BuildRequest("GET", p).Build(t))
	}
	authtest.AssertSessionHistory(t, jar,
		authtest.Set, authtest.Renewed, authtest.Unchanged, authtest.Rotated, authtest.Cleared)
	rt := runRecording(t, func(tb testing.TB) {
		authtest.RequireSessionHistory(tb, jar, authtest.Set, authtest.Cleared)
	})
	wantContains(t, rt.output(),
		`authtest: jar bob: session cookie "auth_session": history differs`,
		`+ 	"renewed",`, "transcript:", "# jar bob", "GET https://example.com/rotate  at +5h")
	if len(rt.fatals) != 1 {
		t.Errorf("Require form: %d Fatalf calls, want 1", len(rt.fatals))
	}
}

func TestAssertWithCookieName(t *testing.T) {
	h := linesHandler("__Host-sid=" + testToken(3) + "; Path=/; Max-Age=60; Secure; HttpOnly; SameSite=Lax")
	rec := authtest.Serve(h, authtest.BuildRequest("GET", "/").Build(t))
	authtest.AssertSession(t, rec, authtest.Set, authtest.CheckCookieName("__Host-sid"))
	authtest.AssertSession(t, rec, authtest.Untouched) // the default name is untouched
	jar := authtest.NewJar(authtest.WithCookieName("__Host-sid"))
	rec = jar.Do(h, authtest.BuildRequest("GET", "/").Build(t))
	authtest.AssertSession(t, rec, authtest.Set) // the jar's name is the default
	authtest.AssertSessionAttrs(t, rec, authtest.DefaultCookieAttrs())
	if c, ok := jar.Cookie("__Host-sid"); !ok || c.Value != testToken(3) {
		t.Errorf("jar lacks the __Host- cookie: %v", c)
	}
}
