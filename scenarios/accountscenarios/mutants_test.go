package accountscenarios_test

import (
	"context"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/scenarios/accountscenarios"
)

// TestReferenceAppPassesEveryCase: the hand-written reference app passes
// the whole table, so every mutant below fails for its bug alone.
func TestReferenceAppPassesEveryCase(t *testing.T) {
	accountscenarios.Run(t, refTarget(0), accountscenarios.Standard()...)
}

// TestReferenceAppPassesEveryCaseWithForms: the same, its requests sent
// as HTML forms.
func TestReferenceAppPassesEveryCaseWithForms(t *testing.T) {
	target := refTarget(0)
	target.Form = true
	accountscenarios.Run(t, target, accountscenarios.Standard()...)
}

// TestMutantsCaughtByName: each mutant of the reference app carries one
// bug a real app has shipped, and fails the named case that covers it.
func TestMutantsCaughtByName(t *testing.T) {
	mutants := []struct {
		name   string
		bug    bug
		caught string // the case that must fail
		why    string // a word of its failure
	}{
		{"reset keeps sessions", resetKeepsSessions, "reset-ends-every-session", "still"},
		{"token reusable", tokenReusable, "sign-in-link-reused", "second"},
		{"token never expires", tokenNeverExpires, "reset-token-at-expiry+1ns", "status"},
		{"enumeration through status", enumerationStatus, "reset-request-enumeration", "status"},
		{"enumeration through wording", enumerationWording, "reset-request-enumeration", "body"},
		{"throttle missing", noThrottle, "password-sign-in-throttled", "429"},
		{"code compared in variable time", codeInClear, "secrets-not-at-rest", "code"},
		{"link token logged", tokenLogged, "secrets-not-in-log", "log"},
		{"token echoed in JSON", tokenEchoed, "secrets-not-in-responses", "response"},
		{"purpose ignored", purposeIgnored, "reset-token-at-sign-in-link-route", "signed the browser in"},
		{"verification of the current address", verifiesCurrentAddress, "verify-token-for-old-address", "verified the new address"},
		{"token kept when its mail failed", tokenKeptOnSendFailure, "reset-request-sender-fault", "undelivered"},
		{"code attempts unlimited", codeAttemptsUnlimited, "sign-in-code-burned", "burned"},
		{"refusal tells its reason", refusalReasons, "reset-token-refusals-alike", "look alike"},
	}
	cases := map[string]accountscenarios.Case{}
	for _, c := range accountscenarios.Standard() {
		cases[c.Name()] = c
	}
	for _, m := range mutants {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			c, ok := cases[m.caught]
			if !ok {
				t.Fatalf("no case %q in the table", m.caught)
			}
			r := accountscenarios.Execute(context.Background(), refTarget(m.bug), c)
			if r.Passed() || r.NotExpressible != "" {
				t.Fatalf("case %s passed against the mutant %q:\n%s", m.caught, m.name, r.Report())
			}
			if rep := r.Report(); !strings.Contains(rep, m.why) {
				t.Errorf("case %s failed for another reason than %q:\n%s", m.caught, m.why, rep)
			}
		})
	}
}
