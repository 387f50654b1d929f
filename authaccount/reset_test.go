package authaccount_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authaccount"
)

// requestReset asks for a reset of address and returns the mail.
func (e *env) requestReset(t testing.TB, address string) string {
	t.Helper()
	wantStatus(t, e.do("POST", "/reset-password/request", map[string]string{"email": address}), http.StatusAccepted)
	return tokenOf(t, e.mail.Last(t, address))
}

// TestResetEndsEverySession: two devices signed in, a reset from a third;
// afterwards neither session works, the new password does and the old
// does not.
func TestResetEndsEverySession(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	e.signUp(t, "ada@example.com", "correct horse")
	id := e.userID(t, "ada@example.com")
	laptop, err := e.a.CreateSession(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	phone, err := e.a.CreateSession(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	tok := e.requestReset(t, "ada@example.com")
	w := e.do("POST", "/reset-password", map[string]string{"token": tok, "password": "battery staple"})
	wantStatus(t, w, http.StatusOK)
	for name, s := range map[string]*auth.Session{"laptop": laptop, "phone": phone} {
		if _, err := e.a.ValidateSession(ctx, s.Token); !errors.Is(err, auth.ErrInvalidSession) {
			t.Errorf("the %s's session after the reset: err %v, want ErrInvalidSession", name, err)
		}
	}
	if e.sessionCookie(w) != nil {
		t.Error("a session cookie without SignInAfterReset")
	}
	wantStatus(t, e.do("POST", "/sign-in", map[string]string{"email": "ada@example.com", "password": "correct horse"}), http.StatusUnauthorized)
	wantStatus(t, e.do("POST", "/sign-in", map[string]string{"email": "ada@example.com", "password": "battery staple"}), http.StatusOK)
	// The token is used up.
	wantStatus(t, e.do("POST", "/reset-password", map[string]string{"token": tok, "password": "third horse!"}), http.StatusBadRequest)
}

func TestResetRevokesTheSignInLink(t *testing.T) {
	e := newEnv(t, nil)
	e.signUp(t, "ada@example.com", "correct horse")
	wantStatus(t, e.do("POST", "/sign-in/email/request", map[string]string{"email": "ada@example.com"}), http.StatusAccepted)
	link := tokenOf(t, e.mail.Last(t, "ada@example.com"))
	tok := e.requestReset(t, "ada@example.com")
	wantStatus(t, e.do("POST", "/reset-password", map[string]string{"token": tok, "password": "battery staple"}), http.StatusOK)
	wantStatus(t, e.do("GET", "/sign-in/email?token="+link, nil), http.StatusBadRequest)
}

func TestResetWithWeakPasswordKeepsTheToken(t *testing.T) {
	e := newEnv(t, nil)
	e.signUp(t, "ada@example.com", "correct horse")
	tok := e.requestReset(t, "ada@example.com")
	w := e.do("POST", "/reset-password", map[string]string{"token": tok, "password": "short"})
	wantStatus(t, w, http.StatusBadRequest)
	if strings.Contains(w.Body.String(), "invalid_token") {
		t.Errorf("a weak password was answered as an invalid token: %s", w.Body)
	}
	wantStatus(t, e.do("POST", "/reset-password", map[string]string{"token": tok, "password": "battery staple"}), http.StatusOK)
}

func TestSignInAfterResetSetsAFreshSession(t *testing.T) {
	e := newEnv(t, nil, func(_ *auth.Config, c *authaccount.Config) { c.SignInAfterReset = true })
	e.signUp(t, "ada@example.com", "correct horse")
	tok := e.requestReset(t, "ada@example.com")
	w := e.do("POST", "/reset-password", map[string]string{"token": tok, "password": "battery staple"})
	wantStatus(t, w, http.StatusOK)
	e.wantSignedIn(t, w, "ada@example.com")
}

func TestResetByCode(t *testing.T) {
	e := newEnv(t, nil, func(_ *auth.Config, c *authaccount.Config) { c.Codes = true })
	e.signUp(t, "ada@example.com", "correct horse")
	wantStatus(t, e.do("POST", "/reset-password/request", map[string]string{"email": "ada@example.com"}), http.StatusAccepted)
	code := codeOf(t, e.mail.Last(t, "ada@example.com"))
	wantStatus(t, e.do("POST", "/reset-password", map[string]string{"email": "ada@example.com", "code": code, "password": "battery staple"}), http.StatusOK)
	wantStatus(t, e.do("POST", "/sign-in", map[string]string{"email": "ada@example.com", "password": "battery staple"}), http.StatusOK)
}

// TestResetRequestAnswersAlikeForUnknownAddress: bytes-equal bodies, same
// status, same headers but Date; the unknown address gets the
// no-account mail, with no token in it.
func TestResetRequestAnswersAlikeForUnknownAddress(t *testing.T) {
	for _, path := range []string{"/reset-password/request", "/verify-email/request", "/sign-in/email/request"} {
		t.Run(path, func(t *testing.T) {
			e := newEnv(t, nil)
			e.signUp(t, "ada@example.com", "correct horse")
			known := e.do("POST", path, map[string]string{"email": "ada@example.com"})
			unknown := e.do("POST", path, map[string]string{"email": "nobody@example.com"})
			wantStatus(t, known, http.StatusAccepted)
			sameAnswer(t, "known vs unknown address", known, unknown)
			m := e.mail.Last(t, "nobody@example.com")
			if !strings.Contains(m.Text, "no account") || m.Token() != "" {
				t.Errorf("the unknown address's mail:\n%s", m.Text)
			}
		})
	}
}

func TestResetPasswordFormDoesNotConsume(t *testing.T) {
	e := newEnv(t, nil)
	e.signUp(t, "ada@example.com", "correct horse")
	tok := e.requestReset(t, "ada@example.com")
	w := e.do("GET", "/reset-password?token="+tok, nil)
	wantStatus(t, w, http.StatusOK)
	if w.Header().Get("Referrer-Policy") != "same-origin" || !strings.Contains(w.Body.String(), `value="`+tok+`"`) {
		t.Errorf("the form: Referrer-Policy %q, body:\n%s", w.Header().Get("Referrer-Policy"), w.Body)
	}
	wantStatus(t, e.do("POST", "/reset-password", map[string]string{"token": tok, "password": "battery staple"}), http.StatusOK)
}

// TestResetLinkForAGivenUpAddressIsRefused: the reset mail went to an
// address the user has since changed; it must not set the password.
func TestResetLinkForAGivenUpAddressIsRefused(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	e.signUp(t, "old@example.com", "correct horse")
	id := e.userID(t, "old@example.com")
	tok := e.requestReset(t, "old@example.com")
	if err := e.a.DeleteKey(ctx, authaccount.EmailProvider, "old@example.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.CreateKey(ctx, id, auth.NewKey{ProviderID: authaccount.EmailProvider, ProviderUserID: "new@example.com", Password: "correct horse"}); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, e.do("POST", "/reset-password", map[string]string{"token": tok, "password": "battery staple"}), http.StatusBadRequest)
	wantStatus(t, e.do("POST", "/sign-in", map[string]string{"email": "new@example.com", "password": "correct horse"}), http.StatusOK)
}
