package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
)

// A User is an account. Its Attributes hold whatever the application keeps
// about the user (a username, an email); they are stored as a JSON object,
// so numbers come back as float64.
type User struct {
	ID         string
	Attributes map[string]any
}

// NewUser describes a user to create with [Auth.CreateUser].
type NewUser struct {
	// ID of the new user; a random ID when empty.
	ID string

	// Attributes to store; they must encode as JSON.
	Attributes map[string]any

	// Key, when not nil, is created with the user in one atomic step: a
	// sign-up form's username and password, for example.
	Key *NewKey
}

// NewKey describes a key to create. A key ties a user to an identity at a
// provider: ("username", "ada") with a password for a sign-in form,
// ("github", "583231") without one for an OAuth callback.
type NewKey struct {
	ProviderID     string
	ProviderUserID string
	// Password, when not empty, is hashed with argon2id and stored with
	// the key. A key created without one can't be used with
	// [Auth.UseKey], whatever password is given.
	Password string
}

// A Key is a user's identity at a provider. It never exposes the password
// hash.
type Key struct {
	ProviderID     string
	ProviderUserID string
	UserID         string
	// HasPassword reports whether the key has a password.
	HasPassword bool
}

func (r UserRecord) user() (*User, error) {
	u := &User{ID: r.ID}
	if len(r.Attributes) > 0 {
		if err := json.Unmarshal(r.Attributes, &u.Attributes); err != nil {
			return nil, storeError("decode user attributes", err)
		}
	}
	if u.Attributes == nil {
		u.Attributes = map[string]any{}
	}
	return u, nil
}

func (r KeyRecord) key() *Key {
	return &Key{ProviderID: r.ProviderID, ProviderUserID: r.ProviderUserID, UserID: r.UserID, HasPassword: r.PasswordHash != ""}
}

func encodeAttributes(attrs map[string]any) (json.RawMessage, error) {
	if attrs == nil {
		return json.RawMessage("{}"), nil
	}
	b, err := json.Marshal(attrs)
	if err != nil {
		return nil, fmt.Errorf("auth: user attributes do not encode as JSON: %w", err)
	}
	return b, nil
}

// CreateUser creates a user, and its key if nu.Key is set, in one atomic
// step. It returns an error wrapping [ErrDuplicateKey] if the key exists
// and [ErrDuplicateUser] if the ID is taken.
func (a *Auth) CreateUser(ctx context.Context, nu NewUser) (*User, error) {
	if a.users == nil {
		return nil, noUsers("create user")
	}
	attrs, err := encodeAttributes(nu.Attributes)
	if err != nil {
		return nil, err
	}
	rec := UserRecord{ID: nu.ID, Attributes: attrs}
	if rec.ID == "" {
		rec.ID = newUserID()
	}
	var key *KeyRecord
	if nu.Key != nil {
		k, err := a.keyRecord(rec.ID, *nu.Key)
		if err != nil {
			return nil, err
		}
		key = &k
	}
	if err := a.users.CreateUser(ctx, rec, key); err != nil {
		if errors.Is(err, ErrDuplicateKey) || errors.Is(err, ErrDuplicateUser) {
			return nil, fmt.Errorf("auth: create user: %w", err)
		}
		return nil, storeError("create user", err)
	}
	a.logDebug(ctx, "user created", slog.String("user_id", rec.ID))
	return rec.user()
}

// GetUser returns the user, or an error wrapping [ErrInvalidUser].
func (a *Auth) GetUser(ctx context.Context, userID string) (*User, error) {
	if a.users == nil {
		return nil, noUsers("get user")
	}
	rec, err := a.users.GetUser(ctx, userID)
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("auth: user %q: %w", userID, ErrInvalidUser)
	}
	if err != nil {
		return nil, storeError("get user", err)
	}
	return rec.user()
}

// UpdateUserAttributes replaces the user's attributes and returns the
// updated user, or an error wrapping [ErrInvalidUser].
func (a *Auth) UpdateUserAttributes(ctx context.Context, userID string, attributes map[string]any) (*User, error) {
	if a.users == nil {
		return nil, noUsers("update user attributes")
	}
	attrs, err := encodeAttributes(attributes)
	if err != nil {
		return nil, err
	}
	if err := a.users.UpdateUserAttributes(ctx, userID, attrs); err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("auth: user %q: %w", userID, ErrInvalidUser)
		}
		return nil, storeError("update user attributes", err)
	}
	return UserRecord{ID: userID, Attributes: attrs}.user()
}

// DeleteUser deletes the user with all of its sessions and keys, or
// returns an error wrapping [ErrInvalidUser]. For users the app keeps
// itself, the app deletes them and calls [Auth.InvalidateUserSessions]
// (unless its store's foreign key does that).
func (a *Auth) DeleteUser(ctx context.Context, userID string) error {
	if a.users == nil {
		return noUsers("delete user")
	}
	if err := a.users.DeleteUser(ctx, userID); err != nil {
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("auth: user %q: %w", userID, ErrInvalidUser)
		}
		return storeError("delete user", err)
	}
	a.logDebug(ctx, "user deleted", slog.String("user_id", userID))
	return nil
}

func (a *Auth) keyRecord(userID string, nk NewKey) (KeyRecord, error) {
	if nk.ProviderID == "" || nk.ProviderUserID == "" {
		return KeyRecord{}, fmt.Errorf("%w: provider ID and provider user ID must not be empty", ErrInvalidKey)
	}
	k := KeyRecord{ProviderID: nk.ProviderID, ProviderUserID: nk.ProviderUserID, UserID: userID}
	if nk.Password != "" {
		h, err := hashPassword(nk.Password, a.argon2)
		if err != nil {
			return KeyRecord{}, err
		}
		k.PasswordHash = h
	}
	return k, nil
}

// CreateKey adds a key to an existing user. It returns an error wrapping
// [ErrDuplicateKey] if the key exists and [ErrInvalidUser] if the user
// does not.
func (a *Auth) CreateKey(ctx context.Context, userID string, nk NewKey) (*Key, error) {
	if a.users == nil {
		return nil, noUsers("create key")
	}
	rec, err := a.keyRecord(userID, nk)
	if err != nil {
		return nil, err
	}
	if err := a.users.CreateKey(ctx, rec); err != nil {
		switch {
		case errors.Is(err, ErrDuplicateKey):
			return nil, fmt.Errorf("auth: create key: %w", err)
		case errors.Is(err, ErrNotFound):
			return nil, fmt.Errorf("auth: create key for user %q: %w", userID, ErrInvalidUser)
		}
		return nil, storeError("create key", err)
	}
	return rec.key(), nil
}

// GetKey returns the key, or an error wrapping [ErrInvalidKey].
func (a *Auth) GetKey(ctx context.Context, providerID, providerUserID string) (*Key, error) {
	rec, err := a.getKey(ctx, providerID, providerUserID)
	if err != nil {
		return nil, err
	}
	return rec.key(), nil
}

func (a *Auth) getKey(ctx context.Context, providerID, providerUserID string) (KeyRecord, error) {
	if a.users == nil {
		return KeyRecord{}, noUsers("get key")
	}
	rec, err := a.users.GetKey(ctx, providerID, providerUserID)
	if errors.Is(err, ErrNotFound) {
		return rec, fmt.Errorf("auth: key %s:%s: %w", providerID, providerUserID, ErrInvalidKey)
	}
	if err != nil {
		return rec, storeError("get key", err)
	}
	return rec, nil
}

// UseKey checks a password sign-in: it returns the key if it exists, has a
// password, and password matches it (compared in constant time). It
// returns an error wrapping [ErrInvalidKey] for an unknown key and
// [ErrInvalidPassword] for a wrong or empty password and for any password
// given to a key that has none: a password-less key (an OAuth identity) is
// never usable through the password path. Sign in with such a key after
// checking the identity at its provider, with [Auth.GetKey].
//
// Every outcome but a store failure costs exactly one password hash: an
// unknown key, a wrong or empty password and a password-less key are
// checked against a dummy hash made with the Auth's parameters, so
// response times do not tell which usernames exist or have a password.
func (a *Auth) UseKey(ctx context.Context, providerID, providerUserID, password string) (*Key, error) {
	rec, err := a.getKey(ctx, providerID, providerUserID)
	if err != nil {
		if errors.Is(err, ErrInvalidKey) {
			// Whatever the password, even empty: an unknown key costs
			// the hash a known one does.
			_, _ = verifyPassword(password, a.dummyHash())
		}
		return nil, err
	}
	if rec.PasswordHash == "" {
		// A password-less key (an OAuth identity) never signs in here, not
		// even with an empty password; it costs the hash a key with a
		// password costs, so that response times don't reveal it.
		_, _ = verifyPassword(password, a.dummyHash())
		return nil, fmt.Errorf("auth: key %s:%s has no password: %w", providerID, providerUserID, ErrInvalidPassword)
	}
	ok, err := verifyPassword(password, rec.PasswordHash)
	if err != nil {
		return nil, storeError("verify password", err)
	}
	if !ok {
		return nil, fmt.Errorf("auth: key %s:%s: %w", providerID, providerUserID, ErrInvalidPassword)
	}
	return rec.key(), nil
}

// dummyHash returns the hash that unknown and password-less keys are
// checked against, made once per Auth with its own parameters.
func (a *Auth) dummyHash() string {
	a.dummyOnce.Do(func() {
		a.dummy, _ = hashPassword("authkit dummy password", a.argon2)
	})
	return a.dummy
}

// UpdateKeyPassword sets a new password on the key ("" removes it), or
// returns an error wrapping [ErrInvalidKey]. Consider invalidating the
// user's other sessions afterwards.
func (a *Auth) UpdateKeyPassword(ctx context.Context, providerID, providerUserID, password string) error {
	if a.users == nil {
		return noUsers("update key password")
	}
	hash := ""
	if password != "" {
		h, err := hashPassword(password, a.argon2)
		if err != nil {
			return err
		}
		hash = h
	}
	if err := a.users.UpdateKeyPassword(ctx, providerID, providerUserID, hash); err != nil {
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("auth: key %s:%s: %w", providerID, providerUserID, ErrInvalidKey)
		}
		return storeError("update key password", err)
	}
	return nil
}

// DeleteKey deletes the key, or returns an error wrapping [ErrInvalidKey].
func (a *Auth) DeleteKey(ctx context.Context, providerID, providerUserID string) error {
	if a.users == nil {
		return noUsers("delete key")
	}
	if err := a.users.DeleteKey(ctx, providerID, providerUserID); err != nil {
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("auth: key %s:%s: %w", providerID, providerUserID, ErrInvalidKey)
		}
		return storeError("delete key", err)
	}
	return nil
}

// UserKeys returns the user's keys.
func (a *Auth) UserKeys(ctx context.Context, userID string) ([]*Key, error) {
	if a.users == nil {
		return nil, noUsers("list user keys")
	}
	recs, err := a.users.UserKeys(ctx, userID)
	if err != nil {
		return nil, storeError("list user keys", err)
	}
	out := make([]*Key, len(recs))
	for i, r := range recs {
		out[i] = r.key()
	}
	return out, nil
}

// noUsers is the error of a user or key operation on an Auth whose store
// keeps no users.
func noUsers(op string) error {
	return fmt.Errorf("auth: %s: %w", op, ErrNoUserStore)
}
