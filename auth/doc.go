// Package auth is the core of authkit: sessions after Lucia's model, on a
// store you choose, with every lifetime rule in one place.
//
// An [Auth] is built with [New] on a [SessionStore] and a [Config]:
//
//	a, err := auth.New(memstore.New(), auth.Config{})
//
// Package authrequest ties an Auth to HTTP requests (cookies, origin
// checks, renewal); this package knows nothing of HTTP beyond building the
// session cookie.
//
// # Lifetime
//
// A session is active for [Config.ActivePeriod] (a day by default) after it
// is created or renewed, then idle for [Config.IdlePeriod] (two weeks),
// then dead:
//
//	active  while now <= ActiveExpiresAt
//	idle    while ActiveExpiresAt < now <= IdleExpiresAt
//	dead    after IdleExpiresAt
//
// A boundary instant belongs to the earlier state ([Session.State]). Validating
// an active session reads the store and writes nothing. Validating an idle
// one renews it in place: same ID and token, new expiries from now
// (the periods of [Auth.NewSessionExpiries], from the renewal), RenewedAt set to now, and Fresh set on the returned
// [Session] so that the cookie is issued again. Renewal is one conditional
// write ([SessionStore.RenewSession]): of any number of concurrent
// validations, in one process or many, exactly one writes and all of them
// get the session. A dead session is deleted when it is presented and
// reported as [ErrInvalidSession]; [Auth.DeleteExpiredSessions] sweeps the
// rest in bounded steps.
//
// # Absolute lifetime and lifetime policy
//
// [Config.MaxLifetime] (or a shorter [SessionOptions.MaxLifetime]) gives a
// session an absolute end, ExpiresAt, set at creation: renewal cuts
// ActiveExpiresAt and IdleExpiresAt to it ([Auth.NewSessionExpiries]), the cookie
// never expires after it ([Session.CookieExpires]), and the session is
// dead once it has passed:
//
//	alive   while now <= ExpiresAt (the end instant is inclusive, as for the periods)
//	dead    after ExpiresAt, however recently it was renewed
//
// The lifetime policy is chosen at sign-in: a persistent session ("remember
// me") follows [Config.ActivePeriod] and [Config.IdlePeriod] and its
// cookie has Expires and Max-Age; a browser session
// ([SessionOptions.BrowserSession]) follows the shorter
// [Config.BrowserSessionActivePeriod] and [Config.BrowserSessionIdlePeriod]
// and its cookie has neither, so it ends with the browser. The policy is
// stored with the session ([SessionRecord.BrowserSession]) and every
// renewal keeps it.
//
// # Devices and attributes
//
// A session records the device that created it (UserAgent, ClientIP),
// CreatedAt and RenewedAt; [Auth.UserSessions] lists them for a "your
// devices" page, [Auth.InvalidateSession] revokes one and
// [Auth.InvalidateOtherSessions] all but the current one ("sign out
// everywhere else"). Attributes (a second factor passed, a device name)
// are set at creation and changed with [Auth.UpdateSessionAttributes], a
// conditional write that compares the stored attributes, so concurrent
// changes never silently overwrite each other ([ErrSessionChanged]), and
// that a dead session refuses like a deleted one ([ErrInvalidSession]).
// They are returned with the session on every validation, so their JSON
// is limited to [Config.MaxSessionAttributesSize] bytes (4 KiB by
// default; [ErrAttributesTooLarge] beyond), and never logged.
//
// Sessions end with their user: deleting a user (through [Auth.DeleteUser],
// or the app's own row where a store references the app's users table with
// a foreign key ON DELETE CASCADE) deletes its sessions in the same step.
// Where the store can't know (memory or Redis keeping sessions for an
// app's own users) the app calls [Auth.InvalidateUserSessions] when it
// deletes a user. So validating a session reads the session and nothing
// else; [Auth.ValidateSessionUser] also reads the user, in the same round
// trip where the store can ([SessionUserGetter]).
//
// # Tokens
//
// A session token is 160 bits from crypto/rand written as 32 characters of
// [a-z2-7] ([TokenLength], [ValidToken]). A malformed token is refused
// before any store read. Stores never see tokens: a session's ID is the
// SHA-256 of its token in hex ([SessionID]), which is safe to log, list and
// revoke a device by, and can't be turned back into a cookie.
//
// # One-time tokens and throttling
//
// [Auth.IssueToken] issues the secret behind an emailed link or code
// (verify an address, reset a password, sign in by email), bound to a
// purpose, a user and the address it is sent to. The link token has the
// form of a session token (160 bits); the optional code is
// [Config.CodeDigits] uniformly random digits (8 by default). The store
// keeps neither: a token's ID is its SHA-256 and its code is kept as the
// SHA-256 of the ID and the code ([TokenRecord]). The rules, all in this
// package:
//
//	alive        while now <= ExpiresAt, on the Auth's clock ([Config.TokenTTL], 15 minutes by default)
//	single use   [Auth.ConsumeToken] and [Auth.ConsumeCode] delete the token; of concurrent consumers one wins
//	one purpose  a token is refused for any other purpose (and kept for its own)
//	newest wins  issuing a token deletes the user's older ones of the same purpose
//	code limit   each code tried uses an attempt, reserved before the comparison; after
//	             [Config.MaxCodeAttempts] (5) wrong ones the token is deleted
//
// Every refusal is the same [ErrInvalidToken], whatever the reason;
// [ErrStore] reports a store failure. [Auth.RevokeToken] deletes a token
// that could not be sent.
//
// [Auth.CountAttempt] counts attempts against a key in a fixed window,
// and [Auth.ResetAttempts] clears it: the counters behind throttling, kept
// in the store ([CounterStore]) so that several app servers agree. The
// policy (what to count, the limits, the answer) belongs to the caller.
// [Auth.DeleteExpiredSessions] also sweeps expired tokens and counters.
// Both need a store that keeps them: authkit's stores do, in every mode,
// also for an app that keeps its own users; otherwise the methods return
// [ErrNoTokenStore] and [ErrNoCounterStore].
//
// # Cookie
//
// [Auth.SessionCookie] carries the token: HttpOnly, Secure, SameSite=Lax,
// Path "/" and no Domain unless [CookieConfig] says otherwise, with Expires
// and Max-Age following IdleExpiresAt (Max-Age rounded up to whole
// seconds). [Auth.BlankSessionCookie] clears it with the same Name, Path and
// Domain. Turning Secure off takes [CookieConfig.Insecure]; "__Host-" and
// "__Secure-" names, matched in any case as browsers match them, have
// their prefix rules enforced by [New] ([CheckCookiePrefix]).
//
// # Errors
//
// Errors wrap the sentinels of this package: [ErrInvalidSession] for a
// token that names no live session, [ErrInvalidUser], [ErrInvalidKey],
// [ErrInvalidPassword], [ErrDuplicateUser] and [ErrDuplicateKey], and
// [ErrStore] for a store failure, which never means "signed out": answer
// with a server error and keep the cookie. [ErrNoUserStore] reports a user
// or key call on an Auth whose store keeps no users.
//
// # Stores
//
// [SessionStore] is the contract a backend implements (eight methods);
// [UserStore] adds authkit's own users and password keys, for apps that
// want them; [TokenStore] and [CounterStore] keep one-time tokens and
// throttling counters. The backends are auth/memstore, auth/sqlitestore,
// auth/pgstore and auth/redisstore, each depending only on its driver, and
// package authtest/storetest checks any store against these contracts.
package auth
