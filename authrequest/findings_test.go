package authrequest_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authrequest"
)

// plantedToken is a well-formed token that names no session: what a
// sibling subdomain plants to keep a victim signed out.
const plantedToken = "abcdefghijklmnopqrstuvwxyz234567"

// Finding 1: with a planted well-formed cookie sent before the real one,
// authkit validated the planted one only, found no session and cleared
// the cookie: the real one, so every sign-in was undone on the next
// request.
func TestFinding1CookieTossingNeverClearsRealCookie(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name        string
		cookies     func(real, dead string) string
		wantSession bool
		wantCookie  string
	}{
		{"planted well-formed first, real second", func(real, _ string) string {
			return "auth_session=" + plantedToken + "; auth_session=" + real
		}, true, "untouched"},
		{"planted in its own header first", func(real, _ string) string {
			return "auth_session=" + plantedToken + "\r\nCookie: auth_session=" + real
		}, true, "untouched"},
		{"real first, planted second", func(real, _ string) string {
			return "auth_session=" + real + "; auth_session=" + plantedToken
		}, true, "untouched"},
		{"two planted, then real", func(real, _ string) string {
			return "auth_session=" + plantedToken + "; auth_session=" + strings.Repeat("b", 32) + "; auth_session=" + real
		}, true, "untouched"},
		{"planted, then a dead real one: cookies disagree, nothing cleared", func(_, dead string) string {
			return "auth_session=" + plantedToken + "; auth_session=" + dead
		}, false, "untouched"},
		{"garbage, then a dead one: nothing cleared", func(_, dead string) string {
			return "auth_session=garbage; auth_session=" + dead
		}, false, "untouched"},
		{"more planted cookies than validated: real not read, not cleared", func(real, _ string) string {
			return "auth_session=" + plantedToken + "; auth_session=" + strings.Repeat("b", 32) + "; auth_session=" + strings.Repeat("c", 32) + "; auth_session=" + real
		}, false, "untouched"},
		{"one dead cookie: cleared", func(_, dead string) string { return "auth_session=" + dead }, false, "cleared"},
		{"the same dead cookie twice: cleared", func(_, dead string) string {
			return "auth_session=" + dead + "; auth_session=" + dead
		}, false, "cleared"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			real := e.newSession(t)
			dead := e.newSession(t)
			if err := e.a.InvalidateSession(ctx, dead.ID); err != nil {
				t.Fatal(err)
			}
			line := tt.cookies(real.Token, dead.Token)
			for _, withUser := range []bool{false, true} {
				r := httptest.NewRequest("GET", "/", nil)
				for _, l := range strings.Split(line, "\r\nCookie: ") {
					r.Header.Add("Cookie", l)
				}
				rec := httptest.NewRecorder()
				ar := authrequest.New(e.a, rec, r)
				var s *auth.Session
				var err error
				if withUser {
					s, _, err = ar.SessionUser()
				} else {
					s, err = ar.Session()
				}
				if err != nil {
					t.Fatal(err)
				}
				if got := s != nil && s.ID == real.ID; got != tt.wantSession || s != nil && !got {
					t.Errorf("withUser=%v: session %v, want the real one: %v", withUser, s, tt.wantSession)
				}
				if got := cookieOutcome(t, rec); got != tt.wantCookie {
					t.Errorf("withUser=%v: cookie %s, want %s", withUser, got, tt.wantCookie)
				}
			}
		})
	}
}

// Signing out with a planted cookie sent first ends the real session too:
// every presented session is invalidated, not only the first.
func TestFinding1SignOutWithPlantedCookieEndsRealSession(t *testing.T) {
	e := newEnv(t)
	real := e.newSession(t)
	planted := e.newSession(t) // the attacker's own, live session
	r := httptest.NewRequest("POST", "/", nil)
	r.Header.Set("Cookie", "auth_session="+planted.Token+"; auth_session="+real.Token)
	rec := httptest.NewRecorder()
	if err := authrequest.New(e.a, rec, r).SignOut(); err != nil {
		t.Fatal(err)
	}
	for name, id := range map[string]string{"real": real.ID, "planted": planted.ID} {
		if _, ok := e.stored(t, id); ok {
			t.Errorf("the %s session survived SignOut", name)
		}
	}
	if got := cookieOutcome(t, rec); got != "cleared" {
		t.Errorf("cookie %s after SignOut, want cleared", got)
	}
}

// checkOrigin runs AuthRequest.CheckOrigin on r with opts.
func checkOrigin(t testing.TB, r *http.Request, opts ...authrequest.Option) error {
	t.Helper()
	e := newEnv(t)
	ar, err := authrequest.NewWithOptions(e.a, httptest.NewRecorder(), r, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return ar.CheckOrigin()
}

// Finding 5: with two Sec-Fetch-Site headers, same-origin first, and no
// Origin, only the first was read and the request was allowed. Several
// values are malformed: a browser sends one.
func TestFinding5DuplicateSecFetchSiteRefused(t *testing.T) {
	for _, values := range [][]string{
		{"same-origin", "cross-site"},
		{"cross-site", "same-origin"},
		{"same-origin", "same-origin"},
		{"none", "same-site"},
	} {
		r := httptest.NewRequest("POST", "https://app.example/", nil)
		r.Header["Sec-Fetch-Site"] = values
		if err := checkOrigin(t, r); !errors.Is(err, authrequest.ErrCrossOrigin) {
			t.Errorf("Sec-Fetch-Site %q, no Origin: %v, want ErrCrossOrigin", values, err)
		}
	}
}

// Finding 6: an upper-case Host got a different verdict depending on
// whether Sec-Fetch-Site was present: one comparison was exact, the other
// ignored case. Hosts are compared without regard to case, in one place.
func TestFinding6UpperCaseHostSameVerdict(t *testing.T) {
	for _, tc := range []struct {
		host, origin string
		allowed      bool
	}{
		{"APP.example", "https://app.example", true},
		{"App.Example:8443", "https://app.example:8443", true},
		{"app.example", "https://APP.example", true},
		{"APP.example", "https://evil.example", false},
		{"APP.example", "https://app.example:8443", false},
	} {
		for _, site := range []string{"", "same-origin"} {
			r := httptest.NewRequest("POST", "/", nil)
			r.Host = tc.host
			r.Header.Set("Origin", tc.origin)
			if site != "" {
				r.Header.Set("Sec-Fetch-Site", site)
			}
			err := checkOrigin(t, r)
			if (err == nil) != tc.allowed {
				t.Errorf("Host %q, Origin %q, Sec-Fetch-Site %q: %v, want allowed %v", tc.host, tc.origin, site, err, tc.allowed)
			}
		}
	}
}

// Finding 7: WithTrustedOrigins accepted origins no browser sends (upper
// case, a default port, userinfo, a path, a Unicode host, a bare
// wildcard), which could never match and said nothing. Each is now a
// configuration error, or, for a Unicode host, converted to the ASCII form
// browsers send.
func TestFinding7TrustedOriginsRefusedAtConfiguration(t *testing.T) {
	e := newEnv(t)
	for _, bad := range []string{
		"https://APP.example.com",
		"HTTPS://app.example.com",
		"https://app.example.com:443",
		"http://app.example.com:80",
		"https://user:pw@app.example.com",
		"https://app.example.com/",
		"https://app.example.com/login",
		"https://app.example.com?x",
		"https://app.example.com#top",
		"https://*.com",
		"https://*.co.uk",
		"https://*.github.io",
		"https://*.example.*",
		"https://a.*.example.com",
		"https://*",
		"app.example.com",
		"null",
		"",
		"https://",
		"https://app.example.com.",
		"https://app..example.com",
		"https://app.example.com:0443",
		"https://app.example.com:99999",
		"https://app.example.com:",
		"https://[::1",
		"https://[0:0::1]",
		"https://[fe80::1%25eth0]",
		"https://0x7f.1",
		"https://*.127.0.0.1",
		"https://xn--zz.example",
		"https://app example.com",
		"file://app.example.com",
	} {
		if _, err := authrequest.Middleware(e.a, authrequest.WithTrustedOrigins(bad)); !errors.Is(err, authrequest.ErrInvalidOption) {
			t.Errorf("Middleware(WithTrustedOrigins(%q)) = %v, want ErrInvalidOption", bad, err)
		}
		r := httptest.NewRequest("POST", "/", nil)
		if _, err := authrequest.NewWithOptions(e.a, httptest.NewRecorder(), r, authrequest.WithTrustedOrigins(bad)); !errors.Is(err, authrequest.ErrInvalidOption) {
			t.Errorf("NewWithOptions(WithTrustedOrigins(%q)) = %v, want ErrInvalidOption", bad, err)
		}
	}
	func() {
		defer func() {
			if p := recover(); p == nil {
				t.Error("Middleware accepted an invalid trusted origin")
			}
		}()
		authrequest.MustMiddleware(e.a, authrequest.WithTrustedOrigins("https://APP.example.com"))
	}()
	// Unicode hosts are converted; canonical origins are accepted.
	for entry, origin := range map[string]string{
		"https://bücher.example":        "https://xn--bcher-kva.example",
		"https://BÜCHER.example":        "https://xn--bcher-kva.example",
		"https://app.example.com":       "https://app.example.com",
		"http://localhost:8080":         "http://localhost:8080",
		"https://[::1]:8443":            "https://[::1]:8443",
		"http://127.0.0.1:3000":         "http://127.0.0.1:3000",
		"https://xn--bcher-kva.example": "https://xn--bcher-kva.example",
		"https://*.bücher.example":      "https://app.xn--bcher-kva.example",
	} {
		r := httptest.NewRequest("POST", "https://other.example/", nil)
		r.Header.Set("Origin", origin)
		r.Header.Set("Sec-Fetch-Site", "cross-site")
		if err := checkOrigin(t, r, authrequest.WithTrustedOrigins(entry)); err != nil {
			t.Errorf("WithTrustedOrigins(%q), Origin %q: %v", entry, origin, err)
		}
	}
}

// Finding 9a: FromContext returned nil outside Middleware and the
// README's pattern panicked with a bare nil dereference. The nil
// AuthRequest now answers every method with ErrNoMiddleware.
func TestFinding9FromContextOutsideMiddleware(t *testing.T) {
	e := newEnv(t)
	s := e.newSession(t)
	var errs []error
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ar := authrequest.FromContext(r.Context())
		if ar != nil {
			t.Fatal("FromContext outside Middleware is not nil")
		}
		_, err1 := ar.Session()
		_, _, err2 := ar.SessionUser()
		_, err3 := ar.SignIn(e.user.ID)
		_, err4 := ar.ValidateBearerToken()
		errs = append(errs, err1, err2, err3, err4, ar.SetSession(s), ar.ClearSession(), ar.SignOut(), ar.CheckOrigin())
		ar.Reset()
		if ar.Request() != nil || ar.Auth() != nil {
			t.Error("Request or Auth of the nil AuthRequest is not nil")
		}
	})
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("panic outside Middleware: %v", p)
			}
		}()
		h.ServeHTTP(httptest.NewRecorder(), request("POST", "/", s.Token))
	}()
	for i, err := range errs {
		if !errors.Is(err, authrequest.ErrNoMiddleware) {
			t.Errorf("method %d: %v, want ErrNoMiddleware", i, err)
		}
	}
}

// Finding 9c: a store failure was 500 from APIHandler and 503 everywhere
// else.
func TestFinding9APIHandlerStoreFailureIs503(t *testing.T) {
	e := newEnv(t)
	s := e.newSession(t)
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
