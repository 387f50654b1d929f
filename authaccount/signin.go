package authaccount

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/authkit-dev/authkit/authrequest"
)

// SignIn returns the handler of POST email and password: a password
// sign-in. Each attempt first passes the throttle ([Throttle.AllowSignIn]:
// 429 with Retry-After), then the Directory's check, which costs one
// password hash for an unknown address too: a wrong password and an
// unknown address get the same 401 in the same time. A success starts a
// new session (authrequest's SignIn), restarts the (account, IP) count,
// and answers 200 (JSON) or a 303 to the request's safe return path (authrequest.ReturnParam), or
// Pages.AfterSignIn.
func (ac *Accounts) SignIn() http.Handler {
	return ac.serve("sign-in", func(x *exchange) {
		r, ctx := x.r, x.r.Context()
		address, ok := NormalizeAddress(x.fields["email"])
		if !ok {
			// Not an address: no account can have it. Refused as a wrong
			// password is, without a store read.
			x.refuse(http.StatusUnauthorized, codeBadCredentials, msgBadLogin)
			return
		}
		if err := ac.throttle.AllowSignIn(r, address); err != nil {
			x.fail(err)
			return
		}
		userID, err := ac.dir.CheckPassword(ctx, address, x.fields["password"])
		if errors.Is(err, ErrBadCredentials) {
			ac.log.InfoContext(ctx, "authaccount: wrong credentials", slog.String("flow", x.flow))
			x.refuse(http.StatusUnauthorized, codeBadCredentials, msgBadLogin)
			return
		}
		if err == nil {
			_, err = x.ar.SignIn(userID)
		}
		if err != nil {
			x.fail(err)
			return
		}
		if err := ac.throttle.SignedIn(r, address); err != nil {
			// Signed in already: the count restarts when its window ends.
			ac.log.ErrorContext(ctx, "authaccount: restarting the sign-in count failed", slog.Any("error", err))
		}
		x.ok(http.StatusOK, msgSignedIn, authrequest.ReturnPath(r, ac.cfg.Pages.AfterSignIn))
	})
}
