// Package scenarios builds and runs tables of session scenarios (expired,
// renewed, cleared, forged, store down, sign-in, sign-out...) against an
// app's own handler, each on its own fake.
//
// A [Target] describes the app as it is routed: its protected routes
// ([Route]: a ServeMux pattern such as "GET /profile", whose methods are
// the only ones its cases send, and what the route answers a signed-out
// request: [Unauthorized], [RedirectTo] the sign-in page, or a page
// without the user, [PageWithout]); its sign-up and sign-in routes
// ([Form]: an HTML form or JSON, its field names, what success answers);
// its sign-out route ([SignOut], or [APISignOut] for authrequest's
// APIHandler); and how its users are made (Target.User, a function of the
// app's, or Target.UsersBySignUp, its own sign-up route), so that each
// case's session belongs to a user the app knows. It may also describe a
// sign-in's "remember me" and return path, routes that change the account
// or its sessions ([Action]: a password change, an account deletion, a
// device revocation), bearer-token routes, request headers per route, and
// a store of each case's own (Target.NewFake).
//
// [Standard] generates the standard table from that description, family
// by family ([Families]: [SessionCases], [BoundaryCases],
// [CrossOriginCases], [StoreDownCases], [ConcurrencyCases], [SignUpCases],
// [SignInCases], [SignOutCases], [LifetimeCases], [SignOutOthersCases],
// [ChangePasswordCases], [DeleteAccountCases], [RevokeSessionCases],
// [BearerCases], [ReuseCases]); a new family is one more entry of
// Families, or an extra argument of Standard. Every case also checks the
// session cookie a response sets (HttpOnly, Secure, SameSite, Path,
// Domain) and that no body holds a session token (see [Want]). A correct app passes every
// case whatever its style, and a broken one fails by name: the flows go
// through the app's own routes, such as a sign-in that must invalidate a
// planted session and set another token (no session fixation), a sign-in
// after the store failed (a 5xx, no session, then a retry that works), and
// a sign-out on a cross-site GET that must sign no one out.
//
// A [Case] says what the browser holds and the store knows, the request it
// sends, and what must follow: the effect on the stored session, what the
// response does to the session cookie, the status or the whole answer, how
// many sessions it creates and how many store reads and writes it may
// cost. Named cases ([Active], [Idle], [Expired], [Invalidated],
// [CrossOrigin], [StoreDown], [ConcurrentIdle], ...) encode the table
// of package authrequest's doc (What Session does); [New] starts a custom
// case.
//
// [Run] runs a table (the standard one when given no cases) as parallel
// subtests in each subtest's context, each case on a fake as
// fakeauth.New makes it and a new handler built after the case is seeded;
// [Execute] and [Runner] run one case and return a [Result], which the
// playground shows.
//
// Package scenarios/oidcscenarios is the table of OpenID Connect callback
// cases, and package scenarios/accountscenarios the table of account flows
// over email (verification, reset, sign-in by link or code, throttling).
package scenarios
