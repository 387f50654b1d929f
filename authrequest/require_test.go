package authrequest_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/fakeauth"
)

// hostileReturnPaths are return values an attacker may plant in a sign-in
// link (?next=...) or a request target, hoping to be redirected off the
// site. None may be followed.
var hostileReturnPaths = []string{
	"//evil.example",
	"///evil.example",
	"////evil.example",
	`/\evil.example`,
	`\\evil.example`,
	`\/evil.example`,
	"https:evil.example",
	"https://evil.example",
	"http:/evil.example",
	"javascript:alert(1)",
	"data:text/html,<script>alert(1)</script>",
	"%2F%2Fevil.example",
	"/%2Fevil.example",
	"/%2fevil.example",
	"/%5Cevil.example",
	"%5C%5Cevil.example",
	"/%252F%252Fevil.example",
	"/%25252F%25252Fevil.example",
	"\t//evil.example",
	"/\t/evil.example",
	"/\n/evil.example",
	"/%09/evil.example",
	"/%0d%0aLocation:%20https://evil.example",
	"/\r\nLocation: https://evil.example",
	" //evil.example",
	"\x00//evil.example",
	"/\x00/evil.example",
	"/.//evil.example",
	"/..//evil.example",
	"/%2e%2e//evil.example",
	"/./%2Fevil.example",
	"//evil.example@app.example",
	"/\u3002/evil.example",
	"／／evil.example",
	"evil.example",
	"",
	"#//evil.example",
	"/#//evil.example",
}

const appOrigin = "https://app.example"

// followAsBrowser resolves a Location header value as a browser would
// (the WHATWG URL parser drops tabs and newlines, trims C0 controls and
// spaces, and reads a backslash as a slash in http(s) URLs) against the
// app's origin.
func followAsBrowser(t *testing.T, location string) *url.URL {
	t.Helper()
	l := strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\r':
			return -1
		case '\\':
			return '/'
		}
		return r
	}, location)
	l = strings.TrimFunc(l, func(r rune) bool { return r <= ' ' })
	base, _ := url.Parse(appOrigin + "/login")
	ref, err := url.Parse(l)
	if err != nil {
		return base // a browser would not follow it off the site either
	}
	return base.ResolveReference(ref)
}

func TestSafeReturnPathRefusesHostile(t *testing.T) {
	if len(hostileReturnPaths) < 15 {
		t.Fatalf("only %d hostile return paths", len(hostileReturnPaths))
	}
	for _, p := range hostileReturnPaths {
		if got, ok := authrequest.SafeReturnPath(p); ok {
			t.Errorf("SafeReturnPath(%q) = %q, true; want refused", p, got)
		}
	}
	for _, p := range []string{"/", "/account", "/account/devices?tab=1", "/a/b.c/d-e_f~g", "/search?q=a%20b", "/%E6%97%A5"} {
		if got, ok := authrequest.SafeReturnPath(p); !ok || got != p {
			t.Errorf("SafeReturnPath(%q) = %q, %v; want it kept", p, got, ok)
		}
	}
}

// The sign-in handler's side: ?next= carrying each hostile value sends
// the user to the fallback, on the app's origin.
func TestReturnPathNeverLeavesTheSite(t *testing.T) {
	for _, p := range hostileReturnPaths {
		r := httptest.NewRequest(http.MethodPost, appOrigin+"/login?"+authrequest.ReturnParam+"="+url.QueryEscape(p), nil)
		got := authrequest.ReturnPath(r, "/home")
		if got != "/home" {
			t.Errorf("ReturnPath(next=%q) = %q, want the fallback /home", p, got)
		}
		rec := httptest.NewRecorder()
		http.Redirect(rec, r, got, http.StatusSeeOther)
		if u := followAsBrowser(t, rec.Header().Get("Location")); u.Host != "app.example" {
			t.Errorf("next=%q: redirected to %v, off the site", p, u)
		}
	}
}

// requireEnv serves a protected page and a protected API behind
// Middleware on a fake.
func requireEnv(t *testing.T) (*fakeauth.Fake, http.Handler) {
	t.Helper()
	f := fakeauth.NewT(t)
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("secret")) })
	mux := http.NewServeMux()
	mux.Handle("/account/", authrequest.RequireSession("/login")(ok))
	mux.Handle("/api/", authrequest.RequireSessionAPI()(ok))
	return f, authrequest.MustMiddleware(f.Auth)(mux)
}

// The middleware's side: a signed-out request for a hostile target is
// redirected to the sign-in page, on the site, with no next parameter or
// a safe one.
func TestRequireSessionRedirectNeverLeavesTheSite(t *testing.T) {
	_, h := requireEnv(t)
	// Request targets a client can send (a RequestURI may not hold
	// control characters; net/http refuses those before any handler).
	for _, p := range hostileReturnPaths {
		h := authrequest.RequireSession("/login")(http.NotFoundHandler())
		h = authrequest.MustMiddleware(fakeauth.NewT(t).Auth)(h)
		r := httptest.NewRequest(http.MethodGet, appOrigin+"/", nil)
		r.URL = &url.URL{Path: p}
		if u, err := url.ParseRequestURI(p); err == nil {
			r.URL = u
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != http.StatusSeeOther {
			t.Errorf("GET %q: status %d, want 303", p, rec.Code)
			continue
		}
		loc := followAsBrowser(t, rec.Header().Get("Location"))
		if loc.Host != "app.example" || loc.Path != "/login" {
			t.Errorf("GET %q: redirected to %v, want %s/login", p, loc, appOrigin)
		}
		if next := loc.Query().Get(authrequest.ReturnParam); next != "" {
			if _, ok := authrequest.SafeReturnPath(next); !ok {
				t.Errorf("GET %q: next=%q is not a safe return path", p, next)
			}
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, appOrigin+"/account/devices?tab=2", nil))
	if loc := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || loc != "/login?next=%2Faccount%2Fdevices%3Ftab%3D2" {
		t.Errorf("GET /account/devices?tab=2 signed out: %d, Location %q; want 303 to /login?next=%%2Faccount%%2Fdevices%%3Ftab%%3D2", rec.Code, loc)
	}
}

func TestRequireSessionAnswers(t *testing.T) {
	for _, tc := range []struct {
		name     string
		path     string
		signedIn bool
		fail     bool
		code     int
		body     string
	}{
		{"html/signed-in", "/account/", true, false, http.StatusOK, "secret"},
		{"html/signed-out", "/account/", false, false, http.StatusSeeOther, ""},
		{"html/store-down", "/account/", true, true, http.StatusServiceUnavailable, ""},
		{"api/signed-in", "/api/x", true, false, http.StatusOK, "secret"},
		{"api/signed-out", "/api/x", false, false, http.StatusUnauthorized, `{"error":"not signed in"}`},
		{"api/store-down", "/api/x", true, true, http.StatusServiceUnavailable, `{"error":"session store unavailable; try again"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, h := requireEnv(t)
			r := httptest.NewRequest(http.MethodGet, appOrigin+tc.path, nil)
			if tc.signedIn {
				_, s := seedUserSession(t, f, fakeauth.Active)
				r.AddCookie(f.Auth.SessionCookie(s))
			}
			if tc.fail {
				f.Store.FailNext(fakeauth.OpGetSession, 1, nil)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != tc.code {
				t.Fatalf("status %d, want %d (body %q)", rec.Code, tc.code, rec.Body)
			}
			if tc.body != "" && strings.TrimSpace(rec.Body.String()) != tc.body {
				t.Errorf("body %q, want %q", rec.Body, tc.body)
			}
			if strings.HasPrefix(tc.name, "api/") && tc.code != http.StatusOK {
				var v map[string]any
				if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil || rec.Header().Get("Content-Type") != "application/json" {
					t.Errorf("API answer is not JSON: %q (%v)", rec.Body, err)
				}
			}
			if tc.fail && len(rec.Result().Cookies()) != 0 {
				t.Errorf("store failure touched the cookie: %v", rec.Result().Header.Values("Set-Cookie"))
			}
		})
	}
}

// Outside Middleware the wiring is wrong: 500, never the protected page.
func TestRequireSessionWithoutMiddleware(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("secret")) })
	for _, h := range []http.Handler{authrequest.RequireSession("/login")(ok), authrequest.RequireSessionAPI()(ok)} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "secret") {
			t.Errorf("without Middleware: %d %q, want 500", rec.Code, rec.Body)
		}
	}
}

func FuzzSafeReturnPath(f *testing.F) {
	for _, p := range hostileReturnPaths {
		f.Add(p)
	}
	f.Add("/account?x=1")
	f.Fuzz(func(t *testing.T, p string) {
		got, ok := authrequest.SafeReturnPath(p)
		if !ok {
			return
		}
		if got != p || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
			t.Fatalf("SafeReturnPath(%q) = %q, true", p, got)
		}
		rec := httptest.NewRecorder()
		http.Redirect(rec, httptest.NewRequest(http.MethodGet, appOrigin+"/login", nil), got, http.StatusSeeOther)
		if u := followAsBrowser(t, rec.Header().Get("Location")); u.Host != "app.example" || u.Scheme != "https" {
			t.Fatalf("SafeReturnPath(%q) accepted, and a browser goes to %v", p, u)
		}
		for range 4 {
			d, err := url.PathUnescape(p)
			if err != nil || d == p {
				break
			}
			if u := followAsBrowser(t, d); u.Host != "app.example" {
				t.Fatalf("SafeReturnPath(%q) accepted, and decoded once more it leads to %v", p, u)
			}
			p = d
		}
	})
}
