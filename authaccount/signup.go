package authaccount

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/authkit-dev/authkit/auth"
)

// The messages of the answers. Each request flow has one success message,
// the same whether or not the address has an account.
const (
	msgSignUp     = "Check your email to confirm your address."
	msgMailSent   = "If this address can receive mail, a message is on its way. Check your email."
	msgVerified   = "Your email address is confirmed."
	msgReset      = "Your password is changed. Every session of your account was signed out."
	msgSignedIn   = "You are signed in."
	msgBadAddress = "Enter a valid email address."
	msgBadLogin   = "Wrong email address or password."
)

// address reads and normalizes the "email" field, or answers 400.
func (x *exchange) address() (string, bool) {
	a, ok := NormalizeAddress(x.fields["email"])
	if !ok {
		x.refuse(http.StatusBadRequest, codeBadRequest, msgBadAddress)
	}
	return a, ok
}

// beginMail begins a request that sends mail: it reads the address and
// counts the request against the throttle's mail limits. On failure it
// has answered and returns a nil exchange.
func (ac *Accounts) beginMail(w http.ResponseWriter, r *http.Request, flow string) (*exchange, string) {
	x := ac.begin(w, r, flow)
	if x == nil {
		return nil, ""
	}
	address, ok := x.address()
	if !ok {
		return nil, ""
	}
	if err := ac.throttle.AllowEmail(r, address); err != nil {
		x.fail(err)
		return nil, ""
	}
	return x, address
}

// newPassword reads the "password" field and checks its length, or
// answers 400. On a nil exchange (its begin has answered already) it
// reports false, so that a handler checks the two steps once.
func (x *exchange) newPassword() (string, bool) {
	if x == nil {
		return "", false
	}
	p := x.fields["password"]
	if len(p) < x.ac.cfg.MinPassword || len(p) > x.ac.cfg.MaxPassword {
		x.refuse(http.StatusBadRequest, codeBadRequest,
			fmt.Sprintf("Choose a password of %d to %d characters.", x.ac.cfg.MinPassword, x.ac.cfg.MaxPassword))
		return "", false
	}
	return p, true
}

// SignUp returns the handler of POST email and password: it creates an
// unverified account and mails a verification link, answering 201 (JSON)
// or a 303 to Pages.AfterSignUp. It signs no one in. An address that
// already has an account gets exactly the same answer (no enumeration),
// and its owner a KindSignUpExisting mail. Mail requests count against
// the throttle's EmailPerAddress and EmailPerIP limits (429). A Sender
// failure is 503; the account then exists, and a new verification can be
// asked for.
func (ac *Accounts) SignUp() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		x, address := ac.beginMail(w, r, "sign-up")
		password, ok := x.newPassword()
		if !ok {
			return
		}
		ctx := r.Context()
		userID, err := ac.dir.CreateUser(ctx, address, password)
		switch {
		case errors.Is(err, ErrAddressTaken):
			// The same work as a new account: a token issued and a mail
			// sent, to the owner, who learns of the attempt.
			nt := auth.NewToken{Purpose: PurposeNoAccount, UserID: noAccountUserID(address), Address: address, TTL: ac.cfg.VerificationTTL, Code: ac.cfg.Codes}
			err = ac.deliver(ctx, nt, MessageData{Kind: KindSignUpExisting}, ac.paths.ConfirmVerification)
		case err == nil:
			err = ac.send(ctx, ac.verifyMail, userID, address)
		}
		if err != nil {
			x.fail(err)
			return
		}
		x.ok(http.StatusCreated, msgSignUp, ac.cfg.Pages.AfterSignUp)
	})
}
