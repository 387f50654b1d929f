// Package fakeoidc is a real OpenID Connect provider for tests and the
// playground: an [http.Handler] that serves discovery, a JWKS with key
// rotation, the authorization endpoint (approving as a chosen test user, or
// showing a consent page), the token endpoint (client_secret_basic and
// client_secret_post, single-use expiring codes, PKCE S256, refresh
// tokens), userinfo, end session and token revocation.
//
// A [Provider] is built with [New] and mounted on any listener: its routes
// are the issuer URL's path followed by
//
//	/.well-known/openid-configuration   discovery
//	/jwks                                the signing keys (ES256)
//	/authorize                           GET: approve or show the consent page; POST: the page's answer
//	/token                               authorization_code and refresh_token grants
//	/userinfo                            the user's claims for a bearer access token
//	/end_session                         RP-initiated logout: ends the provider session of an ID token
//	/revoke                              RFC 7009 revocation of an access or refresh token
//
// so an issuer of "http://127.0.0.1:8080/oidc" is served by mounting the
// provider at "/oidc/". [NewServer] starts one on an httptest server for a
// test.
//
// # Time
//
// Every expiry (codes, access and refresh tokens, ID tokens) reads the
// provider's own [auth.Clock] ([WithClock]); give it the clock of a
// fakeauth.Fake and one time machine moves the app and the provider
// together. Nothing is package-level: two providers share nothing.
//
// # Faults
//
// [Provider.FailNext] aims a [Fault] at one [Endpoint] for its next n
// requests: an OAuth error code ([OAuthError]), a 5xx ([ServerError]), a
// wait that outlasts the client's timeout ([Delay]), a body that is not
// JSON ([MalformedBody]), and at the token endpoint an ID token that must
// be refused: signed with a key the JWKS does not publish
// ([UnknownSigningKey]), for another audience ([WrongAudience]) or issuer
// ([WrongIssuer]), with another nonce ([NonceMismatch]), already expired
// ([ExpiredIDToken]) or issued in the future ([IssuedInFuture]). A fault
// aimed at one endpoint never hits another.
//
// # Call log
//
// [Provider.Calls] lists every request: endpoint, method, client, the
// parameter names with the values of the harmless ones, the status and the
// fault that hit it. Codes, tokens, client secrets, PKCE verifiers, state,
// nonce and Authorization headers are never recorded, so a log can be
// printed in a test failure.
package fakeoidc
