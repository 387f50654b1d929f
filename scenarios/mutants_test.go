package scenarios_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/scenarios"
)

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

// mutants are deliberately broken handlers, each with the standard cases
// that must catch it.
var mutants = []struct {
	name     string
	handler  func(f *fakeauth.Fake) http.Handler
	caughtBy []string
}{
	{
		name: "clears the cookie on a cross-origin POST",
		handler: func(f *fakeauth.Fake) http.Handler {
			next := authkitTarget().Handler(f)
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if o := r.Header.Get("Origin"); r.Method != "GET" && o != "" && o != "https://example.com" {
					http.SetCookie(w, f.Auth.BlankSessionCookie())
				}
				next.ServeHTTP(w, r)
			})
		},
		caughtBy: []string{"cross-origin/cross-site/POST/active", "logout/cross-origin"},
	},
	{
		name: "never re-issues the cookie on renewal",
		handler: func(f *fakeauth.Fake) http.Handler {
			next := authkitTarget().Handler(f)
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				next.ServeHTTP(dropSessionSetCookies{w}, r)
			})
		},
		caughtBy: []string{"renewed/GET", "renewed/POST", "active-end+1ns/GET", "idle-end/GET"},
	},
	{
		name: "swallows store errors into a logout",
		handler: func(f *fakeauth.Fake) http.Handler {
			return authrequest.Middleware(f.Auth)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ar := authrequest.FromContext(r.Context())
				s, err := ar.Session()
				if err != nil {
					ar.ClearSession()
					s = nil
				}
				if s == nil {
					http.Error(w, "not signed in", http.StatusUnauthorized)
					return
				}
				w.Write([]byte("ok"))
			}))
		},
		caughtBy: []string{"store-down/read/GET", "store-down/read/POST"},
	},
	{
		name: "validates twice",
		handler: func(f *fakeauth.Fake) http.Handler {
			return authrequest.Middleware(f.Auth)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				authrequest.New(f.Auth, w, r).Session() // a second AuthRequest: no shared memo
				probe(w, r)
			}))
		},
		caughtBy: []string{"active/GET", "unknown-token/GET", "renewed/GET"},
	},
	{
		name: "ignores the origin check",
		handler: func(f *fakeauth.Fake) http.Handler {
			mux := http.NewServeMux()
			mux.Handle("/api/auth/", authrequest.APIHandler(f.Auth, authrequest.InsecureSkipOriginCheck()))
			mux.HandleFunc("/probe", probe)
			return authrequest.Middleware(f.Auth, authrequest.InsecureSkipOriginCheck())(mux)
		},
		caughtBy: []string{"cross-origin/cross-site/POST/active", "cross-origin/cross-site-old-browser/DELETE/idle", "logout/cross-origin"},
	},
	{
		name: "writes 'last seen' on every request",
		handler: func(f *fakeauth.Fake) http.Handler {
			next := authkitTarget().Handler(f)
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if s, err := authrequest.New(f.Auth, w, r).Session(); err == nil && s != nil {
					f.Auth.UpdateUserAttributes(r.Context(), s.UserID, map[string]any{"last_seen": f.Clock.Now()})
				}
				next.ServeHTTP(w, r)
			})
		},
		caughtBy: []string{"active/GET", "active-end/GET"},
	},
	{
		name: "treats an expired session as a store error",
		handler: func(f *fakeauth.Fake) http.Handler {
			return authrequest.Middleware(f.Auth)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, err := f.Auth.ValidateSession(r.Context(), readToken(r))
				if err != nil && !errors.Is(err, context.Canceled) && readToken(r) != "" {
					http.Error(w, "error", http.StatusInternalServerError)
					return
				}
				probe(w, r)
			}))
		},
		caughtBy: []string{"expired/GET", "unknown-token/GET", "idle-end+1ns/GET"},
	},
}

func readToken(r *http.Request) string {
	c, err := r.Cookie("auth_session")
	if err != nil {
		return ""
	}
	return c.Value
}

// TestMutantsAreCaught runs Standard against each broken handler and checks
// that the cases meant to catch it fail, by name.
func TestMutantsAreCaught(t *testing.T) {
	for _, m := range mutants {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			target := authkitTarget()
			target.Handler = m.handler
			var failed []string
			reports := map[string]string{}
			for _, c := range scenarios.Standard() {
				r := scenarios.Execute(context.Background(), target, c)
				if !r.Passed() && r.Skipped == "" {
					failed = append(failed, c.Name())
					reports[c.Name()] = r.Report()
				}
			}
			if len(failed) == 0 {
				t.Fatalf("no standard case caught the mutant %q", m.name)
			}
			for _, name := range m.caughtBy {
				if !slices.Contains(failed, name) {
					t.Errorf("case %q did not catch the mutant; the cases that did: %v", name, failed)
				}
			}
			t.Logf("caught by %d of %d cases; e.g.\n%s", len(failed), len(scenarios.Standard()), reports[m.caughtBy[0]])
		})
	}
}

// TestReportNamesWhatFailed checks the failure message itself: the case,
// the diff, the request line and the Set-Cookie lines, tokens redacted.
func TestReportNamesWhatFailed(t *testing.T) {
	target := authkitTarget()
	target.Handler = mutants[1].handler // never re-issues on renewal
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

	target = authkitTarget()
	target.Handler = mutants[2].handler // swallows store errors
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
