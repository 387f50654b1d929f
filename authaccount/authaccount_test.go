package authaccount_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/authaccount"
	"github.com/authkit-dev/authkit/fakemail"
)

func TestNewRefusesUnusableConfig(t *testing.T) {
	a, err := auth.New(memstore.New(), auth.Config{})
	if err != nil {
		t.Fatal(err)
	}
	own, err := auth.New(memstore.NewSessions(), auth.Config{})
	if err != nil {
		t.Fatal(err)
	}
	send := fakemail.New()
	for _, tc := range []struct {
		name string
		a    *auth.Auth
		cfg  authaccount.Config
	}{
		{"nil Auth", nil, authaccount.Config{Sender: send, BaseURL: baseURL}},
		{"no Sender", a, authaccount.Config{BaseURL: baseURL}},
		{"no BaseURL", a, authaccount.Config{Sender: send}},
		{"relative BaseURL", a, authaccount.Config{Sender: send, BaseURL: "/app"}},
		{"http BaseURL", a, authaccount.Config{Sender: send, BaseURL: "http://app.example"}},
		{"BaseURL with a query", a, authaccount.Config{Sender: send, BaseURL: "https://app.example/?x=1"}},
		{"negative TTL", a, authaccount.Config{Sender: send, BaseURL: baseURL, ResetTTL: -1}},
		{"min above max password", a, authaccount.Config{Sender: send, BaseURL: baseURL, MinPassword: 20, MaxPassword: 10}},
		{"bad throttle", a, authaccount.Config{Sender: send, BaseURL: baseURL, Throttle: &authaccount.ThrottlePolicy{SignInPerIP: authaccount.Limit{Max: 3}}}},
		{"sessions-only Auth without Directory", own, authaccount.Config{Sender: send, BaseURL: baseURL}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := authaccount.New(tc.a, tc.cfg); !errors.Is(err, authaccount.ErrConfig) {
				t.Errorf("New: err %v, want ErrConfig", err)
			}
		})
	}
	if _, err := authaccount.New(a, authaccount.Config{Sender: send, BaseURL: "http://localhost:8080", AllowInsecureBaseURL: true}); err != nil {
		t.Errorf("http BaseURL with AllowInsecureBaseURL: %v", err)
	}
}

func TestLinksAreBuiltOnBaseURLNotHost(t *testing.T) {
	e := newEnv(t, nil, func(_ *auth.Config, c *authaccount.Config) { c.BaseURL = "https://app.example/base/" })
	r := strings.NewReader(`{"email":"ada@example.com","password":"correct horse"}`)
	req, _ := http.NewRequest("POST", "http://evil.example/sign-up", r)
	req.Host = "evil.example"
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-Host", "evil.example")
	req.RemoteAddr = "192.0.2.1:1234"
	w := newRecorder()
	e.h.ServeHTTP(w, req)
	wantStatus(t, w, http.StatusCreated)
	m := e.mail.Last(t, "ada@example.com")
	link := linkRE.FindString(m.Text)
	if !strings.HasPrefix(link, "https://app.example/base/verify-email?token=") {
		t.Errorf("link %q, want it on the BaseURL https://app.example/base/", link)
	}
	if strings.Contains(m.Text+m.HTML, "evil.example") {
		t.Errorf("the mail names the request's Host:\n%s", m.Text)
	}
}

func TestFormRequestsRedirectOrAnswerHTML(t *testing.T) {
	e := newEnv(t, nil, func(_ *auth.Config, c *authaccount.Config) { c.Pages.AfterSignUp = "/welcome" })
	w := e.form("/sign-up", url.Values{"email": {"ada@example.com"}, "password": {"correct horse"}})
	wantStatus(t, w, http.StatusSeeOther)
	if got := w.Header().Get("Location"); got != "/welcome" {
		t.Errorf("Location %q, want /welcome", got)
	}
	w = e.form("/reset-password/request", url.Values{"email": {"ada@example.com"}})
	wantStatus(t, w, http.StatusAccepted)
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type %q, want text/html", ct)
	}
	w = e.form("/sign-up", url.Values{"email": {"not an address"}, "password": {"correct horse"}})
	wantStatus(t, w, http.StatusBadRequest)
}

func TestJSONWhenAcceptAsksForIt(t *testing.T) {
	e := newEnv(t, nil)
	req := newFormRequest("/reset-password/request", url.Values{"email": {"ada@example.com"}})
	req.Header.Set("Accept", "application/json")
	w := newRecorder()
	e.h.ServeHTTP(w, req)
	wantStatus(t, w, http.StatusAccepted)
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
}

func TestCrossOriginPostIsRefused(t *testing.T) {
	e := newEnv(t, nil)
	req := newFormRequest("/sign-in", url.Values{"email": {"ada@example.com"}, "password": {"x"}})
	req.Header.Set("Origin", "https://evil.example")
	w := newRecorder()
	e.h.ServeHTTP(w, req)
	wantStatus(t, w, http.StatusForbidden)
	// Without the Middleware, the handler checks the origin itself.
	w = newRecorder()
	e.ac.SignIn().ServeHTTP(w, req)
	wantStatus(t, w, http.StatusForbidden)
}
