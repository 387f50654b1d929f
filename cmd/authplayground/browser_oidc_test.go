package main

import (
	"context"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserSignInWithFakeProvider signs in through the fake provider in
// Chromium: the button, the provider's consent page, back to the
// playground signed in.
func TestBrowserSignInWithFakeProvider(t *testing.T) {
	ctx, base := browserOnPlayground(t)

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

	step(t, ctx, "going home", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#username")))
	wantText(t, ctx, "#username", "alice@example.com")
}

// TestBrowserProviderSignInFailureLandsHome fails a sign-in with the fake
// provider (a token for another audience): the browser lands on the
// playground's home page, which says what failed, with no code or state
// left in the address bar, and the session as it was.
func TestBrowserProviderSignInFailureLandsHome(t *testing.T) {
	ctx, base := browserOnPlayground(t)
	signUp(t, ctx, base, "ada")
	before := sessionCookie(t, ctx, base)

	step(t, ctx, "choosing a provider fault",
		chromedp.SetValue(chromedp.CSS(`#oidc-fault-form select[name=endpoint]`), "token"),
		chromedp.SetValue(chromedp.CSS(`#oidc-fault-form select[name=fault]`), "wrong-audience"))
	click(t, ctx, "#oidc-fault-form button")
	if n := text(t, ctx, "#notice"); !strings.HasPrefix(n, "Provider fault armed") {
		t.Errorf("notice after arming a provider fault: %q", n)
	}
	step(t, ctx, "starting a sign-in with the provider", chromedp.Navigate(base+"/auth/oidc/start"), chromedp.WaitVisible(chromedp.CSS("#consent")))
	if status := consent(t, ctx, "alice"); status != 200 {
		t.Errorf("the failed sign-in landed on a page of status %d, want 200", status)
	}
	if u := location(t, ctx); u.Path != "/" || u.RawQuery != "" {
		t.Errorf("the failed sign-in landed at %s, want / without code or state", u)
	}
	if n := text(t, ctx, "#notice.error"); !strings.HasPrefix(n, "Sign-in with the fake provider failed: invalid ID token (status 401).") {
		t.Errorf("the home page says %q", n)
	}
	if !has(t, ctx, "header nav") {
		t.Error("the failed sign-in landed on a page without the playground's navigation")
	}
	wantText(t, ctx, "#username", "ada")
	if after := sessionCookie(t, ctx, base); after == nil || after.Value != before.Value {
		t.Errorf("a failed sign-in changed the session cookie: %+v", after)
	}
}

// TestBrowserSignedInProviderLinks links the fake provider to an account
// made with a password, from the form shown while signed in, then signs
// in with the provider's link, also shown while signed in: the provider
// identity now signs in as the same user.
func TestBrowserSignedInProviderLinks(t *testing.T) {
	ctx, base := browserOnPlayground(t)
	signUp(t, ctx, base, "ada")
	wantText(t, ctx, "#oidc-signin-link", "Sign in with the fake provider")
	wantText(t, ctx, "#oidc-link-form button", "Link the fake provider to this account")

	click(t, ctx, "#oidc-link-form button")
	if status := consent(t, ctx, "alice"); status != 200 {
		t.Fatalf("linking landed on a page of status %d", status)
	}
	wantText(t, ctx, "#username", "ada")
	if keys := text(t, ctx, "#keys"); !strings.Contains(keys, "password: ada") || !strings.Contains(keys, "fake provider: alice") {
		t.Errorf("sign-in methods after linking: %q", keys)
	}

	click(t, ctx, "#logout-form button")
	click(t, ctx, "#oidc-signin-link")
	consent(t, ctx, "alice")
	wantText(t, ctx, "#username", "ada")

	// Signed in already, the link signs in again (a new session).
	before := sessionCookie(t, ctx, base)
	click(t, ctx, "#oidc-signin-link")
	consent(t, ctx, "alice")
	wantText(t, ctx, "#username", "ada")
	if after := sessionCookie(t, ctx, base); after == nil || after.Value == before.Value {
		t.Error("signing in with the provider while signed in kept the old session")
	}
}

// consent picks subject on the fake provider's consent page and returns
// the status of the page the browser lands on.
func consent(t *testing.T, ctx context.Context, subject string) int64 {
	t.Helper()
	if got := text(t, ctx, "h1"); got != "Fake OpenID provider" {
		t.Fatalf("on a page titled %q, want the provider's consent page", got)
	}
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`#consent button[value="`+subject+`"]`)))
	if err != nil {
		t.Fatalf("consenting as %s: %v", subject, err)
	}
	return res.Status
}

// location returns the tab's URL.
func location(t *testing.T, ctx context.Context) *url.URL {
	t.Helper()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatalf("reading the location: %v", err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatalf("the location %q: %v", loc, err)
	}
	return u
}
