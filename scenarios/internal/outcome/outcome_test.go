package outcome

import (
	"fmt"
	"slices"
	"testing"
)

func TestVerdictOrder(t *testing.T) {
	for _, tc := range []struct {
		notExpressible string
		failures       []string
		want           string
	}{
		{"", nil, "passed"},
		{"", []string{"status 500\nbody", "second"}, "FAILED: status 500"},
		{"needs a hook", []string{"ignored"}, "not expressible"},
	} {
		if got := Verdict(tc.notExpressible, tc.failures, "passed"); got != tc.want {
			t.Errorf("Verdict(%q, %q) = %q, want %q", tc.notExpressible, tc.failures, got, tc.want)
		}
	}
}

func TestReportIndentsEveryLine(t *testing.T) {
	got := Report("account scenario", named{"a", "given x"}, "", []string{"one\n-want\n+got\n", "two"}, []string{"GET / → 200"})
	if want := "account scenario \"a\": given x\n  one\n  -want\n  +got\n  two\n  GET / → 200\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestReportSaysWhyACaseIsNotExpressible(t *testing.T) {
	got := Report("oidc scenario", named{"a", "given x"}, "the provider cannot express this fault", nil, []string{"status: 0"})
	if want := "oidc scenario \"a\": given x\n  not expressible: the provider cannot express this fault\n  status: 0\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestSnippetFoldsAndCuts(t *testing.T) {
	if got := Snippet("  a\n\tb  ", 10); got != "a b" {
		t.Errorf("Snippet folded to %q, want %q", got, "a b")
	}
	if got := Snippet("abcdef", 3); got != "abc…" {
		t.Errorf("Snippet cut to %q, want %q", got, "abc…")
	}
}

type named struct{ name, desc string }

func (n named) Name() string     { return n.name }
func (n named) Describe() string { return n.desc }

// errorLog is a testing.TB that keeps what Errorf, Error and Skip
// report (Skip does not end the caller).
type errorLog struct {
	testing.TB
	errs, skips []string
}

func (l *errorLog) Helper() {}
func (l *errorLog) Errorf(format string, args ...any) {
	l.errs = append(l.errs, fmt.Sprintf(format, args...))
}
func (l *errorLog) Error(args ...any) { l.errs = append(l.errs, fmt.Sprint(args...)) }
func (l *errorLog) Skip(args ...any)  { l.skips = append(l.skips, fmt.Sprint(args...)) }

func TestEndSubtestSkipsWhatCannotBeExpressed(t *testing.T) {
	report := func() string { return "the report" }
	for _, tc := range []struct {
		notExpressible    string
		failures          []string
		wantSkip, wantErr []string
	}{
		{"", nil, nil, nil},
		{"", []string{"status 500"}, nil, []string{"the report"}},
		{"needs a fault", nil, []string{"needs a fault"}, nil},
	} {
		l := &errorLog{TB: t}
		endSubtest(l, tc.notExpressible, tc.failures, report)
		if !slices.Equal(l.skips, tc.wantSkip) || !slices.Equal(l.errs, tc.wantErr) {
			t.Errorf("endSubtest(%q, %q): skipped %q, failed %q; want %q, %q", tc.notExpressible, tc.failures, l.skips, l.errs, tc.wantSkip, tc.wantErr)
		}
	}
}

func TestCheckNamesReportsBadCases(t *testing.T) {
	l := &errorLog{TB: t}
	CheckNames(l, []named{{"a", "given x"}, {"a", "given y"}, {"", "given z"}, {"b", "when w"}})
	if len(l.errs) != 3 {
		t.Fatalf("reported %q, want the repeated name, the empty name and the description", l.errs)
	}
	l.errs = nil
	CheckNames(l, []named{{"a", "given x"}, {"b", "given y"}})
	if len(l.errs) != 0 {
		t.Errorf("good cases reported: %q", l.errs)
	}
}
