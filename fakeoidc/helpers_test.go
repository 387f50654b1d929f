package fakeoidc_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/fakeoidc"
)

const (
	clientID     = "app"
	clientSecret = "app-secret"
	redirectURI  = "https://app.example/callback"
	afterLogout  = "https://app.example/signed-out"
)

// env is a provider on a real listener, with go-oidc and x/oauth2 (code
// this project did not write) configured as its client.
type env struct {
	p     *fakeoidc.Provider
	clock *fakeauth.Clock
	op    *oidc.Provider
	conf  oauth2.Config
}

func newEnv(t *testing.T, opts ...fakeoidc.Option) *env {
	t.Helper()
	clock := fakeauth.NewClock(fakeauth.DefaultStart())
	opts = append([]fakeoidc.Option{
		fakeoidc.WithClock(clock),
		fakeoidc.WithUser(fakeoidc.User{Subject: "alice", Claims: map[string]any{"email": "alice@example.com", "email_verified": true, "name": "Alice"}}),
		fakeoidc.WithClient(fakeoidc.Client{ID: clientID, Secret: clientSecret, RedirectURIs: []string{redirectURI}, PostLogoutRedirectURIs: []string{afterLogout}}),
	}, opts...)
	p := fakeoidc.NewServer(t, opts...)
	if err := p.SetLogin("alice"); err != nil {
		t.Fatal(err)
	}
	op, err := oidc.NewProvider(context.Background(), p.Issuer())
	if err != nil {
		t.Fatalf("go-oidc discovery: %v", err)
	}
	// AuthStyleInHeader: auto-detection would retry a failed request in
	// the body, and so spend two faults.
	ep := op.Endpoint()
	ep.AuthStyle = oauth2.AuthStyleInHeader
	return &env{p: p, clock: clock, op: op, conf: oauth2.Config{
		ClientID: clientID, ClientSecret: clientSecret, RedirectURL: redirectURI,
		Endpoint: ep, Scopes: []string{oidc.ScopeOpenID, "email", "profile"},
	}}
}

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// authorize runs the browser's part: it requests the authorization URL
// and returns the callback's query.
func (e *env) authorize(t *testing.T, state, nonce, verifier string) url.Values {
	t.Helper()
	resp, err := noRedirect.Get(e.conf.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: status %d, want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != redirectURI {
		t.Fatalf("authorize redirected to %q, want %q", got, redirectURI)
	}
	return loc.Query()
}

func (e *env) verifier() *oidc.IDTokenVerifier {
	return e.op.Verifier(&oidc.Config{ClientID: clientID, Now: e.clock.Now})
}
