package formapp_test

import (
	"net/http"
	"testing"

	"github.com/authkit-dev/authkit/authaccount"
	"github.com/authkit-dev/authkit/examples/formapp"
	"github.com/authkit-dev/authkit/examples/formapp/formapptest"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/fakemail"
	"github.com/authkit-dev/authkit/scenarios"
	"github.com/authkit-dev/authkit/scenarios/accountscenarios"
)

// AccountsTarget describes the app with accounts people can recover, for
// the account scenarios table.
func AccountsTarget() accountscenarios.Target {
	return accountscenarios.ForAuthaccount(func(env *accountscenarios.Env) (http.Handler, error) {
		ac, err := authaccount.New(env.Fake.Auth, authaccount.Config{
			Sender: env.Sender, BaseURL: env.BaseURL, Codes: true, Logger: env.Logger,
		})
		if err != nil {
			return nil, err
		}
		return formapp.NewHandler(env.Fake.Auth, env.Logger, formapp.WithAccounts(ac)), nil
	})
}

func TestAccounts(t *testing.T) {
	accountscenarios.Run(t, AccountsTarget())
}

// TestStandardWithAccounts: the session table still holds with the
// account routes mounted.
func TestStandardWithAccounts(t *testing.T) {
	target := formapptest.Target()
	target.Handler = func(f *fakeauth.Fake) http.Handler {
		ac, err := authaccount.New(f.Auth, authaccount.Config{Sender: fakemail.New(), BaseURL: "https://app.example"})
		if err != nil {
			t.Fatal(err)
		}
		return formapp.NewHandler(f.Auth, nil, formapp.WithAccounts(ac))
	}
	scenarios.Run(t, target)
}
