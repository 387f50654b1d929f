package authaccount

import (
	"net/http"

	"github.com/authkit-dev/authkit/authrequest"
)

// RequestSignInLink returns the handler of POST email: it mails a sign-in
// link (and code, with Config.Codes), replacing older ones, if the
// address has an account, and a KindNoAccount mail otherwise; 202 (JSON)
// or a 303 to Pages.AfterRequestSignInLink for both, 429 when throttled,
// 503 when the Sender or the store is down.
func (ac *Accounts) RequestSignInLink() http.Handler {
	return ac.requestMail(ac.signInMail)
}

// SignInWithLink returns the handler of GET ?token= (the link in the
// sign-in mail): it signs in whichever browser opens the link (see the
// package doc, A sign-in link in another browser) with a new session
// (authrequest's SignIn: any session the browser held ends), and answers
// a 303 to Pages.AfterSignIn (200 for JSON). An unusable token, or one
// sent to an address the user no longer has, is a 400.
func (ac *Accounts) SignInWithLink() http.Handler {
	return ac.signInWithToken("sign-in-link")
}

// SignInWithCode returns the handler of POST email and code: the code of
// the sign-in mail, typed in. Codes count against CodePerIP; each token
// allows auth.Config's MaxCodeAttempts wrong codes and is then burned. It
// answers as SignInWithLink does.
func (ac *Accounts) SignInWithCode() http.Handler {
	return ac.signInWithToken("sign-in-code")
}

func (ac *Accounts) signInWithToken(flow string) http.Handler {
	return ac.serve(flow, func(x *exchange) {
		tok, err := x.redeemOwned(PurposeSignIn)
		if err == nil {
			_, err = x.ar.SignIn(tok.UserID)
		}
		if err != nil {
			x.fail(err)
			return
		}
		x.ok(http.StatusOK, msgSignedIn, authrequest.ReturnPath(x.r, ac.cfg.Pages.AfterSignIn))
	})
}
