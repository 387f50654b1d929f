package authrequest_test

import (
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/authrequest"
)

// TestDuplicateSecFetchSiteRefused: a request with several Sec-Fetch-Site
// values and no Origin is refused, whatever the first says: a browser
// sends one.
func TestDuplicateSecFetchSiteRefused(t *testing.T) {
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

// TestOriginVerdicts: which Origin an unsafe request is allowed from,
// with and without Sec-Fetch-Site. Hosts are compared without regard to
// case, in one place, so an upper-case Host gets the same verdict with and
// without Sec-Fetch-Site. A trusted "https://*.example.com" trusts
// subdomains at any depth, never the apex, another scheme or port, a
// look-alike, or a sibling under a public suffix.
func TestOriginVerdicts(t *testing.T) {
	const api = "api.internal" // the Host of requests from trusted origins
	for _, tc := range []struct {
		trusted, host, origin string
		allowed               bool
	}{
		{"", "APP.example", "https://app.example", true},
		{"", "App.Example:8443", "https://app.example:8443", true},
		{"", "app.example", "https://APP.example", true},
		{"", "APP.example", "https://evil.example", false},
		{"", "APP.example", "https://app.example:8443", false},
		{"https://*.example.com", api, "https://app.example.com", true},
		{"https://*.example.com", api, "https://a.b.c.example.com", true},
		{"https://*.example.com", api, "https://example.com", false},
		{"https://*.example.com", api, "http://app.example.com", false},
		{"https://*.example.com", api, "https://app.example.com:8443", false},
		{"https://*.example.com", api, "https://evilexample.com", false},
		{"https://*.example.com", api, "https://app.example.com.evil.example", false},
		{"https://*.example.com", api, "https://APP.example.com", false},
		{"https://*.example.com", api, "https://app..example.com", false},
		{"https://*.example.com", api, "https://.example.com", false},
		{"https://*.example.com", api, "https://user@app.example.com", false},
		{"https://*.example.com", api, "https://app.example.com/", false},
		{"https://*.example.com:8443", api, "https://app.example.com:8443", true},
		{"https://*.example.com:8443", api, "https://app.example.com", false},
		{"https://*.example.co.uk", api, "https://app.example.co.uk", true},
		{"https://*.example.co.uk", api, "https://x.other.co.uk", false},
		{"https://*.example.co.uk", api, "https://co.uk", false},
		{"https://*.example.co.uk", api, "https://example.co.uk", false},
		{"https://*.myapp.github.io", api, "https://a.myapp.github.io", true},
		{"https://*.myapp.github.io", api, "https://other.github.io", false},
		{"https://*.app.example.com", api, "https://x.app.example.com", true},
		{"https://*.app.example.com", api, "https://x.example.com", false},
	} {
		var opts []authrequest.Option
		if tc.trusted != "" {
			opts = append(opts, authrequest.WithTrustedOrigins(tc.trusted))
		}
		sites := []string{"", "same-origin"}
		if tc.trusted != "" {
			sites[1] = "same-site" // what a browser sends from a sibling subdomain
		}
		for _, site := range sites {
			r := httptest.NewRequest("POST", "/", nil)
			r.Host = tc.host
			r.Header.Set("Origin", tc.origin)
			if site != "" {
				r.Header.Set("Sec-Fetch-Site", site)
			}
			err := checkOrigin(t, r, opts...)
			if (err == nil) != tc.allowed {
				t.Errorf("trusted %q, Host %q, Origin %q, Sec-Fetch-Site %q: %v, want allowed %v", tc.trusted, tc.host, tc.origin, site, err, tc.allowed)
			}
		}
	}
}

// TestTrustedOriginsRefusedAtConfiguration: WithTrustedOrigins refuses
// origins no browser sends (upper case, a default port, userinfo, a path,
// a bare wildcard) as configuration errors, and converts a Unicode host to
// the ASCII form browsers send.
func TestTrustedOriginsRefusedAtConfiguration(t *testing.T) {
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

// wantServed runs r through Middleware with opts, to a handler that
// reports what the AuthRequest allowed ("403" when Middleware refused r),
// and checks that the report is want and that the session cookie is left
// untouched.
func wantServed(t testing.TB, e *env, r *http.Request, want string, opts ...authrequest.Option) {
	t.Helper()
	var report []string
	h := authrequest.MustMiddleware(e.a, opts...)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ar := authrequest.FromContext(r.Context())
		s, err := ar.Session()
		switch {
		case err != nil:
			report = append(report, "error "+err.Error())
		case s == nil:
			report = append(report, "no session")
		default:
			report = append(report, "session")
		}
		if b, err := ar.ValidateBearerToken(); err == nil && b != nil {
			report = append(report, "bearer")
		}
		if ar.CheckOrigin() != nil {
			// The cookie has no say: every write must be refused.
			s, _ := e.a.CreateSession(r.Context(), e.user.ID)
			for name, err := range map[string]error{
				"SetSession":   ar.SetSession(s),
				"ClearSession": ar.ClearSession(),
				"SignIn":       func() error { _, err := ar.SignIn(e.user.ID); return err }(),
				"SignOut":      ar.SignOut(),
			} {
				if !errors.Is(err, authrequest.ErrCrossOrigin) {
					report = append(report, name+" allowed")
				}
			}
		}
		io.WriteString(w, strings.Join(report, ", "))
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	got := rec.Body.String()
	if rec.Code == http.StatusForbidden {
		got = "403"
	}
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if c := cookieOutcome(t, rec); c != "untouched" {
		t.Errorf("cookie %s, want untouched", c)
	}
}

// TestOriginCheckOptions: what a handler behind Middleware is served
// under the origin options. With WithStrictOriginCheck an unsafe request
// without Origin or Sec-Fetch-Site is refused, except that a bearer-token
// request still reaches the handler (without the cookie). A route of
// WithCrossOriginPassThroughRoutes takes cross-site posts, but the session
// cookie never has a say in them: no session, no store read, every cookie
// write refused, no Set-Cookie. No request invalidates the session.
func TestOriginCheckOptions(t *testing.T) {
	strict := []authrequest.Option{authrequest.WithStrictOriginCheck()}
	exempt := []authrequest.Option{authrequest.WithCrossOriginPassThroughRoutes("POST /webhooks/{provider}", "/callbacks/pay")}
	bearer := map[string]string{"Authorization": "Bearer TOKEN"}
	sameOrigin := map[string]string{"Sec-Fetch-Site": "same-origin"}
	crossSite := map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://payments.example"}
	for _, tc := range []struct {
		name, method, target string
		header               map[string]string
		opts                 []authrequest.Option
		want                 string
	}{
		{"no headers, default", "POST", "/", nil, nil, "session"},
		{"no headers, strict", "POST", "/", nil, strict, "403"},
		{"empty Origin, strict", "POST", "/", map[string]string{"Origin": ""}, strict, "403"},
		{"GET, strict", "GET", "/", nil, strict, "session"},
		{"same Origin, strict", "POST", "/", map[string]string{"Origin": "https://app.example"}, strict, "session"},
		{"Sec-Fetch-Site same-origin, strict", "POST", "/", sameOrigin, strict, "session"},
		{"bearer, strict", "POST", "/", bearer, strict, "no session, bearer"},
		{"bearer, default", "POST", "/", bearer, nil, "session, bearer"},
		{"bearer cross-site, strict", "POST", "/", map[string]string{"Authorization": "Bearer TOKEN", "Sec-Fetch-Site": "cross-site"}, strict, "403"},
		{"cross-site POST to a webhook", "POST", "/webhooks/stripe", crossSite, exempt, "no session"},
		{"cross-site PUT to a POST-only exempt route", "PUT", "/webhooks/stripe", crossSite, exempt, "403"},
		{"cross-site DELETE to an any-method exempt route", "DELETE", "/callbacks/pay", crossSite, exempt, "no session"},
		{"same-origin POST to a webhook", "POST", "/webhooks/stripe", sameOrigin, exempt, "session"},
		{"cross-site POST elsewhere", "POST", "/account/delete", crossSite, exempt, "403"},
		{"cross-site POST to a path the mux would redirect", "POST", "/webhooks/../account/delete", crossSite, exempt, "403"},
		{"cross-site POST below an exact route", "POST", "/callbacks/pay/more", crossSite, exempt, "403"},
		{"cross-site GET", "GET", "/account", crossSite, exempt, "session"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, s := newSignedIn(t)
			r := request(tc.method, "https://app.example"+tc.target, s.Token)
			for k, v := range tc.header {
				r.Header.Set(k, strings.ReplaceAll(v, "TOKEN", s.Token))
			}
			wantServed(t, e, r, tc.want, tc.opts...)
			if _, ok := e.stored(t, s.ID); !ok {
				t.Error("the session was invalidated")
			}
		})
	}
}

// TestCrossOriginPassThroughRoutesRefusedAtConfiguration: a repeated,
// malformed or empty route pattern is a configuration error.
func TestCrossOriginPassThroughRoutesRefusedAtConfiguration(t *testing.T) {
	e := newEnv(t)
	for _, bad := range [][]string{{"GET /x", "GET /x"}, {"POST /a/{"}, {""}, {"webhooks"}} {
		if _, err := authrequest.Middleware(e.a, authrequest.WithCrossOriginPassThroughRoutes(bad...)); !errors.Is(err, authrequest.ErrInvalidOption) {
			t.Errorf("routes %q: %v, want ErrInvalidOption", bad, err)
		}
	}
}

// FuzzOriginCheck feeds the origin check arbitrary Origin, Sec-Fetch-Site
// and Host headers, methods and schemes. Properties, beyond not panicking:
//   - safe methods always pass;
//   - a rejection always wraps ErrCrossOrigin;
//   - an unsafe request is never accepted with an Origin whose host differs
//     from the request's Host, unless the Origin is trusted;
//   - an unsafe request is never accepted with Sec-Fetch-Site cross-site or
//     same-site, unless the Origin is trusted;
//   - over TLS, an accepted Origin (not trusted) has the https scheme.
func FuzzOriginCheck(f *testing.F) {
	for _, s := range [][5]string{
		{"POST", "https://app.example", "", "app.example", "1"},
		{"POST", "https://evil.example", "cross-site", "app.example", ""},
		{"DELETE", "null", "", "app.example", ""},
		{"PUT", "http://app.example", "same-origin", "app.example", "1"},
		{"POST", "https://trusted.example", "cross-site", "app.example", ""},
		{"GET", "https://evil.example", "cross-site", "app.example", ""},
		{"POST", "", "same-site", "app.example", ""},
		{"POST", "https://APP.example", "", "app.example", ""},
		{"PATCH", "http://[::1]:80", "", "[::1]:80", ""},
	} {
		f.Add(s[0], s[1], s[2], s[3], s[4] != "")
	}
	a := newEnv(f).a
	const trusted = "https://trusted.example"
	f.Fuzz(func(t *testing.T, method, origin, fetchSite, host string, overTLS bool) {
		if method == "" || strings.ContainsAny(method, " \r\n\x00") {
			method = "POST"
		}
		r := httptest.NewRequest("GET", "/", nil)
		r.Method, r.Host = method, host
		r.Header = http.Header{}
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		if fetchSite != "" {
			r.Header.Set("Sec-Fetch-Site", fetchSite)
		}
		if overTLS {
			r.TLS = &tls.ConnectionState{}
		}
		ar, err := authrequest.NewWithOptions(a, httptest.NewRecorder(), r, authrequest.WithTrustedOrigins(trusted))
		if err != nil {
			t.Fatal(err)
		}
		err = ar.CheckOrigin()
		safe := method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "TRACE"
		switch {
		case safe && err != nil:
			t.Fatalf("%s rejected: %v", method, err)
		case err != nil && !strings.Contains(err.Error(), authrequest.ErrCrossOrigin.Error()):
			t.Fatalf("rejection does not wrap ErrCrossOrigin: %v", err)
		case safe || err != nil || origin == trusted:
			return
		}
		// An unsafe request was accepted from an untrusted origin.
		if origin != "" {
			u, perr := url.Parse(origin)
			if perr != nil || !strings.EqualFold(u.Host, host) {
				t.Fatalf("%s with Origin %q accepted for Host %q", method, origin, host)
			}
			if overTLS && !strings.EqualFold(u.Scheme, "https") {
				t.Fatalf("Origin %q accepted over TLS", origin)
			}
		}
		if fetchSite == "cross-site" || fetchSite == "same-site" {
			t.Fatalf("%s with Sec-Fetch-Site %q and Origin %q accepted", method, fetchSite, origin)
		}
	})
}
