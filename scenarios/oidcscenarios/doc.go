// Package oidcscenarios is the table of OpenID Connect callback scenarios,
// in the style of package scenarios: named cases, run against an app's own
// sign-in routes, each on a fakeauth.Fake and a provider of its own that
// share one clock.
//
// A [Target] builds the app's handler on an [Env] and names its start and
// callback routes; an app with its own users table also says how its fake
// is made (Target.NewFake, a sessions-only store), how a password user is
// made (Target.SeedUser) and which user a provider identity signs in as
// (Target.UserOf). For each case the runner plays the browser: it requests
// the start route (a same-origin POST of link=1 when linking), follows the
// redirect through the provider (which approves as the case's user), lets
// the case tamper with what comes back (a changed or missing state or iss,
// a lost or forged flow cookie, a replayed or injected code, time
// passing), sends the callback, and checks the outcome:
//
//   - a sign-in ends in a redirect, creates exactly one session, whose
//     user is the app's user of the provider identity (the linking
//     user, when linking), and invalidates any session the browser held
//     before;
//   - a failure answers the case's status (authoidc's defaults), creates
//     no session, sets no session cookie and leaves the browser's session
//     working;
//   - either way, the flow cookie is gone from the browser.
//
// [Standard] is the table (29 cases: state and iss mismatch, a missing
// iss, missing and forged flow cookie, replayed, expired and injected
// codes, nonce, expiry, iat, audience, issuer and key faults, unverified
// email, provider and userinfo 5xx, timeout and malformed answers,
// access_denied, linking, a planted session); [Run] runs cases as parallel
// subtests and [Execute] runs one.
//
// # Providers
//
// By default each case runs against a [fakeoidc.Provider] of its own
// ([FakeProvider]), which by default sends the user's claims from userinfo
// only, as certified providers do. Target.NewProvider puts the cases on
// another [Provider]: that is how authkit runs the table against a
// certified provider and requires the same [Result.Verdict] on every case
// the real provider can express; a case that needs a fault only a fake can
// inject ends with [Result.NotExpressible] instead, and [Run] skips it
// with the reason.
package oidcscenarios
