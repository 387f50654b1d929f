package authrequest

import (
	"net/http"

	"github.com/authkit-dev/authkit/auth"
)

// maxSessionCookies bounds how many well-formed session cookies of one
// request are validated: each costs a store read, and a request carrying
// more than a browser would is either an attack or a broken client.
const maxSessionCookies = 3

// presented is what a request's session cookies hold. A sibling
// subdomain can plant cookies of the same name (with a Domain, or a longer
// Path, which browsers send first), so there may be several.
type presented struct {
	tokens [maxSessionCookies]string // the distinct well-formed values, in order
	n      int                       // how many of tokens are set
	sent   bool                      // some cookie of the name was sent
	agree  bool                      // every cookie of the name had the same value
}

// readPresented collects the request's session cookies, as
// [auth.Auth.SessionCookieValues] reads them.
func readPresented(a *auth.Auth, r *http.Request) presented {
	var p presented
	first := ""
	for v := range a.SessionCookieValues(r) {
		switch {
		case !p.sent:
			p.sent, p.agree, first = true, true, v
		case v != first:
			p.agree = false
		}
		if p.n < maxSessionCookies && auth.ValidToken(v) && !p.has(v) {
			p.tokens[p.n] = v
			p.n++
		}
	}
	return p
}

func (p *presented) has(v string) bool {
	for _, t := range p.tokens[:p.n] {
		if t == v {
			return true
		}
	}
	return false
}
