package accountscenarios

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authaccount"
)

// authaccountUsers is what ForAuthaccount keeps of a case's app: its Auth,
// its Directory and every user seeded, for the store dump.
type authaccountUsers struct {
	a   *auth.Auth
	dir authaccount.Directory

	mu    sync.Mutex
	users []string
}

// ForAuthaccount describes an app whose account routes are package
// authaccount's at their default paths, on authkit's own users
// (authaccount.NewUserDirectory), with codes, the default throttle policy
// and lifetimes. handler builds the app on the case's Env: it gives
// env.Sender, env.BaseURL and env.Logger to authaccount.Config (with Codes
// on) and env.Fake.Auth to both. The Target's hooks seed, inspect and
// re-address accounts as authaccount's doc says an app does, dump the
// seeded users' token records, and fail token writes through the fake.
// Set SessionPath on the result when a route of the app answers a
// signed-out request with neither 2xx nor 3xx.
func ForAuthaccount(handler func(env *Env) (http.Handler, error)) Target {
	app := func(env *Env) *authaccountUsers { return env.App.(*authaccountUsers) }
	policy := authaccount.DefaultThrottlePolicy()
	return Target{
		Handler: func(env *Env) (http.Handler, error) {
			env.App = &authaccountUsers{a: env.Fake.Auth, dir: authaccount.NewUserDirectory(env.Fake.Auth)}
			return handler(env)
		},
		SeedAccount: func(ctx context.Context, env *Env, acc Account) (string, error) {
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
		IsVerified: func(ctx context.Context, env *Env, address string) (bool, error) {
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
		ChangeAddress: func(ctx context.Context, env *Env, userID, addr string) error {
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
		DumpStore: func(ctx context.Context, env *Env) ([]byte, error) {
			a := app(env)
			ts, ok := any(env.Fake.Store.Inner()).(auth.TokenStore)
			if !ok {
				return nil, ErrNotExpressible
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
		FailTokenWrite: FailAuthTokenWrite,
		Codes:          true,
		Limits: Limits{
			SignIn:       Limit{N: policy.SignInPerAccountIP.Max, Window: policy.SignInPerAccountIP.Window},
			EmailRequest: Limit{N: policy.EmailPerAddress.Max, Window: policy.EmailPerAddress.Window},
			Code:         Limit{N: policy.CodePerIP.Max, Window: policy.CodePerIP.Window},
		},
	}
}
