package authrequest

import (
	"net/http"
	"strings"

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

// readPresented collects the request's session cookies by name without
// parsing the others, so that the hot path allocates nothing. It reads
// values as [auth.Auth.ReadSessionCookie] does: quotes around a value are
// removed, as net/http does.
func readPresented(h http.Header, name string) presented {
	var p presented
	first := ""
	for _, line := range h["Cookie"] {
		for len(line) > 0 {
			var part string
			part, line, _ = strings.Cut(line, ";")
			n, v, ok := strings.Cut(strings.TrimSpace(part), "=")
			if !ok || n != name {
				continue
			}
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
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
