package authaccount_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/authaccount"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/fakemail"
)

var linkRE = regexp.MustCompile(`https?://\S+`)

// tokenOf returns the link token of a message, as its reader follows it.
func tokenOf(t testing.TB, m fakemail.Message) string {
	t.Helper()
	return found(t, "token", m.Token(), m)
}

// codeOf returns the code of a message.
func codeOf(t testing.TB, m fakemail.Message) string {
	t.Helper()
	return found(t, "code", m.Code(), m)
}

// found returns v, what was read from m, or fails the test if it is empty.
func found(t testing.TB, what, v string, m fakemail.Message) string {
	t.Helper()
	if v == "" {
		t.Fatalf("no %s in the mail %q:\n%s", what, m.Subject, m.Text)
	}
	return v
}

const baseURL = "https://app.example"

// env is an app serving the account flows on an Auth with a fake clock.
type env struct {
	a     *auth.Auth
	store auth.SessionStore
	clock *fakeauth.Clock
	mail  *fakemail.Outbox
	ac    *authaccount.Accounts
	h     http.Handler
}

type envOption func(*auth.Config, *authaccount.Config)

// newEnv returns an app on a memstore (memstore.New, or the given store),
// behind authrequest's Middleware.
func newEnv(t testing.TB, store auth.SessionStore, opts ...envOption) *env {
	t.Helper()
	if store == nil {
		store = memstore.New()
	}
	e := &env{store: store, clock: fakeauth.NewClock(fakeauth.DefaultStart()), mail: fakemail.New()}
	acfg := auth.Config{Clock: e.clock, Argon2: fakeauth.CheapArgon2()}
	cfg := authaccount.Config{Sender: e.mail, BaseURL: baseURL}
	for _, o := range opts {
		o(&acfg, &cfg)
	}
	a, err := auth.New(store, acfg)
	if err != nil {
		t.Fatal(err)
	}
	e.a = a
	if e.ac, err = authaccount.New(a, cfg); err != nil {
		t.Fatal(err)
	}
	if e.h, err = e.ac.Handler(); err != nil {
		t.Fatal(err)
	}
	return e
}

// do serves a request with a JSON body (or none when body is nil) and
// returns the recorder.
func (e *env) do(method, target string, body map[string]string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	r := httptest.NewRequest(method, target, rd)
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	for _, c := range cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

// form serves a form POST.
func (e *env) form(target string, fields url.Values) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", target, strings.NewReader(fields.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

func wantStatus(t testing.TB, w *httptest.ResponseRecorder, want int) {
	t.Helper()
	if w.Code != want {
		t.Fatalf("status %d, want %d; body %s", w.Code, want, w.Body)
	}
}

// sessionCookie returns the session cookie the answer set, or nil.
func (e *env) sessionCookie(w *httptest.ResponseRecorder) *http.Cookie {
	for _, c := range w.Result().Cookies() {
		if c.Name == e.a.CookieName() && c.Value != "" {
			return c
		}
	}
	return nil
}

// wantSignedIn checks that w set a session cookie whose session is the
// user of address's.
func (e *env) wantSignedIn(t testing.TB, w *httptest.ResponseRecorder, address string) {
	t.Helper()
	c := e.sessionCookie(w)
	if c == nil {
		t.Fatal("no session cookie")
	}
	s, err := e.a.ValidateSession(context.Background(), c.Value)
	if err != nil || s.UserID != e.userID(t, address) {
		t.Errorf("the session: %v, %v; want one of %s", s, err, address)
	}
}

// signUp signs up address and returns the verification mail.
func (e *env) signUp(t testing.TB, address, password string) fakemail.Message {
	t.Helper()
	wantStatus(t, e.do("POST", "/sign-up", map[string]string{"email": address, "password": password}), http.StatusCreated)
	return e.mail.Last(t, address)
}

// userID returns the user of address in authkit's users.
func (e *env) userID(t testing.TB, address string) string {
	t.Helper()
	k, err := e.a.GetKey(context.Background(), authaccount.EmailProvider, address)
	if err != nil {
		t.Fatal(err)
	}
	return k.UserID
}

// tokenStore returns the env's store as a TokenStore.
func (e *env) tokenStore(t testing.TB) auth.TokenStore {
	t.Helper()
	ts, ok := e.store.(auth.TokenStore)
	if !ok {
		t.Skipf("%T keeps no one-time tokens", e.store)
	}
	return ts
}

// noToken fails t if the store holds a token of purpose for userID.
func (e *env) noToken(t testing.TB, userID, purpose string) {
	t.Helper()
	_, err := e.tokenStore(t).UserToken(context.Background(), userID, purpose)
	if !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("the store's token of %s for %s: err %v, want auth.ErrNotFound", purpose, userID, err)
	}
}

// sameAnswer fails t unless a and b have the same status, body and
// headers (but Date).
func sameAnswer(t testing.TB, what string, a, b *httptest.ResponseRecorder) {
	t.Helper()
	if a.Code != b.Code {
		t.Errorf("%s: status %d and %d", what, a.Code, b.Code)
	}
	if !bytes.Equal(a.Body.Bytes(), b.Body.Bytes()) {
		t.Errorf("%s: bodies differ:\n%s\n%s", what, a.Body, b.Body)
	}
	ha, hb := a.Header().Clone(), b.Header().Clone()
	ha.Del("Date")
	hb.Del("Date")
	ja, _ := json.Marshal(ha)
	jb, _ := json.Marshal(hb)
	if !bytes.Equal(ja, jb) {
		t.Errorf("%s: headers differ:\n%s\n%s", what, ja, jb)
	}
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func newFormRequest(target string, fields url.Values) *http.Request {
	r := httptest.NewRequest("POST", target, strings.NewReader(fields.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func newGet(target string) *http.Request { return httptest.NewRequest("GET", target, nil) }

func newJSONRequest(target string, body map[string]string) *http.Request {
	b, _ := json.Marshal(body)
	r := httptest.NewRequest("POST", target, bytes.NewReader(b))
	r.Header.Set("Content-Type", "application/json")
	return r
}
