package scenarios_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/examples/formapp"
	"github.com/authkit-dev/authkit/examples/jsonapi"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/scenarios"
)

// shapes are the app shapes every mutant is tried on: authrequest's own
// APIHandler (with a JSON sign-in of the test's), the form app and the
// JSON app of examples/. Their descriptions are those of the examples'
// own tests.
func shapes() map[string]scenarios.Target {
	signIn := scenarios.Form{Route: "POST /api/login", JSON: true, UsernameField: "email", Success: scenarios.OK()}
	signUp := signIn
	signUp.Route = "POST /api/signup"
	return map[string]scenarios.Target{
		"APIHandler": authkitTarget(),
		"formapp": {
			Handler: func(f *fakeauth.Fake) http.Handler { return formapp.NewHandler(f.Auth, nil) },
			Routes: []scenarios.Route{
				{Pattern: "GET /{$}", SignedOut: scenarios.PageWithout("Signed in as")},
				{Pattern: "GET /account", SignedOut: scenarios.RedirectTo("/login")},
			},
			SignUp:  &scenarios.Form{Route: "POST /signup", Success: scenarios.RedirectTo("/account")},
			SignIn:  &scenarios.Form{Route: "POST /login", Success: scenarios.RedirectTo("/account")},
			SignOut: &scenarios.SignOut{Route: "POST /logout", Success: scenarios.RedirectTo("/"), NoSession: scenarios.RedirectTo("/")},
		},
		"jsonapi": {
			Handler:       func(f *fakeauth.Fake) http.Handler { return jsonapi.NewHandler(f.Auth, nil) },
			Routes:        []scenarios.Route{{Pattern: "GET /api/me", SignedOut: scenarios.Unauthorized()}},
			SignUp:        &signUp,
			SignIn:        &signIn,
			SignOut:       &scenarios.SignOut{Route: "POST /api/logout", Success: scenarios.OK(), NoSession: scenarios.Unauthorized()},
			Credentials:   scenarios.Credentials{Username: "ada@example.com", Password: "correct horse battery staple"},
			UsersBySignUp: true,
		},
	}
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

// A mutant breaks an app of any shape in one way; caughtBy are prefixes of
// the names of the generated cases that must catch it, in every shape.
type mutant struct {
	name     string
	wrap     func(f *fakeauth.Fake, t scenarios.Target, next http.Handler) http.Handler
	caughtBy []string
}

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
		caughtBy: []string{"renewed/GET ", "active-end+1ns/GET ", "idle-end/GET "},
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
			return authrequest.Middleware(f.Auth)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
		caughtBy: []string{"active/GET ", "renewed/GET ", "sign-out/active"},
	},
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
// fail, by name, while the shape itself passes every case.
func TestMutantsAreCaught(t *testing.T) {
	for shape, target := range shapes() {
		t.Run(shape, func(t *testing.T) {
			t.Parallel()
			names := map[string]bool{}
			for _, c := range scenarios.Standard(target) {
				names[c.Name()] = true
			}
			if failed, reports := failing(t, target); len(failed) > 0 {
				t.Fatalf("the unbroken %s fails %v; e.g.\n%s", shape, failed, reports[failed[0]])
			}
			for _, m := range mutants {
				t.Run(m.name, func(t *testing.T) {
					t.Parallel()
					mt := target
					mt.Handler = func(f *fakeauth.Fake) http.Handler { return m.wrap(f, target, target.Handler(f)) }
					failed, reports := failing(t, mt)
					for _, prefix := range m.caughtBy {
						if !hasPrefix(slices.Collect(mapKeys(names)), prefix) {
							t.Errorf("no case of %s is named %q...", shape, prefix)
							continue
						}
						if !hasPrefix(failed, prefix) {
							t.Errorf("no case named %q... caught the mutant; the cases that did: %v", prefix, failed)
						}
					}
					if len(failed) > 0 {
						t.Logf("%s, %q: caught by %d of %d cases; e.g.\n%s", shape, m.name, len(failed), len(names), reports[failed[0]])
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
	r := scenarios.Execute(context.Background(), target, scenarios.Renewed())
	if r.Passed() {
		t.Fatal("the mutant passed")
	}
	rep := normalizeSpace(r.Report())
	for _, want := range []string{
		`scenario "renewed"`,
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
