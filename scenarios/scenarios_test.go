package scenarios_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/scenarios"
)

// probe answers 200 with a session, 401 without, 503 when the store fails:
// the shape of handler the standard cases expect.
func probe(w http.ResponseWriter, r *http.Request) {
	s, err := authrequest.FromContext(r.Context()).Session()
	switch {
	case err != nil:
		http.Error(w, "session store unavailable", http.StatusServiceUnavailable)
	case s == nil:
		http.Error(w, "not signed in", http.StatusUnauthorized)
	default:
		json.NewEncoder(w).Encode(map[string]string{"user_id": s.UserID})
	}
}

// authkitTarget is authrequest's own Middleware and APIHandler, with a
// probe route for the methods APIHandler does not serve.
func authkitTarget() scenarios.Target {
	return scenarios.Target{
		Handler: func(f *fakeauth.Fake) http.Handler {
			mux := http.NewServeMux()
			mux.Handle("/api/auth/", authrequest.APIHandler(f.Auth))
			mux.HandleFunc("/probe", probe)
			mux.HandleFunc("POST /api/login", login(f.Auth))
			return authrequest.MustMiddleware(f.Auth)(mux)
		},
		Routes: []scenarios.Route{
			scenarios.APIUser("/api/auth/user"),
			{Pattern: "/probe", SignedOut: scenarios.Unauthorized()},
		},
		SignIn:  &scenarios.Form{Route: "POST /api/login", JSON: true, Success: scenarios.OK()},
		SignOut: scenarios.APISignOut("/api/auth/logout"),
	}
}

// login is a JSON sign-in next to APIHandler: 200 and the cookie, 401 for
// wrong credentials, 503 when the store fails.
func login(a *auth.Auth) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var c struct{ Username, Password string }
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8<<10)).Decode(&c); err != nil {
			http.Error(w, "malformed JSON", http.StatusBadRequest)
			return
		}
		key, err := a.UseKey(r.Context(), "username", c.Username, c.Password)
		if err == nil {
			_, err = authrequest.FromContext(r.Context()).SignIn(key.UserID)
		}
		switch {
		case errors.Is(err, auth.ErrInvalidKey), errors.Is(err, auth.ErrInvalidPassword):
			http.Error(w, "wrong username or password", http.StatusUnauthorized)
		case err != nil:
			http.Error(w, "try again", http.StatusServiceUnavailable)
		default:
			w.Write([]byte("{}"))
		}
	}
}

func TestStandardCount(t *testing.T) {
	cases := scenarios.Standard(authkitTarget())
	if len(cases) < 50 {
		t.Errorf("Standard() has %d cases, want at least 50", len(cases))
	}
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.Name()] {
			t.Errorf("two cases are named %q", c.Name())
		}
		seen[c.Name()] = true
	}
}

// TestStandardFollowsTheRoutes checks that the table sends each route
// only the methods it takes.
func TestStandardFollowsTheRoutes(t *testing.T) {
	target := scenarios.Target{Routes: []scenarios.Route{{Pattern: "GET /profile"}}}
	for _, c := range scenarios.Standard(target) {
		if strings.Contains(c.Describe(), "/profile") && !strings.Contains(c.Describe(), "when GET /profile") {
			t.Errorf("case %q: %s", c.Name(), c.Describe())
		}
	}
	if n := len(scenarios.Standard(target)); n == 0 {
		t.Fatal("no cases")
	}
}

func TestStandardAgainstAuthrequest(t *testing.T) {
	scenarios.Run(t, authkitTarget())
}

func TestNamedCases(t *testing.T) {
	scenarios.Run(t, authkitTarget(),
		scenarios.Active(), scenarios.Idle(), scenarios.Expired(), scenarios.Invalidated(),
		scenarios.MissingCookie(), scenarios.MalformedToken(), scenarios.UnknownToken(), scenarios.DeletedUser(),
		scenarios.CrossOrigin(), scenarios.StoreDown(), scenarios.ConcurrentIdle(),
		scenarios.Logout().Request("POST", "/api/auth/logout"),
	)
}

// TestChangingRoutesGetNoReadOnlyCases checks that a route the target
// names as one that changes sessions (here SignOutOthers), and lists among
// its Routes too, gets only its own family's cases.
func TestChangingRoutesGetNoReadOnlyCases(t *testing.T) {
	target := scenarios.Target{
		Routes: []scenarios.Route{
			{Pattern: "GET /account", SignedOut: scenarios.RedirectTo("/login")},
			{Pattern: "POST /account/sign-out-others", SignedOut: scenarios.RedirectTo("/login")},
		},
		SignOutOthers: "POST /account/sign-out-others",
	}
	n := 0
	for _, c := range scenarios.Standard(target) {
		if !strings.Contains(c.Describe(), "when POST /account/sign-out-others") {
			continue
		}
		n++
		if !strings.HasPrefix(c.Name(), "sign-out-others/") && !strings.HasPrefix(c.Name(), "reuse/") {
			t.Errorf("case %q sends the sign-out-others route a read-only case: %s", c.Name(), c.Describe())
		}
	}
	if n == 0 {
		t.Error("no case sends the sign-out-others route")
	}
}

// TestDescribeSaysWhatIsSent checks that the sign-in cases describe the
// credentials they post.
func TestDescribeSaysWhatIsSent(t *testing.T) {
	for _, c := range scenarios.Standard(authkitTarget()) {
		if c.Name() == "sign-in/wrong-password" && !strings.Contains(c.Describe(), "with a wrong password") {
			t.Errorf("%s: %s", c.Name(), c.Describe())
		}
		if c.Name() == "sign-in/unknown-user" && !strings.Contains(c.Describe(), "as a user who does not exist") {
			t.Errorf("%s: %s", c.Name(), c.Describe())
		}
	}
}

// TestNewFakePerCase checks that Target.NewFake makes the fake of each
// case and that its release runs once each case is over.
func TestNewFakePerCase(t *testing.T) {
	var made, released atomic.Int64
	target := authkitTarget()
	target.ReuseHandler = true
	target.NewFake = func(context.Context) (*fakeauth.Fake, func(), error) {
		made.Add(1)
		f, err := fakeauth.New()
		return f, func() { released.Add(1) }, err
	}
	runner := scenarios.NewRunner(target)
	for range 3 {
		if r := runner.Execute(t.Context(), scenarios.Active()); !r.Passed() {
			t.Fatal(r.Report())
		}
	}
	if made.Load() != 3 || released.Load() != 3 {
		t.Errorf("NewFake made %d fakes and released %d, want 3 and 3", made.Load(), released.Load())
	}
}
