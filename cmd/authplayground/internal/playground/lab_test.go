//go:build lab

package playground_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/cmd/authplayground/internal/playground"
	"github.com/authkit-dev/authkit/scenarios"
)

func TestScenarioLab(t *testing.T) {
	h, srv := visit(t, "/lab")
	cases := scenarios.Standard(playground.LabTarget())
	want := fmt.Sprintf("%d passed, 0 failed", len(cases))
	h.AssertText("#lab-summary", want)
	if n := h.Count("#scenarios tr.scenario"); n != len(cases) {
		t.Errorf("the lab lists %d cases, want %d", n, len(cases))
	}
	for _, c := range cases {
		row := fmt.Sprintf(`#scenarios tr.scenario[data-name=%q]`, c.Name())
		if !h.Has(row) {
			t.Errorf("case %q is not listed", c.Name())
			continue
		}
		h.AssertText(row+" .case-name", c.Name())
		h.AssertText(row+" .result", "pass")
		if !strings.Contains(h.Text(row+" .transcript"), "GET") && !strings.Contains(h.Text(row+" .transcript"), c.Name()) && h.Text(row+" .transcript") == "" {
			t.Errorf("case %q has no cookie timeline", c.Name())
		}
		if h.Has(row + " .report") {
			t.Errorf("passing case %q shows a failure report", c.Name())
		}
	}
	// The lab never touches the live playground.
	if got := srv.CookieEvents(); len(got) != 0 {
		t.Errorf("running the lab recorded cookie events on the live server: %v", got)
	}
	// A transcript of a renewal shows the renewed cookie, tokens redacted.
	tr := h.Text(`#scenarios tr.scenario[data-name="idle/GET /api/auth/user"] .transcript`)
	if !strings.Contains(tr, "renewed") || !strings.Contains(tr, "<token-1>") {
		t.Errorf("idle/GET /api/auth/user transcript lacks the renewal: %q", tr)
	}
}

func TestLabTargetPassesStandard(t *testing.T) {
	scenarios.Run(t, playground.LabTarget())
}

// TestLabShowsRealPaths: the lab describes each case with the path it
// was sent to, never a placeholder such as "<target path>".
func TestLabShowsRealPaths(t *testing.T) {
	lab, _ := visit(t, "/lab")
	if strings.Contains(lab.Text("#scenarios"), "<target path>") || strings.Contains(lab.Text("#scenarios"), "<logout>") {
		t.Error("the lab shows a placeholder path")
	}
	if got := lab.Text(`tr.scenario[data-name="active/GET ` + playground.UserPath + `"] .case-description`); !strings.Contains(got, "when GET "+playground.UserPath) {
		t.Errorf("lab description %q does not name %s", got, playground.UserPath)
	}
}
