package oidcscenarios_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/authkit-dev/authkit/authoidc"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/scenarios/oidcscenarios"
)

// The app under test: authoidc's routes on the case's fake and provider.
func appHandler(env *oidcscenarios.Env) (http.Handler, error) {
	c, err := authoidc.New(env.Fake.Auth, authoidc.Config{
		Issuer: env.Provider.Issuer(), ClientID: env.ClientID, ClientSecret: env.ClientSecret,
		RedirectURL: env.RedirectURL, HTTPClient: env.HTTPClient, RequireVerifiedEmail: true,
	})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/auth/oidc/start", c.Start)
	mux.HandleFunc("GET /auth/oidc/callback", c.Callback)
	return authrequest.MustMiddleware(env.Fake.Auth)(mux), nil
}

// Run a few cases of the table against the app; in a test,
// oidcscenarios.Run(t, target, oidcscenarios.Standard()...) runs them all
// as subtests.
func Example() {
	target := oidcscenarios.Target{Handler: appHandler}
	for _, c := range oidcscenarios.Standard()[:3] {
		r := oidcscenarios.Execute(context.Background(), target, c)
		fmt.Println(c.Name(), r.Passed())
	}
	// Output:
	// new-user true
	// returning-user true
	// planted-session-replaced true
}

// Describe says what a case gives, does and expects.
func ExampleCase_Describe() {
	for _, c := range oidcscenarios.Standard() {
		if c.Name() == "nonce-mismatch" {
			fmt.Println(c.Describe())
		}
	}
	// Output: given bob signed in, fault nonce-mismatch at token; when alice signs in at the provider; then refused with 401 (ErrNonceMismatch), no session created, the old one kept
}
