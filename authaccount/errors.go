package authaccount

import "errors"

// Sentinel errors, for [errors.Is].
var (
	// ErrConfig reports a Config that [New] or [NewThrottle] refuses.
	ErrConfig = errors.New("authaccount: invalid configuration")

	// ErrNoAccount is what a [Directory] returns when no user has the
	// address.
	ErrNoAccount = errors.New("authaccount: no account has this address")

	// ErrAddressTaken is what [Directory.CreateUser] returns when a user
	// already has the address.
	ErrAddressTaken = errors.New("authaccount: the address belongs to an account")

	// ErrAddressChanged is what [Directory.MarkVerified] returns when the
	// address is no longer the user's: a token confirms only the address
	// it was sent to.
	ErrAddressChanged = errors.New("authaccount: the address is no longer the user's")

	// ErrBadCredentials is what [Directory.CheckPassword] returns for an
	// unknown address or a wrong password, told apart by nothing.
	ErrBadCredentials = errors.New("authaccount: wrong address or password")

	// ErrThrottled reports a request refused by the throttle; it comes as
	// a [*ThrottledError] that says when to retry.
	ErrThrottled = errors.New("authaccount: too many attempts")

	// ErrSend reports that the Sender failed: nothing was sent and the
	// token was revoked.
	ErrSend = errors.New("authaccount: the mail could not be sent")
)
