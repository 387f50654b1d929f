// Package certifiedoidc starts a certified OpenID provider for tests:
// node-oidc-provider (npm "oidc-provider", pinned in testdata/package.json),
// which is OpenID Certified and was not written by this project. It exists
// so that authkit's own fake provider, fakeoidc, can be held against a
// provider whose behaviour nobody here chose: the same scenario run against
// both must get the same verdict.
//
// [Start] runs testdata/provider.mjs under Node.js on a loopback port for
// one test and stops it when the test ends. The provider keeps its defaults
// wherever the harness allows, so what a test sees is what a production
// deployment of it does: with the code flow, scope-requested claims such
// as email and name are in userinfo and not in the ID token (OpenID Core
// §5.4), authorization responses carry iss (RFC 9207), codes live 60
// seconds and are single-use, PKCE allows only S256 and is required only
// of public clients, ID tokens are signed with RS256 (an ES256 key is
// published too), refresh tokens are issued only for offline_access, which
// the provider grants only with prompt=consent (OpenID Core §11), and
// RP-initiated logout asks for confirmation with a form. Revocation
// (RFC 7009) is turned on.
//
// # Interactions
//
// The provider's login and consent pages are replaced by a route that
// answers them at once, as fakeoidc's SetLogin does: it logs in as the
// user a login_hint names, if it names a known one, else as the user set
// by [Provider.SetLogin], and consents to every scope and claim asked for.
// With no user set it shows a page and waits, as a login page waits for a
// person: [Provider.Authorize] then fails with [ErrStoppedAtPage].
// [Provider.DenyNext] makes the next interaction end in access_denied.
// prompt=none without a provider session is answered login_required by
// the provider itself.
//
// # Time
//
// The tests run on fake clocks that may be years from real time. A request
// carrying the header X-Authkit-Now (unix milliseconds) sets the
// provider's clock to that instant, which then runs on at real speed; a
// request without it leaves the clock where it is. [Provider.Transport]
// and [Provider.Authorize] send it on every request, read from the test's
// clock. The provider's clock is one per process, so a test must drive its
// provider sequentially: one time line, one provider.
//
// # Requirements
//
// Node.js (20 or later) on the PATH, and the npm packages installed with
//
//	npm ci --prefix internal/certifiedoidc/testdata
//
// Without them [Start] skips the test with that command, or fails it when
// AUTHKIT_REQUIRE_SERVICES=1 (as in CI).
//
// A test signs in as a user like this:
//
//	p := certifiedoidc.Start(t, certifiedoidc.Options{
//		Users:   []certifiedoidc.User{{Subject: "alice", Claims: map[string]any{"email": "alice@example.com", "email_verified": true}}},
//		Clients: []certifiedoidc.Client{{ID: "app", Secret: "secret", RedirectURIs: []string{"https://example.com/callback"}}},
//	})
//	if err := p.SetLogin("alice"); err != nil {
//		t.Fatal(err)
//	}
//	callback, err := p.Authorize(ctx, authURL, clock.Now) // https://example.com/callback?code=...&state=...&iss=...
package certifiedoidc
