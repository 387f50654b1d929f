package oidcscenarios_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/fakeoidc"
	"github.com/authkit-dev/authkit/scenarios/internal/outcome"
	"github.com/authkit-dev/authkit/scenarios/oidcscenarios"
)

func TestStandardNames(t *testing.T) {
	cases := oidcscenarios.Standard()
	outcome.CheckNames(t, cases)
	successes := 0
	for _, c := range cases {
		if c.WantsSignIn() {
			successes++
		}
	}
	if len(cases) < 18 || successes == 0 || successes == len(cases) {
		t.Errorf("%d cases, %d that sign in", len(cases), successes)
	}
}

// TestRunnerCatchesAnAppWithoutSignIn: a target whose routes do nothing
// fails every case with a report that says why, and never panics.
func TestRunnerCatchesAnAppWithoutSignIn(t *testing.T) {
	target := oidcscenarios.Target{Handler: func(*oidcscenarios.Env) (http.Handler, error) {
		return http.NotFoundHandler(), nil
	}}
	for _, c := range oidcscenarios.Standard() {
		r := oidcscenarios.Execute(context.Background(), target, c)
		if r.Passed() {
			t.Errorf("%s passed against an app that has no sign-in", c.Name())
		}
		if rep := r.Report(); !strings.Contains(rep, c.Name()) || !strings.Contains(rep, "status 404") {
			t.Errorf("%s: report %q", c.Name(), rep)
		}
	}
}

// refusingProvider is the fake provider made to refuse every fault, as a
// certified provider would.
type refusingProvider struct{ oidcscenarios.Provider }

func (refusingProvider) Fail(fakeoidc.Endpoint, fakeoidc.Fault) error {
	return fmt.Errorf("%w: a certified provider", oidcscenarios.ErrNotExpressible)
}

// A case whose fault the provider can't inject says why in its report,
// and Run skips it rather than failing it.
func TestRunSkipsCasesTheProviderCannotExpress(t *testing.T) {
	target := oidcscenarios.Target{Handler: appHandler,
		NewProvider: func(clock auth.Clock, redirectURL string) (oidcscenarios.Provider, func(), error) {
			p, closeP, err := oidcscenarios.FakeProvider(clock, redirectURL)
			return refusingProvider{p}, closeP, err
		}}
	var refused []oidcscenarios.Case
	for _, c := range oidcscenarios.Standard() {
		if !strings.Contains(c.Describe(), "fault ") {
			continue
		}
		r := oidcscenarios.Execute(context.Background(), target, c)
		if r.NotExpressible == "" {
			t.Errorf("%s: %s", c.Name(), r.Verdict())
			continue
		}
		if rep := r.Report(); !strings.Contains(rep, "not expressible: "+r.NotExpressible) {
			t.Errorf("%s: the report does not say why the case is not expressible:\n%s", c.Name(), rep)
		}
		refused = append(refused, c)
	}
	if len(refused) == 0 {
		t.Fatal("no case of the table injects a fault")
	}
	oidcscenarios.Run(t, target, refused...)
}
