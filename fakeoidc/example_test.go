package fakeoidc_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/fakeoidc"
)

// A provider on a listener of its own, on the clock of a fake, found by
// go-oidc's discovery.
func Example() {
	f, _ := fakeauth.New()
	p, err := fakeoidc.New(
		fakeoidc.WithClock(f.Clock),
		fakeoidc.WithUser(fakeoidc.User{Subject: "alice", Claims: map[string]any{"email": "alice@example.com", "email_verified": true}}),
		fakeoidc.WithClient(fakeoidc.Client{ID: "app", Secret: "s3cret", RedirectURIs: []string{"https://app.example/callback"}}),
	)
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(p)
	defer srv.Close()
	_ = p.SetIssuer(srv.URL)
	_ = p.SetLogin("alice") // approve every authorization as alice, without a page

	op, err := oidc.NewProvider(context.Background(), p.Issuer())
	fmt.Println(err == nil, op.Endpoint().TokenURL == p.URL(fakeoidc.Token))
	// Output: true true
}

// Faults are aimed at one endpoint: the next token request answers 503,
// and the call log names the fault.
func ExampleProvider_FailNext() {
	p, _ := fakeoidc.New(fakeoidc.WithIssuer("http://op.test"))
	_ = p.FailNext(fakeoidc.Token, 1, fakeoidc.ServerError(http.StatusServiceUnavailable))
	_ = p.FailNext(fakeoidc.Token, 1, fakeoidc.WrongAudience())
	for _, pf := range p.PendingFaults() {
		fmt.Println(pf.Endpoint, pf.Fault, pf.Left)
	}
	err := p.FailNext(fakeoidc.UserInfo, 1, fakeoidc.NonceMismatch())
	fmt.Println(err)
	// Output:
	// token server-error:503 1
	// token wrong-audience 1
	// fakeoidc: fault does not fit the endpoint: nonce-mismatch spoils an ID token, which only "token" issues
}

// The call log keeps the names of secret parameters, never their values.
func ExampleProvider_Calls() {
	p, _ := fakeoidc.New(fakeoidc.WithIssuer("http://op.test"))
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest("POST", "http://op.test/token?grant_type=authorization_code&code=SECRET-CODE&client_id=app", nil))
	fmt.Println(p.Calls()[0])
	// Output: POST token client=app [client_id=app code grant_type=authorization_code] 401
}

// A provider signs with ES256 and one of its clients asked for EdDSA: the
// JWKS publishes a key for each algorithm in use, and discovery lists every
// algorithm the provider supports, RS256 first.
func ExampleWithSigningAlgorithm() {
	p, _ := fakeoidc.New(fakeoidc.WithIssuer("http://op.test"),
		fakeoidc.WithSigningAlgorithm("ES256"),
		fakeoidc.WithClient(fakeoidc.Client{ID: "app", RedirectURIs: []string{"https://app.example/callback"}, SigningAlgorithm: "EdDSA"}))
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest("GET", p.URL(fakeoidc.JWKS), nil))
	var set struct {
		Keys []struct {
			Alg string `json:"alg"`
			Use string `json:"use"`
		} `json:"keys"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &set)
	for _, k := range set.Keys {
		fmt.Println(k.Alg, k.Use)
	}
	fmt.Println(fakeoidc.SigningAlgorithms())
	// Output:
	// ES256 sig
	// EdDSA sig
	// [RS256 PS256 ES256 EdDSA]
}
