// Package authaccount serves the account flows of an authkit app over
// email: sign-up with address verification, password reset, sign-in by
// emailed link or code, and password sign-in, with throttling. It is built
// on [auth.Auth]'s one-time tokens and counters and on authrequest, and
// sends mail through an [authmail.Sender].
//
//	accounts, err := authaccount.New(a, authaccount.Config{
//		Sender:  sender,                      // smtpmail, or fakemail in tests
//		BaseURL: "https://app.example",       // links are built on it, never on Host
//	})
//	mux := http.NewServeMux()
//	accounts.Mount(mux)                       // the default paths of [Paths]
//	http.ListenAndServe(":8080", authrequest.MustMiddleware(a)(mux))
//
// # The HTTP contract
//
// Every POST takes a form (application/x-www-form-urlencoded) or a JSON
// object with the same string fields (email, password, token, code). The
// answer is JSON when the body was JSON or Accept asks for it
// ({"message": ...} on success, {"error": code, "message": ...} on a
// refusal); otherwise a 303 to the page of [Pages] or a short HTML page.
// Unsafe methods pass authrequest's origin check (403). Every answer is
// Cache-Control: no-store and Referrer-Policy: same-origin.
//
//	POST /sign-up                email, password   201 / 303; 400 bad input
//	POST /verify-email/request   email             202; 429; 503
//	GET  /verify-email?token=    (or POST token, or email + code)  200 / 303; 400
//	POST /reset-password/request email             202; 429; 503
//	GET  /reset-password?token=  a form posting to the next route
//	POST /reset-password         token (or email + code), password  200 / 303; 400
//	POST /sign-in/email/request  email             202; 429; 503
//	GET  /sign-in/email?token=                     303 with a session; 400
//	POST /sign-in/email          email, code       200 / 303 with a session; 400
//	POST /sign-in                email, password   200 / 303 with a session; 401; 429
//
// An invalid token or code (malformed, unknown, used, replaced by a newer
// one, expired, another purpose's, out of attempts, or sent to an address
// its user has given up) gets one 400 answer whatever the reason. A
// throttled request is 429 with Retry-After in whole seconds, rounded up.
// A Sender failure is 503 and leaves no token (it is revoked), a store
// failure is 503 ([authrequest.StatusCode]) and never signs anyone out.
//
// # Tokens
//
// Tokens are [auth.Auth]'s one-time tokens: 160 random bits for a link,
// an 8-digit code with 5 attempts, stored only as hashes, single-use even
// under races, bound to a purpose ("verify-email", "reset-password",
// "sign-in"), a user and the address they were sent to, and replaced by
// a newer one of the same purpose. Verification confirms the address the
// token was sent to and no other ([Directory.MarkVerified] refuses one the
// user no longer has); a reset or sign-in token for an address the user
// has given up is refused too. They live [DefaultVerificationTTL],
// [DefaultResetTTL] and [DefaultSignInTTL] unless configured. Links are
// absolute URLs on Config.BaseURL, never on the request's Host header
// (OWASP Forgot Password Cheat Sheet).
//
// A completed reset sets the new password, ends every session of the user
// ([auth.Auth.InvalidateUserSessions], OWASP Forgot Password Cheat Sheet),
// revokes the user's sign-in link, and with Config.SignInAfterReset signs
// the browser in with a fresh session. A weak new password is refused
// before the token is consumed.
//
// # A sign-in link in another browser
//
// A sign-in link signs in whichever browser opens it, as Slack's and
// Notion's magic links do: the token is bound to the address, not to the
// device that asked for it, so a user who asks on a laptop and opens the
// mail on a phone is signed in on the phone. The cost: whoever holds the
// mail holds the sign-in (which is true of a reset link too), and a
// mail scanner that follows links may use the token up (the user then
// asks again, or types the code). The code is the way to sign in the
// browser that asked when the mail is read elsewhere.
//
// # Enumeration
//
// Sign-up, the verification, reset and sign-in link requests, and
// password sign-in answer alike whether or not an address has an account:
// the same status, the same body, the same headers. They also do the same
// work: for an address without an account the request still issues a
// token (a throwaway one, [PurposeNoAccount], that nothing redeems) and
// sends a mail, "someone asked for a password reset for this address, but
// no account uses it", as Ory Kratos does ([KindNoAccount]); a sign-up
// with a taken address mails its owner ([KindSignUpExisting]). So the
// answers take the same time, and a Sender outage is a 503 for both.
// Config.NoUnknownAddressMail turns those mails off, at the price of that
// sameness. A password sign-in for an unknown address costs a password
// hash as a known one does ([auth.Auth.UseKey]'s dummy hash).
//
// # Throttling
//
// Password sign-ins, codes and mail requests are counted in the Auth's
// store ([auth.Auth.CountAttempt]), so every app server on one store
// agrees. The policy ([ThrottlePolicy], [DefaultThrottlePolicy]) must slow
// an attacker without letting anyone lock the owner out, which a lock on
// the account alone does (OWASP Authentication Cheat Sheet, "Account
// Lockout": lockout "can be abused to lock users out"; authboss's lock
// module locks the account; Ory Kratos declined to throttle at all):
//
//   - per (account, client IP): tight, 5 per 15 minutes. It stops one
//     machine guessing one password, and locks out only that pair; the
//     owner signing in from their own address is not affected by an
//     attacker elsewhere. A successful sign-in restarts it.
//   - per client IP: looser, 100 per 15 minutes, since offices and
//     carriers put many people behind one address. It stops one machine
//     trying many accounts.
//   - per account, across all IPs: high, 500 per hour. It bounds a
//     distributed attack on one account (12,000 guesses a day at most),
//     while an attacker who wants the owner locked out must keep sending
//     500 attempts an hour, every hour, from enough addresses to pass the
//     per-IP limit. This is the trade-off: lower it and lockout gets
//     cheaper, raise it and distributed guessing gets faster. Strong
//     passwords and a second factor are what end the race.
//
// Codes are limited per client IP (30 per 15 minutes) and per token
// (auth.Config's MaxCodeAttempts, then the token is burned); mail
// requests per address (5 an hour, so nobody floods a mailbox) and per IP
// (20 an hour). An app's own sign-in handler uses the same counters
// through [Throttle]; [ClientIP] is the address authrequest records, which
// follows its trusted-proxy option behind authrequest's Middleware.
//
// # Own users
//
// Config.Directory is how the flows find and change users ([Directory]).
// Nil means authkit's own users ([NewUserDirectory]: the key ("email",
// address) holds the password hash, the user's attributes "email" and
// "email_verified"); an app that keeps its users (an Auth on a
// sessions-only store such as memstore.NewSessions) gives its own, and
// the tokens and counters work the same on such a store.
//
// # Logging
//
// Failures of the store or the Sender are logged at Error, refusals at
// Info, through Config.Logger (the Auth's when nil). No line carries a
// token, a code, a password or a link.
package authaccount
