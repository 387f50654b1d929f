package playground_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/cmd/authplayground/internal/playground"
	"github.com/authkit-dev/authkit/fakeauth"
)

// call sends a JSON request to h from a client without a browser's origin
// headers (as curl or a script sends it) and returns the response.
func call(t *testing.T, h http.Handler, jar *authtest.Jar, method, path, body string) *authtest.Recorder {
	t.Helper()
	b := authtest.BuildRequest(method, base+path)
	if body != "" {
		b = b.WithBody("application/json", []byte(body))
	}
	return jar.Do(h, b.Build(t))
}

// errorOf returns the "error" of a JSON error body, failing the test if
// the body is not one.
func errorOf(t *testing.T, rec *authtest.Recorder) string {
	t.Helper()
	var body struct {
		Error *string `json:"error"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error == nil {
		t.Fatalf("body %q is not {\"error\": ...} (%v)", rec.Body, err)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	return *body.Error
}

func TestSignupAndLoginErrors(t *testing.T) {
	srv := newServer(t)
	jar := authtest.NewJar(authtest.WithClock(srv.Fake().Clock))
	if rec := call(t, srv, jar, "POST", "/api/signup", `{"username":"ada","password":"pw"}`); rec.Code != http.StatusOK {
		t.Fatalf("signup: %d %s", rec.Code, rec.Body)
	}
	for _, tc := range []struct {
		name, path, body string
		code             int
		msg              string
	}{
		{"duplicate", "/api/signup", `{"username":"ada","password":"other"}`, 409, "that username is taken"},
		{"wrong password", "/api/login", `{"username":"ada","password":"nope"}`, 401, "wrong username or password"},
		{"unknown user", "/api/login", `{"username":"bob","password":"pw"}`, 401, "wrong username or password"},
		{"malformed", "/api/login", `{"username":`, 400, "malformed JSON: the body ends too soon"},
		{"not an object", "/api/signup", `["ada","pw"]`, 400, ""},
		{"trailing data", "/api/signup", `{"username":"x","password":"y"} {}`, 400, "malformed JSON: data after the object"},
		{"unknown field", "/api/signup", `{"username":"x","password":"y","admin":true}`, 400, ""},
		{"empty username", "/api/signup", `{"username":"","password":"y"}`, 400, "username is empty"},
		{"missing password", "/api/login", `{"username":"ada"}`, 400, "password is empty"},
		{"long username", "/api/signup", `{"username":"` + strings.Repeat("a", 65) + `","password":"y"}`, 400, "username is longer than 64 bytes"},
		{"control character", "/api/signup", `{"username":"a\u0000b","password":"y"}`, 400, "username has control characters or invalid UTF-8"},
		{"long password", "/api/signup", `{"username":"x","password":"` + strings.Repeat("p", 1025) + `"}`, 400, "password is longer than 1024 bytes"},
		{"large body", "/api/login", `{"username":"ada","password":"` + strings.Repeat("p", 9000) + `"}`, 400, "body is larger than 8192 bytes"},
		{"no body", "/api/login", ``, 400, "the body is empty; send a JSON object"},
		// Errors speak of the client's fields, never of Go's types.
		{"number for a string", "/api/login", `{"username":1,"password":"p"}`, 400, `field "username" must be a string, not a number`},
		{"string for remember", "/api/login", `{"username":"ada","password":"p","remember":"yes"}`, 400, `field "remember" must be a boolean, not a string`},
		{"unknown field named", "/api/signup", `{"username":"x","password":"y","admin":true}`, 400, `unknown field "admin"`},
		{"not an object named", "/api/signup", `["ada","pw"]`, 400, "the body must be a JSON object, not a array"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := call(t, srv, jar, "POST", tc.path, tc.body)
			if rec.Code != tc.code {
				t.Errorf("status %d, want %d (%s)", rec.Code, tc.code, rec.Body)
			}
			if msg := errorOf(t, rec); tc.msg != "" && msg != tc.msg {
				t.Errorf("error %q, want %q", msg, tc.msg)
			}
			authtest.AssertSession(t, rec, authtest.Untouched)
		})
	}
	// The limits are inclusive.
	rec := call(t, srv, jar, "POST", "/api/signup", `{"username":"`+strings.Repeat("b", 64)+`","password":"`+strings.Repeat("p", 1024)+`"}`)
	if rec.Code != http.StatusOK {
		t.Errorf("signup at the limits: %d %s", rec.Code, rec.Body)
	}
	authtest.AssertSession(t, rec, authtest.Rotated)
}

// The JSON API: "remember": false makes a browser session, which
// /api/session reports; /api/account needs a session (401 JSON without);
// sign-out-others deletes the other sessions.
func TestAPIRememberAndSignOutOthers(t *testing.T) {
	srv := newServer(t)
	laptop := authtest.NewJar(authtest.WithClock(srv.Fake().Clock))
	if rec := call(t, srv, laptop, "POST", playground.SignupPath, `{"username":"ada","password":"pw"}`); rec.Code != http.StatusOK {
		t.Fatalf("signup: %d %s", rec.Code, rec.Body)
	}
	phone := authtest.NewJar(authtest.WithClock(srv.Fake().Clock))
	if rec := call(t, srv, phone, "POST", playground.LoginPath, `{"username":"ada","password":"pw","remember":false}`); rec.Code != http.StatusOK {
		t.Fatalf("login: %d %s", rec.Code, rec.Body)
	}
	var body struct {
		Session playground.SessionJSON `json:"session"`
	}
	rec := call(t, srv, phone, "GET", playground.SessionPath, "")
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || !body.Session.BrowserSession || body.Session.ExpiresAt == nil {
		t.Errorf("phone session %s (%v): want a browser session with an absolute end", rec.Body, err)
	}
	if rec := call(t, srv, authtest.NewJar(), "GET", "/api/account", ""); rec.Code != http.StatusUnauthorized || errorOf(t, rec) != "not signed in" {
		t.Errorf("GET /api/account signed out: %d %s, want 401 not signed in", rec.Code, rec.Body)
	}
	if rec := call(t, srv, laptop, "GET", "/api/account", ""); rec.Code != http.StatusOK {
		t.Errorf("GET /api/account signed in: %d %s", rec.Code, rec.Body)
	}
	rec = laptop.Do(srv, authtest.BuildRequest("POST", base+"/account/sign-out-others").SameOrigin().Build(t))
	if rec.Code != http.StatusOK || strings.TrimSpace(rec.Body.String()) != `{"sessions":1}` {
		t.Errorf("sign-out-others: %d %s, want 200 {\"sessions\":1}", rec.Code, rec.Body)
	}
	if rec := call(t, srv, phone, "GET", playground.SessionPath, ""); rec.Code != http.StatusUnauthorized {
		t.Errorf("phone after sign-out-others: %d, want 401", rec.Code)
	}
}

func TestSignupReturnsUser(t *testing.T) {
	srv := newServer(t)
	jar := authtest.NewJar(authtest.WithClock(srv.Fake().Clock))
	rec := call(t, srv, jar, "POST", "/api/signup", `{"username":"ada","password":"pw"}`)
	authtest.RequireSession(t, rec, authtest.Set)
	authtest.AssertSessionAttrs(t, rec, authtest.CookieAttrs{Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	var body struct {
		User map[string]string `json:"user"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if body.User["username"] != "ada" || body.User["id"] == "" || len(body.User) != 2 {
		t.Errorf("user %v, want id and username ada", body.User)
	}
	rec = call(t, srv, jar, "GET", "/api/auth/user", "")
	if !strings.Contains(rec.Body.String(), `"username":"ada"`) {
		t.Errorf("/api/auth/user: %s", rec.Body)
	}
	rec = call(t, srv, jar, "PUT", "/api/session", "")
	var sess struct {
		Session playground.SessionJSON `json:"session"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &sess); rec.Code != 200 || err != nil || sess.Session.State != "active" || sess.Session.UserID != body.User["id"] {
		t.Errorf("PUT /api/session: %d %s", rec.Code, rec.Body)
	}
}

func TestCrossSiteIsRefused(t *testing.T) {
	srv := newServer(t)
	jar := authtest.NewJar(authtest.WithClock(srv.Fake().Clock))
	for _, path := range []string{"/api/signup", "/api/login", "/_play/reset", "/_play/faults", "/_play/clock/advance", "/ui/reset", "/ui/advance"} {
		rec := jar.Do(srv, authtest.BuildRequest("POST", base+path).
			WithBody("application/json", []byte(`{"by":"1h","op":"GetUser","count":1,"username":"x","password":"y"}`)).
			CrossSite("https://evil.example").Build(t))
		if rec.Code != http.StatusForbidden {
			t.Errorf("cross-site POST %s: %d, want 403", path, rec.Code)
		}
	}
	if got := srv.Fake().Clock.Now(); !got.Equal(start) {
		t.Errorf("a cross-site request moved the clock to %v", got)
	}
	if got := srv.Fake().Store.PendingFaults(); len(got) != 0 {
		t.Errorf("a cross-site request armed faults: %v", got)
	}
	rec := jar.Do(srv, authtest.BuildRequest("DELETE", base+"/_play/faults").CrossSite("https://evil.example").Build(t))
	if rec.Code != http.StatusForbidden || errorOf(t, rec) != "cross-origin request" {
		t.Errorf("cross-site DELETE /_play/faults: %d %s", rec.Code, rec.Body)
	}
	// The same request from the playground's own page passes.
	rec = jar.Do(srv, authtest.BuildRequest("POST", base+"/_play/clock/advance").WithJSON(map[string]string{"by": "1h"}).SameOrigin().Build(t))
	if rec.Code != http.StatusOK {
		t.Errorf("same-origin advance: %d %s", rec.Code, rec.Body)
	}
}

func TestClockAPI(t *testing.T) {
	srv := newServer(t)
	jar := authtest.NewJar()
	rec := call(t, srv, jar, "GET", "/_play/clock", "")
	if got, want := strings.TrimSpace(rec.Body.String()), `{"now":"2026-03-02T09:00:00Z"}`; got != want {
		t.Errorf("clock %s, want %s", got, want)
	}
	rec = call(t, srv, jar, "POST", "/_play/clock/advance", `{"by":"25h"}`)
	if got, want := strings.TrimSpace(rec.Body.String()), `{"now":"2026-03-03T10:00:00Z"}`; got != want {
		t.Errorf("advance: %s, want %s", got, want)
	}
	for _, body := range []string{`{"by":"-1h"}`, `{"by":"tomorrow"}`, `{"by":""}`, `{"by":25}`, `{}`, `{"by":"1000000h"}`, `nonsense`} {
		rec := call(t, srv, jar, "POST", "/_play/clock/advance", body)
		if rec.Code != http.StatusBadRequest {
			t.Errorf("advance %s: %d, want 400", body, rec.Code)
		}
		errorOf(t, rec)
	}
	// The clock stops before SQL stores' timestamps end.
	for range 3 {
		call(t, srv, jar, "POST", "/_play/clock/advance", `{"by":"876000h"}`)
	}
	rec = call(t, srv, jar, "POST", "/_play/clock/advance", `{"by":"876000h"}`)
	if rec.Code != http.StatusBadRequest {
		t.Errorf("advance past 2261: %d %s", rec.Code, rec.Body)
	}
	if now := srv.Fake().Clock.Now(); now.Year() > 2261 {
		t.Errorf("the clock went to %v", now)
	}
	if rec := call(t, srv, jar, "POST", "/_play/clock", ""); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /_play/clock: %d, want 405", rec.Code)
	}
}

func TestFaultsAPI(t *testing.T) {
	srv := newServer(t)
	jar := authtest.NewJar(authtest.WithClock(srv.Fake().Clock))
	call(t, srv, jar, "POST", "/api/signup", `{"username":"ada","password":"pw"}`)

	rec := call(t, srv, jar, "POST", "/_play/faults", `{"op":"GetSessionAndUser","count":2}`)
	if got, want := strings.TrimSpace(rec.Body.String()), `{"faults":{"GetSessionAndUser":2}}`; got != want {
		t.Errorf("arm: %s, want %s", got, want)
	}
	for range 2 {
		rec := call(t, srv, jar, "GET", "/api/auth/user", "")
		if rec.Code != http.StatusServiceUnavailable {
			t.Errorf("user with a failing store: %d, want 503", rec.Code)
		}
		authtest.AssertSession(t, rec, authtest.Untouched)
	}
	if rec := call(t, srv, jar, "GET", "/api/auth/user", ""); !strings.Contains(rec.Body.String(), "ada") {
		t.Errorf("after the faults ran out: %s", rec.Body)
	}

	call(t, srv, jar, "POST", "/_play/faults", `{"op":"CreateSession","count":1}`)
	rec = call(t, srv, jar, "POST", "/api/login", `{"username":"ada","password":"pw"}`)
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("login while CreateSession fails: %d, want 503", rec.Code)
	}
	authtest.AssertSession(t, rec, authtest.Untouched)

	call(t, srv, jar, "POST", "/_play/faults", `{"op":"UserSessions","count":3}`)
	rec = call(t, srv, jar, "DELETE", "/_play/faults", "")
	if got := strings.TrimSpace(rec.Body.String()); got != `{"faults":{}}` {
		t.Errorf("clear: %s", got)
	}
	for _, body := range []string{`{"op":"Teleport","count":1}`, `{"op":"GetUser","count":0}`, `{"op":"GetUser","count":-1}`, `{"op":"GetUser","count":100000}`, `{"op":"GetUser"}`} {
		rec := call(t, srv, jar, "POST", "/_play/faults", body)
		if rec.Code != http.StatusBadRequest {
			t.Errorf("faults %s: %d, want 400", body, rec.Code)
		}
		errorOf(t, rec)
	}
	if rec := call(t, srv, jar, "GET", "/_play/faults", ""); strings.TrimSpace(rec.Body.String()) != `{"faults":{}}` {
		t.Errorf("GET /_play/faults: %s", rec.Body)
	}
}

func TestSessionsAndReset(t *testing.T) {
	srv := newServer(t)
	ada := authtest.NewJar(authtest.WithClock(srv.Fake().Clock))
	bob := authtest.NewJar(authtest.WithClock(srv.Fake().Clock))
	call(t, srv, ada, "POST", "/api/signup", `{"username":"ada","password":"pw"}`)
	srv.Fake().Clock.Advance(2 * time.Hour)
	call(t, srv, bob, "POST", "/api/signup", `{"username":"bob","password":"pw"}`)
	srv.Fake().Clock.Advance(23 * time.Hour) // ada's session is idle, bob's active

	rec := call(t, srv, ada, "GET", "/_play/sessions", "")
	var got playground.SessionsJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	states := map[string]int{}
	for _, s := range got.Sessions {
		states[s.State]++
		if len(s.ID) != 64 || s.UserID == "" || s.Fresh != nil {
			t.Errorf("session %+v", s)
		}
	}
	if len(got.Sessions) != 2 || states["idle"] != 1 || states["active"] != 1 {
		t.Errorf("sessions %s, want one idle and one active", rec.Body)
	}
	if strings.Contains(rec.Body.String(), "fresh") {
		t.Errorf("a stored session has a fresh flag: %s", rec.Body)
	}

	rec = call(t, srv, ada, "POST", "/_play/reset", "")
	if got, want := strings.TrimSpace(rec.Body.String()), `{"now":"2026-03-02T09:00:00Z"}`; got != want {
		t.Errorf("reset: %s, want %s", got, want)
	}
	if rec := call(t, srv, ada, "GET", "/_play/sessions", ""); strings.TrimSpace(rec.Body.String()) != `{"sessions":[]}` {
		t.Errorf("sessions after reset: %s", rec.Body)
	}
	rec = call(t, srv, ada, "GET", "/api/auth/user", "")
	if strings.TrimSpace(rec.Body.String()) != `{"user":null}` {
		t.Errorf("user after reset: %s", rec.Body)
	}
	authtest.AssertSession(t, rec, authtest.Cleared)
	if rec := call(t, srv, bob, "POST", "/api/login", `{"username":"bob","password":"pw"}`); rec.Code != http.StatusUnauthorized {
		t.Errorf("bob signs in after reset: %d", rec.Code)
	}
}

func TestUnknownRoutes(t *testing.T) {
	srv := newServer(t)
	jar := authtest.NewJar()
	for _, tc := range []struct {
		method, path string
		code         int
	}{
		{"GET", "/api/nothing", 404},
		{"GET", "/_play/nothing", 404},
		{"GET", "/api/auth/nothing", 404},
		{"GET", "/api/signup", 405},
		{"PUT", "/api/login", 405},
		{"PATCH", "/_play/faults", 405},
		{"GET", "/_play/reset", 405},
	} {
		rec := call(t, srv, jar, tc.method, tc.path, "")
		if rec.Code != tc.code {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, rec.Code, tc.code)
		}
		errorOf(t, rec)
	}
}

func TestResetNeedsAnAdmin(t *testing.T) {
	srv, err := playground.New(playground.Config{Store: fakeauth.WrapStore(nil), StoreName: "odd"})
	if err != nil {
		t.Fatal(err)
	}
	jar := authtest.NewJar()
	if rec := call(t, srv, jar, "POST", "/_play/reset", ""); rec.Code != http.StatusNotImplemented || !strings.Contains(errorOf(t, rec), "no Admin") {
		t.Errorf("reset on a store without Admin: %d %s", rec.Code, rec.Body)
	}
	if rec := call(t, srv, jar, "GET", "/_play/sessions", ""); rec.Code != http.StatusNotImplemented || !strings.Contains(errorOf(t, rec), "no Admin") {
		t.Errorf("sessions on a store without Admin: %d %s", rec.Code, rec.Body)
	}
}

// failingAdmin is an Admin whose store is down.
type failingAdmin struct{ playground.Admin }

func (failingAdmin) Reset(context.Context) error { return errors.New("connection refused") }

func TestResetFailure(t *testing.T) {
	mem := playground.NewMemory()
	srv, err := playground.New(playground.Config{Store: mem, Admin: failingAdmin{mem}, StoreName: "flaky"})
	if err != nil {
		t.Fatal(err)
	}
	jar := authtest.NewJar(authtest.WithClock(srv.Fake().Clock))
	call(t, srv, jar, "POST", "/api/signup", `{"username":"ada","password":"pw"}`)
	srv.Fake().Clock.Advance(time.Hour)
	if rec := call(t, srv, jar, "POST", "/_play/reset", ""); rec.Code != http.StatusInternalServerError {
		t.Errorf("reset while the store is down: %d %s, want 500", rec.Code, rec.Body)
	}
	if srv.Fake().Clock.Now().Equal(srv.Fake().Start()) {
		t.Error("a failed reset moved the clock back")
	}
	if rec := call(t, srv, jar, "GET", "/_play/sessions", ""); !strings.Contains(rec.Body.String(), `"user_id"`) {
		t.Errorf("a failed reset lost the sessions: %s", rec.Body)
	}
}

// TestJSONRoutesRefuseOtherContentTypes: the JSON control routes answer
// 415 to a body not declared application/json and change nothing, so a
// simple cross-site form post (which needs no preflight) from a browser
// that sends neither Origin nor Sec-Fetch-Site can't drive them.
func TestJSONRoutesRefuseOtherContentTypes(t *testing.T) {
	routes := []struct{ method, path, body string }{
		{"POST", "/_play/clock/advance", `{"by":"25h"}`},
		{"POST", "/_play/faults", `{"op":"GetSessionAndUser","count":1}`},
		{"POST", "/_play/reset", `{}`},
		{"DELETE", "/_play/faults", `{}`},
		{"POST", playground.SignupPath, `{"username":"eve","password":"pw"}`},
		{"POST", playground.LoginPath, `{"username":"ada","password":"pw"}`},
	}
	for _, rt := range routes {
		for _, ct := range []string{"text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx", ""} {
			srv := newServer(t)
			before := srv.Fake().Clock.Now()
			r := httptest.NewRequest(rt.method, base+rt.path, strings.NewReader(rt.body))
			if ct != "" {
				r.Header.Set("Content-Type", ct)
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, r)
			if rec.Code != http.StatusUnsupportedMediaType {
				t.Errorf("%s %s with Content-Type %q: %d, want 415", rt.method, rt.path, ct, rec.Code)
			}
			if !srv.Fake().Clock.Now().Equal(before) {
				t.Errorf("%s %s with Content-Type %q moved the clock", rt.method, rt.path, ct)
			}
			if n := len(srv.Fake().Store.PendingFaults()); n != 0 && rt.path == "/_play/faults" {
				t.Errorf("%s %s with Content-Type %q armed %d faults", rt.method, rt.path, ct, n)
			}
		}
	}
	// The JSON type itself, with a charset, still works.
	srv := newServer(t)
	r := httptest.NewRequest("POST", base+"/_play/clock/advance", strings.NewReader(`{"by":"1h"}`))
	r.Header.Set("Content-Type", "application/json; charset=utf-8")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, r)
	if rec.Code != http.StatusOK {
		t.Errorf("advance with application/json; charset=utf-8: %d %s, want 200", rec.Code, rec.Body)
	}
}
