// Package outcome holds what the scenario runners of accountscenarios and
// oidcscenarios share: how a case's failures read, how
// cases run as subtests, and the fake auth a case runs on.
package outcome

import (
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

// WriteFailures writes each failure to b on lines of its own, indented by
// two spaces, the continuation lines of a failure too.
func WriteFailures(b *strings.Builder, failures []string) {
	for _, f := range failures {
		b.WriteString("  " + strings.ReplaceAll(strings.TrimRight(f, "\n"), "\n", "\n  ") + "\n")
	}
}

// RunParallel runs check on each case as a parallel subtest of t, named
// by name.
func RunParallel[C any](t *testing.T, cases []C, name func(C) string, check func(t *testing.T, c C)) {
	t.Helper()
	for _, c := range cases {
		t.Run(name(c), func(t *testing.T) {
			t.Parallel()
			check(t, c)
		})
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
