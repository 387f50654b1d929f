package authrequest_test

import (
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
