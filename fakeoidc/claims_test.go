package fakeoidc_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/authkit-dev/authkit/fakeoidc"
)

// userClaims keeps the user's claims of an ID token or userinfo answer,
// without the protocol's (iss, aud, exp...).
func userClaims(claims map[string]any) map[string]any {
	out := map[string]any{}
	for _, k := range []string{"email", "email_verified", "name", "given_name", "phone_number", "groups"} {
		if v, ok := claims[k]; ok {
			out[k] = v
		}
	}
	return out
}

// TestClaimsPlacement checks where alice's claims are, set for the
// provider and for the client: by default (as certified providers) only
// in userinfo, with ClaimsInIDToken in the ID token too.
func TestClaimsPlacement(t *testing.T) {
	all := map[string]any{"email": "alice@example.com", "email_verified": true, "name": "Alice"}
	withPlacement := func(c fakeoidc.ClaimsPlacement) fakeoidc.Option {
		return fakeoidc.WithClient(fakeoidc.Client{ID: clientID, Secret: clientSecret, RedirectURIs: []string{redirectURI}, ClaimsPlacement: c})
	}
	for _, tc := range []struct {
		name        string
		opts        []fakeoidc.Option
		wantIDToken map[string]any
	}{
		{"default", nil, map[string]any{}},
		{"provider userinfo", []fakeoidc.Option{fakeoidc.WithClaimsPlacement(fakeoidc.ClaimsInUserInfo)}, map[string]any{}},
		{"provider id_token", []fakeoidc.Option{fakeoidc.WithClaimsPlacement(fakeoidc.ClaimsInIDToken)}, all},
		{"client id_token", []fakeoidc.Option{withPlacement(fakeoidc.ClaimsInIDToken)}, all},
		{"client userinfo over provider id_token", []fakeoidc.Option{fakeoidc.WithClaimsPlacement(fakeoidc.ClaimsInIDToken), withPlacement(fakeoidc.ClaimsInUserInfo)}, map[string]any{}},
		{"client default under provider id_token", []fakeoidc.Option{fakeoidc.WithClaimsPlacement(fakeoidc.ClaimsInIDToken), withPlacement(fakeoidc.ClaimsDefault)}, all},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.opts...)
			tok, idt, claims := e.signIn(t)
			if diff := cmp.Diff(tc.wantIDToken, userClaims(claims)); diff != "" {
				t.Errorf("the ID token's user claims (-want +got):\n%s", diff)
			}
			for _, k := range []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "sid"} {
				if _, ok := claims[k]; !ok {
					t.Errorf("the ID token lacks %q: %v", k, claims)
				}
			}
			ui := e.userInfo(t, tok)
			if diff := cmp.Diff(all, userClaims(ui)); diff != "" {
				t.Errorf("userinfo's user claims (-want +got):\n%s", diff)
			}
			if ui["sub"] != idt.Subject {
				t.Errorf("userinfo sub %v, want the ID token's %q (Core 5.3.2)", ui["sub"], idt.Subject)
			}
		})
	}
	if _, err := fakeoidc.New(fakeoidc.WithClaimsPlacement(fakeoidc.ClaimsPlacement(7))); err == nil {
		t.Error("New accepted an unknown claims placement")
	}
}

// TestClaimsFollowGrantedScopes checks Core 5.4 in both placements: the
// email scope releases email and email_verified, profile the name claims,
// phone phone_number; a claim no scope names (groups) comes with every
// grant.
func TestClaimsFollowGrantedScopes(t *testing.T) {
	carol := fakeoidc.User{Subject: "carol", Claims: map[string]any{
		"email": "carol@example.com", "email_verified": true, "name": "Carol", "given_name": "Carol",
		"phone_number": "+1 555 0100", "groups": []any{"admins"},
	}}
	for _, placement := range []fakeoidc.ClaimsPlacement{fakeoidc.ClaimsInUserInfo, fakeoidc.ClaimsInIDToken} {
		for _, tc := range []struct {
			scope string
			want  map[string]any
		}{
			{"openid", map[string]any{"groups": []any{"admins"}}},
			{"openid email", map[string]any{"email": "carol@example.com", "email_verified": true, "groups": []any{"admins"}}},
			{"openid profile", map[string]any{"name": "Carol", "given_name": "Carol", "groups": []any{"admins"}}},
			{"openid phone email", map[string]any{"email": "carol@example.com", "email_verified": true, "phone_number": "+1 555 0100", "groups": []any{"admins"}}},
		} {
			t.Run(placement.String()+"/"+tc.scope, func(t *testing.T) {
				e := newEnv(t, fakeoidc.WithUser(carol), fakeoidc.WithClaimsPlacement(placement))
				if err := e.p.SetLogin("carol"); err != nil {
					t.Fatal(err)
				}
				e.conf.Scopes = strings.Fields(tc.scope)
				tok, _, claims := e.signIn(t)
				if placement == fakeoidc.ClaimsInIDToken {
					if diff := cmp.Diff(tc.want, userClaims(claims)); diff != "" {
						t.Errorf("the ID token's user claims (-want +got):\n%s", diff)
					}
				}
				if diff := cmp.Diff(tc.want, userClaims(e.userInfo(t, tok))); diff != "" {
					t.Errorf("userinfo's user claims (-want +got):\n%s", diff)
				}
				if tok.Extra("scope") != tc.scope {
					t.Errorf("granted scope %v, want %q", tok.Extra("scope"), tc.scope)
				}
			})
		}
	}
}
