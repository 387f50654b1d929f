package authrequest_test

import (
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/authkit-dev/authkit/authrequest"
)

// TestTrustedOriginPatterns: "https://*.example.com" trusts subdomains at
// any depth, never the apex, another scheme or port, a look-alike, or a
// sibling under a public suffix.
func TestTrustedOriginPatterns(t *testing.T) {
	for _, tc := range []struct {
		pattern, origin string
		trusted         bool
	}{
		{"https://*.example.com", "https://app.example.com", true},
		{"https://*.example.com", "https://a.b.c.example.com", true},
		{"https://*.example.com", "https://example.com", false},
		{"https://*.example.com", "http://app.example.com", false},
		{"https://*.example.com", "https://app.example.com:8443", false},
		{"https://*.example.com", "https://evilexample.com", false},
		{"https://*.example.com", "https://app.example.com.evil.example", false},
		{"https://*.example.com", "https://APP.example.com", false},
		{"https://*.example.com", "https://app..example.com", false},
		{"https://*.example.com", "https://.example.com", false},
		{"https://*.example.com", "https://user@app.example.com", false},
		{"https://*.example.com", "https://app.example.com/", false},
		{"https://*.example.com:8443", "https://app.example.com:8443", true},
		{"https://*.example.com:8443", "https://app.example.com", false},
		{"https://*.example.co.uk", "https://app.example.co.uk", true},
		{"https://*.example.co.uk", "https://x.other.co.uk", false},
		{"https://*.example.co.uk", "https://co.uk", false},
		{"https://*.example.co.uk", "https://example.co.uk", false},
		{"https://*.myapp.github.io", "https://a.myapp.github.io", true},
		{"https://*.myapp.github.io", "https://other.github.io", false},
		{"https://*.app.example.com", "https://x.app.example.com", true},
		{"https://*.app.example.com", "https://x.example.com", false},
	} {
		r := httptest.NewRequest("POST", "https://api.internal/", nil)
		r.Header.Set("Origin", tc.origin)
		r.Header.Set("Sec-Fetch-Site", "same-site")
		err := checkOrigin(t, r, authrequest.WithTrustedOrigins(tc.pattern))
		if (err == nil) != tc.trusted {
			t.Errorf("pattern %q, Origin %q: %v, want trusted %v", tc.pattern, tc.origin, err, tc.trusted)
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
