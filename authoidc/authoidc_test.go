package authoidc_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authoidc"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/scenarios/oidcscenarios"
)

// app is the handler under test: sign-in routes and a profile page,
// behind the middleware. mutate, when not nil, breaks the client.
func app(mutate func(*authoidc.Client)) func(env *oidcscenarios.Env) (http.Handler, error) {
	return appWith(nil, mutate)
}

// appWith is app with the client's Config changed by edit, when not nil,
// for the case's env first.
func appWith(edit func(*oidcscenarios.Env, *authoidc.Config), mutate func(*authoidc.Client)) func(env *oidcscenarios.Env) (http.Handler, error) {
	return func(env *oidcscenarios.Env) (http.Handler, error) {
		cfg := authoidc.Config{
			Issuer: env.Provider.Issuer(), ClientID: env.ClientID, ClientSecret: env.ClientSecret,
			RedirectURL: env.RedirectURL, HTTPClient: env.HTTPClient, RequireVerifiedEmail: true,
		}
		if edit != nil {
			edit(env, &cfg)
		}
		c, err := authoidc.New(env.Fake.Auth, cfg)
		if err != nil {
			return nil, err
		}
		if mutate != nil {
			mutate(c)
		}
		mux := http.NewServeMux()
		mux.HandleFunc("/auth/oidc/start", c.Start)
		mux.HandleFunc("GET /auth/oidc/callback", c.Callback)
		return authrequest.MustMiddleware(env.Fake.Auth)(mux), nil
	}
}

// TestCallbackTable is Must show 2, first half: the whole table passes
// against the production sign-in.
func TestCallbackTable(t *testing.T) {
	cases := oidcscenarios.Standard()
	if len(cases) < 18 {
		t.Fatalf("the table has %d cases, want at least 18", len(cases))
	}
	oidcscenarios.Run(t, oidcscenarios.Target{Handler: app(nil)}, cases...)
}

// TestMutantsCaught is Must show 2, second half: each broken callback is
// caught by the cases named for it, and passes the rest (so the case that
// catches it is the one meant to).
func TestMutantsCaught(t *testing.T) {
	caughtBy := map[string][]string{
		"no state check":                   {"state-mismatch"},
		"no nonce check":                   {"nonce-mismatch"},
		"code reused":                      {"replayed-code"},
		"audience not checked":             {"wrong-audience"},
		"session kept from before sign-in": {"planted-session-replaced", "link-existing-account"},
		"iat not checked":                  {"iat-in-future"},
		"expiry not checked":               {"expired-id-token"},
		"email verification ignored":       {"unverified-email"},
		"iss not checked":                  {"iss-mismatch", "iss-missing"},
	}
	if len(caughtBy) != len(authoidc.Mutants) {
		t.Fatalf("%d mutants, %d with expectations", len(authoidc.Mutants), len(caughtBy))
	}
	for name, want := range caughtBy {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			target := oidcscenarios.Target{Handler: app(func(c *authoidc.Client) { authoidc.Mutate(c, name) })}
			var failed []string
			var report string
			for _, c := range oidcscenarios.Standard() {
				if r := oidcscenarios.Execute(context.Background(), target, c); !r.Passed() {
					failed = append(failed, c.Name())
					if report == "" {
						report = r.Report()
					}
				}
			}
			slices.Sort(failed)
			slices.Sort(want)
			if !slices.Equal(failed, want) {
				t.Errorf("mutant %q caught by %v, want exactly %v", name, failed, want)
			}
			t.Logf("mutant %q caught by %v; report:\n%s", name, failed, report)
		})
	}
}

func newClient(t *testing.T, a *auth.Auth, cfg authoidc.Config) *authoidc.Client {
	t.Helper()
	c, err := authoidc.New(a, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNewRefusesBadConfig(t *testing.T) {
	f := fakeauth.NewT(t)
	good := authoidc.Config{Issuer: "https://op.example", ClientID: "id", RedirectURL: "https://app.example/cb"}
	for name, mod := range map[string]func(*authoidc.Config){
		"relative issuer":      func(c *authoidc.Config) { c.Issuer = "/op" },
		"no client ID":         func(c *authoidc.Config) { c.ClientID = "" },
		"relative redirect":    func(c *authoidc.Config) { c.RedirectURL = "/cb" },
		"short key":            func(c *authoidc.Config) { c.CookieKey = []byte("short") },
		"__Host- and insecure": func(c *authoidc.Config) { c.InsecureCookie, c.FlowCookieName = true, "__Host-x" },
		// RFC 6265bis §4.1.3: browsers match the prefix case-insensitively.
		"__HOST- and insecure":   func(c *authoidc.Config) { c.InsecureCookie, c.FlowCookieName = true, "__HOST-x" },
		"__secure- and insecure": func(c *authoidc.Config) { c.InsecureCookie, c.FlowCookieName = true, "__secure-x" },
		"relative logout URL":    func(c *authoidc.Config) { c.PostLogoutRedirectURL = "/bye" },
	} {
		cfg := good
		mod(&cfg)
		if _, err := authoidc.New(f.Auth, cfg); !errors.Is(err, authoidc.ErrConfig) {
			t.Errorf("%s: %v, want ErrConfig", name, err)
		}
	}
	c := newClient(t, f.Auth, good)
	if c.ProviderID() != "oidc:https://op.example" || c.FlowCookieName() != "__Host-authkit-oidc" {
		t.Errorf("provider ID %q, cookie %q", c.ProviderID(), c.FlowCookieName())
	}
}

func TestStatusCodeAndMessage(t *testing.T) {
	for _, tc := range []struct {
		err  error
		code int
	}{
		{authoidc.ErrStateMismatch, 400},
		{&authoidc.ProviderError{Code: "access_denied"}, 403},
		{authoidc.ErrLinkConflict, 409},
		{authoidc.ErrProviderUnavailable, 502},
		{errors.Join(authoidc.ErrProviderUnavailable, context.DeadlineExceeded), 504},
		{auth.ErrStore, 503},
		{authoidc.ErrIssuerMismatch, 400},
		{authoidc.ErrUserInfo, 502},
		{errors.New("other"), 500},
	} {
		if got := authoidc.StatusCode(tc.err); got != tc.code {
			t.Errorf("StatusCode(%v) = %d, want %d", tc.err, got, tc.code)
		}
		if m := authoidc.Message(tc.err); m == "" || strings.Contains(m, "authoidc:") {
			t.Errorf("Message(%v) = %q", tc.err, m)
		}
	}
}
