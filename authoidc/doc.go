// Package authoidc is "sign in with" an OpenID Connect provider for an
// authkit app, on golang.org/x/oauth2 and github.com/coreos/go-oidc/v3.
//
// A [Client] is built with [New] from the provider's issuer URL, the app's
// client ID, secret and redirect URL, and scopes ([Config]). Mount its two
// handlers behind authrequest.Middleware:
//
//	c, err := authoidc.New(a, authoidc.Config{Issuer: "https://accounts.example", ClientID: "...",
//		ClientSecret: "...", RedirectURL: "https://app.example/auth/oidc/callback", RequireVerifiedEmail: true})
//	mux.HandleFunc("GET /auth/oidc/start", c.Start)
//	mux.HandleFunc("GET /auth/oidc/callback", c.Callback)
//
// # The contract
//
// [Client.Start] runs the authorization code flow with PKCE (S256): it
// makes a state, a nonce and a verifier, keeps them in the flow cookie and
// redirects to the provider. The flow cookie is sealed with AES-256-GCM
// (it can be neither read nor forged), HttpOnly, Secure, SameSite=Lax (so
// it comes back on the provider's redirect), named "__Host-authkit-oidc"
// (so a sibling subdomain can't plant one), expires after
// [Config.FlowLifetime] (ten minutes) on the Auth's clock, and is
// single-use: the callback clears it first, whatever happens next.
//
// [Client.Callback] accepts the provider's answer only if the state
// matches the flow cookie's; exchanges the code with the verifier; has
// go-oidc verify the ID token's signature (against the provider's JWKS,
// fetched again when a token names a new key, so key rotation just works),
// issuer, audience and expiry on the Auth's clock; then checks the nonce
// and that iat is at most [Config.MaxClockSkew] in the future. With
// [Config.RequireVerifiedEmail], email_verified must be true.
//
// The identity is the key (ProviderID, subject), ProviderID being
// "oidc:" + issuer unless configured ([auth.Auth.GetKey]). A known key
// signs its user in; an unknown one creates a user with the key
// ([auth.Auth.CreateUser]); started with link=1 by a signed-in user, the
// key is added to that user ([auth.Auth.CreateKey]), or refused with
// [ErrLinkConflict] if it belongs to someone else. Signing in is
// [authrequest.AuthRequest.SignIn]: a new session, and whatever session
// the browser held is invalidated (no session fixation).
//
// Every failure wraps a sentinel of this package ([ErrNoFlow],
// [ErrBadFlow], [ErrStateMismatch], [ErrDenied] with a [ProviderError],
// [ErrExchange], [ErrProviderUnavailable], [ErrIDToken],
// [ErrNonceMismatch], [ErrEmailNotVerified], [ErrNotSignedIn],
// [ErrLinkConflict]) or [auth.ErrStore], goes to [Config.OnError]
// ([DefaultErrorHandler]: [StatusCode] and [Message]), creates no session
// and leaves the session cookie and the stored session as they were. A
// store failure is never a sign-out.
//
// Package scenarios/oidcscenarios holds the table of callback cases this
// contract is tested with, and package fakeoidc the provider they run
// against.
package authoidc
