package fakeoidc_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/fakeoidc"
)

// TestUserInfoMethods checks Core 5.3.1 and RFC 6750 section 2: userinfo
// answers GET and POST, with the token in the Authorization header or in
// a POST's form body, and refuses a request that sends it both ways.
func TestUserInfoMethods(t *testing.T) {
	e := newEnv(t)
	tok, _, _ := e.signIn(t)
	ui := e.p.URL(fakeoidc.UserInfo)
	form := func(v url.Values) *http.Request {
		req, _ := http.NewRequest("POST", ui, strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return req
	}
	get, _ := http.NewRequest("GET", ui, nil)
	get.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	postHeader := form(url.Values{})
	postHeader.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	postBody := form(url.Values{"access_token": {tok.AccessToken}})
	both := form(url.Values{"access_token": {tok.AccessToken}})
	both.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	put, _ := http.NewRequest("PUT", ui, nil)
	put.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	for _, tc := range []struct {
		name   string
		req    *http.Request
		status int
	}{
		{"GET with the header", get, http.StatusOK},
		{"POST with the header", postHeader, http.StatusOK},
		{"POST with the form body", postBody, http.StatusOK},
		{"POST with both", both, http.StatusBadRequest},
		{"POST with a wrong token", form(url.Values{"access_token": {"nope"}}), http.StatusUnauthorized},
		{"PUT", put, http.StatusMethodNotAllowed},
	} {
		resp, err := http.DefaultClient.Do(tc.req)
		if err != nil {
			t.Fatal(err)
		}
		var claims map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&claims)
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s: %d %v, want %d", tc.name, resp.StatusCode, claims, tc.status)
		}
		if tc.status == http.StatusOK && (claims["sub"] != "alice" || claims["email"] != "alice@example.com") {
			t.Errorf("%s: claims %v, want alice's", tc.name, claims)
		}
	}
}
