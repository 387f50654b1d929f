package authrequest_test

import (
	"errors"
	"net/http/httptest"
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

// TestHostComparedWithoutCase: hosts are compared without regard to case,
// in one place, so an upper-case Host gets the same verdict with and
// without Sec-Fetch-Site.
func TestHostComparedWithoutCase(t *testing.T) {
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
