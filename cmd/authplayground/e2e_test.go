package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/cmd/authplayground/internal/playground"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/internal/syncbuf"
)

// testStart is where the playground clock starts in these tests.
var testStart = time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC)

// startPlayground runs the command's server (run, as main runs it) on a
// loopback port until the test ends, and returns its base URL. The test
// fails if the server does not shut down cleanly.
func startPlayground(t *testing.T, o options) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if o.db == "" {
		o.db = "memory"
	}
	if o.start.IsZero() {
		o.start = testStart
	}
	var logs syncbuf.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, o, log, ln, nil) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("the playground did not shut down cleanly: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("the playground did not shut down within 10s")
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return "http://" + ln.Addr().String()
}

// api is a JSON client of the playground with a cookie jar, as a script
// would use it: no Origin or Sec-Fetch-Site headers.
type api struct {
	t      *testing.T
	base   string
	jar    *authtest.Jar
	client *http.Client
}

// newAPI returns a client whose cookie jar reads clock, or the system
// clock when it is nil.
func newAPI(t *testing.T, base, name string, clock auth.Clock) *api {
	opts := []authtest.JarOption{authtest.WithName(name)}
	if clock != nil {
		opts = append(opts, authtest.WithClock(clock))
	}
	jar := authtest.NewJar(opts...)
	return &api{t: t, base: base, jar: jar, client: jar.Client(nil)}
}

// do sends a request with the header's name and value pairs ("Host"
// names the request's host) and returns the response, whose body it has
// read into body.
func (c *api) do(method, path, body string, header ...string) (*http.Response, string) {
	c.t.Helper()
	req, err := http.NewRequestWithContext(c.t.Context(), method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "Host" { // the client sends req.Host, never a Host header
			req.Host = header[i+1]
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.client.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return res, strings.TrimSpace(string(b))
}

// want checks a response's status and, when want is not empty, its body.
func (c *api) want(res *http.Response, body string, code int, want string) {
	c.t.Helper()
	if res.StatusCode != code {
		c.t.Errorf("%s %s: status %d, want %d (%s)", res.Request.Method, res.Request.URL.Path, res.StatusCode, code, body)
	}
	if want != "" && body != want {
		c.t.Errorf("%s %s: body %s, want %s", res.Request.Method, res.Request.URL.Path, body, want)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		c.t.Errorf("%s %s: Content-Type %q", res.Request.Method, res.Request.URL.Path, ct)
	}
}

// userID signs up username and returns the new user's ID.
func (c *api) signUp(username string) string {
	c.t.Helper()
	res, body := c.do("POST", "/api/signup", `{"username":"`+username+`","password":"correct horse"}`)
	c.want(res, body, 200, "")
	authtest.AssertSession(c.t, res, authtest.Set)
	var got struct {
		User struct{ ID, Username string } `json:"user"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil || got.User.Username != username || got.User.ID == "" {
		c.t.Fatalf("signup %s: %s (%v)", username, body, err)
	}
	return got.User.ID
}

// states returns the states of the stored sessions, by user ID, as one
// string: "idle", or "active idle" for a user with two.
func (c *api) states() map[string]string {
	c.t.Helper()
	res, body := c.do("GET", "/_play/sessions", "")
	c.want(res, body, 200, "")
	var got struct {
		Sessions []playground.SessionJSON `json:"sessions"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		c.t.Fatalf("sessions: %s (%v)", body, err)
	}
	out := map[string]string{}
	for _, s := range got.Sessions {
		// Signed in over loopback TCP by Go's client: the device says so.
		if s.ID == "" || s.ActiveExpiresAt.IsZero() || s.IdleExpiresAt.Before(s.ActiveExpiresAt) ||
			s.CreatedAt.IsZero() || s.RenewedAt.Before(s.CreatedAt) || !s.ActiveExpiresAt.After(s.RenewedAt) ||
			!strings.HasPrefix(s.UserAgent, "Go-http-client/") || s.ClientIP != "127.0.0.1" {
			c.t.Errorf("session %+v", s)
		}
		out[s.UserID] = strings.TrimSpace(out[s.UserID] + " " + s.State)
	}
	return out
}

func TestJSONAPIEndToEnd(t *testing.T) {
	base := startPlayground(t, options{})
	// Ada's client keeps a clock in step with the playground's, so that
	// her cookie jar sees a renewal as a later expiry. Carol's client is
	// on the system clock, like a browser: the playground's time machine
	// does not move it, so her cookie outlives her session.
	clock := fakeauth.NewClock(testStart)
	ada, carol := newAPI(t, base, "ada", clock), newAPI(t, base, "carol", nil)
	advance := func(by time.Duration) {
		t.Helper()
		res, body := ada.do("POST", "/_play/clock/advance", `{"by":"`+by.String()+`"}`)
		ada.want(res, body, 200, `{"now":"`+clock.Advance(by).UTC().Format(time.RFC3339)+`"}`)
	}

	adaID := ada.signUp("ada")
	carolID := carol.signUp("carol")

	res, body := carol.do("POST", "/api/signup", `{"username":"ada","password":"again"}`)
	carol.want(res, body, 409, `{"error":"that username is taken"}`)
	authtest.AssertSession(t, res, authtest.Untouched)
	res, body = carol.do("POST", "/api/login", `{"username":"ada","password":"wrong"}`)
	carol.want(res, body, 401, `{"error":"wrong username or password"}`)
	authtest.AssertSession(t, res, authtest.Untouched)
	res, body = carol.do("POST", "/api/login", `{"username":"ada",`)
	carol.want(res, body, 400, "")
	authtest.AssertSession(t, res, authtest.Untouched)
	res, body = carol.do("POST", "/api/login", `{"username":"ada","password":"`+strings.Repeat("x", 10000)+`"}`)
	carol.want(res, body, 400, "")

	res, body = ada.do("GET", "/api/auth/user", "")
	ada.want(res, body, 200, `{"user":{"id":"`+adaID+`","username":"ada"}}`)

	// The clock.
	res, body = ada.do("GET", "/_play/clock", "")
	ada.want(res, body, 200, `{"now":"2026-03-02T09:00:00Z"}`)
	advance(25 * time.Hour)
	res, body = ada.do("GET", "/_play/clock", "")
	ada.want(res, body, 200, `{"now":"2026-03-03T10:00:00Z"}`)
	res, body = ada.do("POST", "/_play/clock/advance", `{"by":"-25h"}`)
	ada.want(res, body, 400, "")

	// Both sessions are idle; ada's next request renews hers.
	if got := ada.states(); len(got) != 2 || got[adaID] != "idle" || got[carolID] != "idle" {
		t.Errorf("sessions after 25h: %v, want both idle", got)
	}
	res, body = ada.do("GET", "/api/auth/user", "")
	ada.want(res, body, 200, "")
	authtest.AssertSession(t, res, authtest.Renewed)
	if got := ada.states(); got[adaID] != "active" || got[carolID] != "idle" {
		t.Errorf("sessions after ada's renewal: %v, want ada active, carol idle", got)
	}
	// 15 days on, carol's session is past its idle period, ada's is idle.
	advance(359 * time.Hour)
	if got := ada.states(); got[adaID] != "idle" || got[carolID] != "dead" {
		t.Errorf("sessions 15 days later: %v, want ada idle, carol dead", got)
	}
	res, body = carol.do("GET", "/api/auth/user", "")
	carol.want(res, body, 200, `{"user":null}`)
	authtest.AssertSession(t, res, authtest.Cleared)
	if got := ada.states(); got[carolID] != "" {
		t.Errorf("carol's dead session is still stored after she presented it: %v", got)
	}
	res, body = ada.do("GET", "/api/auth/user", "")
	ada.want(res, body, 200, "")
	authtest.AssertSession(t, res, authtest.Renewed)

	// Faults: a failing read is a 503 that keeps the cookie; a failing
	// session insert makes sign-in a 503 without a cookie.
	cookie, _ := ada.jar.Cookie(auth.DefaultCookieName)
	res, body = ada.do("POST", "/_play/faults", `{"op":"GetSessionAndUser","count":1}`)
	ada.want(res, body, 200, `{"faults":{"GetSessionAndUser":1}}`)
	res, body = ada.do("GET", "/api/auth/user", "")
	ada.want(res, body, 503, `{"error":"session store unavailable; try again"}`)
	authtest.AssertSession(t, res, authtest.Untouched)
	res, body = ada.do("POST", "/_play/faults", `{"op":"CreateSession","count":1}`)
	ada.want(res, body, 200, "")
	res, body = ada.do("POST", "/api/login", `{"username":"ada","password":"correct horse"}`)
	ada.want(res, body, 503, "")
	authtest.AssertSession(t, res, authtest.Untouched)
	if got, _ := ada.jar.Cookie(auth.DefaultCookieName); got == nil || got.Value != cookie.Value {
		t.Error("a store failure cost ada her cookie")
	}
	res, body = ada.do("POST", "/_play/faults", `{"op":"Teleport","count":1}`)
	ada.want(res, body, 400, "")
	res, body = ada.do("POST", "/_play/faults", `{"op":"DeleteSession","count":5}`)
	ada.want(res, body, 200, "")
	res, body = ada.do("DELETE", "/_play/faults", "")
	ada.want(res, body, 200, `{"faults":{}}`)
	res, body = ada.do("GET", "/api/auth/user", "")
	ada.want(res, body, 200, `{"user":{"id":"`+adaID+`","username":"ada"}}`)

	// Control routes refuse other sites, as the app routes do.
	res, body = ada.do("POST", "/_play/reset", "", "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
	ada.want(res, body, 403, `{"error":"cross-origin request"}`)
	res, body = ada.do("POST", "/api/auth/logout", "", "Origin", "https://evil.example")
	ada.want(res, body, 403, "")
	authtest.AssertSession(t, res, authtest.Untouched)

	// Sign out, twice.
	res, body = ada.do("POST", "/api/auth/logout", "")
	ada.want(res, body, 200, `{}`)
	authtest.AssertSession(t, res, authtest.Cleared)
	res, body = ada.do("POST", "/api/auth/logout", "")
	ada.want(res, body, 401, "")

	// Reset: nobody is left, the clock is back at its start.
	ada.signUp("ada2")
	res, body = ada.do("POST", "/_play/reset", "")
	clock.Set(testStart)
	ada.want(res, body, 200, `{"now":"2026-03-02T09:00:00Z"}`)
	if got := ada.states(); len(got) != 0 {
		t.Errorf("sessions after reset: %v", got)
	}
	res, body = ada.do("POST", "/api/login", `{"username":"ada","password":"correct horse"}`)
	ada.want(res, body, 401, "")
	res, body = ada.do("GET", "/api/auth/user", "")
	ada.want(res, body, 200, `{"user":null}`)
	authtest.AssertSession(t, res, authtest.Cleared)

	authtest.AssertSessionHistory(t, ada.jar,
		authtest.Set, authtest.Renewed, authtest.Renewed, authtest.Cleared,
		authtest.Set, authtest.Cleared)
}

// A request whose Host is not a loopback name is refused: a page on
// another site that resolves its own name to 127.0.0.1 (DNS rebinding)
// gets nothing.
func TestRebindingHostRefused(t *testing.T) {
	base := startPlayground(t, options{})
	c := newAPI(t, base, "rebinder", nil)
	res, body := c.do("POST", "/_play/reset", "", "Host", "evil.example:8080")
	if res.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("POST with Host evil.example: %d %s, want 421", res.StatusCode, body)
	}
}
