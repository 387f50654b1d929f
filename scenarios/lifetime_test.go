package scenarios_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/scenarios"
)

// The routes of lifetimeApp: a page behind authrequest.RequireSession, a
// JSON route behind RequireSessionAPI and a same-origin POST that calls
// AuthRequest.InvalidateOtherSessions.
const (
	protectedPagePath = "/account/"
	protectedAPIPath  = "/api/account"
	signOutOthersPath = "/account/sign-out-others"
)

// lifetimeApp is an app with every route the lifetime cases need: a
// probe, a page behind RequireSession, an API behind RequireSessionAPI and
// "sign out everywhere else". Before that POST it seeds two other
// sessions of the user, whose IDs it records in others.
type lifetimeApp struct {
	mu     sync.Mutex
	others []string
}

func (app *lifetimeApp) target() scenarios.Target {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	return scenarios.Target{
		Handler: func(f *fakeauth.Fake) http.Handler {
			mux := http.NewServeMux()
			mux.HandleFunc("/probe", probe)
			mux.Handle(protectedPagePath, authrequest.RequireSession("/login")(ok))
			mux.Handle(protectedAPIPath, authrequest.RequireSessionAPI()(ok))
			mux.HandleFunc("POST "+signOutOthersPath, func(w http.ResponseWriter, r *http.Request) {
				ar := authrequest.FromContext(r.Context())
				s, err := ar.Session()
				if err != nil || s == nil {
					http.Error(w, "no session", http.StatusUnauthorized)
					return
				}
				app.mu.Lock()
				for range 2 {
					o, err := f.SeedSession(r.Context(), s.UserID, fakeauth.Active)
					if err != nil {
						http.Error(w, err.Error(), http.StatusInternalServerError)
						app.mu.Unlock()
						return
					}
					app.others = append(app.others, o.ID)
				}
				app.mu.Unlock()
				if err := ar.InvalidateOtherSessions(); err != nil {
					http.Error(w, "try again", http.StatusServiceUnavailable)
					return
				}
				http.Redirect(w, r, "/account/", http.StatusSeeOther)
			})
			return authrequest.MustMiddleware(f.Auth)(mux)
		},
		Routes: []scenarios.Route{
			{Pattern: "/probe", SignedOut: scenarios.Unauthorized()},
			{Pattern: protectedPagePath, SignedOut: scenarios.RedirectTo("/login")},
			{Pattern: protectedAPIPath, SignedOut: scenarios.Unauthorized()},
		},
		SignOutOthers: "POST " + signOutOthersPath,
	}
}

func TestLifetimeCases(t *testing.T) {
	app := &lifetimeApp{}
	target := app.target()
	cases := append(scenarios.Standard(target), scenarios.RequireSessionCases(target)...)
	scenarios.Run(t, target, append(cases, scenarios.OtherDevicesSignedOut().Request("POST", signOutOthersPath).WantWrites(2))...)
}

// The renewed cookie of a browser session, and the cookie of a persistent
// one, as the browser gets them.
func TestRenewalKeepsPolicyCookie(t *testing.T) {
	app := &lifetimeApp{}
	for _, tc := range []struct {
		c          scenarios.Case
		wantExpiry bool
	}{
		{scenarios.Idle().Session(fakeauth.BrowserSessionIdle), false},
		{scenarios.Idle(), true},
	} {
		r := scenarios.Execute(context.Background(), app.target(), tc.c)
		if !r.Passed() {
			t.Fatal(r.Report())
		}
		lines := strings.Join(r.SetCookies(), "\n")
		hasExpiry := strings.Contains(lines, "Expires=") || strings.Contains(lines, "Max-Age=")
		if hasExpiry != tc.wantExpiry || lines == "" {
			t.Errorf("%s: Set-Cookie %q: expiry %v, want %v", tc.c.Name(), lines, hasExpiry, tc.wantExpiry)
		}
	}
}

// Signing out the other devices deletes exactly the two sessions the app
// seeded, and nothing else.
func TestOtherDevicesSignedOutDeletesOthers(t *testing.T) {
	app := &lifetimeApp{}
	r := scenarios.Execute(context.Background(), app.target(), scenarios.OtherDevicesSignedOut().Request("POST", signOutOthersPath).WantWrites(2))
	if !r.Passed() {
		t.Fatal(r.Report())
	}
	var deleted []string
	for _, c := range r.Calls {
		if c.Op == fakeauth.OpDeleteSession && c.Wrote {
			deleted = append(deleted, c.SessionID)
		}
	}
	app.mu.Lock()
	defer app.mu.Unlock()
	if len(deleted) != 2 || len(app.others) != 2 {
		t.Fatalf("deleted %v, seeded %v: want the two seeded", deleted, app.others)
	}
	for _, id := range app.others {
		if id != deleted[0] && id != deleted[1] {
			t.Errorf("seeded session %.12s… not deleted (deleted %v)", id, deleted)
		}
	}
}

// The past-absolute-end case of LifetimeCases fails against a handler
// whose Auth ignores the absolute end: a mutant that keeps renewing. Here
// the mutant is a session seeded without the lifetime, which the case must
// catch.
func TestPastAbsoluteLifetimeCatchesAnEndlessSession(t *testing.T) {
	target := (&lifetimeApp{}).target()
	var tried int
	for _, c := range scenarios.LifetimeCases(target) {
		if !strings.HasPrefix(c.Name(), "past-absolute-end/") {
			continue
		}
		tried++
		if r := scenarios.Execute(context.Background(), target, c.Session(fakeauth.Active)); r.Passed() {
			t.Errorf("%s: expectations passed on a live session", c.Name())
		}
	}
	if tried == 0 {
		t.Fatal("LifetimeCases has no past-absolute-end case")
	}
}
