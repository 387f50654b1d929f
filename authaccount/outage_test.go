package authaccount_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/authaccount"
)

// TestSenderOutageIs503AndLeavesNoToken: the token issued before the
// failed Send is revoked, for a known and an unknown address alike, and
// the user is told the mail could not be sent.
func TestSenderOutageIs503AndLeavesNoToken(t *testing.T) {
	for _, tc := range []struct{ path, purpose string }{
		{"/reset-password/request", authaccount.PurposeResetPassword},
		{"/verify-email/request", authaccount.PurposeVerifyEmail},
		{"/sign-in/email/request", authaccount.PurposeSignIn},
	} {
		t.Run(tc.path, func(t *testing.T) {
			e := newEnv(t, nil)
			e.signUp(t, "ada@example.com", "correct horse")
			id := e.userID(t, "ada@example.com")
			if tc.purpose == authaccount.PurposeVerifyEmail {
				// The sign-up's own verification token: revoke it by
				// using it, so that only the failed request's could be left.
				wantStatus(t, e.do("GET", "/verify-email?token="+tokenOf(t, e.mail.Last(t, "ada@example.com")), nil), http.StatusOK)
			}
			e.mail.Down(errors.New("smtp: 421 service not available"))
			known := e.do("POST", tc.path, map[string]string{"email": "ada@example.com"})
			unknown := e.do("POST", tc.path, map[string]string{"email": "nobody@example.com"})
			wantStatus(t, known, http.StatusServiceUnavailable)
			sameAnswer(t, "sender down: known vs unknown", known, unknown)
			if !strings.Contains(known.Body.String(), "could not send") {
				t.Errorf("the answer does not say the mail could not be sent: %s", known.Body)
			}
			e.noToken(t, id, tc.purpose)
			e.noToken(t, authaccount.NoAccountUserID("nobody@example.com"), authaccount.PurposeNoAccount)
		})
	}
}
