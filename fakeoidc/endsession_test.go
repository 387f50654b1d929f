package fakeoidc_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"golang.org/x/oauth2"

	"github.com/authkit-dev/authkit/fakeoidc"
)

const otherAfterLogout = "https://other.example/signed-out"

// TestEndSessionChecksTheHintsClient checks OpenID RP-Initiated Logout
// 1.0: a client_id that is not the id_token_hint's audience is refused
// (section 2), and so is another client's post_logout_redirect_uri
// (section 3); in both cases nothing is ended. The hint's own client's
// URI is followed.
func TestEndSessionChecksTheHintsClient(t *testing.T) {
	other := fakeoidc.Client{ID: "other", Secret: "other-secret", RedirectURIs: []string{"https://other.example/callback"}, PostLogoutRedirectURIs: []string{otherAfterLogout}}
	for _, tc := range []struct {
		name   string
		params url.Values
		status int
		ended  bool
	}{
		{"client_id of another client", url.Values{"client_id": {"other"}}, http.StatusBadRequest, false},
		{"client_id of another client with its URI", url.Values{"client_id": {"other"}, "post_logout_redirect_uri": {otherAfterLogout}}, http.StatusBadRequest, false},
		{"another client's URI", url.Values{"post_logout_redirect_uri": {otherAfterLogout}}, http.StatusBadRequest, false},
		{"the hint's client and URI", url.Values{"client_id": {clientID}, "post_logout_redirect_uri": {afterLogout}}, http.StatusFound, true},
		{"the hint's URI", url.Values{"post_logout_redirect_uri": {afterLogout}}, http.StatusFound, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, fakeoidc.WithClient(other))
			tok, _, _ := e.signIn(t)
			raw, _ := tok.Extra("id_token").(string)
			q := url.Values{"id_token_hint": {raw}}
			for k, vs := range tc.params {
				q[k] = vs
			}
			resp, err := noRedirect.Get(e.p.URL(fakeoidc.EndSession) + "?" + q.Encode())
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("end session: %d to %q, want %d", resp.StatusCode, resp.Header.Get("Location"), tc.status)
			}
			if loc := resp.Header.Get("Location"); tc.status == http.StatusFound && loc != afterLogout {
				t.Errorf("end session redirected to %q, want %q", loc, afterLogout)
			}
			_, err = e.op.UserInfo(ctx, oauth2.StaticTokenSource(tok))
			if ended := err != nil; ended != tc.ended {
				t.Errorf("session ended: %v (userinfo: %v), want %v", ended, err, tc.ended)
			}
		})
	}
}
