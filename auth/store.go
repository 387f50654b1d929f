package auth

import (
	"context"
	"encoding/json"
	"time"
)

// A SessionStore keeps sessions for an [Auth]. It is the one contract a
// backend must implement; users and keys are a separate, optional contract
// ([UserStore]). Implementations live in packages of their own (memstore,
// sqlitestore, pgstore, redisstore) and are checked by the conformance
// suite in package authtest/storetest.
//
// The lifetime rules (when a session is active, idle or dead, how it is
// renewed) are not the store's business: [Auth] decides and the store only
// records. A store never sees a session token: session IDs are hashes of
// tokens (see [SessionID]).
//
// Sessions end with their user. A store that knows users (its own, or an
// app's table it references with a foreign key ON DELETE CASCADE) deletes a
// user's sessions in the same step as the user. A store that does not
// (memory or Redis with users kept by the app) documents that the app calls
// [Auth.InvalidateUserSessions] when it deletes a user. Either way, reading
// a session ([SessionStore.GetSession]) is all that validation needs.
//
// User IDs are strings compared exactly. A store that keeps sessions for
// an app's users table whose ID column has another type (an integer, a
// UUID) takes a user ID only in the form the column gives back as text:
// any other spelling ("042" for 42) names no user, so that a session's
// UserID never differs from what the store returns for it.
//
// Errors: [ErrNotFound] (possibly wrapped) means exactly that the record
// asked for does not exist, and [ErrUserNotFound] that a session's user
// does not; the methods below say where each can occur. Any other non-nil
// error is a system error (connection, timeout, a reply that does not
// parse, a database not migrated) and means the outcome is unknown; Auth
// reports it wrapped in [ErrStore] and never treats it as a logout. Methods
// honour ctx cancellation where the backend allows.
//
// All methods are safe for concurrent use, also by several processes
// sharing one backend. Timestamps round-trip exactly (to the nanosecond)
// as instants (compared with [time.Time.Equal]; the location need not
// survive), so that [SessionStore.RenewSession] can compare what was read.
// A store may refuse, with a system error, times its encoding can't hold:
// int64 Unix nanoseconds cover 1678 to 2262 (authkit's stores keep every
// instant they hold but the first, the Unix epoch included, and refuse
// the rest). A zero time means none: it round-trips as the zero time (an
// absent ExpiresAt) and is before every instant, so that a sweep deletes
// a session whose IdleExpiresAt is zero and a sweep at the zero time
// deletes nothing.
//
// A store may drop a session by itself (a Redis TTL, say) once its
// IdleExpiresAt has passed on the real clock by a grace period the store
// documents; until then it keeps and returns it, expired or not.
type SessionStore interface {
	// CreateSession inserts session. A store that knows users returns
	// [ErrUserNotFound] if session.UserID names none, checked atomically
	// with the insert, so that a session can't outlive a concurrent delete
	// of its user by being created after it. Session IDs are unique:
	// inserting an existing ID is a system error.
	CreateSession(ctx context.Context, session SessionRecord) error

	// GetSession returns the session with the given ID, expired or not
	// (the store does not judge expiry), or [ErrNotFound].
	GetSession(ctx context.Context, sessionID string) (SessionRecord, error)

	// RenewSession is the conditional write behind renewal. If the session
	// exists and its stored ActiveExpiresAt is the same instant as
	// oldActiveExpiresAt, it sets RenewedAt, ActiveExpiresAt and
	// IdleExpiresAt to r's and returns true. Otherwise (the session is
	// gone, or another caller renewed it first) it changes nothing and
	// returns false with a nil error.
	//
	// The compare and the write are one atomic step: of any number of
	// concurrent calls with the same oldActiveExpiresAt, in one process or
	// in several, exactly one returns true; and a session deleted before
	// or during the call is never brought back.
	RenewSession(ctx context.Context, sessionID string, oldActiveExpiresAt time.Time, r Renewal) (bool, error)

	// DeleteSession deletes the session. Deleting a session that does not
	// exist is not an error.
	DeleteSession(ctx context.Context, sessionID string) error

	// DeleteUserSessions deletes every session of the user. A user without
	// sessions, or an unknown user, is not an error.
	DeleteUserSessions(ctx context.Context, userID string) error

	// UserSessions returns every stored session of the user, expired or
	// not, in no particular order; an unknown user has none (nil, nil). It
	// need not be one atomic read: a store may read a user with many
	// sessions in bounded steps, so that other clients are not held up.
	UserSessions(ctx context.Context, userID string) ([]SessionRecord, error)

	// DeleteExpiredSessions deletes at most limit (> 0) sessions whose
	// IdleExpiresAt is before now, and returns how many it deleted. It is
	// one bounded step of a sweep, short enough not to hold up other
	// clients: [Auth.DeleteExpiredSessions] calls it until it returns
	// fewer than limit.
	DeleteExpiredSessions(ctx context.Context, now time.Time, limit int) (int, error)

	// UpdateSessionAttributes is the conditional write behind
	// [Auth.UpdateSessionAttributes]. If the session exists and its
	// stored Attributes are the same bytes as old (nil matches only a
	// session without attributes), it replaces them with attributes (nil
	// removes them) and returns true. Otherwise (the session is gone, or
	// another caller changed its attributes first) it changes nothing and
	// returns false with a nil error. The compare and the write are one
	// atomic step, as for RenewSession; no other field changes.
	UpdateSessionAttributes(ctx context.Context, sessionID string, old, attributes json.RawMessage) (bool, error)
}

// A SessionUserGetter is a [SessionStore] that can read a session and its
// user in one round trip. [Auth.ValidateSessionUser] uses it when the
// store has it, and otherwise reads the session, then the user.
type SessionUserGetter interface {
	// GetSessionAndUser returns the session with the given ID and its
	// user, in one round trip. It returns [ErrNotFound] if there is no
	// such session, expired or not. If the session exists but its user
	// does not, it returns the session, a zero UserRecord and
	// [ErrUserNotFound].
	GetSessionAndUser(ctx context.Context, sessionID string) (SessionRecord, UserRecord, error)
}

// A UserStore keeps authkit's own users and keys: what [Auth.CreateUser],
// [Auth.UseKey] and the other user and key methods need. It is optional:
// an app that keeps its users in a table of its own gives [New] a
// [SessionStore] only. A value that implements both (the memory, SQL and
// Redis stores do) ties them together: DeleteUser deletes the user's
// sessions, and CreateSession refuses a user that does not exist.
//
// Errors and concurrency are as for [SessionStore].
type UserStore interface {
	// CreateUser inserts user and, when key is not nil, key (whose UserID
	// is user.ID), as one atomic step: if either insert fails, neither
	// record exists afterwards. It returns [ErrDuplicateUser] if a user
	// with that ID exists and [ErrDuplicateKey] if the key exists.
	// user.Attributes is a JSON object; a store may refuse anything else
	// with a system error.
	CreateUser(ctx context.Context, user UserRecord, key *KeyRecord) error

	// GetUser returns the user with the given ID, or [ErrNotFound].
	GetUser(ctx context.Context, userID string) (UserRecord, error)

	// UpdateUserAttributes replaces the attributes of the user, or returns
	// [ErrNotFound] if there is no such user.
	UpdateUserAttributes(ctx context.Context, userID string, attributes json.RawMessage) error

	// DeleteUser deletes the user with its keys and, where the value is
	// also the SessionStore, its sessions, so that none of them outlives
	// it. Deleting a user that does not exist returns [ErrNotFound].
	DeleteUser(ctx context.Context, userID string) error

	// CreateKey inserts key. It returns [ErrNotFound] if its user does not
	// exist (checked first: a missing user and a taken key give
	// ErrNotFound) and [ErrDuplicateKey] if a key with the same ProviderID
	// and ProviderUserID exists.
	CreateKey(ctx context.Context, key KeyRecord) error

	// GetKey returns the key for the provider and provider user ID, or
	// [ErrNotFound].
	GetKey(ctx context.Context, providerID, providerUserID string) (KeyRecord, error)

	// UpdateKeyPassword sets the key's password hash ("" removes it), or
	// returns [ErrNotFound].
	UpdateKeyPassword(ctx context.Context, providerID, providerUserID, passwordHash string) error

	// DeleteKey deletes the key, or returns [ErrNotFound].
	DeleteKey(ctx context.Context, providerID, providerUserID string) error

	// UserKeys returns every key of the user, in no particular order; an
	// unknown user has none (nil, nil).
	UserKeys(ctx context.Context, userID string) ([]KeyRecord, error)
}

// UserRecord is a user as a [UserStore] keeps it.
type UserRecord struct {
	ID string
	// Attributes is a JSON object, encoded and decoded by [Auth]. Stores
	// keep the bytes as they are given. Callers must not modify the slice.
	Attributes json.RawMessage
}

// KeyRecord is a key as a [UserStore] keeps it.
type KeyRecord struct {
	ProviderID     string
	ProviderUserID string
	UserID         string
	// PasswordHash is an argon2id hash in PHC string form, or "" for a key
	// without password (an OAuth account, for example).
	PasswordHash string
}

// SessionRecord is a session as a [SessionStore] keeps it: never with its
// token. Stores keep every field and return it as it was given; only
// [SessionStore.RenewSession] changes a stored record.
type SessionRecord struct {
	// ID is the SHA-256 of the session token, in lowercase hex.
	ID     string
	UserID string

	// CreatedAt is when the session was created; RenewedAt when it was
	// last renewed (equal to CreatedAt until the first renewal).
	CreatedAt time.Time
	RenewedAt time.Time

	ActiveExpiresAt time.Time
	IdleExpiresAt   time.Time

	// ExpiresAt is the absolute end of the session, which renewal never
	// passes; the zero time when the session has none. Auth keeps
	// IdleExpiresAt at or before it, so a store's sweep and TTLs need
	// only IdleExpiresAt.
	ExpiresAt time.Time

	// UserAgent and ClientIP are as the request that created the session
	// gave them; empty when unknown.
	UserAgent string
	ClientIP  string

	// BrowserSession records the lifetime policy chosen at sign-in: true
	// for a browser session (no "remember me": a cookie without Expires,
	// the short browser-session periods), false for a persistent one.
	// Renewal keeps it.
	BrowserSession bool

	// Attributes is a small JSON object the app keeps with the session (a
	// device name, a second factor passed), or nil. Stores keep the bytes
	// as they are given. Callers must not modify the slice.
	Attributes json.RawMessage
}

// Renewal is what [SessionStore.RenewSession] writes.
type Renewal struct {
	RenewedAt       time.Time
	ActiveExpiresAt time.Time
	IdleExpiresAt   time.Time
}

// A TokenStore keeps one-time tokens: the secrets behind an emailed link or
// code (verify an address, reset a password, sign in by email). It is
// optional: [Auth.IssueToken] and the other token methods return
// [ErrNoTokenStore] when the store given to [New] is not one. authkit's
// stores implement it in every mode, also when the app keeps its users.
//
// A store never sees a token or a code: a record's ID is the SHA-256 of the
// link token in hex, and its CodeHash is derived from the code and the ID
// (see [TokenRecord]). The rules (expiry, purpose, attempts) are [Auth]'s:
// the store only records, as for sessions.
//
// Errors, timestamps and concurrency are as for [SessionStore]: [ErrNotFound]
// means exactly that the record does not exist; any other error is a system
// error; times round-trip to the nanosecond; every method is safe for
// concurrent use by several processes sharing one backend.
type TokenStore interface {
	// CreateToken inserts t and deletes every other token with the same
	// UserID and Purpose, as one atomic step: afterwards t is the user's
	// only token of that purpose, and of concurrent calls for one user and
	// purpose exactly one token survives. Token IDs are unique: inserting an
	// existing ID is a system error.
	CreateToken(ctx context.Context, t TokenRecord) error

	// GetToken returns the token with the given ID, expired or not, or
	// [ErrNotFound].
	GetToken(ctx context.Context, id string) (TokenRecord, error)

	// UserToken returns the user's token of the given purpose (there is at
	// most one), expired or not, or [ErrNotFound].
	UserToken(ctx context.Context, userID, purpose string) (TokenRecord, error)

	// DeleteToken deletes the token and reports whether it existed. Of any
	// number of concurrent calls for one ID, in one process or several,
	// exactly one returns true: this is what makes a token single-use.
	DeleteToken(ctx context.Context, id string) (bool, error)

	// AddTokenAttempt adds one to the token's Attempts and returns the new
	// count, or returns [ErrNotFound]. It is atomic: n concurrent calls on
	// a token with no attempts return 1 to n, each once.
	AddTokenAttempt(ctx context.Context, id string) (int, error)

	// DeleteExpiredTokens deletes at most limit (> 0) tokens whose
	// ExpiresAt is before now, and returns how many it deleted: one bounded
	// step of a sweep, as for [SessionStore.DeleteExpiredSessions].
	DeleteExpiredTokens(ctx context.Context, now time.Time, limit int) (int, error)
}

// TokenRecord is a one-time token as a [TokenStore] keeps it: never with
// its secrets.
type TokenRecord struct {
	// ID is the SHA-256 of the link token, in lowercase hex (as
	// [SessionID] computes it).
	ID string
	// Purpose says what the token is for ("verify-email",
	// "reset-password", "sign-in"); a token is accepted for its own
	// purpose only.
	Purpose string
	// UserID is the user the token was issued to, in the form the app or
	// the store gives user IDs.
	UserID string
	// Address is where the token was sent (an email address), so that a
	// token confirms that address and no other, even after the user's
	// address has changed.
	Address string
	// CodeHash is the SHA-256, in lowercase hex, of the ID, a colon and the
	// numeric code sent with the link; "" when no code was issued.
	CodeHash string
	// Attempts counts wrong codes entered against this token.
	Attempts int
	// CreatedAt is when the token was issued; ExpiresAt the last instant it
	// is accepted (inclusive, as for a session's expiries).
	CreatedAt time.Time
	ExpiresAt time.Time
}

// A CounterStore keeps the counters behind throttling: how many sign-in
// attempts, code attempts or email requests a client or an account has made
// in the current window. Keeping them in the session store means that
// several app servers on one store agree on every count. It is optional:
// [Auth.CountAttempt] returns [ErrNoCounterStore] when the store given to
// [New] is not one. authkit's stores implement it in every mode.
//
// Errors, timestamps and concurrency are as for [SessionStore].
type CounterStore interface {
	// IncrementCounter adds one to the counter named key and returns its
	// new count and the last instant of its window. A counter that does not
	// exist, or whose window ended before now, starts again: its count
	// becomes 1 and its window ends at windowEnd. The read and the write are
	// one atomic step: n concurrent calls in one window return the counts
	// k+1 to k+n, each once, and the same window end.
	IncrementCounter(ctx context.Context, key string, now, windowEnd time.Time) (count int, resetAt time.Time, err error)

	// DeleteCounter deletes the counter named key. Deleting a counter that
	// does not exist is not an error.
	DeleteCounter(ctx context.Context, key string) error

	// DeleteExpiredCounters deletes at most limit (> 0) counters whose
	// window ended before now, and returns how many it deleted. A store
	// that expires counters by itself (a Redis TTL) may delete none and
	// return 0.
	DeleteExpiredCounters(ctx context.Context, now time.Time, limit int) (int, error)
}
