package auth

import (
	"context"
	"time"
)

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
