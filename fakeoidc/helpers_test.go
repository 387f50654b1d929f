package fakeoidc_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
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

// authorize runs the browser's part: it requests the authorization URL,
// with opts such as prompt or max_age, and returns the callback's query.
func (e *env) authorize(t *testing.T, state, nonce, verifier string, opts ...oauth2.AuthCodeOption) url.Values {
	t.Helper()
	opts = append([]oauth2.AuthCodeOption{oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)}, opts...)
	resp, err := noRedirect.Get(e.conf.AuthCodeURL(state, opts...))
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

// signIn runs the whole code flow with PKCE as a relying party does:
// authorize (with opts), exchange the code, and verify the ID token with
// go-oidc. It returns the tokens, the verified ID token and its claims.
func (e *env) signIn(t *testing.T, opts ...oauth2.AuthCodeOption) (*oauth2.Token, *oidc.IDToken, map[string]any) {
	t.Helper()
	v := oauth2.GenerateVerifier()
	cb := e.authorize(t, "state", "nonce", v, opts...)
	if cb.Get("code") == "" {
		t.Fatalf("authorize answered %v, want a code", cb)
	}
	return e.exchange(t, cb.Get("code"), v)
}

// exchange redeems a code and verifies the ID token with go-oidc.
func (e *env) exchange(t *testing.T, code, verifier string) (*oauth2.Token, *oidc.IDToken, map[string]any) {
	t.Helper()
	ctx := context.Background()
	tok, err := e.conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := e.verifier().Verify(ctx, raw)
	if err != nil {
		t.Fatalf("go-oidc verify: %v", err)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	return tok, idt, claims
}

// userInfo reads the userinfo endpoint with go-oidc and returns its
// claims.
func (e *env) userInfo(t *testing.T, tok *oauth2.Token) map[string]any {
	t.Helper()
	ui, err := e.op.UserInfo(context.Background(), oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatalf("userinfo: %v", err)
	}
	var claims map[string]any
	if err := ui.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

// headerAlg returns the "alg" of a JWT's header.
func headerAlg(t *testing.T, raw string) string {
	t.Helper()
	head, _, _ := strings.Cut(raw, ".")
	b, err := base64.RawURLEncoding.DecodeString(head)
	var h struct {
		Alg string `json:"alg"`
	}
	if err == nil {
		err = json.Unmarshal(b, &h)
	}
	if err != nil {
		t.Fatalf("JWT header of %q: %v", raw, err)
	}
	return h.Alg
}

// authTime returns the auth_time claim as a time.
func authTime(t *testing.T, claims map[string]any) time.Time {
	t.Helper()
	n, ok := claims["auth_time"].(float64)
	if !ok {
		t.Fatalf("the ID token has no auth_time: %v", claims)
	}
	return time.Unix(int64(n), 0)
}

// jwks fetches the provider's JWKS.
func (e *env) jwks(t *testing.T) jose.JSONWebKeySet {
	t.Helper()
	resp, err := http.Get(e.p.URL(fakeoidc.JWKS))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatalf("JWKS: %v", err)
	}
	return set
}
