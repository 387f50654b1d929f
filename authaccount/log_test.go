package authaccount_test

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authaccount"
	"github.com/authkit-dev/authkit/internal/syncbuf"
)

// TestLogsCarryNoSecrets runs every flow, failures included, with debug
// logging on, and looks for each token, code, link and password in the
// log.
func TestLogsCarryNoSecrets(t *testing.T) {
	var buf syncbuf.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := newEnv(t, nil, func(a *auth.Config, c *authaccount.Config) { a.Logger = log; c.Codes = true })
	const pw1, pw2, pwWrong = "correct horse secret", "battery staple secret", "wrong guess secret"
	var secrets []string
	keep := func(address string) {
		m := e.mail.Last(t, address)
		secrets = append(secrets, tokenOf(t, m), codeOf(t, m), linkRE.FindString(m.Text))
	}
	e.signUp(t, "ada@example.com", pw1)
	keep("ada@example.com")
	wantStatus(t, e.do("GET", "/verify-email?token="+secrets[0], nil), http.StatusOK)
	wantStatus(t, e.do("GET", "/verify-email?token="+secrets[0], nil), http.StatusBadRequest)
	wantStatus(t, e.do("POST", "/reset-password/request", map[string]string{"email": "ada@example.com"}), http.StatusAccepted)
	keep("ada@example.com")
	wantStatus(t, e.do("POST", "/reset-password", map[string]string{"token": secrets[3], "password": "short"}), http.StatusBadRequest)
	wantStatus(t, e.do("POST", "/reset-password", map[string]string{"email": "ada@example.com", "code": "00000001", "password": pw2}), http.StatusBadRequest)
	wantStatus(t, e.do("POST", "/reset-password", map[string]string{"token": secrets[3], "password": pw2}), http.StatusOK)
	wantStatus(t, e.do("POST", "/sign-in/email/request", map[string]string{"email": "ada@example.com"}), http.StatusAccepted)
	keep("ada@example.com")
	wantStatus(t, e.do("POST", "/sign-in/email", map[string]string{"email": "ada@example.com", "code": secrets[7]}), http.StatusOK)
	wantStatus(t, e.do("POST", "/reset-password/request", map[string]string{"email": "nobody@example.com"}), http.StatusAccepted)
	for range 6 {
		e.signInFrom("192.0.2.1", "ada@example.com", pwWrong)
	}
	wantStatus(t, e.signInFrom("192.0.2.9", "ada@example.com", pw2), http.StatusOK)
	e.mail.Down(errors.New("smtp: 421 try later"))
	wantStatus(t, e.do("POST", "/sign-in/email/request", map[string]string{"email": "ada@example.com"}), http.StatusServiceUnavailable)

	out := buf.String()
	if !strings.Contains(out, "sending mail failed") || !strings.Contains(out, "throttled") {
		t.Fatalf("the log lacks the failure and the refusal; is it captured?\n%s", out)
	}
	for _, s := range append(secrets, pw1, pw2, pwWrong) {
		if s != "" && strings.Contains(out, s) {
			t.Errorf("the log holds the secret %q", s)
		}
	}
	if strings.Contains(out, "token=") {
		t.Error("the log holds a link")
	}
}
