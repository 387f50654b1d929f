package accountscenarios

import (
	"fmt"
	"net/http"
	"time"

	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/fakemail"
)

// A flow is one of the three flows that mail a one-time link.
type flow int

const (
	verifyFlow flow = iota // verify an address
	resetFlow              // reset a password
	signInFlow             // sign in by email
)

var flows = []flow{verifyFlow, resetFlow, signInFlow}

// token names the flow's token in case names: "verify-token".
func (f flow) token() string {
	return [...]string{"verify-token", "reset-token", "sign-in-link"}[f]
}

// request names the flow's request in case names: "verify-request".
func (f flow) request() string {
	return [...]string{"verify-request", "reset-request", "sign-in-link-request"}[f]
}

// route names the flow's redeeming route in case names: "reset-route".
func (f flow) route() string {
	return [...]string{"verify-route", "reset-route", "sign-in-link-route"}[f]
}

// what says what redeeming the flow's token does, for Describe.
func (f flow) what() string {
	return [...]string{"confirms the address", "sets a new password", "signs in"}[f]
}

func (r *run) requestPath(f flow) string {
	return [...]string{r.t.Paths.RequestVerification, r.t.Paths.RequestReset, r.t.Paths.RequestSignInLink}[f]
}

func (r *run) ttl(f flow) time.Duration {
	return [...]time.Duration{r.t.TTLs.Verify, r.t.TTLs.Reset, r.t.TTLs.SignIn}[f]
}

// The accounts and passwords of the cases.
const (
	knownAddress   = "ada@example.com"
	unknownAddress = "nobody@example.com"
	otherAddress   = "ada.new@example.com"
	password       = "correct horse battery staple"
	newPassword    = "a brand new horse battery staple"
	weakPassword   = "123"
)

// account is the account a flow's case starts from: unverified for the
// verification flow, verified otherwise.
func account(f flow) Account {
	return Account{Email: knownAddress, Password: password, Verified: f != verifyFlow}
}

// request asks the app to mail addr the flow's link.
func (r *run) request(jar *authtest.Jar, f flow, addr string) *authtest.Recorder {
	return r.send(jar, http.MethodPost, r.requestPath(f), map[string]string{r.t.Fields.Email: addr})
}

// issue requests the flow's link for addr, and returns the mail that
// carries it.
func (r *run) issue(f flow, addr string) (fakemail.Message, error) {
	before := len(r.out.To(addr))
	rec := r.request(r.browser(), f, addr)
	if !ok2xx3xx(rec.Code) {
		return fakemail.Message{}, fmt.Errorf("requesting the %s mail: status %d, want 202", f.token(), rec.Code)
	}
	if len(r.out.To(addr)) == before {
		return fakemail.Message{}, fmt.Errorf("requesting the %s mail: status %d but no message was delivered to %s", f.token(), rec.Code, addr)
	}
	m, err := r.lastMail(addr)
	if err != nil {
		return m, err
	}
	if m.Token() == "" {
		return m, fmt.Errorf("the %s mail to %s has no link with a token: %q", f.token(), addr, snippet(m.Text))
	}
	return m, nil
}

// seedAndIssue seeds the flow's account and issues its token.
func (r *run) seedAndIssue(f flow) (userID string, m fakemail.Message, err error) {
	if userID, err = r.seed(account(f)); err != nil {
		return "", m, err
	}
	m, err = r.issue(f, knownAddress)
	return userID, m, err
}

// redeem presents token at the flow's route from the browser: the
// verification and sign-in links as a click (GET), the reset as the form
// posting the token and a new password.
func (r *run) redeem(jar *authtest.Jar, f flow, token string) *authtest.Recorder {
	switch f {
	case verifyFlow:
		return r.send(jar, http.MethodGet, r.t.Paths.Verify, map[string]string{r.t.Fields.Token: token})
	case resetFlow:
		return r.send(jar, http.MethodPost, r.t.Paths.Reset, map[string]string{r.t.Fields.Token: token, r.t.Fields.Password: newPassword})
	}
	return r.send(jar, http.MethodGet, r.t.Paths.SignInLink, map[string]string{r.t.Fields.Token: token})
}

// wantRedeemed checks that a redemption of the flow's token succeeded.
func (r *run) wantRedeemed(f flow, what string, rec *authtest.Recorder, jar *authtest.Jar, userID string) {
	if !ok2xx3xx(rec.Code) {
		r.failf("%s: status %d, want the token accepted (200 or 303)", what, rec.Code)
		return
	}
	switch f {
	case verifyFlow:
		if r.t.IsVerified != nil {
			if v, err := r.t.IsVerified(r.ctx, r.env, knownAddress); err != nil || !v {
				r.failf("%s: status %d but %s is not verified (err %v)", what, rec.Code, knownAddress, err)
			}
		}
	case signInFlow:
		if got := r.sessionOf(jar); got != userID {
			r.failf("%s: status %d but the browser's session is of user %q, want %q", what, rec.Code, got, userID)
		}
	}
}

// wantSignedIn checks that a sign-in succeeded and left the browser with
// a session of the user userID.
func (r *run) wantSignedIn(what string, rec *authtest.Recorder, jar *authtest.Jar, userID string) {
	if got := r.sessionOf(jar); !ok2xx3xx(rec.Code) || got != userID {
		r.failf("%s: status %d and session of %q, want signed in as %q", what, rec.Code, got, userID)
	}
}

// wantRefused checks that a redemption of the flow's token was refused
// and did nothing.
func (r *run) wantRefused(f flow, what string, rec *authtest.Recorder, jar *authtest.Jar) {
	if rec.Code != http.StatusBadRequest {
		r.failf("%s: status %d, want 400 (token refused)", what, rec.Code)
	}
	switch f {
	case verifyFlow:
		if r.t.IsVerified != nil {
			if v, err := r.t.IsVerified(r.ctx, r.env, knownAddress); err != nil || v {
				r.failf("%s: %s is verified after a refused token (err %v)", what, knownAddress, err)
			}
		}
	case signInFlow:
		if got := r.sessionOf(jar); got != "" {
			r.failf("%s: a refused token signed the browser in as %q", what, got)
		}
	}
}

// signIn sends a password sign-in.
func (r *run) signIn(jar *authtest.Jar, email, pw string) *authtest.Recorder {
	return r.send(jar, http.MethodPost, r.t.Paths.SignIn, map[string]string{r.t.Fields.Email: email, r.t.Fields.Password: pw})
}

// signInCode sends a sign-in by code.
func (r *run) signInCode(jar *authtest.Jar, email, code string) *authtest.Recorder {
	return r.send(jar, http.MethodPost, r.t.Paths.SignInCode, map[string]string{r.t.Fields.Email: email, r.t.Fields.Code: code})
}

// wrongCode returns a code of the same length that is not code.
func wrongCode(code string) string {
	b := []byte(code)
	b[len(b)-1] = '0' + (b[len(b)-1]-'0'+1)%10
	return string(b)
}
