package auth

import (
	"errors"
	"fmt"
)

// Sentinel errors. Compare with [errors.Is]: the errors returned by this
// package wrap them with the operation that failed.
var (
	// ErrInvalidSession reports that a token or session ID names no live
	// session: it is malformed, unknown, invalidated, expired past its idle
	// period, or its user no longer exists (or the stored record names no
	// user at all).
	ErrInvalidSession = errors.New("auth: invalid session")

	// ErrInvalidUser reports that no user has the given ID.
	ErrInvalidUser = errors.New("auth: invalid user")

	// ErrNoUserStore reports a user or key operation on an [Auth] whose
	// store keeps no users: the app keeps its users itself (see
	// [UserStore]).
	ErrNoUserStore = errors.New("auth: the store keeps no users")

	// ErrDuplicateUser reports that a user with the given ID already exists.
	ErrDuplicateUser = errors.New("auth: duplicate user")

	// ErrInvalidKey reports that no key has the given provider and
	// provider user ID.
	ErrInvalidKey = errors.New("auth: invalid key")

	// ErrInvalidPassword reports that a password did not match the key's,
	// or that the key has no password to check.
	ErrInvalidPassword = errors.New("auth: invalid password")

	// ErrDuplicateKey reports that a key with the same provider and provider
	// user ID already exists.
	ErrDuplicateKey = errors.New("auth: duplicate key")

	// ErrStore marks a failure of the store: a lost connection, a timeout,
	// a full disk. An error wrapping ErrStore also wraps the store's own
	// error. It never means "logged out": the caller should answer with a
	// server error and keep the client's cookie, so that the session works
	// again once the store is back.
	ErrStore = errors.New("auth: store failure")

	// ErrNotFound is what a store returns when the record it was asked
	// for does not exist. [Auth] turns it into ErrInvalidSession,
	// ErrInvalidUser or ErrInvalidKey; it never reaches callers of Auth.
	ErrNotFound = errors.New("auth: not found")

	// ErrUserNotFound is what a store returns when a session names a user
	// that does not exist: from [SessionStore.CreateSession] and
	// [SessionUserGetter.GetSessionAndUser]. Auth turns it into
	// ErrInvalidUser or ErrInvalidSession.
	ErrUserNotFound = errors.New("auth: user not found")

	// ErrAttributesTooLarge reports session attributes whose JSON is
	// longer than [Config.MaxSessionAttributesSize]: nothing was written.
	ErrAttributesTooLarge = errors.New("auth: session attributes too large")

	// ErrSessionChanged reports that a conditional write of a session's
	// attributes ([Auth.UpdateSessionAttributes]) lost to another writer:
	// the stored attributes are no longer those the caller read. Read the
	// session again and retry.
	ErrSessionChanged = errors.New("auth: session attributes changed since they were read")

	// ErrInvalidToken reports a one-time token or code that can't be
	// redeemed: malformed, unknown, already used, replaced by a newer one,
	// expired, issued for another purpose, or (a code) out of attempts.
	// The reasons are not told apart, so that an answer reveals nothing.
	ErrInvalidToken = errors.New("auth: invalid or expired one-time token")

	// ErrNoTokenStore reports a one-time token operation on an [Auth] whose
	// store is not a [TokenStore].
	ErrNoTokenStore = errors.New("auth: the store keeps no one-time tokens")

	// ErrNoCounterStore reports a throttling operation on an [Auth] whose
	// store is not a [CounterStore].
	ErrNoCounterStore = errors.New("auth: the store keeps no counters")
)

// storeError wraps a store's error so that it matches both [ErrStore] and
// the original error. op names what Auth was doing.
func storeError(op string, err error) error {
	return fmt.Errorf("%w: %s: %w", ErrStore, op, err)
}
