package authrequest_test

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/authrequest"
)

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
	a, err := auth.New(memstore.New(), auth.Config{})
	if err != nil {
		f.Fatal(err)
	}
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

// FuzzCookieTossing sends the real session cookie among two planted
// values of the same name, in any order. Properties, beyond not panicking:
//   - the real session is found whenever it is among the first three
//     distinct well-formed values (the ones authkit validates);
//   - the cookie is never cleared or set: the values disagree, so a
//     clearing cookie might delete the real one.
func FuzzCookieTossing(f *testing.F) {
	for _, s := range []struct {
		a, b string
		pos  uint8
	}{
		{"abcdefghijklmnopqrstuvwxyz234567", "garbage", 2},
		{"", "", 0},
		{"abcdefghijklmnopqrstuvwxyz234567", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", 2},
		{"x", "abcdefghijklmnopqrstuvwxyz234567", 1},
	} {
		f.Add(s.a, s.b, s.pos)
	}
	e := newEnv(f)
	e.store.SetLogLimit(16) // millions of runs: keep the call log small
	real := e.newSession(f)
	clean := func(v string) string {
		return strings.Map(func(r rune) rune {
			if r <= ' ' || r >= 0x7f || strings.ContainsRune(`;,"\`, r) {
				return -1
			}
			return r
		}, v)
	}
	f.Fuzz(func(t *testing.T, a, b string, pos uint8) {
		values := []string{clean(a), clean(b)}
		i := int(pos) % 3
		values = append(values[:i], append([]string{real.Token}, values[i:]...)...)
		var line []string
		for _, v := range values {
			line = append(line, "auth_session="+v)
		}
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Cookie", strings.Join(line, "; "))
		rec := httptest.NewRecorder()
		s, err := authrequest.New(e.a, rec, r).Session()
		if err != nil {
			t.Fatal(err)
		}
		var wellFormed []string
		for _, v := range values {
			if auth.ValidToken(v) && !slices.Contains(wellFormed, v) {
				wellFormed = append(wellFormed, v)
			}
		}
		if slices.Contains(wellFormed[:min(3, len(wellFormed))], real.Token) && (s == nil || s.ID != real.ID) {
			t.Fatalf("cookies %q: real session not found (got %v)", line, s)
		}
		if got := cookieOutcome(t, rec); got != "untouched" {
			t.Fatalf("cookies %q: cookie %s, want untouched", line, got)
		}
	})
}
