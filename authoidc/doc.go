// Package authoidc is "sign in with" an OpenID Connect provider for an
// authkit app, on golang.org/x/oauth2 and github.com/coreos/go-oidc/v3.
//
// A [Client] is built with [New] from the provider's issuer URL, the app's
// client ID, secret and redirect URL, and scopes ([Config]). Mount its two
// handlers behind authrequest.Middleware:
//
//	c, err := authoidc.New(a, authoidc.Config{Issuer: "https://accounts.example", ClientID: "...",
//		ClientSecret: "...", RedirectURL: "https://app.example/auth/oidc/callback", RequireVerifiedEmail: true})
//	mux.HandleFunc("/auth/oidc/start", c.Start) // GET a link, or POST a form (linking: POST only)
//	mux.HandleFunc("GET /auth/oidc/callback", c.Callback)
//	mux.HandleFunc("POST /auth/oidc/logout", c.Logout)
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
// A return_to parameter passes [authrequest.SafeReturnPath], the one rule
// for where a browser may be sent after signing in. Linking (link=1) starts
// only from a same-origin POST: a cross-site top-level GET carries the
// SameSite=Lax session cookie, and would let another site link its own
// provider identity to the victim's account.
//
// [Client.Callback] accepts the provider's answer only if the state
// matches the flow cookie's and, when the answer has an iss parameter or
// the provider advertises one, iss is the provider's issuer (RFC 9207
// §2.4, the mix-up defence); exchanges the code with the verifier; has
// go-oidc verify the ID token's signature (against the provider's JWKS,
// fetched again when a token names a new key, so key rotation just works),
// issuer, audience and expiry on the Auth's clock; then checks the nonce
// and that iat is at most [Config.MaxClockSkew] in the future. When the ID
// token lacks a claim of the scopes asked for (email, email_verified,
// name), it reads the userinfo endpoint, as certified providers expect in
// the code flow (OpenID Connect Core 1.0 §5.4); the answer's sub must be
// the ID token's (§5.3.2). With [Config.RequireVerifiedEmail],
// email_verified must then be true.
//
// The identity is the key (ProviderID, subject), ProviderID being
// "oidc:" + issuer unless configured ([auth.Auth.GetKey]). A known key
// signs its user in; an unknown one creates a user with the key
// ([auth.Auth.CreateUser]); started with link=1 by a signed-in user, the
// key is added to that user ([auth.Auth.CreateKey]), or refused with
// [ErrLinkConflict] if it belongs to someone else. An app with its own
// users table (an Auth on a sessions-only store) maps the identity itself
// with [Config.ResolveUser]; [New] refuses such an Auth without one.
// Signing in is [authrequest.AuthRequest.SignIn]: a new session, and
// whatever session the browser held is invalidated (no session fixation).
//
// [Client.Logout] signs out of the app, then sends the browser to the
// provider's end_session_endpoint (OpenID Connect RP-Initiated Logout 1.0).
//
// Every failure wraps a sentinel of this package ([ErrNoFlow],
// [ErrBadFlow], [ErrStateMismatch], [ErrIssuerMismatch], [ErrDenied] with
// a [ProviderError], [ErrExchange], [ErrProviderUnavailable], [ErrIDToken],
// [ErrUserInfo], [ErrNonceMismatch], [ErrEmailNotVerified],
// [ErrNotSignedIn], [ErrLinkConflict]), [authrequest.ErrCrossOrigin] or
// [auth.ErrStore], or is the app's own (a [Config.ResolveUser] error: 500);
// goes to [Config.OnError] ([DefaultErrorHandler]: [StatusCode] and
// [Message]), creates no session and leaves the session cookie and the
// stored session as they were. A store failure is never a sign-out. Every
// failure is logged through the Auth's logger: at Error with its cause
// when it is the app's, the store's or the provider's (a 5xx status), at
// Warn otherwise.
//
// Package scenarios/oidcscenarios holds the table of callback cases this
// contract is tested with, and package fakeoidc the provider they run
// against.
package authoidc
