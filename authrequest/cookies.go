package authrequest

import (
	"errors"
	"net/http"
	"strings"

	"github.com/authkit-dev/authkit/auth"
)

// maxSessionCookies bounds how many well-formed session cookies of one
// request are looked up: each costs a store read, and a request carrying
// more than a browser would is either an attack or a broken client.
const maxSessionCookies = 3

// SessionCookies is what a request's session cookies hold, as
// [ReadSessionCookies] reads them. A sibling subdomain can plant cookies
// of the session cookie's name (with a Domain, or a longer Path, which
// browsers send first: RFC 6265bis §5.8.3), so a request may carry
// several, and the browser does not say which came from where. authkit
// reads them by one rule, which [AuthRequest] follows and [SessionCookies.Find]
// states: the first token, in the order sent, that names a live session is
// the request's session; the others are left alone.
type SessionCookies struct {
	// Tokens are the distinct values that have the form of a token
	// ([auth.ValidToken]), in the order sent, at most three: the
	// candidates for the request's session, in the order they are tried.
	Tokens []string

	// Sent reports whether the request carried a cookie of the session
	// cookie's name at all, a malformed one included.
	Sent bool

	// Agree reports whether every cookie of the name had the same value.
	// Only then does an AuthRequest answer them with a Set-Cookie of its
	// own (a renewal, a clearing cookie): the one it writes has this app's
	// Name, Path and Domain and might land on the real cookie rather than
	// a planted one, so a planted cookie could get the real one cleared or
	// replaced.
	Agree bool
}

// ReadSessionCookies reads the cookies of r named like a's session cookie
// ([auth.Auth.CookieName]), with the quotes around a value removed as
// net/http does. It is the one reader of the session cookie: the
// middleware, [APIHandler] and anything else that needs to know which
// session a request presents use it, so that they never disagree.
func ReadSessionCookies(a *auth.Auth, r *http.Request) SessionCookies {
	var buf [maxSessionCookies]string
	return readSessionCookies(a, r, &buf)
}

// readSessionCookies is [ReadSessionCookies] on a buffer of the caller's,
// so that the middleware's hot path allocates nothing: it parses no other
// cookie than the session's.
func readSessionCookies(a *auth.Auth, r *http.Request, buf *[maxSessionCookies]string) SessionCookies {
	var c SessionCookies
	name, first, n := a.CookieName(), "", 0
	for _, line := range r.Header["Cookie"] {
		for len(line) > 0 {
			var part string
			part, line, _ = strings.Cut(line, ";")
			k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
			if !ok || k != name {
				continue
			}
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			switch {
			case !c.Sent:
				c.Sent, c.Agree, first = true, true, v
			case v != first:
				c.Agree = false
			}
			if n < maxSessionCookies && auth.ValidToken(v) && !contains(buf[:n], v) {
				buf[n] = v
				n++
			}
		}
	}
	c.Tokens = buf[:n:n]
	return c
}

func contains(tokens []string, v string) bool {
	for _, t := range tokens {
		if t == v {
			return true
		}
	}
	return false
}

// Find returns the request's session: it calls lookup with each of
// c.Tokens in turn and returns the first session lookup returns. lookup
// answers nil, nil, or an error wrapping [auth.ErrInvalidSession], for a
// token that names no live session; then the next token is tried. Any
// other error (a store failure) ends the search and is returned: the
// session can't be told. Find returns nil, nil when no token names a live
// session.
//
// [AuthRequest.Session] looks up with [auth.Auth.ValidateSession], which
// renews and deletes; a page that must only look (the playground's "stored
// state") looks up the stored record instead, and names the same session.
func (c SessionCookies) Find(lookup func(token string) (*auth.Session, error)) (*auth.Session, error) {
	for _, token := range c.Tokens {
		s, err := lookup(token)
		switch {
		case errors.Is(err, auth.ErrInvalidSession):
			continue
		case err != nil:
			return nil, err
		case s != nil:
			return s, nil
		}
	}
	return nil, nil
}
