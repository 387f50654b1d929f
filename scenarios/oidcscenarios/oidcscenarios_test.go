package oidcscenarios_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

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
