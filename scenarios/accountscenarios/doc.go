// Package accountscenarios is the table of account scenarios: email
// verification, password reset, sign-in by email link or code, and
// password sign-in, run against an app's own account routes, each case
// on a fakeauth.Fake and an outbox of its own that share one clock.
//
// A [Target] builds the app's handler on an [Env] (the fake, the outbox
// the app mails through, the logger it logs to, its base URL) and names
// its routes and fields (the HTTP contract's by default: POST
// /reset-password/request, POST /reset-password and so on, with JSON
// bodies). Its hooks seed an account (Target.SeedAccount, required), tell
// whether an address is verified, change an account's address, dump the
// app's token store and make its next token write fail; it states its
// token lifetimes (Target.TTLs) and the throttles it claims
// (Target.Limits). For each case the runner plays the user: it requests a
// mail, reads the link's token and the code from the outbox as a reader
// would, moves the fake clock, and presents them, and checks the outcome:
//
//   - a token is single-use, lives through its last instant (the mail's
//     time plus the TTL) and is refused one nanosecond later, and is
//     good for its own purpose only: a verification token opens no reset
//     and no session;
//   - a token confirms the address it was sent to, not the account's
//     new one;
//   - a reset ends every session of the account (OWASP Forgot Password
//     Cheat Sheet), keeps the token when the new password is refused, and
//     mails links built from the base URL, never from the Host header;
//   - a known and an unknown address get the same status, the same body
//     byte for byte and the same headers (Date aside; Set-Cookie values
//     hidden) from every request route, the password sign-in and the
//     sign-up;
//   - past a claimed limit the next attempt is 429 with a Retry-After in
//     whole seconds, and waiting exactly that long lets the next one
//     through (RFC 9110 §10.2.3): an app whose window includes its last
//     instant must round past it;
//     MaxCodeAttempts wrong codes burn the token;
//   - a failed token write answers 503 and mails nothing; a sender that
//     is down answers 503 for known and unknown addresses alike, and the
//     token of the mail it refused cannot be redeemed;
//   - no link token or code appears in the app's log, in any response,
//     or in its store (Target.DumpStore). The last is how a code compared
//     in variable time is caught: such an app keeps the code in clear to
//     compare it with ==, and a timing measurement over HTTP would be
//     flaky.
//
// [Standard] is the table; [Run] runs cases as parallel subtests, skipping
// those the target can't express (a nil hook, an unclaimed limit), and
// [Execute] runs one. A case's report lists its exchanges with every token
// and code replaced by <token> and <code>.
//
// The package's tests hold a hand-written reference app that passes every
// case, and mutants of it, each with one bug real apps have shipped, each
// caught by a named case.
package accountscenarios
