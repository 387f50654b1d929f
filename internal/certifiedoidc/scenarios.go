package certifiedoidc

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/fakeoidc"
	"github.com/authkit-dev/authkit/scenarios/oidcscenarios"
)

// ForScenarios starts a provider with oidcscenarios' users and the app
// registered at redirectURL, and returns what oidcscenarios.Target's
// NewProvider takes: every case shares this one provider, each on its own
// clock, so the cases must run one at a time (oidcscenarios.Execute in a
// loop).
func ForScenarios(tb testing.TB, redirectURL string) func(auth.Clock, string) (oidcscenarios.Provider, func(), error) {
	tb.Helper()
	opts := Options{Clients: []Client{{ID: oidcscenarios.ClientID, Secret: oidcscenarios.ClientSecret, RedirectURIs: []string{redirectURL}}}}
	for _, u := range oidcscenarios.Users() {
		opts.Users = append(opts.Users, User{Subject: u.Subject, Claims: u.Claims})
	}
	p := Start(tb, opts)
	return func(clock auth.Clock, r string) (oidcscenarios.Provider, func(), error) {
		if r != redirectURL {
			return nil, nil, fmt.Errorf("certifiedoidc: the app's redirect URL is %q; the provider was started for %q", r, redirectURL)
		}
		return &scenarioProvider{p: p, clock: clock}, func() {}, nil
	}
}

// scenarioProvider is the provider as one case sees it: on the case's
// clock.
type scenarioProvider struct {
	p     *Provider
	clock auth.Clock
}

func (s *scenarioProvider) Issuer() string                { return s.p.Issuer() }
func (s *scenarioProvider) SetLogin(subject string) error { return s.p.SetLogin(subject) }
func (s *scenarioProvider) RotateKey() error              { return s.p.RotateKey() }

// Fail expresses what a person can make a real provider do: cancel at
// the login page (access_denied). Every other fault is a fake's.
func (s *scenarioProvider) Fail(ep fakeoidc.Endpoint, f fakeoidc.Fault) error {
	if ep == fakeoidc.Authorize && f == fakeoidc.OAuthError("access_denied") {
		return s.p.DenyNext()
	}
	return fmt.Errorf("%w: %s at %s (only a fake provider can be made to do that)", oidcscenarios.ErrNotExpressible, f, ep)
}

func (s *scenarioProvider) Authorize(ctx context.Context, authURL string) (*url.URL, error) {
	return s.p.Authorize(ctx, authURL, s.clock.Now)
}

// Client tells the provider the case's time on every request.
func (s *scenarioProvider) Client() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: s.p.Transport(nil, s.clock.Now)}
}
