package authaccount

import (
	"errors"
	"net/http"

	"github.com/authkit-dev/authkit/auth"
)

// requestMail is the handler of the three mail requests (verification,
// reset, sign-in link): POST email, answered 202 with one body whether or
// not the address has an account, after the same work for both (see
// deliverNoAccount).
func (ac *Accounts) requestMail(f mailFlow) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		x, address := ac.beginMail(w, r, f.request)
		if x == nil {
			return
		}
		ctx := r.Context()
		userID, err := ac.dir.FindUser(ctx, address)
		switch {
		case errors.Is(err, ErrNoAccount):
			err = ac.deliverNoAccount(ctx, f, address)
		case err == nil:
			err = ac.send(ctx, f, userID, address)
		}
		if err != nil {
			x.fail(err)
			return
		}
		x.ok(http.StatusAccepted, msgMailSent, f.page)
	})
}

// RequestVerification returns the handler of POST email: it mails a new
// verification link (replacing older ones) to the address if it has an
// account, and a KindNoAccount mail otherwise; the answer is 202 (JSON) or
// a 303 to Pages.AfterRequestVerification either way, 429 when throttled
// and 503 when the Sender or the store is down, for both.
func (ac *Accounts) RequestVerification() http.Handler {
	return ac.requestMail(ac.verifyMail)
}

// ConfirmVerification returns the handler of GET ?token= (the link in the
// mail) and POST token, or email and code: it marks the address the token
// was sent to as verified, and answers 200 (JSON) or a 303 to
// Pages.AfterVerification. A token that can't be redeemed (unknown, used,
// expired, another purpose's, a wrong code, or sent to an address the
// user no longer has) gets one 400 answer for every reason.
func (ac *Accounts) ConfirmVerification() http.Handler {
	return ac.serve("confirm-verification", func(x *exchange) {
		tok, err := x.redeem(PurposeVerifyEmail)
		if err == nil {
			err = ac.dir.MarkVerified(x.r.Context(), tok.UserID, tok.Address)
		}
		if errors.Is(err, ErrAddressChanged) || errors.Is(err, ErrNoAccount) {
			err = auth.ErrInvalidToken
		}
		if err != nil {
			x.fail(err)
			return
		}
		x.ok(http.StatusOK, msgVerified, ac.cfg.Pages.AfterVerification)
	})
}

// redeem consumes the request's token for purpose: the "token" field, or
// the "email" and "code" fields (counted against CodePerIP). An
// unusable one is an error wrapping auth.ErrInvalidToken.
func (x *exchange) redeem(purpose string) (*auth.OneTimeToken, error) {
	ctx := x.r.Context()
	if t := x.fields["token"]; t != "" {
		return x.ac.a.ConsumeToken(ctx, purpose, t)
	}
	address, ok := NormalizeAddress(x.fields["email"])
	code := x.fields["code"]
	if !ok || code == "" {
		return nil, auth.ErrInvalidToken
	}
	if err := x.ac.throttle.AllowCode(x.r); err != nil {
		return nil, err
	}
	userID, err := x.ac.dir.FindUser(ctx, address)
	if errors.Is(err, ErrNoAccount) {
		return nil, auth.ErrInvalidToken
	}
	if err != nil {
		return nil, err
	}
	return x.ac.a.ConsumeCode(ctx, purpose, userID, code)
}

// redeemOwned redeems the request's token for purpose, as redeem does,
// and checks that the token's address is still its user's: a token sent
// to an address the user has since given up must not sign in or reset a
// password.
func (x *exchange) redeemOwned(purpose string) (*auth.OneTimeToken, error) {
	tok, err := x.redeem(purpose)
	if err != nil {
		return nil, err
	}
	userID, err := x.ac.dir.FindUser(x.r.Context(), tok.Address)
	if errors.Is(err, ErrNoAccount) || err == nil && userID != tok.UserID {
		return nil, auth.ErrInvalidToken
	}
	if err != nil {
		return nil, err
	}
	return tok, nil
}
