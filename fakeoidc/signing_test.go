package fakeoidc_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/oauth2"

	"github.com/authkit-dev/authkit/fakeoidc"
)

func TestDiscoveryAdvertisesRS256First(t *testing.T) {
	e := newEnv(t)
	var meta struct {
		Algs []string `json:"id_token_signing_alg_values_supported"`
	}
	if err := e.op.Claims(&meta); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"RS256", "PS256", "ES256", "EdDSA"}, meta.Algs); diff != "" {
		t.Errorf("id_token_signing_alg_values_supported (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(meta.Algs, fakeoidc.SigningAlgorithms()); diff != "" {
		t.Errorf("SigningAlgorithms differs from discovery (-discovery +SigningAlgorithms):\n%s", diff)
	}
}

func TestDefaultSigningAlgorithmIsRS256(t *testing.T) {
	e := newEnv(t)
	tok, _, _ := e.signIn(t)
	raw, _ := tok.Extra("id_token").(string)
	if got := headerAlg(t, raw); got != "RS256" {
		t.Errorf("ID token signed with %s, want RS256", got)
	}
	set := e.jwks(t)
	if len(set.Keys) != 1 || set.Keys[0].Algorithm != "RS256" || set.Keys[0].Use != "sig" {
		t.Errorf("JWKS %+v, want one RS256 signing key", set.Keys)
	}
}

// TestRelyingPartyCompletesFlowWithEachAlgorithm runs go-oidc and
// x/oauth2 through the code flow with PKCE for every algorithm, chosen by
// the provider and by the client: the ID token is signed with it and
// verifies, userinfo answers, and the ID token is a valid hint at end
// session.
func TestRelyingPartyCompletesFlowWithEachAlgorithm(t *testing.T) {
	for _, alg := range fakeoidc.SigningAlgorithms() {
		for _, by := range []string{"provider", "client"} {
			t.Run(alg+"/"+by, func(t *testing.T) {
				opt := fakeoidc.WithSigningAlgorithm(alg)
				if by == "client" {
					opt = fakeoidc.WithClient(fakeoidc.Client{ID: clientID, Secret: clientSecret, RedirectURIs: []string{redirectURI},
						PostLogoutRedirectURIs: []string{afterLogout}, SigningAlgorithm: alg})
				}
				e := newEnv(t, opt)
				tok, idt, _ := e.signIn(t)
				raw, _ := tok.Extra("id_token").(string)
				if got := headerAlg(t, raw); got != alg {
					t.Errorf("ID token signed with %s, want %s", got, alg)
				}
				if idt.Subject != "alice" || idt.Nonce != "nonce" {
					t.Errorf("ID token: sub %q nonce %q", idt.Subject, idt.Nonce)
				}
				if ui := e.userInfo(t, tok); ui["email"] != "alice@example.com" {
					t.Errorf("userinfo %v, want alice's email", ui)
				}
				var algs []string
				for _, k := range e.jwks(t).Keys {
					algs = append(algs, k.Algorithm)
				}
				if !slices.Contains(algs, alg) {
					t.Errorf("JWKS algorithms %v lack %s", algs, alg)
				}

				resp, err := noRedirect.Get(e.p.URL(fakeoidc.EndSession) + "?" + url.Values{"id_token_hint": {raw}}.Encode())
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Errorf("end session with a %s hint: %d, want 200", alg, resp.StatusCode)
				}
				if _, err := e.op.UserInfo(context.Background(), oauth2.StaticTokenSource(tok)); err == nil {
					t.Error("userinfo still answers after end session")
				}
			})
		}
	}
}

func TestUnsupportedSigningAlgorithm(t *testing.T) {
	for _, alg := range []string{"HS256", "none", "RS512", "rs256"} {
		if _, err := fakeoidc.New(fakeoidc.WithSigningAlgorithm(alg)); !errors.Is(err, fakeoidc.ErrUnsupportedAlgorithm) {
			t.Errorf("New with %q: %v, want ErrUnsupportedAlgorithm", alg, err)
		}
		p, err := fakeoidc.New()
		if err != nil {
			t.Fatal(err)
		}
		c := fakeoidc.Client{ID: "app", RedirectURIs: []string{redirectURI}, SigningAlgorithm: alg}
		if err := p.AddClient(c); !errors.Is(err, fakeoidc.ErrUnsupportedAlgorithm) {
			t.Errorf("a client with %q: %v, want ErrUnsupportedAlgorithm", alg, err)
		}
	}
}

// TestJWKSPublishesKeyPerAlgorithmInUse registers clients of two other
// algorithms beside the provider's RS256: the JWKS has one key of each,
// and RotateKey rotates all three while keeping each previous key.
func TestJWKSPublishesKeyPerAlgorithmInUse(t *testing.T) {
	e := newEnv(t,
		fakeoidc.WithClient(fakeoidc.Client{ID: "ec", RedirectURIs: []string{redirectURI}, SigningAlgorithm: "ES256"}),
		fakeoidc.WithClient(fakeoidc.Client{ID: "ed", RedirectURIs: []string{redirectURI}, SigningAlgorithm: "EdDSA"}))
	type key struct{ ID, Alg, Use, Type string }
	keys := func() []key {
		var out []key
		for _, k := range e.jwks(t).Keys {
			out = append(out, key{k.KeyID, k.Algorithm, k.Use, keyType(k)})
		}
		return out
	}
	before := keys()
	want := []key{{"", "RS256", "sig", "RSA"}, {"", "ES256", "sig", "EC"}, {"", "EdDSA", "sig", "OKP"}}
	if diff := cmp.Diff(want, before, cmpopts.IgnoreFields(key{}, "ID")); diff != "" {
		t.Fatalf("JWKS (-want +got):\n%s", diff)
	}
	if ids := e.p.KeyIDs(); !slices.Equal(ids, []string{before[0].ID, before[1].ID, before[2].ID}) {
		t.Errorf("KeyIDs %v, want the JWKS's %v", ids, before)
	}
	if err := e.p.RotateKey(); err != nil {
		t.Fatal(err)
	}
	after := keys()
	if len(after) != 6 {
		t.Fatalf("JWKS after a rotation %v, want two keys of each algorithm", after)
	}
	for i, alg := range []string{"RS256", "ES256", "EdDSA"} {
		prev, next := after[2*i], after[2*i+1]
		if prev != before[i] || next.Alg != alg || next.ID == prev.ID {
			t.Errorf("%s after a rotation: %v then %v, want %v kept then a new key", alg, prev, next, before[i])
		}
	}
}

// keyType returns the JWK "kty" of a key.
func keyType(k jose.JSONWebKey) string {
	b, err := k.MarshalJSON()
	if err != nil {
		return "?"
	}
	var v struct {
		Kty string `json:"kty"`
	}
	_ = json.Unmarshal(b, &v)
	return v.Kty
}

// TestKeysAreGeneratedOnce asks for the keys from many goroutines at
// once, before any exists: every caller sees the same key.
func TestKeysAreGeneratedOnce(t *testing.T) {
	p, err := fakeoidc.New(fakeoidc.WithIssuer("http://op.test"))
	if err != nil {
		t.Fatal(err)
	}
	ids := make([][]string, 8)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() { ids[i] = p.KeyIDs() })
	}
	wg.Wait()
	for _, got := range ids {
		if len(got) != 1 || got[0] != ids[0][0] {
			t.Fatalf("key IDs seen at once: %v, want one key", ids)
		}
	}
}
