// Package fakeoidc is a real OpenID Connect provider for tests and the
// playground: an [http.Handler] that serves discovery, a JWKS with key
// rotation, the authorization endpoint (approving as a chosen test user, or
// showing a consent page), the token endpoint (client_secret_basic and
// client_secret_post, single-use expiring codes, PKCE S256, refresh
// tokens), userinfo, end session and token revocation.
//
// It is no kinder than a certified provider (node oidc-provider), so that
// a relying party's tests meet what production will do: ID tokens are
// signed with RS256 unless the provider or the client chooses another
// algorithm; the user's claims come from userinfo, not the ID token, and
// only those of the granted scopes; prompt=none never shows a page;
// prompt=login and max_age make the user authenticate again; every
// authorization response names its issuer (RFC 9207).
//
// A [Provider] is built with [New] and mounted on any listener: its routes
// are the issuer URL's path followed by
//
//	/.well-known/openid-configuration   discovery
//	/jwks                                the signing keys, one per algorithm in use
//	/authorize                           GET or POST: approve or show the consent page; the page's answer
//	/token                               authorization_code and refresh_token grants
//	/userinfo                            GET or POST: the user's claims for a bearer access token
//	/end_session                         RP-initiated logout: ends the provider session of an ID token
//	/revoke                              RFC 7009 revocation of an access or refresh token
//
// so an issuer of "http://127.0.0.1:8080/oidc" is served by mounting the
// provider at "/oidc/". [NewServer] starts one on an httptest server for a
// test.
//
// # Signing keys
//
// ID tokens are signed with RS256 (OpenID Connect Discovery 1.0 section 3
// requires it, and it is a client's default), or the algorithm of
// [WithSigningAlgorithm], or a client's own ([Client.SigningAlgorithm]):
// any of [SigningAlgorithms] (RS256, PS256, ES256, EdDSA). The JWKS
// publishes a key for each algorithm in use, generated when first needed;
// [Provider.RotateKey] rotates them all and keeps each previous key
// published.
//
// # Signing in
//
// [Provider.SetLogin] is the provider session: the user a test signs in
// as, and when (the ID tokens' auth_time). Without one, the consent page
// asks a person; a login_hint naming a user approves one request as that
// user. OpenID Connect Core 1.0 section 3.1.2.1 is followed: requests by
// GET and by POST are answered alike; prompt=none answers
// error=login_required instead of a page; prompt=login, and a max_age the
// session is older than, authenticate the user again (auth_time becomes
// now). Success and error redirects carry "iss" (RFC 9207 section 2).
//
// # Claims
//
// A grant releases the [User] claims of its scopes (Core section 5.4:
// email, profile, address, phone) and every claim no scope names. With
// [ClaimsInUserInfo], the default as in certified providers, they are
// only in userinfo answers; with [ClaimsInIDToken], as some providers
// (Google) do, in the ID token too. [WithClaimsPlacement] sets it for the
// provider, [Client.ClaimsPlacement] for a client.
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
