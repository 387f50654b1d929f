package accountscenarios_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/authaccount"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/scenarios/accountscenarios"
)

// accountsTarget describes an authaccount app with codes, on authkit's
// own users, with the default throttle policy and lifetimes: its routes
// mounted as they are by default, and /me for the session checks.
func accountsTarget() accountscenarios.Target {
	t := accountscenarios.ForAuthaccount(func(env *accountscenarios.Env) (http.Handler, error) {
		ac, err := authaccount.New(env.Fake.Auth, authaccount.Config{
			Sender: env.Sender, BaseURL: env.BaseURL, Codes: true, Logger: env.Logger,
		})
		if err != nil {
			return nil, err
		}
		mux := http.NewServeMux()
		ac.Mount(mux)
		mux.Handle("GET /me", authrequest.RequireSessionAPI()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusOK)
		})))
		return authrequest.MustMiddleware(env.Fake.Auth)(mux), nil
	})
	t.SessionPath = "/me"
	return t
}

// knownDisagreements are the cases authaccount fails, each with a word of
// its failure: reported, not patched here. A request exactly Retry-After
// seconds after a 429 is refused again, because the counter's window
// includes its last instant (auth.CounterStore) and authaccount's
// RetryAfterSeconds rounds resetAt-now up without going past it. When
// authaccount is fixed, the test fails until the entry is removed.
var knownDisagreements = map[string]string{}

// TestAuthaccountApp runs the table against an app of package
// authaccount, its requests in JSON and as HTML forms: every case passes
// but the known disagreements, which fail for their reason.
func TestAuthaccountApp(t *testing.T) {
	for _, form := range []bool{false, true} {
		target := accountsTarget()
		target.Form = form
		for _, c := range accountscenarios.Standard() {
			t.Run(fmt.Sprintf("form=%v/%s", form, c.Name()), func(t *testing.T) {
				t.Parallel()
				r := accountscenarios.Execute(context.Background(), target, c)
				why, known := knownDisagreements[c.Name()]
				switch {
				case r.NotExpressible != "":
					t.Errorf("not expressible: %s", r.NotExpressible)
				case known && r.Passed():
					t.Errorf("authaccount now passes %s: remove it from knownDisagreements", c.Name())
				case known && !strings.Contains(r.Report(), why):
					t.Errorf("a known disagreement failed for another reason than %q:\n%s", why, r.Report())
				case !known && !r.Passed():
					t.Error(r.Report())
				}
			})
		}
	}
}
