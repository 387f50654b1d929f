package authrequest_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/fakeauth"
)

// TestSessionTable runs every row of the package doc's table (What Session does) through
// AuthRequest.Session, checking the result, the cookie and the store.
func TestSessionTable(t *testing.T) {
	const malformed = "not-a-token"
	// session is a setup that creates a session, lets change act on it
	// (nil: nothing) and sends its token. The store's call log starts
	// after change, so wantOps are the request's own calls.
	session := func(change func(e *env, s *auth.Session)) func(*testing.T, *env) string {
		return func(t *testing.T, e *env) string {
			s := e.newSession(t)
			if change != nil {
				change(e, s)
			}
			e.store.ClearCalls()
			return s.Token
		}
	}
	tests := []struct {
		name string
		// setup prepares the store and clock and returns the cookie value
		// to send ("" for none) and the request to adjust.
		setup       func(t *testing.T, e *env) (token string)
		method      string
		header      http.Header
		wantSession bool
		wantFresh   bool
		wantCookie  string // "untouched", "cleared" or "set"
		wantOps     []fakeauth.Op
		wantStored  bool // the session is still stored afterwards
		wantErr     error
	}{
		{
			name:       "no session cookie",
			setup:      func(t *testing.T, e *env) string { e.newSession(t); return "" },
			wantCookie: "untouched",
			wantStored: true,
		},
		{
			name:       "malformed token",
			setup:      func(t *testing.T, e *env) string { e.newSession(t); return malformed },
			wantCookie: "cleared",
			wantStored: true,
		},
		{
			name:       "well-formed unknown token",
			setup:      func(t *testing.T, e *env) string { e.newSession(t); return "abcdefghijklmnopqrstuvwxyz234567" },
			wantCookie: "cleared",
			wantOps:    []fakeauth.Op{fakeauth.OpGetSession},
		},
		{
			name:       "invalidated session",
			setup:      session(func(e *env, s *auth.Session) { e.a.InvalidateSession(context.Background(), s.ID) }),
			wantCookie: "cleared",
			wantOps:    []fakeauth.Op{fakeauth.OpGetSession},
		},
		{
			name:        "active session",
			setup:       session(nil),
			wantSession: true,
			wantCookie:  "untouched",
			wantOps:     []fakeauth.Op{fakeauth.OpGetSession},
			wantStored:  true,
		},
		{
			name:        "idle session",
			setup:       session(func(e *env, s *auth.Session) { e.clock.Set(s.ActiveExpiresAt.Add(time.Hour)) }),
			wantSession: true,
			wantFresh:   true,
			wantCookie:  "set",
			wantOps:     []fakeauth.Op{fakeauth.OpGetSession, fakeauth.OpRenewSession},
			wantStored:  true,
		},
		{
			name:       "dead session",
			setup:      session(func(e *env, s *auth.Session) { e.clock.Set(s.IdleExpiresAt.Add(time.Nanosecond)) }),
			wantCookie: "cleared",
			wantOps:    []fakeauth.Op{fakeauth.OpGetSession, fakeauth.OpDeleteSession},
		},
		{
			name:       "session of a deleted user",
			setup:      session(func(e *env, s *auth.Session) { e.a.DeleteUser(context.Background(), e.user.ID) }),
			wantCookie: "cleared",
			wantOps:    []fakeauth.Op{fakeauth.OpGetSession},
		},
		{
			name:       "POST from another origin",
			setup:      session(nil),
			method:     "POST",
			header:     http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}},
			wantCookie: "untouched",
			wantStored: true,
		},
		{
			name:       "DELETE from another origin, old browser",
			setup:      session(nil),
			method:     "DELETE",
			header:     http.Header{"Origin": {"https://evil.example"}},
			wantCookie: "untouched",
			wantStored: true,
		},
		{
			name:        "POST from the same origin",
			setup:       session(nil),
			method:      "POST",
			header:      http.Header{"Origin": {"http://example.com"}, "Sec-Fetch-Site": {"same-origin"}},
			wantSession: true,
			wantCookie:  "untouched",
			wantOps:     []fakeauth.Op{fakeauth.OpGetSession},
			wantStored:  true,
		},
		{
			name:       "store failure",
			setup:      session(func(e *env, s *auth.Session) { e.store.FailNext(fakeauth.OpGetSession, 1, nil) }),
			wantCookie: "untouched",
			wantOps:    []fakeauth.Op{fakeauth.OpGetSession},
			wantStored: true,
			wantErr:    auth.ErrStore,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			token := tt.setup(t, e)
			method := tt.method
			if method == "" {
				method = "GET"
			}
			r := request(method, "http://example.com/", token)
			for k, v := range tt.header {
				r.Header[k] = v
			}
			var id string
			if auth.ValidToken(token) {
				id = auth.SessionID(token)
			}
			before, _ := e.stored(t, id)
			rec := httptest.NewRecorder()
			ar := authrequest.New(e.a, rec, r)
			s, err := ar.Session()

			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Errorf("Session() error = %v, want %v", err, tt.wantErr)
			}
			if (s != nil) != tt.wantSession {
				t.Fatalf("Session() = %+v, want a session: %v", s, tt.wantSession)
			}
			if s != nil && (s.ID != id || s.Token != token || s.Fresh != tt.wantFresh) {
				t.Errorf("session ID %q token %q fresh %v; want %q %q %v", s.ID, s.Token, s.Fresh, id, token, tt.wantFresh)
			}
			got := cookieOutcome(t, rec)
			if tt.wantCookie == "set" {
				if got != "set:"+token {
					t.Errorf("cookie = %s, want re-issued with the same token", got)
				}
				c := sessionCookies(t, rec)[0]
				if !c.Expires.Truncate(time.Second).Equal(s.IdleExpiresAt.Truncate(time.Second)) || !c.Expires.After(before.IdleExpiresAt) {
					t.Errorf("re-issued cookie %q does not carry the renewed expiry %v", c, s.IdleExpiresAt)
				}
			} else if got != tt.wantCookie {
				t.Errorf("cookie = %s, want %s", got, tt.wantCookie)
			}
			var ops []fakeauth.Op
			for _, c := range e.store.Calls() {
				ops = append(ops, c.Op)
			}
			if !slices.Equal(ops, tt.wantOps) {
				t.Errorf("store calls = %v, want %v", ops, tt.wantOps)
			}
			if _, ok := e.stored(t, id); id != "" && ok != tt.wantStored {
				t.Errorf("session stored afterwards = %v, want %v", ok, tt.wantStored)
			}
			// Memoised: a second call costs nothing and agrees.
			e.store.ClearCalls()
			s2, err2 := ar.Session()
			if s2 != s || err2 != err || len(e.store.Calls()) != 0 {
				t.Errorf("second Session() = %v, %v with %d store calls; want the memo", s2, err2, len(e.store.Calls()))
			}
		})
	}
}

// TestBoundariesThroughAuthRequest checks the boundary instants of the lifetime rules (package auth's doc)
// through the HTTP layer: what the cookie does at t-1ns, t and t+1ns.
func TestBoundariesThroughAuthRequest(t *testing.T) {
	tests := []struct {
		name       string
		at         func(*auth.Session) time.Time
		wantCookie string
	}{
		{"active end -1ns", func(s *auth.Session) time.Time { return s.ActiveExpiresAt.Add(-1) }, "untouched"},
		{"active end", func(s *auth.Session) time.Time { return s.ActiveExpiresAt }, "untouched"},
		{"active end +1ns", func(s *auth.Session) time.Time { return s.ActiveExpiresAt.Add(1) }, "set"},
		{"idle end -1ns", func(s *auth.Session) time.Time { return s.IdleExpiresAt.Add(-1) }, "set"},
		{"idle end", func(s *auth.Session) time.Time { return s.IdleExpiresAt }, "set"},
		{"idle end +1ns", func(s *auth.Session) time.Time { return s.IdleExpiresAt.Add(1) }, "cleared"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, s := newSignedIn(t)
			e.clock.Set(tt.at(s))
			rec := httptest.NewRecorder()
			got, err := authrequest.New(e.a, rec, request("GET", "/", s.Token)).Session()
			if err != nil {
				t.Fatal(err)
			}
			want := tt.wantCookie
			if want == "set" {
				want = "set:" + s.Token // renewed: the same token, a later expiry
			}
			if outcome := cookieOutcome(t, rec); outcome != want || (got == nil) != (want == "cleared") {
				t.Errorf("cookie %s, session %v; want cookie %s", outcome, got != nil, want)
			}
		})
	}
}

func TestSessionUser(t *testing.T) {
	e, s := newSignedIn(t)
	ar := authrequest.New(e.a, httptest.NewRecorder(), request("GET", "/", s.Token))
	gs, u, err := ar.SessionUser()
	if err != nil || gs == nil || u == nil || u.ID != e.user.ID || u.Attributes["username"] != "ada" {
		t.Fatalf("SessionUser = %v, %v, %v", gs, u, err)
	}
	if n := e.store.Count(fakeauth.OpGetSessionAndUser) + e.store.Count(fakeauth.OpGetUser); n != 1 {
		t.Errorf("store reads = %d, want 1 (session and user in one round trip)", n)
	}
	gs2, err := ar.Session()
	if gs2 != gs || err != nil || len(e.store.Calls()) != 1 {
		t.Errorf("Session after SessionUser was not memoised")
	}

	// Without a session, all nil.
	ar = authrequest.New(e.a, httptest.NewRecorder(), request("GET", "/", ""))
	if gs, u, err := ar.SessionUser(); gs != nil || u != nil || err != nil {
		t.Errorf("SessionUser without cookie = %v, %v, %v", gs, u, err)
	}
}

func TestSetSessionReplacesEarlierCookie(t *testing.T) {
	e := newEnv(t)
	s1, s2 := e.newSession(t), e.newSession(t)
	rec := httptest.NewRecorder()
	http.SetCookie(rec, &http.Cookie{Name: "theme", Value: "dark"})
	ar := authrequest.New(e.a, rec, request("GET", "/", ""))
	if err := ar.SetSession(s1); err != nil {
		t.Fatal(err)
	}
	if err := ar.ClearSession(); err != nil {
		t.Fatal(err)
	}
	if got, _ := ar.Session(); got != nil {
		t.Errorf("Session after ClearSession = %v", got)
	}
	if err := ar.SetSession(s2); err != nil {
		t.Fatal(err)
	}
	if got := cookieOutcome(t, rec); got != "set:"+s2.Token {
		t.Errorf("cookie = %s, want the last session's", got)
	}
	if got, err := ar.Session(); got != s2 || err != nil {
		t.Errorf("Session after SetSession = %v, %v; want s2", got, err)
	}
	if lines := rec.Result().Header.Values("Set-Cookie"); len(lines) != 2 || lines[0] != "theme=dark" {
		t.Errorf("Set-Cookie lines = %q; want theme=dark kept, and one session cookie", lines)
	}
	e.checkNoStoreCalls(t, "SetSession and ClearSession")
	if err := ar.SetSession(&auth.Session{ID: "x"}); !errors.Is(err, authrequest.ErrNoToken) {
		t.Errorf("SetSession without token: %v", err)
	}
}

func TestClearSessionKeepsStoredSession(t *testing.T) {
	e, s := newSignedIn(t)
	rec := httptest.NewRecorder()
	if err := authrequest.New(e.a, rec, request("GET", "/", s.Token)).ClearSession(); err != nil {
		t.Fatal(err)
	}
	if cookieOutcome(t, rec) != "cleared" {
		t.Errorf("cookie not cleared")
	}
	if _, ok := e.stored(t, s.ID); !ok {
		t.Errorf("ClearSession invalidated the stored session; it must only clear the cookie")
	}
}

func TestCrossOriginCannotChangeCookie(t *testing.T) {
	e, s := newSignedIn(t)
	r := request("POST", "http://example.com/", s.Token)
	r.Header.Set("Origin", "https://evil.example")
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	rec := httptest.NewRecorder()
	ar := authrequest.New(e.a, rec, r)
	for name, err := range map[string]error{
		"CheckOrigin":  ar.CheckOrigin(),
		"SetSession":   ar.SetSession(s),
		"ClearSession": ar.ClearSession(),
		"SignOut":      ar.SignOut(),
		"SignIn":       func() error { _, err := ar.SignIn(e.user.ID); return err }(),
	} {
		if !errors.Is(err, authrequest.ErrCrossOrigin) {
			t.Errorf("%s on a cross-site POST = %v, want ErrCrossOrigin", name, err)
		}
	}
	if got := cookieOutcome(t, rec); got != "untouched" {
		t.Errorf("cookie = %s, want untouched", got)
	}
	e.checkNoStoreCalls(t, "a cross-site request")
}

func TestSignInReplacesPresentedSession(t *testing.T) {
	e := newEnv(t)
	planted := e.newSession(t)
	rec := httptest.NewRecorder()
	ar := authrequest.New(e.a, rec, request("POST", "http://example.com/login", planted.Token))
	s, err := ar.SignIn(e.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s.Token == planted.Token || s.ID == planted.ID {
		t.Fatal("SignIn kept the presented session")
	}
	if _, ok := e.stored(t, planted.ID); ok {
		t.Error("the session presented before sign-in still exists (session fixation)")
	}
	if got := cookieOutcome(t, rec); got != "set:"+s.Token {
		t.Errorf("cookie = %s, want the new session", got)
	}
	if got, _ := ar.Session(); got != s {
		t.Errorf("Session after SignIn = %v", got)
	}
}

func TestSignOut(t *testing.T) {
	e, s := newSignedIn(t)
	rec := httptest.NewRecorder()
	ar := authrequest.New(e.a, rec, request("POST", "http://example.com/logout", s.Token))
	if err := ar.SignOut(); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.stored(t, s.ID); ok {
		t.Error("session still stored after SignOut")
	}
	if cookieOutcome(t, rec) != "cleared" {
		t.Error("cookie not cleared")
	}
	if n := e.store.Writes(); n != 1 {
		t.Errorf("store writes = %d, want 1 (one delete): %v", n, e.store.Calls())
	}
}

func TestReset(t *testing.T) {
	e, s := newSignedIn(t)
	ar := authrequest.New(e.a, httptest.NewRecorder(), request("GET", "/", s.Token))
	if got, _ := ar.Session(); got == nil {
		t.Fatal("no session")
	}
	e.a.InvalidateSession(context.Background(), s.ID)
	if got, _ := ar.Session(); got == nil {
		t.Fatal("memo lost before Reset")
	}
	ar.Reset()
	if got, _ := ar.Session(); got != nil {
		t.Errorf("Session after invalidation and Reset = %v, want nil", got)
	}
}

func TestBearerToken(t *testing.T) {
	e, s := newSignedIn(t)
	e.clock.Set(s.ActiveExpiresAt.Add(time.Minute)) // idle: renewed, no cookie
	r := httptest.NewRequest("POST", "http://api.example.com/items", nil)
	r.Header.Set("Authorization", "Bearer "+s.Token)
	r.Header.Set("Origin", "https://other.example") // no origin check for bearer tokens
	rec := httptest.NewRecorder()
	ar := authrequest.New(e.a, rec, r)
	got, err := ar.ValidateBearerToken()
	if err != nil || got == nil || got.ID != s.ID || !got.Fresh {
		t.Fatalf("ValidateBearerToken = %v, %v", got, err)
	}
	if len(rec.Result().Header.Values("Set-Cookie")) != 0 {
		t.Error("bearer validation set a cookie")
	}
	r.Header.Set("Authorization", "Bearer nope")
	if got, err := authrequest.New(e.a, rec, r).ValidateBearerToken(); got != nil || !errors.Is(err, auth.ErrInvalidSession) {
		t.Errorf("bad bearer = %v, %v", got, err)
	}
	r.Header.Del("Authorization")
	if got, err := authrequest.New(e.a, rec, r).ValidateBearerToken(); got != nil || err != nil {
		t.Errorf("no bearer = %v, %v", got, err)
	}
}
