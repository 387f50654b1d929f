package outcome

import (
	"fmt"
	"strings"
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

func TestWriteFailuresIndentsEveryLine(t *testing.T) {
	var b strings.Builder
	WriteFailures(&b, []string{"one\n-want\n+got\n", "two"})
	if want := "  one\n  -want\n  +got\n  two\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
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

// errorLog is a testing.TB that keeps what Errorf reports.
type errorLog struct {
	testing.TB
	errs []string
}

func (l *errorLog) Helper() {}
func (l *errorLog) Errorf(format string, args ...any) {
	l.errs = append(l.errs, fmt.Sprintf(format, args...))
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
