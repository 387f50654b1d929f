package authrequest

import (
	"net/http"
)

// An Option configures [Middleware], [APIHandler] or [NewWithOptions].
type Option func(*config)

type config struct {
	trusted     []string
	proxyHeader string
	skipOrigin  bool
	passCross   bool
	onCross     http.Handler
}

// WithTrustedOrigins lets unsafe requests from these origins use the
// session cookie, as if they were same-origin, whatever their
// Sec-Fetch-Site header says. Each origin is "scheme://host[:port]",
// exactly as browsers send it in the Origin header: lower case, no default
// port, no path. A Unicode host is converted to the ASCII form browsers
// send ("https://bücher.example" trusts "https://xn--bcher-kva.example").
//
// An origin whose host starts with "*." is a pattern:
// "https://*.example.com" trusts every subdomain of example.com at any
// depth, over https and on the default port, but not example.com itself
// (list it too if it needs trusting). A pattern on a public suffix, such
// as "https://*.co.uk" or "https://*.github.io", is refused: it would
// trust sites of other owners. A match must also share the pattern's
// registrable domain, so a public suffix listed below the pattern (as
// cloud providers have) never lets another site in.
//
// An entry no browser could send (upper case, a default port such as
// ":443", a user name, a path, a query, a malformed host) is a
// configuration error wrapping [ErrInvalidOption]: it would never match.
//
// An app behind a reverse proxy that rewrites the Host header must list
// its public origin here: the origin check refuses an Origin whose host is
// not the request's Host.
func WithTrustedOrigins(origins ...string) Option {
	return func(c *config) { c.trusted = append(c.trusted, origins...) }
}

// WithTrustedProxySchemeHeader names a request header, such as
// "X-Forwarded-Proto", that a reverse proxy in front of the app sets to the
// scheme the client used. The origin check then treats an Origin with
// another scheme as cross-origin. Only use it when every request passes
// through a proxy that overwrites the header: a client can send it too.
func WithTrustedProxySchemeHeader(name string) Option {
	return func(c *config) { c.proxyHeader = http.CanonicalHeaderKey(name) }
}

// WithCrossOriginHandler sets what [Middleware] answers to an unsafe
// cross-origin request; by default 403 Forbidden with a short text body.
func WithCrossOriginHandler(h http.Handler) Option {
	return func(c *config) { c.onCross = h }
}

// WithCrossOriginPassThrough makes [Middleware] pass unsafe cross-origin
// requests on to the next handler instead of answering 403. The session
// cookie still gets no say in them: Session returns nil and SetSession and
// ClearSession return [ErrCrossOrigin]. Use it for endpoints that other
// origins call with bearer tokens.
func WithCrossOriginPassThrough() Option {
	return func(c *config) { c.passCross = true }
}

// InsecureSkipOriginCheck turns the origin check off: unsafe requests from
// any site may use and change the session cookie, which allows cross-site
// request forgery. It exists for tests and for apps with their own CSRF
// defence. Do not use it otherwise.
func InsecureSkipOriginCheck() Option {
	return func(c *config) { c.skipOrigin = true }
}

// settings are the options resolved once, shared by every AuthRequest a
// Middleware or APIHandler makes.
type settings struct {
	origin  *originCheck
	passX   bool
	onCross http.Handler
}

func newSettings(opts []Option) (*settings, error) {
	var c config
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	oc, err := newOriginCheck(c.trusted, c.proxyHeader, c.skipOrigin, false)
	if err != nil {
		return nil, err
	}
	s := &settings{origin: oc, passX: c.passCross, onCross: c.onCross}
	if s.onCross == nil {
		s.onCross = http.HandlerFunc(forbidCrossOrigin)
	}
	return s, nil
}

func forbidCrossOrigin(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "403 forbidden: cross-origin request", http.StatusForbidden)
}
