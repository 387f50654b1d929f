package authaccount_test

// This file holds the code of the README section "Accounts:
// verification, reset, throttling" as it appears there:
// TestReadmeCodeIsThisFile checks that the README's Go block is in this
// file, character for character, so that it keeps compiling and working.

import (
	"net/http"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/authaccount"
	"github.com/authkit-dev/authkit/authmail"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/fakemail"
	"github.com/authkit-dev/authkit/internal/readmecode"
)

func newAccountsHandler(a *auth.Auth, sender authmail.Sender) (http.Handler, error) {
	accounts, err := authaccount.New(a, authaccount.Config{
		Sender:  sender,                // smtpmail in production, fakemail in tests
		BaseURL: "https://app.example", // links are built on it, never on the Host header
		Codes:   true,                  // a code with each link, for mail read on another device
	})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	accounts.Mount(mux) // POST /sign-up, /sign-in, /reset-password/request, ... (docs/accounts.md)
	return authrequest.MustMiddleware(a)(mux), nil
}

// TestReadmeAccountsHandler signs up, verifies and signs in by code on the
// README's handler.
func TestReadmeAccountsHandler(t *testing.T) {
	a, err := auth.New(memstore.New(), auth.Config{Argon2: fakeauth.CheapArgon2()})
	if err != nil {
		t.Fatal(err)
	}
	outbox := fakemail.New()
	h, err := newAccountsHandler(a, outbox)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{a: a, mail: outbox, h: h}
	tok := tokenOf(t, e.signUp(t, "ada@example.com", "correct horse"))
	wantStatus(t, e.do("GET", "/verify-email?token="+tok, nil), http.StatusOK)
	wantStatus(t, e.do("POST", "/sign-in/email/request", map[string]string{"email": "ada@example.com"}), http.StatusAccepted)
	code := codeOf(t, outbox.Last(t, "ada@example.com"))
	w := e.do("POST", "/sign-in/email", map[string]string{"email": "ada@example.com", "code": code})
	wantStatus(t, w, http.StatusOK)
	if e.sessionCookie(w) == nil {
		t.Error("no session cookie")
	}
}

// TestReadmeCodeIsThisFile checks that the first Go block of the README's
// accounts section is in this file as it is printed.
func TestReadmeCodeIsThisFile(t *testing.T) {
	readmecode.Check(t, "../README.md", "readme_test.go", "## Accounts: verification, reset, throttling")
}
