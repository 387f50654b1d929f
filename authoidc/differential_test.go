package authoidc_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"text/tabwriter"

	"github.com/authkit-dev/authkit/internal/certifiedoidc"
	"github.com/authkit-dev/authkit/scenarios/oidcscenarios"
)

// TestFakeAgreesWithCertifiedProvider runs the callback table against
// fakeoidc and against a certified provider (node-oidc-provider, with its
// defaults), on the app with authkit's users and on an app with its own:
// each case must reach the same verdict against both, or be one the real
// provider cannot be made to express (a fault only a fake injects), listed
// with its reason. The table of verdicts is logged (go test -v).
func TestFakeAgreesWithCertifiedProvider(t *testing.T) {
	const redirectURL = "https://example.com/auth/oidc/callback"
	certified := certifiedoidc.ForScenarios(t, redirectURL)
	for _, tc := range []struct {
		name   string
		target oidcscenarios.Target
	}{
		{"authkit users", oidcscenarios.Target{Handler: app(nil)}},
		{"own users", ownUsersTarget()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			real := tc.target
			real.NewProvider = certified
			var b strings.Builder
			w := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "case\tfakeoidc\tcertified provider")
			agreed, fakeOnly := 0, 0
			for _, c := range oidcscenarios.Standard() {
				fake := oidcscenarios.Execute(context.Background(), tc.target, c)
				cert := oidcscenarios.Execute(context.Background(), real, c) // one at a time: one provider, one clock
				cv := cert.Verdict()
				if cert.NotExpressible != "" {
					cv = "fake only: " + strings.TrimPrefix(cert.NotExpressible, oidcscenarios.ErrNotExpressible.Error()+": ")
				}
				fmt.Fprintf(w, "%s\t%s\t%s\n", c.Name(), fake.Verdict(), cv)
				switch {
				case !fake.Passed():
					t.Errorf("against fakeoidc:\n%s", fake.Report())
				case cert.NotExpressible != "":
					fakeOnly++
				case cert.Verdict() != fake.Verdict():
					t.Errorf("%s: fakeoidc says %q, the certified provider %q:\n%s", c.Name(), fake.Verdict(), cert.Verdict(), cert.Report())
				default:
					agreed++
				}
			}
			w.Flush()
			t.Logf("%d cases agree, %d only a fake can express:\n%s", agreed, fakeOnly, b.String())
		})
	}
}
