package scenarios_test

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"unicode"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/examples/formapp/formapptest"
	"github.com/authkit-dev/authkit/examples/jsonapi/jsonapitest"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/internal/sqlitecases"
	"github.com/authkit-dev/authkit/scenarios"
	"github.com/authkit-dev/authkit/scenarios/internal/testapp"
)

// A shape is an app of one shape, as its tests describe it: the correct
// app, and, for the apps of package testapp, the app with a bug of its.
type shape struct {
	target scenarios.Target
	// with returns the target of the app with bug; nil for the example
	// apps, which have no bug switches.
	with func(bug testapp.Bug) scenarios.Target
	// appUsers says that the app keeps its users itself: its store keeps
	// sessions only.
	appUsers bool
}

// shapes are the app shapes every mutant is tried on: authrequest's own
// APIHandler (with a JSON sign-in of the test's), the form app and the
// JSON app of examples/ (as their own tests describe them, in formapptest
// and jsonapitest), and the apps of package testapp: its own users on SQLite (a
// database per case, with the real ON DELETE CASCADE), htmx, and a JSON
// API with bearer tokens.
func shapes(t *testing.T) map[string]shape {
	return map[string]shape{
		"APIHandler":      {target: authkitTarget()},
		"formapp":         {target: formapptest.Target()},
		"jsonapi":         {target: jsonapitest.Target()},
		"ownusers-sqlite": testappShape(t, testapp.Forms, true),
		"htmx":            testappShape(t, testapp.HTMX, false),
		"bearer-api":      testappShape(t, testapp.JSON, false),
	}
}

// testappShape is the shape of a testapp app of style, with its own users
// on SQLite (a database per case) or authkit's in the fake's memstore.
func testappShape(t *testing.T, style testapp.Style, ownUsers bool) shape {
	target := func(bug testapp.Bug) scenarios.Target {
		var cases *sqlitecases.Databases // nil: the users are authkit's
		if ownUsers {
			cases = sqlitecases.New(t.TempDir(), testapp.UsersTableSQLite)
		}
		tg := testappTarget(style)
		tg.Handler = func(f *fakeauth.Fake) http.Handler {
			var db *sql.DB
			if cases != nil {
				db, _ = cases.DB(f)
			}
			return testapp.New(f.Auth, testapp.Config{Style: style, DB: db, Bugs: bug})
		}
		if cases != nil {
			tg.NewFake = cases.NewFake
		}
		return tg
	}
	return shape{target: target(0), with: target, appUsers: ownUsers}
}

// testappTarget describes a testapp app of style, without its Handler.
func testappTarget(style testapp.Style) scenarios.Target {
	hx := http.Header{"Hx-Request": {"true"}}
	password := func(v scenarios.Values) map[string]string {
		return map[string]string{"current_password": v.Password, "new_password": v.NewPassword}
	}
	revoke := func(v scenarios.Values) map[string]string { return map[string]string{"session_id": v.SessionID} }
	if style == testapp.JSON {
		signIn := scenarios.Form{Route: "POST /api/login", JSON: true, UsernameField: "email", RememberMe: "remember", Success: scenarios.OK()}
		signUp := signIn
		signUp.Route = "POST /api/signup"
		me := scenarios.Route{Pattern: "GET /api/me", SignedOut: scenarios.Unauthorized()}
		return scenarios.Target{
			Routes:         []scenarios.Route{me},
			BearerRoutes:   []scenarios.Route{me},
			TokensInBody:   true,
			SignUp:         &signUp,
			SignIn:         &signIn,
			SignOut:        &scenarios.SignOut{Route: "POST /api/logout", Success: scenarios.OK(), NoSession: scenarios.Unauthorized()},
			SignOutOthers:  "POST /api/sessions/sign-out-others",
			ChangePassword: &scenarios.Action{Route: "POST /api/password", JSON: true, Body: password, Success: scenarios.OK()},
			DeleteAccount:  &scenarios.Action{Route: "DELETE /api/account", Success: scenarios.OK()},
			RevokeSession:  &scenarios.Action{Route: "POST /api/sessions/revoke", JSON: true, Body: revoke, Success: scenarios.OK()},
			Credentials:    scenarios.Credentials{Username: "ada@example.com", Password: "correct horse battery staple"},
			UsersBySignUp:  true,
		}
	}
	signIn := scenarios.Form{Route: "POST /login", UsernameField: "email", RememberMe: "remember", Next: "next",
		Success: scenarios.RedirectTo("/account")}
	// The sign-up form has a box to tick besides the credentials.
	signUp := scenarios.Form{Route: "POST /signup", UsernameField: "email", Fields: map[string]string{"terms": "on"},
		Success: scenarios.RedirectTo("/account")}
	tg := scenarios.Target{
		Routes: []scenarios.Route{
			{Pattern: "GET /{$}", SignedOut: scenarios.PageWithout("Signed in as")},
			{Pattern: "GET /account", SignedOut: scenarios.RedirectTo("/login")},
			// Named here as a route that reads the session, too: it gets
			// only the cases of its own family.
			{Pattern: "POST /account/sign-out-others", SignedOut: scenarios.RedirectTo("/login")},
		},
		SignUp:         &signUp,
		SignIn:         &signIn,
		SignOut:        &scenarios.SignOut{Route: "POST /logout", Success: scenarios.RedirectTo("/"), NoSession: scenarios.RedirectTo("/")},
		SignOutOthers:  "POST /account/sign-out-others",
		ChangePassword: &scenarios.Action{Route: "POST /account/password", Body: password, Success: scenarios.RedirectTo("/account")},
		DeleteAccount:  &scenarios.Action{Route: "POST /account/delete", Success: scenarios.RedirectTo("/")},
		RevokeSession:  &scenarios.Action{Route: "POST /account/sessions/revoke", Body: revoke, Success: scenarios.RedirectTo("/account")},
		Credentials:    scenarios.Credentials{Username: "ada@example.com", Password: "correct horse battery staple"},
		UsersBySignUp:  true,
	}
	if style == testapp.HTMX {
		// The account fragment and the sign-out are htmx requests; the
		// no-script sign-out form stays.
		tg.Routes[1] = scenarios.Route{Pattern: "GET /account", Header: hx, SignedOut: scenarios.Unauthorized()}
		tg.MoreSignOuts = []scenarios.SignOut{*tg.SignOut}
		tg.SignOut = &scenarios.SignOut{Route: "DELETE /session", Header: hx, Success: scenarios.OK(), NoSession: scenarios.OK()}
	}
	return tg
}

// routePath returns the path of a route such as "POST /login".
func routePath(route string) string {
	_, p, _ := strings.Cut(route, " ")
	return p
}

// dropSessionSetCookies is a writer that loses the Set-Cookie lines that
// carry a session token, as a handler that forgets to re-issue the cookie
// on renewal does (Lucia v2's bug).
type dropSessionSetCookies struct{ http.ResponseWriter }

func (w dropSessionSetCookies) strip() {
	h := w.Header()
	kept := h["Set-Cookie"][:0]
	for _, l := range h["Set-Cookie"] {
		if !strings.HasPrefix(l, "auth_session=") || strings.HasPrefix(l, "auth_session=;") {
			kept = append(kept, l)
		}
	}
	h["Set-Cookie"] = kept
}
func (w dropSessionSetCookies) WriteHeader(code int) { w.strip(); w.ResponseWriter.WriteHeader(code) }
func (w dropSessionSetCookies) Write(b []byte) (int, error) {
	w.strip()
	return w.ResponseWriter.Write(b)
}

// rewrite serves r with next into a buffer, lets edit change the
// response, then sends it.
func rewrite(w http.ResponseWriter, r *http.Request, next http.Handler, edit func(rec *httptest.ResponseRecorder)) {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	edit(rec)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

// A mutant breaks an app in one way, as real apps get it wrong: wrap
// breaks an app of any shape, bug switches a mistake of a testapp app on.
// caughtBy are prefixes of the names of the generated cases that must
// catch it, in every shape it applies to (every shape when applies is
// nil).
type mutant struct {
	name     string
	wrap     func(f *fakeauth.Fake, t scenarios.Target, next http.Handler) http.Handler
	bug      testapp.Bug
	caughtBy []string
	applies  func(s shape) bool
}

// dropCookieAttr is a mutant that writes the session cookie without the
// attribute attr, as an app that writes its own cookie forgets it.
func dropCookieAttr(attr string) func(f *fakeauth.Fake, _ scenarios.Target, next http.Handler) http.Handler {
	return func(f *fakeauth.Fake, _ scenarios.Target, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rewrite(w, r, next, func(rec *httptest.ResponseRecorder) {
				lines := rec.Header()["Set-Cookie"]
				for i, l := range lines {
					if strings.HasPrefix(l, f.Auth.CookieName()+"=") {
						var kept []string
						for _, part := range strings.Split(l, "; ") {
							if !strings.HasPrefix(strings.ToLower(part), strings.ToLower(attr)) {
								kept = append(kept, part)
							}
						}
						lines[i] = strings.Join(kept, "; ")
					}
				}
			})
		})
	}
}

// hasBug reports whether the shape is a testapp app, whose bugs can be
// switched on.
func hasBug(s shape) bool { return s.with != nil }

var mutants = []mutant{
	{
		name: "clears the cookie on a cross-origin POST",
		wrap: func(f *fakeauth.Fake, _ scenarios.Target, next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if o := r.Header.Get("Origin"); r.Method != "GET" && o != "" && o != "https://example.com" {
					http.SetCookie(w, f.Auth.BlankSessionCookie())
				}
				next.ServeHTTP(w, r)
			})
		},
		caughtBy: []string{"sign-out/cross-origin", "sign-in/cross-origin"},
	},
	{
		name: "never re-issues the cookie on renewal",
		wrap: func(_ *fakeauth.Fake, _ scenarios.Target, next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { next.ServeHTTP(dropSessionSetCookies{w}, r) })
		},
		caughtBy: []string{"idle/GET ", "active-end+1ns/GET ", "idle-end/GET "},
	},
	{
		name: "swallows store errors into a logout",
		wrap: func(f *fakeauth.Fake, _ scenarios.Target, next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				rewrite(w, r, next, func(rec *httptest.ResponseRecorder) {
					if rec.Code >= 500 {
						rec.Header().Set("Set-Cookie", f.Auth.BlankSessionCookie().String())
						rec.Code = http.StatusUnauthorized
					}
				})
			})
		},
		caughtBy: []string{"store-down/read/GET ", "sign-out/store-down"},
	},
	{
		name: "validates twice",
		wrap: func(f *fakeauth.Fake, _ scenarios.Target, next http.Handler) http.Handler {
			return authrequest.MustMiddleware(f.Auth)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				authrequest.New(f.Auth, w, r).Session() // a second AuthRequest: no shared memo
				next.ServeHTTP(w, r)
			}))
		},
		caughtBy: []string{"active/GET ", "unknown-token/GET "},
	},
	{
		name: "ignores the origin check",
		wrap: func(_ *fakeauth.Fake, _ scenarios.Target, next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				r.Header.Del("Origin")
				r.Header.Del("Sec-Fetch-Site")
				next.ServeHTTP(w, r)
			})
		},
		caughtBy: []string{"sign-out/cross-origin", "sign-in/cross-origin"},
	},
	{
		name: "writes 'last seen' on every request",
		wrap: func(f *fakeauth.Fake, _ scenarios.Target, next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if s, err := authrequest.New(f.Auth, w, r).Session(); err == nil && s != nil {
					f.Auth.UpdateUserAttributes(r.Context(), s.UserID, map[string]any{"last_seen": f.Clock.Now()})
				}
				next.ServeHTTP(w, r)
			})
		},
		caughtBy: []string{"active/GET ", "active-end/GET "},
	},
	{
		name: "treats an expired session as a store error",
		wrap: func(f *fakeauth.Fake, _ scenarios.Target, next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tok := readToken(r); tok != "" {
					if _, err := f.Auth.ValidateSession(r.Context(), tok); errors.Is(err, auth.ErrInvalidSession) {
						http.Error(w, "error", http.StatusInternalServerError)
						return
					}
				}
				next.ServeHTTP(w, r)
			})
		},
		caughtBy: []string{"expired/GET ", "unknown-token/GET ", "idle-end+1ns/GET "},
	},
	{
		name: "signs out on a cross-site GET",
		wrap: func(f *fakeauth.Fake, t scenarios.Target, next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodGet && r.URL.Path == routePath(t.SignOut.Route) {
					if tok := readToken(r); tok != "" {
						f.Auth.InvalidateSession(r.Context(), auth.SessionID(tok))
					}
					http.SetCookie(w, f.Auth.BlankSessionCookie())
					http.Redirect(w, r, "/", http.StatusSeeOther)
					return
				}
				next.ServeHTTP(w, r)
			})
		},
		caughtBy: []string{"sign-out/cross-site-GET"},
	},
	{
		name: "keeps the old session on sign-in",
		wrap: func(_ *fakeauth.Fake, t scenarios.Target, next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPost && r.URL.Path == routePath(t.SignIn.Route) {
					r.Header.Del("Cookie") // the app never sees, so never invalidates, the old session
				}
				next.ServeHTTP(w, r)
			})
		},
		caughtBy: []string{"sign-in/replaces-planted-session"},
	},
	{
		name: "answers a store failure at sign-in as a wrong password",
		wrap: func(_ *fakeauth.Fake, t scenarios.Target, next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != routePath(t.SignIn.Route) {
					next.ServeHTTP(w, r)
					return
				}
				rewrite(w, r, next, func(rec *httptest.ResponseRecorder) {
					if rec.Code >= 500 {
						rec.Code = http.StatusUnauthorized
					}
				})
			})
		},
		caughtBy: []string{"sign-in/store-down"},
	},
	{
		name: "signs no one in",
		wrap: func(_ *fakeauth.Fake, _ scenarios.Target, next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				r.Header.Del("Cookie")
				next.ServeHTTP(w, r)
			})
		},
		caughtBy: []string{"active/GET ", "idle/GET ", "sign-out/active"},
	},
	{
		name:     "sets the session cookie without HttpOnly",
		wrap:     dropCookieAttr("HttpOnly"),
		caughtBy: []string{"sign-in/ok", "idle/GET "},
		applies:  func(s shape) bool { return s.target.SignIn != nil },
	},
	{
		name:     "sets the session cookie without Secure",
		wrap:     dropCookieAttr("Secure"),
		caughtBy: []string{"sign-in/ok", "idle/GET "},
		applies:  func(s shape) bool { return s.target.SignIn != nil },
	},
	{
		name:     "sets the session cookie without SameSite",
		wrap:     dropCookieAttr("SameSite"),
		caughtBy: []string{"sign-in/ok", "idle/GET "},
		applies:  func(s shape) bool { return s.target.SignIn != nil },
	},
	{
		name: "echoes the session token in the sign-in's body",
		wrap: func(f *fakeauth.Fake, t scenarios.Target, next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != routePath(t.SignIn.Route) {
					next.ServeHTTP(w, r)
					return
				}
				rewrite(w, r, next, func(rec *httptest.ResponseRecorder) {
					if c := sessionCookie(f, rec); c != "" {
						rec.Body.WriteString(`{"token":"` + c + `"}`)
					}
				})
			})
		},
		caughtBy: []string{"sign-in/ok"},
		applies:  func(s shape) bool { return s.target.SignIn != nil && !s.target.TokensInBody },
	},
	{
		name: "sets the cookie on a bearer-token request",
		wrap: func(f *fakeauth.Fake, _ scenarios.Target, next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tok, ok := auth.ReadBearerToken(r); ok {
					if s, err := f.Auth.ValidateSession(r.Context(), tok); err == nil {
						http.SetCookie(w, f.Auth.SessionCookie(s))
					}
				}
				next.ServeHTTP(w, r)
			})
		},
		caughtBy: []string{"bearer/active/GET "},
		applies:  func(s shape) bool { return len(s.target.BearerRoutes) > 0 },
	},
	{
		name:     "follows any return path after sign-in (open redirect)",
		bug:      testapp.FollowsAnyNext,
		caughtBy: []string{"sign-in/next/scheme-relative", "sign-in/next/backslash", "sign-in/next/absolute-url"},
		applies:  func(s shape) bool { return hasBug(s) && s.target.SignIn.Next != "" },
	},
	{
		name:     `inverts "remember me"`,
		bug:      testapp.RememberMeInverted,
		caughtBy: []string{"sign-in/remember-me", "sign-in/without-remember-me"},
		applies:  hasBug,
	},
	{
		name:     `"sign out everywhere else" signs no one out`,
		bug:      testapp.SignOutOthersKeepsAll,
		caughtBy: []string{"sign-out-others/POST ", "reuse/after-sign-out-others"},
		applies:  hasBug,
	},
	{
		name:     "account deletion keeps the other sessions",
		bug:      testapp.DeleteKeepsOtherSessions,
		caughtBy: []string{"delete-account/ends-every-session", "reuse/after-delete-account"},
		applies:  hasBug,
	},
	{
		name:     "a password change keeps the other sessions",
		bug:      testapp.PasswordChangeKeepsSessions,
		caughtBy: []string{"change-password/ends-other-sessions", "reuse/after-change-password"},
		applies:  hasBug,
	},
	{
		name:     "trusts a session it validated before, revoked or expired",
		bug:      testapp.CachesSessions,
		caughtBy: []string{"reuse/after-idle-end/GET ", "reuse/after-sign-out"},
		applies:  hasBug,
	},
	{
		name:     "sets the cookie on a bearer-token request (the app's own)",
		bug:      testapp.BearerSetsCookie,
		caughtBy: []string{"bearer/active/GET ", "bearer/idle/GET "},
		applies:  func(s shape) bool { return hasBug(s) && len(s.target.BearerRoutes) > 0 },
	},
	{
		name:     "revokes another user's session by its ID",
		bug:      testapp.RevokesAnySession,
		caughtBy: []string{"revoke-session/another-users-session"},
		applies:  hasBug,
	},
	{
		name:     "writes 'last seen' on every request",
		wrap:     lastSeenMutant,
		caughtBy: []string{"active/GET "},
		applies:  func(s shape) bool { return s.appUsers },
	},
}

// sessionCookie returns the session token the response sets, or "".
func sessionCookie(f *fakeauth.Fake, rec *httptest.ResponseRecorder) string {
	for _, c := range rec.Result().Cookies() {
		if c.Name == f.Auth.CookieName() && c.Value != "" {
			return c.Value
		}
	}
	return ""
}

// lastSeenMutant writes "last seen" into the session's attributes on
// every request: an app that keeps its users itself has no user
// attributes in the store to write it to.
func lastSeenMutant(f *fakeauth.Fake, _ scenarios.Target, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s, err := authrequest.New(f.Auth, w, r).Session(); err == nil && s != nil {
			f.Auth.UpdateSessionAttributes(r.Context(), s, map[string]any{"last_seen": f.Clock.Now()})
		}
		next.ServeHTTP(w, r)
	})
}

func readToken(r *http.Request) string {
	c, err := r.Cookie("auth_session")
	if err != nil {
		return ""
	}
	return c.Value
}

// failing runs the standard table of target and returns the names of the
// cases that failed, with their reports.
func failing(t *testing.T, target scenarios.Target) (names []string, reports map[string]string) {
	t.Helper()
	reports = map[string]string{}
	runner := scenarios.NewRunner(target)
	for _, c := range scenarios.Standard(target) {
		r := runner.Execute(t.Context(), c)
		if r.Skipped == "" && !r.Passed() {
			names = append(names, c.Name())
			reports[c.Name()] = r.Report()
		}
	}
	return names, reports
}

// TestMutantsAreCaught runs the standard table of each app shape against
// each mutant of it and checks that the cases meant to catch the mutant
// fail, by name, while the shape itself passes every case. It logs how
// many of the mutants that apply to each shape were caught.
func TestMutantsAreCaught(t *testing.T) {
	for name, sh := range shapes(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			names := map[string]bool{}
			for _, c := range scenarios.Standard(sh.target) {
				names[c.Name()] = true
			}
			if failed, reports := failing(t, sh.target); len(failed) > 0 {
				t.Fatalf("the unbroken %s fails %v; e.g.\n%s", name, failed, reports[failed[0]])
			}
			var tried, caught atomic.Int64
			t.Cleanup(func() { t.Logf("%s: caught %d of %d mutants", name, caught.Load(), tried.Load()) })
			for _, m := range mutants {
				if m.applies != nil && !m.applies(sh) || m.bug != 0 && sh.with == nil {
					continue
				}
				tried.Add(1)
				t.Run(m.name, func(t *testing.T) {
					t.Parallel()
					mt := sh.target
					if m.bug != 0 {
						mt = sh.with(m.bug)
					}
					if m.wrap != nil {
						mt.Handler = func(f *fakeauth.Fake) http.Handler { return m.wrap(f, sh.target, sh.target.Handler(f)) }
					}
					failed, reports := failing(t, mt)
					ok := len(failed) > 0
					for _, prefix := range m.caughtBy {
						if !hasPrefix(slices.Collect(mapKeys(names)), prefix) {
							t.Errorf("no case of %s is named %q...", name, prefix)
							ok = false
							continue
						}
						if !hasPrefix(failed, prefix) {
							t.Errorf("no case named %q... caught the mutant; the cases that did: %v", prefix, failed)
							ok = false
						}
					}
					if ok {
						caught.Add(1)
					}
					if len(failed) > 0 {
						t.Logf("%s, %q: caught by %d of %d cases; e.g.\n%s", name, m.name, len(failed), len(names), reports[failed[0]])
					}
				})
			}
		})
	}
}

func hasPrefix(names []string, prefix string) bool {
	return slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, prefix) })
}

func mapKeys(m map[string]bool) func(yield func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TestReportNamesWhatFailed checks the failure message itself: the case,
// the diff, the request line and the Set-Cookie lines, tokens redacted.
func TestReportNamesWhatFailed(t *testing.T) {
	target := authkitTarget()
	target.Handler = func(f *fakeauth.Fake) http.Handler {
		return mutants[1].wrap(f, target, authkitTarget().Handler(f)) // never re-issues on renewal
	}
	r := scenarios.Execute(context.Background(), target, scenarios.Idle())
	if r.Passed() {
		t.Fatal("the mutant passed")
	}
	rep := normalizeSpace(r.Report())
	for _, want := range []string{
		`scenario "idle"`,
		"session cookie (-want +got):",
		`- "renewed",`,
		`+ "untouched",`,
		"request: GET https://example.com/api/auth/user",
		"Set-Cookie: (none)",
		"store calls: GetSessionAndUser session=",
		"RenewSession session=",
	} {
		if !strings.Contains(rep, want) {
			t.Errorf("report lacks %q:\n%s", want, rep)
		}
	}

	target.Handler = func(f *fakeauth.Fake) http.Handler {
		return mutants[2].wrap(f, target, authkitTarget().Handler(f)) // swallows store errors
	}
	r = scenarios.Execute(context.Background(), target, scenarios.StoreDown())
	rep = normalizeSpace(r.Report())
	if !strings.Contains(rep, "Set-Cookie: auth_session=; Path=/") || !strings.Contains(rep, `+ "cleared"`) {
		t.Errorf("report:\n%s", rep)
	}
}

// normalizeSpace makes every run of white space one space: go-cmp varies
// the spaces of its diffs on purpose, so that tests do not pin them.
func normalizeSpace(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) }), " ")
}
