package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserSignInWithFakeProvider signs in through the fake provider in
// Chromium: the button, the provider's consent page, back to the
// playground signed in; then a provider fault makes a second sign-in fail
// with a clear page while the session stays.
func TestBrowserSignInWithFakeProvider(t *testing.T) {
	requireChromium(t)
	base := startPlayground(t, options{})
	ctx := newBrowser(t)

	step(t, ctx, "opening the home page", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#oidc-signin-link")))
	click(t, ctx, "#oidc-signin-link")
	if got := text(t, ctx, "h1"); got != "Fake OpenID provider" {
		t.Fatalf("the button led to a page titled %q, want the provider's consent page", got)
	}
	click(t, ctx, `#consent button[value="alice"]`)
	wantText(t, ctx, "#username", "alice@example.com")
	wantText(t, ctx, "#session-state", "active")
	c := sessionCookie(t, ctx, base)
	if c == nil {
		t.Fatal("no session cookie after signing in with the provider")
	}
	screenshot(t, ctx, filepath.Join(artifactDir(t), "authplayground-oidc-signed-in.png"))

	// A provider fault, armed on the page beside the store's.
	step(t, ctx, "choosing a provider fault",
		chromedp.SetValue(chromedp.CSS(`#oidc-fault-form select[name=endpoint]`), "token"),
		chromedp.SetValue(chromedp.CSS(`#oidc-fault-form select[name=fault]`), "wrong-audience"))
	click(t, ctx, "#oidc-fault-form button")
	if got := text(t, ctx, "#oidc-pending-faults"); !strings.Contains(got, "wrong-audience") {
		t.Fatalf("pending provider faults read %q", got)
	}
	step(t, ctx, "starting a second sign-in", chromedp.Navigate(base+"/auth/oidc/start"), chromedp.WaitVisible(chromedp.CSS("#consent")))
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`#consent button[value="alice"]`)))
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != 401 {
		t.Errorf("the callback with a token for another audience answered %d, want 401", res.Status)
	}
	if got := text(t, ctx, "#authoidc-error"); !strings.Contains(got, "could not be completed") {
		t.Errorf("the error page reads %q", got)
	}
	if after := sessionCookie(t, ctx, base); after == nil || after.Value != c.Value {
		t.Errorf("a failed sign-in changed the session cookie: %+v", after)
	}
	step(t, ctx, "going home", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#username")))
	wantText(t, ctx, "#username", "alice@example.com")
}
