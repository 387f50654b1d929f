package accountscenarios_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/scenarios/accountscenarios"
	"github.com/authkit-dev/authkit/scenarios/internal/outcome"
)

func TestStandardNames(t *testing.T) {
	outcome.CheckNames(t, accountscenarios.Standard())
	families := map[string]int{}
	for _, c := range accountscenarios.Standard() {
		families[c.Family()]++
		if d := c.Describe(); !strings.Contains(d, "; when ") || !strings.Contains(d, "; then ") {
			t.Errorf("%s: Describe() = %q", c.Name(), d)
		}
	}
	for _, f := range []string{"success", "reuse", "expiry", "purpose", "address", "reset", "enumeration", "throttle", "code", "fault", "secrets"} {
		if families[f] == 0 {
			t.Errorf("no case of family %q", f)
		}
	}
}

// TestRunnerCatchesAnAppWithoutAccountRoutes: a target whose routes do
// nothing fails every case it can express, with a report naming the
// case, and never panics.
func TestRunnerCatchesAnAppWithoutAccountRoutes(t *testing.T) {
	target := refTarget(0)
	target.Handler = func(env *accountscenarios.Env) (http.Handler, error) {
		refTarget(0).Handler(env) // for the hooks' state
		return http.NotFoundHandler(), nil
	}
	for _, c := range accountscenarios.Standard() {
		r := accountscenarios.Execute(context.Background(), target, c)
		if r.Passed() || r.NotExpressible != "" {
			t.Errorf("%s: verdict %q against an app without account routes", c.Name(), r.Verdict())
		}
		if rep := r.Report(); !strings.Contains(rep, c.Name()) {
			t.Errorf("%s: report %q", c.Name(), rep)
		}
	}
}

// TestMissingHooksAreNotExpressible: a target without the optional hooks
// and limits skips the cases that need them, and says which hook.
func TestMissingHooksAreNotExpressible(t *testing.T) {
	target := refTarget(0)
	target.ChangeAddress, target.DumpStore, target.FailTokenWrite = nil, nil, nil
	target.Limits = accountscenarios.Limits{}
	target.Codes = false
	want := map[string]string{
		"verify-token-for-old-address":   "ChangeAddress",
		"secrets-not-at-rest":            "DumpStore",
		"reset-request-store-fault":      "FailTokenWrite",
		"password-sign-in-throttled":     "Limits.SignIn",
		"sign-in-code-throttled":         "Limits.Code",
		"reset-request-throttled":        "Limits.EmailRequest",
		"sign-in-code-burned":            "Codes",
		"sign-in-code-after-wrong-codes": "Codes",
	}
	for _, c := range accountscenarios.Standard() {
		r := accountscenarios.Execute(context.Background(), target, c)
		hook, needs := want[c.Name()]
		switch {
		case needs && !strings.Contains(r.NotExpressible, hook):
			t.Errorf("%s: NotExpressible %q, want it to name %s", c.Name(), r.NotExpressible, hook)
		case !needs && strings.Contains(c.Name(), "reset-token") && !r.Passed():
			t.Errorf("%s needs no optional hook but did not pass:\n%s", c.Name(), r.Report())
		}
	}
}

// TestReportRedactsSecrets: a failing case's report shows <token> where
// the token was, never the token.
func TestReportRedactsSecrets(t *testing.T) {
	var c accountscenarios.Case
	for _, x := range accountscenarios.Standard() {
		if x.Name() == "secrets-not-in-responses" {
			c = x
		}
	}
	r := accountscenarios.Execute(context.Background(), refTarget(tokenEchoed), c)
	rep := r.Report()
	if r.Passed() || !strings.Contains(rep, "<token>") {
		t.Fatalf("want a failure whose report shows <token>:\n%s", rep)
	}
	if strings.Contains(rep, `"token":"`) && !strings.Contains(rep, `"token":"<token>"`) {
		t.Errorf("the report shows a token in clear:\n%s", rep)
	}
}
