package authrequest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/fakeauth"
)

// tossingEnv is a victim signed in on app.example.com, and a sibling
// (evil.example.com) that planted a cookie of the session cookie's name,
// Domain=example.com, holding a live session of the attacker's own, in a
// browser-grade jar.
type tossingEnv struct {
	f        *fakeauth.Fake
	jar      *authtest.Jar
	real     *auth.Session // the victim's
	attacker *auth.Session // planted
	h        http.Handler
}

func newTossingEnv(t *testing.T, plantedPath string, planted fakeauth.State) *tossingEnv {
	t.Helper()
	f := fakeauth.NewT(t)
	_, real := seedUserSession(t, f, fakeauth.Active)
	mallory := seedUser(t, f, "mallory")
	attacker := seedSession(t, f, mallory.ID, planted)
	jar := authtest.NewJar(authtest.WithClock(f.Clock))
	jar.SetCookies(&url.URL{Scheme: "https", Host: "app.example.com", Path: "/"}, []*http.Cookie{f.Auth.SessionCookie(real)})
	line := "auth_session=" + attacker.Token + "; Domain=example.com; Path=" + plantedPath + "; Secure; HttpOnly; SameSite=Lax; Max-Age=86400"
	c, err := http.ParseSetCookie(line)
	if err != nil {
		t.Fatal(err)
	}
	jar.SetCookies(&url.URL{Scheme: "https", Host: "evil.example.com", Path: "/"}, []*http.Cookie{c})
	h := authrequest.MustMiddleware(f.Auth)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := authrequest.FromContext(r.Context()).Session()
		switch {
		case err != nil:
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
		case s == nil:
			http.Error(w, "signed out", http.StatusUnauthorized)
		default:
			w.Write([]byte("user " + s.UserID))
		}
	}))
	f.Store.ClearCalls()
	return &tossingEnv{f: f, jar: jar, real: real, attacker: attacker, h: h}
}

// hostOnly returns the value of the host-only session cookie the jar holds
// for app.example.com at Path=/, the app's own cookie.
func (e *tossingEnv) hostOnly(t *testing.T) string {
	t.Helper()
	for _, c := range e.jar.All() {
		if c.Name == "auth_session" && c.Domain == "app.example.com" && c.Path == "/" && !strings.Contains(strings.ToLower(c.Raw), "domain=") {
			return c.Value
		}
	}
	return ""
}

func (e *tossingEnv) get(t *testing.T, target string) *authtest.Recorder {
	t.Helper()
	return e.jar.Do(e.h, httptest.NewRequest(http.MethodGet, target, nil))
}

// TestPlantedSessionNeverReplacesRealCookie: a sibling plants its own live
// idle session with Domain=example.com and a longer Path, which the
// browser sends before the real cookie (RFC 6265bis section 5.8.3). The
// request's cookies disagree, so however the planted session is used, no
// Set-Cookie may replace the app's host-only cookie with it.
func TestPlantedSessionNeverReplacesRealCookie(t *testing.T) {
	for _, tc := range []struct {
		name    string
		path    string
		planted fakeauth.State
	}{
		{"idle planted session on a longer path", "/account", fakeauth.Idle},
		{"idle planted session on the same path", "/", fakeauth.Idle},
		{"active planted session on a longer path", "/account", fakeauth.Active},
		{"browser session planted on a longer path", "/account", fakeauth.BrowserSessionIdle},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTossingEnv(t, tc.path, tc.planted)
			sent := e.jar.Cookies(&url.URL{Scheme: "https", Host: "app.example.com", Path: "/account"})
			if len(sent) != 2 || (tc.path != "/" && sent[0].Value != e.attacker.Token) {
				t.Fatalf("the jar sends %v to /account; want the planted cookie first, then the real one", sent)
			}
			rec := e.get(t, "https://app.example.com/account")
			if lines := rec.Header().Values("Set-Cookie"); len(lines) != 0 {
				t.Errorf("GET /account with a planted cookie answered Set-Cookie %q; want none", lines)
			}
			if got := e.hostOnly(t); got != e.real.Token {
				t.Fatalf("after GET /account the app's host-only cookie holds %s; want the real session's token", redactToken(got, e))
			}
			// Where the planted cookie is not sent, the real session is
			// the request's.
			if tc.path != "/" {
				if rec := e.get(t, "https://app.example.com/"); rec.Code != http.StatusOK || rec.Body.String() != "user "+e.real.UserID {
					t.Errorf("GET / after the planted request: %d %q; want the real user", rec.Code, rec.Body.String())
				}
			}
		})
	}
}

// When the request's cookies agree, an idle session's cookie is re-issued
// as always: the rule above costs nothing to a browser with one cookie.
func TestRenewedCookieReissuedWhenCookiesAgree(t *testing.T) {
	for _, cookies := range []func(token string) string{
		func(token string) string { return "auth_session=" + token },
		func(token string) string { return "auth_session=" + token + "; auth_session=" + token },
	} {
		f := fakeauth.NewT(t)
		_, s := seedUserSession(t, f, fakeauth.Idle)
		r := httptest.NewRequest("GET", "https://app.example.com/", nil)
		r.Header.Set("Cookie", cookies(s.Token))
		rec := httptest.NewRecorder()
		got, err := authrequest.New(f.Auth, rec, r).Session()
		if err != nil || got == nil || !got.Fresh {
			t.Fatalf("Cookie %q: %v, %v; want the session renewed", cookies("<token>"), got, err)
		}
		if out := cookieOutcome(t, rec); out != "set:"+s.Token {
			t.Errorf("Cookie %q: cookie %s, want re-issued", cookies("<token>"), redact(out, s.Token))
		}
	}
}

// TestRenewedCookieNotReissuedWhenCookiesDisagree: with session cookies of
// several values, the first live session is the request's and is renewed
// in the store, but its cookie is not re-issued; the next request that
// carries one value gets it.
func TestRenewedCookieNotReissuedWhenCookiesDisagree(t *testing.T) {
	ctx := context.Background()
	for _, cookies := range []func(idle, active string) string{
		func(idle, active string) string { return "auth_session=" + idle + "; auth_session=" + active },
		func(idle, _ string) string { return "auth_session=" + idle + "; auth_session=" + plantedToken },
		func(idle, _ string) string { return "auth_session=garbage; auth_session=" + idle },
		func(idle, _ string) string {
			return "auth_session=" + plantedToken + "\r\nCookie: auth_session=" + idle
		},
	} {
		for _, withUser := range []bool{false, true} {
			f := fakeauth.NewT(t)
			_, idle, active := seedTwoSessions(t, f, fakeauth.Idle)
			line := cookies("<idle>", "<active>")
			r := httptest.NewRequest("GET", "https://app.example.com/", nil)
			for _, l := range strings.Split(cookies(idle.Token, active.Token), "\r\nCookie: ") {
				r.Header.Add("Cookie", l)
			}
			rec := httptest.NewRecorder()
			ar := authrequest.New(f.Auth, rec, r)
			var (
				got *auth.Session
				err error
			)
			if withUser {
				got, _, err = ar.SessionUser()
			} else {
				got, err = ar.Session()
			}
			if err != nil || got == nil || got.ID != idle.ID || !got.Fresh {
				t.Fatalf("Cookie %q, withUser %v: %v, %v; want the idle session, renewed", line, withUser, got, err)
			}
			if out := cookieOutcome(t, rec); out != "untouched" {
				t.Errorf("Cookie %q, withUser %v: cookie %s, want untouched", line, withUser, redact(out, idle.Token))
			}
			if rec, _, _ := f.StoredSession(ctx, idle.ID); !rec.RenewedAt.Equal(f.Clock.Now()) {
				t.Errorf("Cookie %q, withUser %v: not renewed in the store (renewed at %v, now %v)", line, withUser, rec.RenewedAt, f.Clock.Now())
			}
		}
	}
}

func redact(s, token string) string { return strings.ReplaceAll(s, token, "<token>") }

func redactToken(v string, e *tossingEnv) string {
	switch v {
	case e.real.Token:
		return "the real token"
	case e.attacker.Token:
		return "the attacker's token"
	case "":
		return "nothing"
	}
	return "another value"
}

// TestPlantedCookieNeverClearsRealCookie: a planted well-formed cookie
// sent before or after the real one (in one Cookie header or two, more than
// three of them, or with a dead real cookie) never gets the real cookie
// cleared: the first live session is the request's.
func TestPlantedCookieNeverClearsRealCookie(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name        string
		cookies     func(real, dead string) string
		wantSession bool
		wantCookie  string
	}{
		{"planted well-formed first, real second", func(real, _ string) string {
			return "auth_session=" + plantedToken + "; auth_session=" + real
		}, true, "untouched"},
		{"planted in its own header first", func(real, _ string) string {
			return "auth_session=" + plantedToken + "\r\nCookie: auth_session=" + real
		}, true, "untouched"},
		{"real first, planted second", func(real, _ string) string {
			return "auth_session=" + real + "; auth_session=" + plantedToken
		}, true, "untouched"},
		{"two planted, then real", func(real, _ string) string {
			return "auth_session=" + plantedToken + "; auth_session=" + strings.Repeat("b", 32) + "; auth_session=" + real
		}, true, "untouched"},
		{"planted, then a dead real one: cookies disagree, nothing cleared", func(_, dead string) string {
			return "auth_session=" + plantedToken + "; auth_session=" + dead
		}, false, "untouched"},
		{"garbage, then a dead one: nothing cleared", func(_, dead string) string {
			return "auth_session=garbage; auth_session=" + dead
		}, false, "untouched"},
		{"more planted cookies than validated: real not read, not cleared", func(real, _ string) string {
			return "auth_session=" + plantedToken + "; auth_session=" + strings.Repeat("b", 32) + "; auth_session=" + strings.Repeat("c", 32) + "; auth_session=" + real
		}, false, "untouched"},
		{"one dead cookie: cleared", func(_, dead string) string { return "auth_session=" + dead }, false, "cleared"},
		{"the same dead cookie twice: cleared", func(_, dead string) string {
			return "auth_session=" + dead + "; auth_session=" + dead
		}, false, "cleared"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			real := e.newSession(t)
			dead := e.newSession(t)
			if err := e.a.InvalidateSession(ctx, dead.ID); err != nil {
				t.Fatal(err)
			}
			line := tt.cookies(real.Token, dead.Token)
			for _, withUser := range []bool{false, true} {
				r := httptest.NewRequest("GET", "/", nil)
				for _, l := range strings.Split(line, "\r\nCookie: ") {
					r.Header.Add("Cookie", l)
				}
				rec := httptest.NewRecorder()
				ar := authrequest.New(e.a, rec, r)
				var s *auth.Session
				var err error
				if withUser {
					s, _, err = ar.SessionUser()
				} else {
					s, err = ar.Session()
				}
				if err != nil {
					t.Fatal(err)
				}
				if got := s != nil && s.ID == real.ID; got != tt.wantSession || s != nil && !got {
					t.Errorf("withUser=%v: session %v, want the real one: %v", withUser, s, tt.wantSession)
				}
				if got := cookieOutcome(t, rec); got != tt.wantCookie {
					t.Errorf("withUser=%v: cookie %s, want %s", withUser, got, tt.wantCookie)
				}
			}
		})
	}
}

// Signing out with a planted cookie sent first ends the real session too:
// every presented session is invalidated, not only the first.
func TestSignOutWithPlantedCookieEndsRealSession(t *testing.T) {
	e := newEnv(t)
	real := e.newSession(t)
	planted := e.newSession(t) // the attacker's own, live session
	r := httptest.NewRequest("POST", "/", nil)
	r.Header.Set("Cookie", "auth_session="+planted.Token+"; auth_session="+real.Token)
	rec := httptest.NewRecorder()
	if err := authrequest.New(e.a, rec, r).SignOut(); err != nil {
		t.Fatal(err)
	}
	for name, id := range map[string]string{"real": real.ID, "planted": planted.ID} {
		if _, ok := e.stored(t, id); ok {
			t.Errorf("the %s session survived SignOut", name)
		}
	}
	if got := cookieOutcome(t, rec); got != "cleared" {
		t.Errorf("cookie %s after SignOut, want cleared", got)
	}
}

// FuzzCookieTossing sends the real session cookie among two planted
// values of the same name, in any order. Properties, beyond not panicking:
//   - the real session is found whenever it is among the first three
//     distinct well-formed values (the ones authkit validates);
//   - the cookie is never cleared or set: the values disagree, so a
//     clearing cookie might delete the real one.
func FuzzCookieTossing(f *testing.F) {
	f.Add(plantedToken, "garbage", uint8(2))
	f.Add("", "", uint8(0))
	f.Add(plantedToken, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", uint8(2))
	f.Add("x", plantedToken, uint8(1))
	e := newEnv(f)
	e.store.SetLogLimit(16) // millions of runs: keep the call log small
	real := e.newSession(f)
	clean := func(v string) string {
		return strings.Map(func(r rune) rune {
			if r <= ' ' || r >= 0x7f || strings.ContainsRune(`;,"\`, r) {
				return -1
			}
			return r
		}, v)
	}
	f.Fuzz(func(t *testing.T, a, b string, pos uint8) {
		values := []string{clean(a), clean(b)}
		i := int(pos) % 3
		values = append(values[:i], append([]string{real.Token}, values[i:]...)...)
		var line []string
		for _, v := range values {
			line = append(line, "auth_session="+v)
		}
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Cookie", strings.Join(line, "; "))
		rec := httptest.NewRecorder()
		s, err := authrequest.New(e.a, rec, r).Session()
		if err != nil {
			t.Fatal(err)
		}
		var wellFormed []string
		for _, v := range values {
			if auth.ValidToken(v) && !slices.Contains(wellFormed, v) {
				wellFormed = append(wellFormed, v)
			}
		}
		if slices.Contains(wellFormed[:min(3, len(wellFormed))], real.Token) && (s == nil || s.ID != real.ID) {
			t.Fatalf("cookies %q: real session not found (got %v)", line, s)
		}
		if got := cookieOutcome(t, rec); got != "untouched" {
			t.Fatalf("cookies %q: cookie %s, want untouched", line, got)
		}
	})
}
