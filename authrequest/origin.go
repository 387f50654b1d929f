package authrequest

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// originCheck decides whether an unsafe request comes from the app's own
// origin. It builds on [http.CrossOriginProtection] (Sec-Fetch-Site, then
// Origin against Host) and adds what that leaves out: a scheme check where
// the request's own scheme is known, and TRACE as a safe method.
type originCheck struct {
	cop     *http.CrossOriginProtection
	trusted map[string]bool // the same set cop holds, which it can't be asked
	proxy   string          // trusted header naming the request's scheme, or ""
	off     bool            // InsecureSkipOriginCheck
}

func newOriginCheck(trusted []string, proxyHeader string, off bool) (*originCheck, error) {
	c := &originCheck{cop: http.NewCrossOriginProtection(), trusted: map[string]bool{}, proxy: proxyHeader, off: off}
	for _, o := range trusted {
		if err := c.cop.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("authrequest: trusted origin: %w", err)
		}
		c.trusted[o] = true
	}
	return c, nil
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

// check returns nil if r may use the session cookie, or an error wrapping
// ErrCrossOrigin. It never panics, whatever the headers hold.
func (c *originCheck) check(r *http.Request) error {
	if c.off || isSafeMethod(r.Method) {
		return nil
	}
	if n := len(r.Header["Sec-Fetch-Site"]); n > 1 {
		// A browser sends one; CrossOriginProtection would read the first.
		return fmt.Errorf("%w: %d Sec-Fetch-Site headers", ErrCrossOrigin, n)
	}
	if err := c.cop.Check(r); err != nil {
		return fmt.Errorf("%w: %v", ErrCrossOrigin, err)
	}
	origins := r.Header["Origin"]
	if len(origins) == 0 || len(origins) == 1 && origins[0] == "" {
		return nil // not a browser, or a same-origin request of an old one
	}
	if len(origins) > 1 {
		return fmt.Errorf("%w: %d Origin headers", ErrCrossOrigin, len(origins))
	}
	origin := origins[0]
	if c.trusted[origin] {
		return nil
	}
	u, err := url.Parse(origin)
	if err != nil || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		// Browsers send scheme://host[:port] and nothing else.
		return fmt.Errorf("%w: malformed Origin %q", ErrCrossOrigin, origin)
	}
	// CrossOriginProtection trusts Sec-Fetch-Site before Origin; a request
	// whose Origin names another host is refused whatever it claims.
	// Behind a proxy that rewrites Host, list the public origin with
	// WithTrustedOrigins.
	if !strings.EqualFold(u.Host, r.Host) {
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
