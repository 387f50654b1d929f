package authrequest

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// originCheck decides whether an unsafe request comes from the app's own
// origin. It follows [http.CrossOriginProtection] (Sec-Fetch-Site, then
// Origin against Host, trusted origins first) and is stricter where that
// is lenient: one value per header, an Origin of the form browsers send
// whose host is the request's Host whatever Sec-Fetch-Site claims, and a
// scheme check where the request's own scheme is known. Hosts are compared
// in one place, [sameHost].
type originCheck struct {
	trusted  map[string]bool // exact origins, in the form browsers send
	patterns []trustedOrigin // "https://*.example.com" entries
	proxy    string          // trusted header naming the request's scheme, or ""
	off      bool            // InsecureSkipOriginCheck
	strict   bool            // WithStrictOriginCheck
}

// errNoBrowserHeaders is wrapped, with ErrCrossOrigin, in the refusal of
// an unsafe request without Origin and Sec-Fetch-Site in strict mode.
var errNoBrowserHeaders = errors.New("neither Origin nor Sec-Fetch-Site (strict origin check)")

func newOriginCheck(trusted []string, proxyHeader string, off, strict bool) (*originCheck, error) {
	c := &originCheck{trusted: map[string]bool{}, proxy: proxyHeader, off: off, strict: strict}
	for _, o := range trusted {
		t, err := parseTrustedOrigin(o)
		if err != nil {
			return nil, err
		}
		if t.isPattern() {
			c.patterns = append(c.patterns, t)
		} else {
			c.trusted[t.origin] = true
		}
	}
	return c, nil
}

// trusts reports whether the Origin header value is a trusted origin or
// falls under a trusted pattern.
func (c *originCheck) trusts(origin string) bool {
	if c.trusted[origin] {
		return true
	}
	for i := range c.patterns {
		if c.patterns[i].matches(origin) {
			return true
		}
	}
	return false
}

// isSafeMethod reports whether the method is one the origin check lets
// through: it must not change state, so a cross-site request can do no harm.
func isSafeMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}

// sameHost reports whether an Origin's host[:port] names the request's
// Host. Host names are case-insensitive (RFC 4343); every comparison of
// the check goes through here so that no two paths disagree.
func sameHost(originHost, requestHost string) bool {
	return originHost != "" && strings.EqualFold(originHost, requestHost)
}

// check returns nil if r may use the session cookie, or an error wrapping
// ErrCrossOrigin. It never panics, whatever the headers hold.
func (c *originCheck) check(r *http.Request) error {
	if c.off || isSafeMethod(r.Method) {
		return nil
	}
	sites := r.Header["Sec-Fetch-Site"]
	if len(sites) > 1 {
		// A browser sends one; reading only the first would let a forged
		// second value decide.
		return fmt.Errorf("%w: %d Sec-Fetch-Site headers", ErrCrossOrigin, len(sites))
	}
	origins := r.Header["Origin"]
	if len(origins) > 1 {
		return fmt.Errorf("%w: %d Origin headers", ErrCrossOrigin, len(origins))
	}
	site, origin := "", ""
	if len(sites) == 1 {
		site = sites[0]
	}
	if len(origins) == 1 {
		origin = origins[0]
	}
	if origin != "" && c.trusts(origin) {
		return nil // trusted whatever Sec-Fetch-Site says, as in CrossOriginProtection
	}
	switch site {
	case "", "same-origin", "none":
	default:
		return fmt.Errorf("%w: Sec-Fetch-Site %q", ErrCrossOrigin, site)
	}
	if origin == "" {
		if site == "" && c.strict {
			return fmt.Errorf("%w: %w", ErrCrossOrigin, errNoBrowserHeaders)
		}
		return nil // not a browser, or a same-origin request of an old one
	}
	u, err := url.Parse(origin)
	if err != nil || u.Scheme == "" || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" || u.ForceQuery {
		// Browsers send scheme://host[:port] and nothing else.
		return fmt.Errorf("%w: malformed Origin %q", ErrCrossOrigin, origin)
	}
	// A request whose Origin names another host is refused whatever
	// Sec-Fetch-Site claims. Behind a proxy that rewrites Host, list the
	// public origin with WithTrustedOrigins.
	if !sameHost(u.Host, r.Host) {
		return fmt.Errorf("%w: Origin %q is not the request's host %q", ErrCrossOrigin, origin, r.Host)
	}
	if scheme := c.scheme(r); scheme != "" && !strings.EqualFold(u.Scheme, scheme) {
		// The host matched but the scheme did not (an http page posting to
		// the https site, say): a different origin under RFC 6454.
		return fmt.Errorf("%w: Origin %q does not match the request's scheme %q", ErrCrossOrigin, origin, scheme)
	}
	return nil
}

// scheme returns the request's own scheme where it is known: "https" over
// TLS, or the trusted proxy header's value; "" where it is not known.
func (c *originCheck) scheme(r *http.Request) string {
	if c.proxy != "" {
		if v := r.Header.Get(c.proxy); v != "" {
			v, _, _ = strings.Cut(v, ",") // the first proxy's view
			return strings.ToLower(strings.TrimSpace(v))
		}
	}
	if r.TLS != nil {
		return "https"
	}
	return ""
}
