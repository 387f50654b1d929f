// Package oidcscenarios is the table of OpenID Connect callback scenarios,
// in the style of package scenarios: named cases, run against an app's own
// sign-in routes, each on a fakeauth.Fake and a fakeoidc.Provider of its
// own that share one clock.
//
// A [Target] builds the app's handler on an [Env] and names its start and
// callback routes. For each case the runner plays the browser: it requests
// the start route, follows the redirect to the provider (which approves as
// the case's user), lets the case tamper with what comes back (a changed
// state, a lost or forged flow cookie, a replayed or injected code, time
// passing), sends the callback, and checks the outcome:
//
//   - a sign-in ends in a redirect, creates exactly one session, whose
//     user holds the provider user's key (the linking user's, when
//     linking), and invalidates any session the browser held before;
//   - a failure answers the case's status (authoidc's defaults), creates
//     no session, sets no session cookie and leaves the browser's session
//     working;
//   - either way, the flow cookie is gone from the browser.
//
// [Standard] is the table (26 cases: state mismatch, missing and forged
// flow cookie, replayed, expired and injected codes, nonce, expiry, iat,
// audience, issuer and key faults, unverified email, provider 5xx, timeout
// and malformed answers, access_denied, linking, a planted session); [Run]
// runs cases as parallel subtests and [Execute] runs one.
package oidcscenarios
