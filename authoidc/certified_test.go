package authoidc_test

import (
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/internal/certifiedoidc"
	"github.com/authkit-dev/authkit/scenarios/oidcscenarios"
)

// certifiedProviders lists the real providers the own-users test also
// runs against: node-oidc-provider with its defaults (claims from
// userinfo only), one process per test.
func certifiedProviders() []oidcProvider {
	return []oidcProvider{{"certified provider", func(t *testing.T, clock auth.Clock, redirectURL string) oidcscenarios.Provider {
		p, _, err := certifiedoidc.ForScenarios(t, redirectURL)(clock, redirectURL)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}}}
}
