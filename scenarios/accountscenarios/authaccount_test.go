package accountscenarios_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authaccount"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/scenarios/accountscenarios"
)

// accountsApp is an app of package authaccount on the case's fake: its
// routes mounted as they are by default, and /me for the session checks.
type accountsApp struct {
	a   *auth.Auth
	dir authaccount.Directory

	mu    sync.Mutex
	users []string // every user seeded, for the store dump
}

// accountsTarget describes an authaccount app with codes, on authkit's
// own users, with the default throttle policy and lifetimes.
func accountsTarget() accountscenarios.Target {
	app := func(env *accountscenarios.Env) *accountsApp { return env.App.(*accountsApp) }
	policy := authaccount.DefaultThrottlePolicy()
	return accountscenarios.Target{
		Handler: func(env *accountscenarios.Env) (http.Handler, error) {
			ac, err := authaccount.New(env.Fake.Auth, authaccount.Config{
				Sender: env.Sender, BaseURL: env.BaseURL, Codes: true, Logger: env.Logger,
			})
			if err != nil {
				return nil, err
			}
			env.App = &accountsApp{a: env.Fake.Auth, dir: authaccount.NewUserDirectory(env.Fake.Auth)}
			mux := http.NewServeMux()
			ac.Mount(mux)
			mux.Handle("GET /me", authrequest.RequireSessionAPI()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusOK)
			})))
			return authrequest.MustMiddleware(env.Fake.Auth)(mux), nil
		},
		SeedAccount: func(ctx context.Context, env *accountscenarios.Env, acc accountscenarios.Account) (string, error) {
			a := app(env)
			addr, _ := authaccount.NormalizeAddress(acc.Email)
			id, err := a.dir.CreateUser(ctx, addr, acc.Password)
			if err != nil {
				return "", err
			}
			if acc.Verified {
				if err := a.dir.MarkVerified(ctx, id, addr); err != nil {
					return "", err
				}
			}
			a.mu.Lock()
			a.users = append(a.users, id)
			a.mu.Unlock()
			return id, nil
		},
		IsVerified: func(ctx context.Context, env *accountscenarios.Env, address string) (bool, error) {
			a := app(env)
			norm, _ := authaccount.NormalizeAddress(address)
			k, err := a.a.GetKey(ctx, authaccount.EmailProvider, norm)
			if errors.Is(err, auth.ErrInvalidKey) {
				return false, nil
			}
			if err != nil {
				return false, err
			}
			u, err := a.a.GetUser(ctx, k.UserID)
			if err != nil {
				return false, err
			}
			return u.Attributes[authaccount.AttrEmailVerified] == true, nil
		},
		ChangeAddress: func(ctx context.Context, env *accountscenarios.Env, userID, addr string) error {
			// As NewUserDirectory's doc says an app does it: replace the
			// key and set AttrEmailVerified false.
			a := app(env)
			keys, err := a.a.UserKeys(ctx, userID)
			if err != nil {
				return err
			}
			for _, k := range keys {
				if k.ProviderID == authaccount.EmailProvider {
					if err := a.a.DeleteKey(ctx, k.ProviderID, k.ProviderUserID); err != nil {
						return err
					}
				}
			}
			if _, err := a.a.CreateKey(ctx, userID, auth.NewKey{ProviderID: authaccount.EmailProvider, ProviderUserID: addr, Password: "a password for the new address"}); err != nil {
				return err
			}
			_, err = a.a.UpdateUserAttributes(ctx, userID, map[string]any{authaccount.AttrEmail: addr, authaccount.AttrEmailVerified: false})
			return err
		},
		DumpStore: func(ctx context.Context, env *accountscenarios.Env) ([]byte, error) {
			a := app(env)
			ts, ok := any(env.Fake.Store.Inner()).(auth.TokenStore)
			if !ok {
				return nil, accountscenarios.ErrNotExpressible
			}
			a.mu.Lock()
			users := append([]string(nil), a.users...)
			a.mu.Unlock()
			var recs []auth.TokenRecord
			for _, id := range users {
				for _, p := range []string{authaccount.PurposeVerifyEmail, authaccount.PurposeResetPassword, authaccount.PurposeSignIn} {
					rec, err := ts.UserToken(ctx, id, p)
					if errors.Is(err, auth.ErrNotFound) {
						continue
					}
					if err != nil {
						return nil, err
					}
					recs = append(recs, rec)
				}
			}
			return json.Marshal(recs)
		},
		FailTokenWrite: accountscenarios.FailAuthTokenWrite,
		SessionPath:    "/me",
		Codes:          true,
		Limits: accountscenarios.Limits{
			SignIn:       accountscenarios.Limit{N: policy.SignInPerAccountIP.Max, Window: policy.SignInPerAccountIP.Window},
			EmailRequest: accountscenarios.Limit{N: policy.EmailPerAddress.Max, Window: policy.EmailPerAddress.Window},
			Code:         accountscenarios.Limit{N: policy.CodePerIP.Max, Window: policy.CodePerIP.Window},
		},
	}
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
