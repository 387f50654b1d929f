package fakeoidc_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/fakeoidc"
)

// FuzzProvider sends any method, path, query, body and Authorization
// header to the provider: it never panics and never answers a token
// without a code it issued.
func FuzzProvider(f *testing.F) {
	f.Add("POST", "/token", "", "grant_type=authorization_code&code=x&code_verifier=y", "Basic YXBwOmFwcC1zZWNyZXQ=")
	f.Add("GET", "/authorize", "client_id=app&redirect_uri=https%3A%2F%2Fapp.example%2Fcallback&response_type=code&scope=openid&code_challenge=x&code_challenge_method=S256", "", "")
	f.Add("POST", "/revoke", "", "token=x", "Basic %%%")
	f.Add("GET", "/end_session", "id_token_hint=a.b.c&post_logout_redirect_uri=x", "", "")
	f.Add("GET", "/userinfo", "", "", "Bearer x")
	f.Fuzz(func(t *testing.T, method, path, query, body, authz string) {
		p, err := fakeoidc.New(fakeoidc.WithIssuer("http://op.test"),
			fakeoidc.WithClient(fakeoidc.Client{ID: "app", Secret: "app-secret", RedirectURIs: []string{"https://app.example/callback"}}),
			fakeoidc.WithUser(fakeoidc.User{Subject: "alice"}))
		if err != nil {
			t.Fatal(err)
		}
		req, err := newFuzzRequest(method, path, query, body)
		if err != nil {
			t.Skip()
		}
		if authz != "" {
			req.Header.Set("Authorization", authz)
		}
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, req)
		if strings.Contains(rec.Body.String(), `"access_token"`) {
			t.Fatalf("%s %s answered a token: %s", method, path, rec.Body)
		}
	})
}
