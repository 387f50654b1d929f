// Package jsonapitest describes package jsonapi's API for authkit's
// scenario tables: its routes, cookie and bearer, and its sign-up,
// sign-in and sign-out endpoints. This package's test runs the standard
// table on the API so described, and so does the mutant test of package
// scenarios, which checks that each bug it plants in the API is caught.
package jsonapitest

import (
	"net/http"

	"github.com/authkit-dev/authkit/examples/jsonapi"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/scenarios"
)

// Target describes the API as it is routed. Each case's user signs up
// through the API itself, with an email address as the username.
func Target() scenarios.Target {
	signIn := scenarios.Form{Route: "POST /api/login", JSON: true, UsernameField: "email", Success: scenarios.OK()}
	signUp := signIn
	signUp.Route = "POST /api/signup"
	return scenarios.Target{
		Handler: func(f *fakeauth.Fake) http.Handler { return jsonapi.NewHandler(f.Auth, nil) },
		Routes:  []scenarios.Route{{Pattern: "GET /api/me", SignedOut: scenarios.Unauthorized()}},
		// GET /api/me takes a bearer token too, and sign-up and sign-in
		// answer the token for bearer clients.
		BearerRoutes:  []scenarios.Route{{Pattern: "GET /api/me", SignedOut: scenarios.Unauthorized()}},
		TokensInBody:  true,
		SignUp:        &signUp,
		SignIn:        &signIn,
		SignOut:       &scenarios.SignOut{Route: "POST /api/logout", Success: scenarios.OK(), NoSession: scenarios.Unauthorized()},
		Credentials:   scenarios.Credentials{Username: "ada@example.com", Password: "correct horse battery staple"},
		UsersBySignUp: true,
	}
}
