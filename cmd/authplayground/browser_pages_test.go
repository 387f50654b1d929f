package main

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// eval evaluates a JavaScript expression in the tab.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// TestBrowserCookieInspectorFits loads a page whose cookie inspector holds
// the longest lines the playground sends in a 1280 px window: nothing
// scrolls sideways, and the inspector lists only the responses that set
// or cleared the session cookie (not the start of a provider sign-in,
// which sets only the flow cookie).
func TestBrowserCookieInspectorFits(t *testing.T) {
	ctx, base := browserOnPlayground(t)
	signUp(t, ctx, base, strings.Repeat("x", 64)) // the longest username, with nowhere to break
	step(t, ctx, "starting a sign-in with the provider", chromedp.Navigate(base+"/auth/oidc/start"), chromedp.WaitVisible(chromedp.CSS("#consent")))
	consent(t, ctx, "alice")
	wantText(t, ctx, "#username", "alice@example.com")
	click(t, ctx, "#advance-past-active button")
	step(t, ctx, "reloading", chromedp.Reload()) // the renewal, in the inspector

	for _, row := range strings.Split(text(t, ctx, "#cookies tbody"), "\n") {
		if strings.Contains(row, "/auth/oidc/start") || strings.Contains(row, "untouched") {
			t.Errorf("the inspector lists a response that left the session cookie alone: %q", row)
		}
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("#cookies tr.cookie-event").length`); n != 3 {
		t.Errorf("the inspector lists %d responses, want 3 (sign-up, provider sign-in, renewal)", n)
	}
	if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 1280 {
		t.Errorf("the page is %d px wide in a 1280 px window", w)
	}
	// A Set-Cookie line with nowhere to break (a sealed cookie beside the
	// session's, say) wraps too.
	w := eval[int](t, ctx, `document.querySelector("code.set-cookie").textContent = "v".repeat(600), document.documentElement.scrollWidth`)
	if w > 1280 {
		t.Errorf("with a 600-character Set-Cookie line the page is %d px wide in a 1280 px window", w)
	}
}

// TestBrowserNavigationAtNarrowWidth loads the pages at 420 px: every
// navigation link is inside the viewport.
func TestBrowserNavigationAtNarrowWidth(t *testing.T) {
	ctx, base := browserOnPlayground(t)
	for _, path := range []string{"/", "/lab"} {
		step(t, ctx, "opening "+path+" at 420 px", chromedp.EmulateViewport(420, 900), chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS("nav")))
		outside := eval[[]string](t, ctx, `[...document.querySelectorAll("nav a")].filter(a => {
			const r = a.getBoundingClientRect();
			return r.width === 0 || r.left < 0 || r.right > document.documentElement.clientWidth;
		}).map(a => a.textContent)`)
		if len(outside) != 0 {
			t.Errorf("%s at 420 px: navigation links outside the viewport: %q", path, outside)
		}
		if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 420 {
			t.Errorf("%s at 420 px: the page is %d px wide", path, w)
		}
	}
}
