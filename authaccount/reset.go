package authaccount

import (
	"context"
	"html/template"
	"net/http"

	"github.com/authkit-dev/authkit/auth"
)

// RequestPasswordReset returns the handler of POST email: it mails a reset
// link (replacing older ones) if the address has an account, and a
// KindNoAccount mail otherwise. The answer is 202 (JSON) or a 303 to
// Pages.AfterRequestReset, with the same body and headers, in the same
// time, for both (OWASP Forgot Password Cheat Sheet: "return a consistent
// message for both existent and non-existent accounts" and "ensure that
// responses return in a consistent amount of time"); 429 when throttled,
// 503 when the Sender or the store is down, for both.
func (ac *Accounts) RequestPasswordReset() http.Handler {
	return ac.requestMail(ac.resetMail)
}

var resetForm = template.Must(template.New("reset").Parse(`<!doctype html>
<meta charset="utf-8">
<title>Choose a new password</title>
<form method="post" action="{{.Action}}">
<input type="hidden" name="token" value="{{.Token}}">
<label>New password <input type="password" name="password" autocomplete="new-password" required minlength="{{.Min}}"></label>
<button>Change password</button>
</form>
`))

// ResetPasswordForm returns the handler of GET ?token= (the link in the
// reset mail): a small form that posts the token and a new password to
// CompletePasswordReset. It does not consume the token. Its answer sends
// no Referer to another site (Referrer-Policy: same-origin), so the token
// in the URL goes nowhere else (OWASP Forgot Password Cheat Sheet), while
// the form's own post keeps its Origin for the origin check.
func (ac *Accounts) ResetPasswordForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("Referrer-Policy", referrerPolicy)
		h.Set("Content-Type", "text/html; charset=utf-8")
		_ = resetForm.Execute(w, map[string]any{"Action": ac.paths.CompletePasswordReset, "Token": r.URL.Query().Get("token"), "Min": ac.cfg.MinPassword})
	})
}

// CompletePasswordReset returns the handler of POST token (or email and
// code) and password. The password is checked first: a weak one is a 400
// that leaves the token usable. Then the token is consumed, the new
// password set (hashed by the Directory: argon2id on authkit's users),
// every session of the user ended ([auth.Auth.InvalidateUserSessions],
// OWASP Forgot Password Cheat Sheet) and the user's sign-in link revoked;
// with Config.SignInAfterReset the browser gets a fresh session. The
// answer is 200 (JSON) or a 303 to Pages.AfterReset; an unusable token,
// or one sent to an address the user no longer has, is a 400.
func (ac *Accounts) CompletePasswordReset() http.Handler {
	return ac.serve("complete-reset", func(x *exchange) {
		password, ok := x.newPassword()
		if !ok {
			return
		}
		ctx := x.r.Context()
		tok, err := x.redeemOwned(PurposeResetPassword)
		if err == nil {
			err = ac.dir.SetPassword(ctx, tok.UserID, password)
		}
		if err == nil {
			err = ac.a.InvalidateUserSessions(ctx, tok.UserID)
		}
		if err == nil {
			err = ac.revoke(ctx, tok.UserID, PurposeSignIn)
		}
		if err == nil && ac.cfg.SignInAfterReset {
			_, err = x.ar.SignIn(tok.UserID)
		}
		if err != nil {
			x.fail(err)
			return
		}
		x.ok(http.StatusOK, msgReset, ac.cfg.Pages.AfterReset)
	})
}

// revoke ends the user's token of purpose, if any. The Auth revokes by ID
// only, and a new token replaces the user's older one of its purpose: so
// a token is issued and revoked at once, which leaves none.
func (ac *Accounts) revoke(ctx context.Context, userID, purpose string) error {
	it, err := ac.a.IssueToken(ctx, auth.NewToken{Purpose: purpose, UserID: userID})
	if err != nil {
		return err
	}
	return ac.a.RevokeToken(ctx, it.ID)
}
