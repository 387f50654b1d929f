//go:build lab

package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserLabTimelineNamesEachStep opens a case of the scenario lab in
// Chromium: its cookie timeline names the method and status of every
// request, and says where the seeded cookie came from instead of
// "(method unknown)".
func TestBrowserLabTimelineNamesEachStep(t *testing.T) {
	ctx, base := browserOnPlayground(t)
	row := `tr.scenario[data-name="idle/GET /api/session"]`
	step(t, ctx, "opening the lab", chromedp.Navigate(base+"/lab"), chromedp.WaitVisible(chromedp.CSS("#lab-summary")))
	step(t, ctx, "expanding a case", chromedp.Click(chromedp.CSS(row+" summary")), chromedp.WaitVisible(chromedp.CSS(row+" .transcript")))
	tr := text(t, ctx, row+" .transcript")
	for _, bad := range []string{"(method unknown)", "(unknown)"} {
		if strings.Contains(tr, bad) {
			t.Errorf("the timeline shows %q:\n%s", bad, tr)
		}
	}
	for _, want := range []string{"GET https://example.com/api/session", "200 OK", "seeded"} {
		if !strings.Contains(tr, want) {
			t.Errorf("the timeline lacks %q:\n%s", want, tr)
		}
	}
}

// TestBrowserLabPasses opens the scenario lab in Chromium: every case
// passes, described with real paths.
func TestBrowserLabPasses(t *testing.T) {
	ctx, base := browserOnPlayground(t)
	step(t, ctx, "opening the lab", chromedp.Navigate(base+"/lab"), chromedp.WaitVisible(chromedp.CSS("#lab-summary")))
	if sum := text(t, ctx, "#lab-summary"); !strings.Contains(sum, " passed, 0 failed") {
		t.Errorf("lab summary %q", sum)
	}
	if desc := text(t, ctx, "#scenarios"); strings.Contains(desc, "<target path>") {
		t.Error("the lab shows a literal <target path>")
	}
}
