package authaccount_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authaccount"
	"github.com/authkit-dev/authkit/authrequest"
)

// signInFrom posts a password sign-in from the client at ip.
func (e *env) signInFrom(ip, address, password string) *httptest.ResponseRecorder {
	w := newRecorder()
	r := newJSONRequest("/sign-in", map[string]string{"email": address, "password": password})
	r.RemoteAddr = ip + ":4321"
	e.h.ServeHTTP(w, r)
	return w
}

func wantRetryAfter(t *testing.T, w *httptest.ResponseRecorder, want string) {
	t.Helper()
	wantStatus(t, w, http.StatusTooManyRequests)
	if got := w.Header().Get("Retry-After"); got != want {
		t.Errorf("Retry-After %q, want %q", got, want)
	}
}

// TestSignInThrottlePerAccountAndIP: the 6th attempt in 15 minutes from
// one IP for one account is refused, with the right password too, with
// Retry-After in whole seconds rounded up; another IP is not refused; the
// window's end lets the owner in again.
func TestSignInThrottlePerAccountAndIP(t *testing.T) {
	e := newEnv(t, nil)
	e.signUp(t, "ada@example.com", "correct horse")
	for i := range 5 {
		if w := e.signInFrom("192.0.2.1", "ada@example.com", "wrong"); w.Code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: status %d, want 401", i+1, w.Code)
		}
	}
	e.clock.Advance(1500 * time.Millisecond)
	wantRetryAfter(t, e.signInFrom("192.0.2.1", "ada@example.com", "correct horse"), "899") // 898.5s, rounded up
	wantStatus(t, e.signInFrom("198.51.100.7", "ada@example.com", "correct horse"), http.StatusOK)
	e.clock.Advance(15*time.Minute - 1500*time.Millisecond)
	wantRetryAfter(t, e.signInFrom("192.0.2.1", "ada@example.com", "correct horse"), "1") // the window's last instant
	e.clock.Advance(1)
	wantStatus(t, e.signInFrom("192.0.2.1", "ada@example.com", "correct horse"), http.StatusOK)
}

// TestWaitingRetryAfterIsEnough: a client that waits exactly the
// Retry-After it was told is let in (RFC 9110 §10.2.3), even when the
// refusal came with whole seconds left in the window.
func TestWaitingRetryAfterIsEnough(t *testing.T) {
	e := newEnv(t, nil)
	e.signUp(t, "ada@example.com", "correct horse")
	for range 5 {
		wantStatus(t, e.signInFrom("192.0.2.1", "ada@example.com", "wrong"), http.StatusUnauthorized)
	}
	w := e.signInFrom("192.0.2.1", "ada@example.com", "correct horse")
	secs, err := strconv.Atoi(w.Header().Get("Retry-After"))
	if w.Code != http.StatusTooManyRequests || err != nil {
		t.Fatalf("status %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
	e.clock.Advance(time.Duration(secs) * time.Second)
	wantStatus(t, e.signInFrom("192.0.2.1", "ada@example.com", "correct horse"), http.StatusOK)
}

// TestSuccessfulSignInRestartsTheAccountIPCount: the owner's typos do not
// add up across successful sign-ins.
func TestSuccessfulSignInRestartsTheAccountIPCount(t *testing.T) {
	e := newEnv(t, nil)
	e.signUp(t, "ada@example.com", "correct horse")
	for range 3 {
		for range 4 {
			wantStatus(t, e.signInFrom("192.0.2.1", "ada@example.com", "typo"), http.StatusUnauthorized)
		}
		wantStatus(t, e.signInFrom("192.0.2.1", "ada@example.com", "correct horse"), http.StatusOK)
	}
}

func TestSignInThrottlePerIPAndPerAccount(t *testing.T) {
	policy := authaccount.ThrottlePolicy{
		SignInPerIP:      authaccount.Limit{Max: 3, Window: time.Minute},
		SignInPerAccount: authaccount.Limit{Max: 4, Window: time.Hour},
	}
	e := newEnv(t, nil, func(_ *auth.Config, c *authaccount.Config) { c.Throttle = &policy })
	for _, who := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		wantStatus(t, e.signInFrom("192.0.2.1", who, "x"), http.StatusUnauthorized)
	}
	wantRetryAfter(t, e.signInFrom("192.0.2.1", "d@example.com", "x"), "61") // the window counts its last instant: 60 s later is still in it
	for _, ip := range []string{"198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4"} {
		wantStatus(t, e.signInFrom(ip, "victim@example.com", "x"), http.StatusUnauthorized)
	}
	wantRetryAfter(t, e.signInFrom("198.51.100.5", "victim@example.com", "x"), "3601")
}

// TestThrottleCountsClientsBehindATrustedProxyApart: the client IP is
// authrequest's, which reads X-Forwarded-For from a trusted proxy.
func TestThrottleCountsClientsBehindATrustedProxyApart(t *testing.T) {
	policy := authaccount.ThrottlePolicy{SignInPerAccountIP: authaccount.Limit{Max: 1, Window: time.Minute}}
	e := newEnv(t, nil, func(_ *auth.Config, c *authaccount.Config) {
		c.Throttle = &policy
		c.RequestOptions = []authrequest.Option{authrequest.WithTrustedProxyClientIP("X-Forwarded-For", "10.0.0.1")}
	})
	from := func(client string) int {
		r := newJSONRequest("/sign-in", map[string]string{"email": "ada@example.com", "password": "x"})
		r.RemoteAddr = "10.0.0.1:4321"
		r.Header.Set("X-Forwarded-For", client)
		w := newRecorder()
		e.h.ServeHTTP(w, r)
		return w.Code
	}
	if got := []int{from("203.0.113.1"), from("203.0.113.1"), from("203.0.113.2")}; got[0] != 401 || got[1] != 429 || got[2] != 401 {
		t.Errorf("statuses %v, want [401 429 401]", got)
	}
}

// TestMailRequestThrottleIsTheSameForUnknownAddresses: the 6th request in
// an hour is 429 for a known and an unknown address alike.
func TestMailRequestThrottleIsTheSameForUnknownAddresses(t *testing.T) {
	e := newEnv(t, nil)
	e.signUp(t, "ada@example.com", "correct horse")
	e.clock.Advance(2 * time.Hour) // the sign-up's count is over
	var last [2]*httptest.ResponseRecorder
	for i, address := range []string{"ada@example.com", "nobody@example.com"} {
		for n := range 5 {
			w := newRecorder()
			r := newJSONRequest("/reset-password/request", map[string]string{"email": address})
			r.RemoteAddr = []string{"192.0.2.1", "192.0.2.2"}[i] + ":1"
			e.h.ServeHTTP(w, r)
			if w.Code != http.StatusAccepted {
				t.Fatalf("%s request %d: %d", address, n+1, w.Code)
			}
		}
		w := newRecorder()
		r := newJSONRequest("/reset-password/request", map[string]string{"email": address})
		r.RemoteAddr = []string{"192.0.2.1", "192.0.2.2"}[i] + ":1"
		e.h.ServeHTTP(w, r)
		last[i] = w
	}
	wantRetryAfter(t, last[0], "3601")
	sameAnswer(t, "throttled known vs unknown", last[0], last[1])
}

func TestCodeThrottlePerIP(t *testing.T) {
	policy := authaccount.ThrottlePolicy{CodePerIP: authaccount.Limit{Max: 2, Window: time.Minute}}
	e := newEnv(t, nil, func(_ *auth.Config, c *authaccount.Config) { c.Throttle = &policy; c.Codes = true })
	for range 2 {
		wantStatus(t, e.do("POST", "/sign-in/email", map[string]string{"email": "ada@example.com", "code": "12345678"}), http.StatusBadRequest)
	}
	wantRetryAfter(t, e.do("POST", "/sign-in/email", map[string]string{"email": "ada@example.com", "code": "12345678"}), "61")
}

// TestThrottleForAnAppsOwnHandler uses Throttle as an app's own sign-in
// handler would.
func TestThrottleForAnAppsOwnHandler(t *testing.T) {
	e := newEnv(t, nil)
	th, err := authaccount.NewThrottle(e.a, authaccount.ThrottlePolicy{SignInPerAccountIP: authaccount.Limit{Max: 2, Window: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("POST", "/login", nil)
	for range 2 {
		if err := th.AllowSignIn(r, "ada"); err != nil {
			t.Fatal(err)
		}
	}
	err = th.AllowSignIn(r, "ada")
	var te *authaccount.ThrottledError
	if !errors.As(err, &te) || !errors.Is(err, authaccount.ErrThrottled) || te.RetryAfterSeconds() != 61 {
		t.Fatalf("3rd attempt: %v, want a ThrottledError of 61s (60s left, and the window counts its last instant)", err)
	}
	if err := th.SignedIn(r, "ada"); err != nil {
		t.Fatal(err)
	}
	if err := th.AllowSignIn(r, "ada"); err != nil {
		t.Errorf("after SignedIn: %v", err)
	}
}
