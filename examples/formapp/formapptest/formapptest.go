// Package formapptest describes package formapp's app for authkit's
// scenario tables: its routes and what each answers signed out, its
// sign-up, sign-in and sign-out forms. This package's test runs the
// standard table on the app so described, and so does the mutant test of
// package scenarios, which checks that each bug it plants in the app is
// caught.
package formapptest

import (
	"net/http"

	"github.com/authkit-dev/authkit/examples/formapp"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/scenarios"
)

// Target describes the app as it is routed, for the scenarios table.
func Target() scenarios.Target {
	return scenarios.Target{
		Handler: func(f *fakeauth.Fake) http.Handler { return formapp.NewHandler(f.Auth, nil) },
		Routes: []scenarios.Route{
			{Pattern: "GET /{$}", SignedOut: scenarios.PageWithout("Signed in as")},
			{Pattern: "GET /account", SignedOut: scenarios.RedirectTo("/login")},
		},
		SignUp:  &scenarios.Form{Route: "POST /signup", Success: scenarios.RedirectTo("/account")},
		SignIn:  &scenarios.Form{Route: "POST /login", Success: scenarios.RedirectTo("/account")},
		SignOut: &scenarios.SignOut{Route: "POST /logout", Success: scenarios.RedirectTo("/"), NoSession: scenarios.RedirectTo("/")},
	}
}
