package authaccount_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestSignUpWithTakenAddressAnswersLikeSuccess: the same status, body and
// headers, and the owner learns of it by mail.
func TestSignUpWithTakenAddressAnswersLikeSuccess(t *testing.T) {
	e := newEnv(t, nil)
	first := e.do("POST", "/sign-up", map[string]string{"email": "ada@example.com", "password": "correct horse"})
	again := e.do("POST", "/sign-up", map[string]string{"email": "ada@example.com", "password": "other horse!"})
	fresh := e.do("POST", "/sign-up", map[string]string{"email": "bob@example.com", "password": "correct horse"})
	wantStatus(t, first, http.StatusCreated)
	sameAnswer(t, "taken vs new address", again, fresh)
	m := e.mail.Last(t, "ada@example.com")
	if !strings.Contains(m.Subject, "tried to sign up") {
		t.Errorf("the owner's mail is %q, want the someone-tried-to-sign-up one", m.Subject)
	}
	if m.Token() != "" {
		t.Error("the someone-tried-to-sign-up mail carries a token")
	}
	// The password of the account is still the first one.
	wantStatus(t, e.do("POST", "/sign-in", map[string]string{"email": "ada@example.com", "password": "other horse!"}), http.StatusUnauthorized)
	wantStatus(t, e.do("POST", "/sign-in", map[string]string{"email": "ada@example.com", "password": "correct horse"}), http.StatusOK)
}

func TestSignUpRefusesBadInput(t *testing.T) {
	e := newEnv(t, nil)
	for _, body := range []map[string]string{
		{"email": "ada@example.com", "password": "short"},
		{"email": "ada@example.com", "password": strings.Repeat("x", 1025)},
		{"email": "ada", "password": "correct horse"},
		{"email": "Ada <ada@example.com>", "password": "correct horse"},
		{"email": "a@b.c, d@e.f", "password": "correct horse"},
		{"password": "correct horse"},
	} {
		wantStatus(t, e.do("POST", "/sign-up", body), http.StatusBadRequest)
	}
	w := e.do("POST", "/sign-up", nil)
	wantStatus(t, w, http.StatusBadRequest)
	if len(e.mail.Messages()) != 0 {
		t.Errorf("%d mails sent for refused sign-ups", len(e.mail.Messages()))
	}
}
