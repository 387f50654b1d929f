package authaccount

import (
	"context"
	"errors"
	"fmt"

	"github.com/authkit-dev/authkit/auth"
)

// A Directory is how the account flows find and change users. Addresses
// reach it normalized (trimmed, lower case, see [NormalizeAddress]).
// Errors: the sentinels named below mean exactly what they say; any other
// error is a failure of the app's database, answered 503 when it wraps
// [auth.ErrStore] and 500 otherwise. Methods are safe for concurrent use.
type Directory interface {
	// FindUser returns the ID of the user whose address is address, or
	// [ErrNoAccount]. It must cost the same for a known and an unknown
	// address (one indexed read), since the reset, verification and
	// sign-in link requests must take the same time for both.
	FindUser(ctx context.Context, address string) (userID string, err error)

	// CreateUser creates an unverified user with the address and the
	// password (hashed, never stored in clear), and returns its ID, or
	// returns [ErrAddressTaken]. It costs one password hash either way,
	// so that sign-up takes the same time for a taken address.
	CreateUser(ctx context.Context, address, password string) (userID string, err error)

	// SetPassword replaces the user's password (hashed), or returns
	// [ErrNoAccount] for an unknown user.
	SetPassword(ctx context.Context, userID, password string) error

	// MarkVerified records that the user controls address, or returns
	// [ErrAddressChanged] when address is no longer the user's address
	// (and [ErrNoAccount] for an unknown user).
	MarkVerified(ctx context.Context, userID, address string) error

	// CheckPassword returns the ID of the user with the address if
	// password is theirs, or [ErrBadCredentials]: for an unknown address
	// too, after as much work (a password hash against a dummy), so that
	// the answer and its time do not tell whether the address has an
	// account.
	CheckPassword(ctx context.Context, address, password string) (userID string, err error)
}

// EmailProvider is the key provider ID of authkit's own users' addresses:
// the key ("email", address) carries the password hash.
const EmailProvider = "email"

// The user attributes [NewUserDirectory] keeps: the address, and whether
// it was verified.
const (
	AttrEmail         = "email"
	AttrEmailVerified = "email_verified"
)

// userDirectory is the Directory on authkit's own users.
type userDirectory struct{ a *auth.Auth }

// NewUserDirectory returns the [Directory] on authkit's own users and
// keys: a user's address is its key (EmailProvider, address), which holds
// the password hash (argon2id, by [auth.Auth]); the user's attributes
// hold AttrEmail and AttrEmailVerified. The Auth must keep users
// ([auth.Auth.KeepsUsers]); its methods fail with [auth.ErrNoUserStore]
// otherwise. An app that changes a user's address replaces the key and
// sets AttrEmailVerified false.
func NewUserDirectory(a *auth.Auth) Directory { return userDirectory{a} }

func (d userDirectory) FindUser(ctx context.Context, address string) (string, error) {
	k, err := d.a.GetKey(ctx, EmailProvider, address)
	if errors.Is(err, auth.ErrInvalidKey) {
		return "", ErrNoAccount
	}
	if err != nil {
		return "", err
	}
	return k.UserID, nil
}

func (d userDirectory) CreateUser(ctx context.Context, address, password string) (string, error) {
	u, err := d.a.CreateUser(ctx, auth.NewUser{
		Attributes: map[string]any{AttrEmail: address, AttrEmailVerified: false},
		Key:        &auth.NewKey{ProviderID: EmailProvider, ProviderUserID: address, Password: password},
	})
	if errors.Is(err, auth.ErrDuplicateKey) {
		return "", fmt.Errorf("%w: %w", ErrAddressTaken, err)
	}
	if err != nil {
		return "", err
	}
	return u.ID, nil
}

// emailKey returns the user's address key.
func (d userDirectory) emailKey(ctx context.Context, userID string) (*auth.Key, error) {
	keys, err := d.a.UserKeys(ctx, userID)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if k.ProviderID == EmailProvider {
			return k, nil
		}
	}
	return nil, ErrNoAccount
}

func (d userDirectory) SetPassword(ctx context.Context, userID, password string) error {
	k, err := d.emailKey(ctx, userID)
	if err != nil {
		return err
	}
	err = d.a.UpdateKeyPassword(ctx, EmailProvider, k.ProviderUserID, password)
	if errors.Is(err, auth.ErrInvalidKey) {
		return ErrNoAccount // deleted meanwhile
	}
	return err
}

func (d userDirectory) MarkVerified(ctx context.Context, userID, address string) error {
	k, err := d.a.GetKey(ctx, EmailProvider, address)
	if errors.Is(err, auth.ErrInvalidKey) || err == nil && k.UserID != userID {
		return ErrAddressChanged
	}
	if err != nil {
		return err
	}
	u, err := d.a.GetUser(ctx, userID)
	if errors.Is(err, auth.ErrInvalidUser) {
		return ErrNoAccount
	}
	if err != nil {
		return err
	}
	u.Attributes[AttrEmail] = address
	u.Attributes[AttrEmailVerified] = true
	_, err = d.a.UpdateUserAttributes(ctx, userID, u.Attributes)
	if errors.Is(err, auth.ErrInvalidUser) {
		return ErrNoAccount
	}
	return err
}

func (d userDirectory) CheckPassword(ctx context.Context, address, password string) (string, error) {
	// UseKey costs one hash whatever the outcome (a dummy one for an
	// unknown address).
	k, err := d.a.UseKey(ctx, EmailProvider, address, password)
	if errors.Is(err, auth.ErrInvalidKey) || errors.Is(err, auth.ErrInvalidPassword) {
		return "", ErrBadCredentials
	}
	if err != nil {
		return "", err
	}
	return k.UserID, nil
}
