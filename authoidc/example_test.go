package authoidc_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/authoidc"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/fakeoidc"
)

// Sign-in with a provider from start to end: the app on a fake, the
// provider a fakeoidc on a listener, the browser a cookie jar.
func Example() {
	f, _ := fakeauth.New()
	p, _ := fakeoidc.New(
		fakeoidc.WithClock(f.Clock),
		fakeoidc.WithUser(fakeoidc.User{Subject: "alice", Claims: map[string]any{"email": "alice@example.com", "email_verified": true}}),
		fakeoidc.WithClient(fakeoidc.Client{ID: "app", Secret: "s3cret", RedirectURIs: []string{"https://example.com/auth/oidc/callback"}}),
	)
	srv := httptest.NewServer(p)
	defer srv.Close()
	_ = p.SetIssuer(srv.URL)
	_ = p.SetLogin("alice")

	c, err := authoidc.New(f.Auth, authoidc.Config{
		Issuer: p.Issuer(), ClientID: "app", ClientSecret: "s3cret",
		RedirectURL: "https://example.com/auth/oidc/callback", RequireVerifiedEmail: true,
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/auth/oidc/start", c.Start)
	mux.HandleFunc("GET /auth/oidc/callback", c.Callback)
	app := authrequest.MustMiddleware(f.Auth)(mux)

	jar := authtest.NewJar(authtest.WithClock(f.Clock))
	req, _ := authtest.BuildRequest("GET", "/auth/oidc/start").Request()
	start := jar.Serve(app, req)
	toProvider := start.Header().Get("Location")
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, _ := noFollow.Get(toProvider) // the provider approves and sends the browser back
	resp.Body.Close()
	back, _ := url.Parse(resp.Header.Get("Location"))
	req, _ = authtest.BuildRequest("GET", back.RequestURI()).Request()
	done := jar.Serve(app, req)

	cookie, _ := jar.Cookie(f.Auth.CookieName())
	s, _, _ := f.Auth.ValidateSessionUser(done.Request.Context(), cookie.Value)
	key, _ := f.Auth.GetKey(done.Request.Context(), c.ProviderID(), "alice")
	fmt.Println(done.Code, s.UserID == key.UserID)
	// Output: 303 true
}

// StatusCode and Message answer a failed sign-in; OnError may use them.
func ExampleStatusCode() {
	err := &authoidc.ProviderError{Code: "access_denied"}
	fmt.Println(authoidc.StatusCode(err), authoidc.Message(err))
	// Output: 403 Sign-in was cancelled at the provider.
}

// An app with its own users table: the Auth is on a sessions-only store,
// and ResolveUser maps each verified identity to the app's user ID,
// creating the user at first sign-in.
func ExampleConfig_resolveUser() {
	a, err := auth.New(memstore.NewSessions(), auth.Config{})
	if err != nil {
		panic(err)
	}
	users := map[string]string{} // "provider subject" → the app's user ID
	_, err = authoidc.New(a, authoidc.Config{
		Issuer: "https://accounts.example", ClientID: "app", ClientSecret: "s3cret",
		RedirectURL: "https://example.com/auth/oidc/callback", RequireVerifiedEmail: true,
		ResolveUser: func(ctx context.Context, id authoidc.Identity) (string, error) {
			k := id.ProviderID + " " + id.Subject
			if u, ok := users[k]; ok {
				return u, nil
			}
			if id.LinkUserID != "" { // a signed-in user links this identity
				users[k] = id.LinkUserID
				return id.LinkUserID, nil
			}
			users[k] = fmt.Sprintf("user-%d", len(users)+1) // INSERT INTO users (email) ...
			return users[k], nil
		},
	})
	fmt.Println(err)

	// Without ResolveUser, New says what is missing.
	_, err = authoidc.New(a, authoidc.Config{Issuer: "https://accounts.example", ClientID: "app", RedirectURL: "https://example.com/cb"})
	fmt.Println(errors.Is(err, authoidc.ErrConfig))
	// Output:
	// <nil>
	// true
}
