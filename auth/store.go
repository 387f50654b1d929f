package auth

import (
	"context"
	"encoding/json"
	"time"
)

// A Store keeps users, keys and sessions for an [Auth]. Implementations
// live in their own packages (memstore, sqlstore, redisstore); the
// conformance suite in package authtest checks any Store against this
// contract.
//
// The lifetime rules (when a session is active, idle or dead, how it is
// renewed) are not the store's business: [Auth] decides and the store only
// records. A Store never sees a session token: session IDs are hashes of
// tokens (see [Session]).
//
// Errors: a method returns [ErrNotFound] (possibly wrapped) exactly when
// the record it was asked for does not exist, and the other sentinel errors
// documented on each method for conflicts. Any other non-nil error is a
// system error (connection, timeout, corruption) and means the outcome is
// unknown; Auth reports it wrapped in [ErrStore] and never treats it as a
// logout. Methods must honour ctx cancellation where the backend allows.
//
// All methods must be safe for concurrent use, also by several processes
// sharing one backend. Timestamps must round-trip exactly (to the
// nanosecond) as instants (compared with [time.Time.Equal]; the location
// need not survive), so that [Store.RenewSession] can compare what was
// read. A store may refuse, with a system error, times its encoding can't
// hold: int64 Unix nanoseconds cover 1678 to 2262.
//
// A store may drop a session by itself (a Redis TTL, say) once its
// IdleExpiresAt has passed on the real clock by a grace period the store
// documents; until then it must keep and return it, expired or not.
type Store interface {
	// CreateUser inserts user and, when key is not nil, key (whose UserID
	// must be user.ID), as one atomic step: if either insert fails, neither
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

	// DeleteUser deletes the user with all of its sessions and keys, as one
	// atomic step where the backend allows. Deleting a user that does not
	// exist returns [ErrNotFound].
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

	// CreateSession inserts session. It returns [ErrNotFound] if its user
	// does not exist (checked atomically with the insert, so that a session
	// can't outlive a concurrent DeleteUser by being created after it).
	// Session IDs are unique: inserting an existing ID is a system error.
	CreateSession(ctx context.Context, session SessionRecord) error

	// GetSessionAndUser returns the session with the given ID and its user,
	// in one round trip where the backend allows. It returns [ErrNotFound]
	// if there is no such session, expired or not: the store does not judge
	// expiry. If the session exists but its user does not, it returns the
	// session, a zero UserRecord (ID "") and a nil error.
	GetSessionAndUser(ctx context.Context, sessionID string) (SessionRecord, UserRecord, error)

	// RenewSession is the conditional write behind renewal. If the session
	// exists and its stored ActiveExpiresAt is the same instant as
	// oldActiveExpiresAt, it
	// sets ActiveExpiresAt and IdleExpiresAt to the given values and returns
	// true. Otherwise (the session is gone, or another caller renewed it
	// first) it changes nothing and returns false with a nil error.
	//
	// The compare and the write are one atomic step: of any number of
	// concurrent calls with the same oldActiveExpiresAt, in one process or
	// in several, exactly one returns true; and a session deleted before or
	// during the call is never brought back.
	RenewSession(ctx context.Context, sessionID string, oldActiveExpiresAt, activeExpiresAt, idleExpiresAt time.Time) (bool, error)

	// DeleteSession deletes the session. Deleting a session that does not
	// exist is not an error.
	DeleteSession(ctx context.Context, sessionID string) error

	// DeleteUserSessions deletes every session of the user. A user without
	// sessions, or an unknown user, is not an error.
	DeleteUserSessions(ctx context.Context, userID string) error

	// UserSessions returns every stored session of the user, expired or
	// not, in no particular order; an unknown user has none (nil, nil).
	UserSessions(ctx context.Context, userID string) ([]SessionRecord, error)

	// DeleteExpiredSessions deletes every session whose IdleExpiresAt is
	// before now, and returns how many it deleted.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)
}

// UserRecord is a user as a [Store] keeps it.
type UserRecord struct {
	ID string
	// Attributes is a JSON object, encoded and decoded by [Auth]. Stores
	// keep the bytes as they are given. Callers must not modify the slice.
	Attributes json.RawMessage
}

// KeyRecord is a key as a [Store] keeps it.
type KeyRecord struct {
	ProviderID     string
	ProviderUserID string
	UserID         string
	// PasswordHash is an argon2id hash in PHC string form, or "" for a key
	// without password (an OAuth account, for example).
	PasswordHash string
}

// SessionRecord is a session as a [Store] keeps it: never with its token.
type SessionRecord struct {
	// ID is the SHA-256 of the session token, in lowercase hex.
	ID              string
	UserID          string
	ActiveExpiresAt time.Time
	IdleExpiresAt   time.Time
}
