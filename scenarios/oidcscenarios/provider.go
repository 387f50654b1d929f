package oidcscenarios

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/fakeoidc"
)

// ErrNotExpressible is wrapped by [Provider.Fail] when the provider cannot
// be made to fail that way: a certified provider never signs a token with
// another nonce. A case that needs it ends with [Result.NotExpressible]
// set instead of a verdict.
var ErrNotExpressible = errors.New("oidcscenarios: the provider cannot express this fault")

// A Provider is the OpenID provider side of a case: a [fakeoidc.Provider]
// of the case's own by default ([Target.NewProvider] nil), or an adapter
// to a real provider, which is how the table checks that the fake agrees
// with a certified provider. Its users are [Users] and the app is
// registered with [ClientID], [ClientSecret] and the case's redirect URL.
type Provider interface {
	// Issuer returns the issuer URL.
	Issuer() string
	// SetLogin makes the provider approve authorization requests as the
	// user with this subject, with no page, as a signed-in user who
	// consents would.
	SetLogin(subject string) error
	// RotateKey makes a new key sign from now on, the previous one still
	// published.
	RotateKey() error
	// Fail makes the next request to the endpoint fail with the fault, or
	// returns an error wrapping [ErrNotExpressible].
	Fail(ep fakeoidc.Endpoint, f fakeoidc.Fault) error
	// Authorize plays the user's browser at the provider: it requests
	// authURL (the app's redirect to the authorization endpoint) and
	// follows the provider's pages and redirects until one leaves the
	// provider, and returns that URL: the app's callback with the
	// authorization response.
	Authorize(ctx context.Context, authURL string) (*url.URL, error)
	// Client returns the HTTP client the app must call the provider
	// with.
	Client() *http.Client
}

// Users returns the provider users of every case: Alice, whose email is
// verified, and Eve, whose email is not. A real provider behind
// [Target.NewProvider] must have the same.
func Users() []fakeoidc.User {
	return []fakeoidc.User{
		{Subject: Alice, Claims: map[string]any{"email": "alice@example.com", "email_verified": true, "name": "Alice"}},
		{Subject: Eve, Claims: map[string]any{"email": "eve@example.com", "email_verified": false, "name": "Eve"}},
	}
}

// FakeProvider starts a [fakeoidc.Provider] with [Users] and the app
// registered, on clock, on a loopback listener; close stops it. The
// options are added after those (a per-provider claims placement, a
// signing algorithm). It is what a case runs against when
// [Target.NewProvider] is nil.
func FakeProvider(clock auth.Clock, redirectURL string, opts ...fakeoidc.Option) (p Provider, close func(), err error) {
	all := []fakeoidc.Option{fakeoidc.WithClock(clock),
		fakeoidc.WithClient(fakeoidc.Client{ID: ClientID, Secret: ClientSecret, RedirectURIs: []string{redirectURL}})}
	for _, u := range Users() {
		all = append(all, fakeoidc.WithUser(u))
	}
	fp, err := fakeoidc.New(append(all, opts...)...)
	if err != nil {
		return nil, nil, err
	}
	srv := httptest.NewServer(fp)
	if err := fp.SetIssuer(srv.URL); err != nil {
		srv.Close()
		return nil, nil, err
	}
	return &fakeProvider{Provider: fp}, srv.Close, nil
}

// fakeProvider adapts a fakeoidc.Provider.
type fakeProvider struct{ *fakeoidc.Provider }

func (p *fakeProvider) Fail(ep fakeoidc.Endpoint, f fakeoidc.Fault) error {
	return p.FailNext(ep, 1, f)
}

func (p *fakeProvider) Authorize(ctx context.Context, authURL string) (*url.URL, error) {
	return FollowToClient(ctx, &http.Client{Timeout: 10 * time.Second}, authURL)
}

// Client has a one-second timeout: what the provider-timeout case's
// delay outlasts.
func (p *fakeProvider) Client() *http.Client { return &http.Client{Timeout: time.Second} }

// FollowToClient plays a browser at a provider with the client's
// transport and a fresh cookie jar: it requests authURL and follows the
// redirects within the provider's origin (scheme, host and port), and
// returns the first redirect that leaves it. A page that is not a
// redirect (a login or consent page the provider shows) is an error
// naming its status.
func FollowToClient(ctx context.Context, client *http.Client, authURL string) (*url.URL, error) {
	start, err := url.Parse(authURL)
	if err != nil {
		return nil, err
	}
	jar, _ := cookiejar.New(nil) // never fails without options
	c := *client
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	next := start
	for range 10 {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, next.String(), nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.Do(req)
		if err != nil {
			return nil, fmt.Errorf("provider: %w", err)
		}
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if resp.StatusCode/100 != 3 || loc == "" {
			return nil, fmt.Errorf("provider: %s answered %d, want a redirect", next.Path, resp.StatusCode)
		}
		u, err := next.Parse(loc)
		if err != nil {
			return nil, fmt.Errorf("provider: redirect to %q: %w", loc, err)
		}
		if u.Scheme != start.Scheme || u.Host != start.Host {
			return u, nil
		}
		next = u
	}
	return nil, errors.New("provider: more than 10 redirects")
}
