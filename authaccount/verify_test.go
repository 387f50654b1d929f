package authaccount_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authaccount"
)

func verified(t *testing.T, e *env, userID string) bool {
	t.Helper()
	u, err := e.a.GetUser(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	return u.Attributes[authaccount.AttrEmailVerified] == true
}

func TestSignUpSendsVerificationAndConfirmOnceMarksTheAddress(t *testing.T) {
	e := newEnv(t, nil)
	w := e.do("POST", "/sign-up", map[string]string{"email": " Ada@Example.com ", "password": "correct horse"})
	wantStatus(t, w, http.StatusCreated)
	if e.sessionCookie(w) != nil {
		t.Error("sign-up set a session cookie; the account is unverified and nobody is signed in")
	}
	m := e.mail.Last(t, "ada@example.com")
	id := e.userID(t, "ada@example.com")
	if verified(t, e, id) {
		t.Fatal("verified before the link was opened")
	}
	tok := tokenOf(t, m)
	wantStatus(t, e.do("GET", "/verify-email?token="+tok, nil), http.StatusOK)
	if !verified(t, e, id) {
		t.Error("not verified after the link was opened")
	}
	// Single use: the same link again is the invalid-token answer.
	wantStatus(t, e.do("GET", "/verify-email?token="+tok, nil), http.StatusBadRequest)
}

func TestConfirmVerificationByCode(t *testing.T) {
	e := newEnv(t, nil, func(_ *auth.Config, c *authaccount.Config) { c.Codes = true })
	m := e.signUp(t, "ada@example.com", "correct horse")
	code := codeOf(t, m)
	wrong := "00000000"
	if code == wrong {
		wrong = "11111111"
	}
	wantStatus(t, e.do("POST", "/verify-email", map[string]string{"email": "ada@example.com", "code": wrong}), http.StatusBadRequest)
	wantStatus(t, e.do("POST", "/verify-email", map[string]string{"email": "ada@example.com", "code": code}), http.StatusOK)
	if !verified(t, e, e.userID(t, "ada@example.com")) {
		t.Error("not verified after the right code")
	}
}

// TestTokenExpiry checks the end instant: a token is accepted at
// ExpiresAt-1ns and at ExpiresAt, refused at ExpiresAt+1ns.
func TestTokenExpiry(t *testing.T) {
	for _, tc := range []struct {
		name  string
		after time.Duration
		want  int
	}{
		{"at ExpiresAt-1ns", authaccount.DefaultVerificationTTL - 1, http.StatusOK},
		{"at ExpiresAt", authaccount.DefaultVerificationTTL, http.StatusOK},
		{"at ExpiresAt+1ns", authaccount.DefaultVerificationTTL + 1, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			m := e.signUp(t, "ada@example.com", "correct horse")
			e.clock.Advance(tc.after)
			wantStatus(t, e.do("GET", "/verify-email?token="+tokenOf(t, m), nil), tc.want)
		})
	}
}

func TestTokenOfAnotherPurposeIsRefusedAndKept(t *testing.T) {
	e := newEnv(t, nil)
	m := e.signUp(t, "ada@example.com", "correct horse")
	tok := tokenOf(t, m)
	w := e.do("GET", "/sign-in/email?token="+tok, nil)
	wantStatus(t, w, http.StatusBadRequest)
	if e.sessionCookie(w) != nil {
		t.Error("a verification token signed someone in")
	}
	wantStatus(t, e.do("POST", "/reset-password", map[string]string{"token": tok, "password": "another horse"}), http.StatusBadRequest)
	// Still good for its own purpose.
	wantStatus(t, e.do("GET", "/verify-email?token="+tok, nil), http.StatusOK)
}

func TestNewerVerificationReplacesOlder(t *testing.T) {
	e := newEnv(t, nil)
	old := tokenOf(t, e.signUp(t, "ada@example.com", "correct horse"))
	wantStatus(t, e.do("POST", "/verify-email/request", map[string]string{"email": "ada@example.com"}), http.StatusAccepted)
	newer := tokenOf(t, e.mail.Last(t, "ada@example.com"))
	wantStatus(t, e.do("GET", "/verify-email?token="+old, nil), http.StatusBadRequest)
	wantStatus(t, e.do("GET", "/verify-email?token="+newer, nil), http.StatusOK)
}

// TestVerificationConfirmsOnlyTheAddressItWasSentTo changes the user's
// address after the mail went out: the token then confirms nothing.
func TestVerificationConfirmsOnlyTheAddressItWasSentTo(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	tok := tokenOf(t, e.signUp(t, "old@example.com", "correct horse"))
	id := e.userID(t, "old@example.com")
	if err := e.a.DeleteKey(ctx, authaccount.EmailProvider, "old@example.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.CreateKey(ctx, id, auth.NewKey{ProviderID: authaccount.EmailProvider, ProviderUserID: "new@example.com", Password: "correct horse"}); err != nil {
		t.Fatal(err)
	}
	w := e.do("GET", "/verify-email?token="+tok, nil)
	wantStatus(t, w, http.StatusBadRequest)
	if verified(t, e, id) {
		t.Error("a token sent to the old address verified the user")
	}
	// Another user taking the old address later is not verified by it either.
	e2 := newEnv(t, nil)
	tok2 := tokenOf(t, e2.signUp(t, "x@example.com", "correct horse"))
	id2 := e2.userID(t, "x@example.com")
	if err := e2.a.DeleteKey(ctx, authaccount.EmailProvider, "x@example.com"); err != nil {
		t.Fatal(err)
	}
	e2.signUp(t, "x@example.com", "another horse")
	wantStatus(t, e2.do("GET", "/verify-email?token="+tok2, nil), http.StatusBadRequest)
	if verified(t, e2, id2) || verified(t, e2, e2.userID(t, "x@example.com")) {
		t.Error("the first user's token verified an address now another user's")
	}
}

func TestInvalidTokenAnswersAreOneForAllReasons(t *testing.T) {
	e := newEnv(t, nil)
	tok := tokenOf(t, e.signUp(t, "ada@example.com", "correct horse"))
	wantStatus(t, e.do("GET", "/verify-email?token="+tok, nil), http.StatusOK)
	used := e.do("GET", "/verify-email?token="+tok, nil)
	malformed := e.do("GET", "/verify-email?token=nope", nil)
	unknown := e.do("GET", "/verify-email?token="+strings.Repeat("a", 32), nil)
	empty := e.do("GET", "/verify-email", nil)
	sameAnswer(t, "used vs malformed", used, malformed)
	sameAnswer(t, "used vs unknown", used, unknown)
	sameAnswer(t, "used vs none", used, empty)
	wantStatus(t, used, http.StatusBadRequest)
}
