package authaccount

import (
	"context"
	"net/http"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authrequest"
)

func (ac *Accounts) sendSignIn(ctx context.Context, userID, address string) error {
	nt := auth.NewToken{Purpose: PurposeSignIn, UserID: userID, Address: address, TTL: ac.cfg.SignInTTL, Code: ac.cfg.Codes}
	return ac.deliver(ctx, nt, MessageData{Kind: KindSignIn}, ac.paths.SignInWithEmail)
}

// RequestSignInLink returns the handler of POST email: it mails a sign-in
// link (and code, with Config.Codes), replacing older ones, if the
// address has an account, and a KindNoAccount mail otherwise; 202 (JSON)
// or a 303 to Pages.AfterRequestSignInLink for both, 429 when throttled,
// 503 when the Sender or the store is down.
func (ac *Accounts) RequestSignInLink() http.Handler {
	return ac.requestMail("request-sign-in-link", KindSignIn, ac.cfg.SignInTTL, ac.paths.SignInWithEmail, ac.sendSignIn, ac.cfg.Pages.AfterRequestSignInLink)
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
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		x := ac.begin(w, r, flow)
		if x == nil {
			return
		}
		ctx := r.Context()
		tok, err := x.redeem(PurposeSignIn)
		if err == nil {
			err = ac.stillOwns(ctx, tok)
		}
		if err == nil {
			_, err = x.ar.SignIn(tok.UserID)
		}
		if err != nil {
			x.fail(err)
			return
		}
		x.ok(http.StatusOK, msgSignedIn, authrequest.ReturnPath(r, ac.cfg.Pages.AfterSignIn))
	})
}
