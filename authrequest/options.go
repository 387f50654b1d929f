package authrequest

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/authkit-dev/authkit/auth"
)

// An Option configures [Middleware], [APIHandler] or [NewWithOptions].
type Option func(*config)

type config struct {
	trusted     []string
	proxyHeader string
	skipOrigin  bool
	strict      bool
	passCross   bool
	passRoutes  []string
	onCross     http.Handler
	ipHeader    string
	ipProxies   []string
	ipSet       bool
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

// WithStrictOriginCheck refuses unsafe requests that carry neither an
// Origin nor a Sec-Fetch-Site header, as Lucia does. Every browser in use
// sends one of them on a POST, PUT, PATCH or DELETE; by default authkit
// still lets a request without either use the session cookie, because
// that is also what a non-browser client (a script, a mobile app with a
// cookie jar) sends, and what a very old browser sends on a same-origin
// form post.
//
// Turn it on when no client outside a browser uses the session cookie: it
// closes the door left open to browsers too old to send either header. A
// request with an "Authorization: Bearer" header is still served:
// [Middleware] passes it on to the next handler, where
// [AuthRequest.ValidateBearerToken] works as usual, but the cookie gets no
// say in it (Session returns nil, and SetSession, ClearSession, SignIn and
// SignOut return [ErrCrossOrigin]).
func WithStrictOriginCheck() Option {
	return func(c *config) { c.strict = true }
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

// WithCrossOriginPassThroughRoutes exempts routes that take cross-site
// requests on purpose, such as a webhook or a payment provider's callback,
// from the 403 of [Middleware]: an unsafe cross-origin request to one of
// them is passed on to the next handler, as [WithCrossOriginPassThrough]
// does for every route. Patterns have the syntax of [http.ServeMux]
// ("POST /webhooks/stripe", "/callbacks/{provider}", "api.example.com/hooks/"),
// as [http.CrossOriginProtection.AddInsecureBypassPattern]'s do, and match
// as the mux would route the request; a request the mux would redirect
// (an unclean path, a missing trailing slash) is not exempt.
//
// The exemption is from the 403 only, never for the session cookie: in a
// cross-origin request to an exempt route, Session and SessionUser return
// nil without reading the store, and SetSession, ClearSession, SignIn and
// SignOut return [ErrCrossOrigin], so the request can neither use the
// victim's session nor set or clear its cookie. Authenticate such a
// request by its own means (a signature, a bearer token). Same-origin
// requests to the route are served as usual. An invalid or conflicting
// pattern is a configuration error wrapping [ErrInvalidOption].
func WithCrossOriginPassThroughRoutes(patterns ...string) Option {
	return func(c *config) { c.passRoutes = append(c.passRoutes, patterns...) }
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
	routes  *http.ServeMux // exempt routes, or nil
	onCross http.Handler
	// clientIP reads a trusted proxy's header, or is nil: RemoteAddr.
	clientIP *clientIPs
}

func newSettings(opts []Option) (*settings, error) {
	var c config
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	oc, err := newOriginCheck(c.trusted, c.proxyHeader, c.skipOrigin, c.strict)
	if err != nil {
		return nil, err
	}
	s := &settings{origin: oc, passX: c.passCross, onCross: c.onCross}
	if len(c.passRoutes) > 0 {
		s.routes = http.NewServeMux()
		for _, p := range c.passRoutes {
			if err := handleRoute(s.routes, p); err != nil {
				return nil, fmt.Errorf("%w: cross-origin route %q: %v", ErrInvalidOption, p, err)
			}
		}
	}
	if s.onCross == nil {
		s.onCross = http.HandlerFunc(forbidCrossOrigin)
	}
	if c.ipSet {
		if s.clientIP, err = newClientIPs(c.ipHeader, c.ipProxies); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// exemptRoute marks the exempt routes in settings.routes: a request the
// mux routes to anything else (its not-found or redirect handlers) is not
// exempt.
type exemptRoute struct{}

func (exemptRoute) ServeHTTP(http.ResponseWriter, *http.Request) {}

// handleRoute registers an exempt pattern, turning the panic ServeMux
// raises for an invalid or conflicting one into an error.
func handleRoute(mux *http.ServeMux, pattern string) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%v", p)
		}
	}()
	if strings.TrimSpace(pattern) == "" {
		return errors.New("empty pattern")
	}
	mux.Handle(pattern, exemptRoute{})
	return nil
}

// passes reports whether Middleware passes on a request its origin check
// refused with err, rather than answering it with onCross. The request's
// AuthRequest still refuses the cookie either way.
func (s *settings) passes(r *http.Request, err error) bool {
	if s.passX {
		return true
	}
	if s.routes != nil {
		if h, _ := s.routes.Handler(r); h == http.Handler(exemptRoute{}) {
			return true
		}
	}
	if errors.Is(err, errNoBrowserHeaders) {
		_, bearer := auth.ReadBearerToken(r)
		return bearer
	}
	return false
}

func forbidCrossOrigin(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "403 forbidden: cross-origin request", http.StatusForbidden)
}
