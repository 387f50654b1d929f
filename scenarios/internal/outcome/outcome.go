// Package outcome holds what the scenario runners of accountscenarios and
// oidcscenarios share: how a case's failures read, how
// cases run as subtests, and the fake auth a case runs on.
package outcome

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/fakeauth"
)

// Verdict returns "not expressible" when notExpressible is set, "FAILED: "
// and the first line of the first failure when there is one, and ok
// otherwise.
func Verdict(notExpressible string, failures []string, ok string) string {
	switch {
	case notExpressible != "":
		return "not expressible"
	case len(failures) > 0:
		return "FAILED: " + strings.SplitN(failures[0], "\n", 2)[0]
	}
	return ok
}

// Report returns the report of a case: what it is (such as "account
// scenario"), its name and description, then on lines of their own,
// indented by two spaces (the continuation lines too), why the target
// can't express it when it can't, each failure, and each line of details.
func Report(what string, c Named, notExpressible string, failures, details []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %q: %s\n", what, c.Name(), c.Describe())
	var reason []string
	if notExpressible != "" {
		reason = []string{"not expressible: " + notExpressible}
	}
	for _, l := range slices.Concat(reason, failures, details) {
		b.WriteString("  " + strings.ReplaceAll(strings.TrimRight(l, "\n"), "\n", "\n  ") + "\n")
	}
	return b.String()
}

// RunParallel runs each case as a parallel subtest of t, named by name.
// execute runs one case and returns why the target can't express it (""
// when it ran), its failures, and its report: a case the target can't
// express is skipped with the reason, one with failures fails with the
// report.
func RunParallel[C any](t *testing.T, cases []C, name func(C) string, execute func(C) (notExpressible string, failures []string, report func() string)) {
	t.Helper()
	for _, c := range cases {
		t.Run(name(c), func(t *testing.T) {
			t.Parallel()
			notExpressible, failures, report := execute(c)
			endSubtest(t, notExpressible, failures, report)
		})
	}
}

// endSubtest skips t with the reason when notExpressible is set, and
// fails it with the report when there are failures.
func endSubtest(t testing.TB, notExpressible string, failures []string, report func() string) {
	t.Helper()
	if notExpressible != "" {
		t.Skip(notExpressible)
	}
	if len(failures) > 0 {
		t.Error(report())
	}
}

// NewFake returns the fake auth of one case: newFake's, or fakeauth.New's
// when newFake is nil.
func NewFake(newFake func() (*fakeauth.Fake, error)) (*fakeauth.Fake, error) {
	if newFake == nil {
		return fakeauth.New()
	}
	return newFake()
}

// Snippet returns s with its white space folded, cut to max bytes (and
// "…") when longer, for a response body in a failure message.
func Snippet(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

// A Named case has a name and says in words what it does.
type Named interface {
	Name() string
	Describe() string
}

// CheckNames reports an error on t for each case whose name is empty or
// repeated, or whose description does not start with "given ".
func CheckNames[C Named](t testing.TB, cases []C) {
	t.Helper()
	seen := map[string]bool{}
	for _, c := range cases {
		if c.Name() == "" || seen[c.Name()] {
			t.Errorf("case name %q is empty or repeated", c.Name())
		}
		seen[c.Name()] = true
		if d := c.Describe(); !strings.HasPrefix(d, "given ") {
			t.Errorf("%s: Describe() = %q", c.Name(), d)
		}
	}
}
