package oidcscenarios_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/scenarios/oidcscenarios"
)

func TestStandardNames(t *testing.T) {
	seen := map[string]bool{}
	successes := 0
	for _, c := range oidcscenarios.Standard() {
		if c.Name() == "" || seen[c.Name()] {
			t.Errorf("case name %q is empty or repeated", c.Name())
		}
		seen[c.Name()] = true
		if c.WantsSignIn() {
			successes++
		}
		if !strings.HasPrefix(c.Describe(), "given ") {
			t.Errorf("%s: Describe() = %q", c.Name(), c.Describe())
		}
	}
	if len(seen) < 18 || successes == 0 || successes == len(seen) {
		t.Errorf("%d cases, %d that sign in", len(seen), successes)
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
