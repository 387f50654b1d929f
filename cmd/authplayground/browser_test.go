package main

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authtest"
)

// The -update flag (or AUTHKIT_UPDATE_GOLDEN=1) makes the browser test
// rewrite docs/playground.png, the README's screenshot. authtest.Updating
// reads it.
var _ = flag.Bool("update", false, "rewrite docs/playground.png from the browser test")

// chromiumPath is Debian's Chromium, which .ci/run installs.
const chromiumPath = "/usr/bin/chromium"

// docsScreenshot is the README's screenshot, relative to this package.
const docsScreenshot = "../../docs/playground.png"

// requireChromium skips the test when Chromium is not installed, or fails
// it when AUTHKIT_REQUIRE_SERVICES=1 (as in CI).
func requireChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		msg := "Chromium is not installed at " + chromiumPath + " (apt-get install chromium): " + err.Error()
		if os.Getenv("AUTHKIT_REQUIRE_SERVICES") == "1" {
			t.Fatal(msg + "; AUTHKIT_REQUIRE_SERVICES=1 makes that a failure")
		}
		t.Skip(msg)
	}
}

// artifactDir returns where the test saves screenshots:
// $AUTHKIT_ARTIFACT_DIR, or a directory under os.TempDir.
func artifactDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("AUTHKIT_ARTIFACT_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "authkit-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("making the artifact directory: %v", err)
	}
	return dir
}

// browserOnPlayground needs Chromium (see requireChromium), starts the
// playground with the default options and then a headless Chromium, and
// returns the tab's context and the playground's base URL.
func browserOnPlayground(t *testing.T) (ctx context.Context, base string) {
	t.Helper()
	requireChromium(t)
	base = startPlayground(t, options{})
	return newBrowser(t), base
}

// newBrowser starts a headless Chromium with a fresh profile and returns
// the context of one tab. Everything ends when the test does, or after
// two minutes.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	profile := t.TempDir()
	ctx, cancelTimeout := context.WithTimeout(context.Background(), 2*time.Minute)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 1000),
	)
	tab, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	// Cleanups run last-in first-out: the browser is gone before
	// t.TempDir removes its profile.
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancelTimeout()
	})
	return tab
}

// step runs actions and fails the test with what it was doing.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// click clicks a button that submits a form and waits for the page the
// form's redirect leads to.
func click(t *testing.T, ctx context.Context, selector string) {
	t.Helper()
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(selector)))
	if err != nil {
		t.Fatalf("clicking %s: %v", selector, err)
	}
	if res.Status != 200 {
		t.Fatalf("clicking %s led to status %d at %s", selector, res.Status, res.URL)
	}
}

// text returns the text of the first element that matches selector.
func text(t *testing.T, ctx context.Context, selector string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(selector)))
	if err != nil {
		t.Fatalf("reading %s: %v", selector, err)
	}
	return strings.TrimSpace(s)
}

func wantText(t *testing.T, ctx context.Context, selector, want string) {
	t.Helper()
	if got := text(t, ctx, selector); got != want {
		t.Errorf("%s reads %q, want %q", selector, got, want)
	}
}

// sessionCookie returns the browser's session cookie for base, read with
// the DevTools protocol (the cookie is HttpOnly: document.cookie can't see
// it), or nil.
func sessionCookie(t *testing.T, ctx context.Context, base string) *network.Cookie {
	t.Helper()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{base + "/"}})
	if err != nil {
		t.Fatalf("reading the browser's cookies: %v", err)
	}
	for _, c := range res.Cookies {
		if c.Name == auth.DefaultCookieName {
			return c
		}
	}
	return nil
}

// screenshot saves a full-page PNG of the tab to path.
func screenshot(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("taking a screenshot: %v", err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatalf("saving the screenshot: %v", err)
	}
	t.Logf("screenshot: %s", path)
}

// TestBrowser drives the playground in Chromium: sign up, move past the
// active period (the session is renewed), then past the idle period (the
// session is gone and so is the cookie).
func TestBrowser(t *testing.T) {
	ctx, base := browserOnPlayground(t)

	step(t, ctx, "opening the home page", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#signup-form")))
	if !strings.Contains(text(t, ctx, "#dev-cookie-note"), "without the Secure attribute") {
		t.Error("the page does not explain the development cookie")
	}
	step(t, ctx, "filling in the sign-up form",
		chromedp.SendKeys(chromedp.CSS(`#signup-form input[name=username]`), "ada"),
		chromedp.SendKeys(chromedp.CSS(`#signup-form input[name=password]`), "correct horse"))
	click(t, ctx, "#signup-form button")

	wantText(t, ctx, "#username", "ada")
	wantText(t, ctx, "#session-state", "active")
	wantText(t, ctx, "#session-active-countdown", "in 1d")
	wantText(t, ctx, "#cookies tr.cookie-event .change", "set")
	c := sessionCookie(t, ctx, base)
	if c == nil {
		t.Fatal("no session cookie in the browser after signing up")
	}
	if !c.HTTPOnly || c.Secure || c.Path != "/" || c.SameSite != network.CookieSameSiteLax {
		t.Errorf("session cookie %+v, want HttpOnly, not Secure, Path /, SameSite=Lax", c)
	}
	if got, want := text(t, ctx, "#session-id"), auth.SessionID(c.Value)[:8]+"…"; got != want {
		t.Errorf("session panel shows %q, want %q", got, want)
	}

	// Past the active period: the page load after the redirect renews the
	// session; a reload finds it active, and the inspector says "renewed".
	click(t, ctx, "#advance-past-active button")
	step(t, ctx, "reloading", chromedp.Reload())
	wantText(t, ctx, "#clock-now", "2026-03-03 09:00:01 UTC")
	wantText(t, ctx, "#session-state", "active")
	wantText(t, ctx, "#cookies tr.cookie-event .change", "renewed")
	if renewed := sessionCookie(t, ctx, base); renewed == nil || renewed.Value != c.Value {
		t.Errorf("after renewal the browser holds %+v, want the same token", renewed)
	}
	screenshot(t, ctx, filepath.Join(artifactDir(t), "authplayground-renewed.png"))
	wantText(t, ctx, "#session-policy", "remembered: it expires with the idle period")
	if why := text(t, ctx, "#session-fresh-why"); strings.Contains(why, "created or renewed by this request") {
		t.Errorf("session panel explains Fresh as %q", why)
	}
	if has(t, ctx, "#notice") {
		t.Errorf("the reload shows the notice again: %q", text(t, ctx, "#notice"))
	}

	// A second device, signed in without "remember me": a browser
	// session, whose cookie has no expiry.
	other, cancelOther := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancelOther)
	step(t, other, "opening the home page on a second device", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#login-form")))
	step(t, other, "filling in the sign-in form without remember me",
		chromedp.SendKeys(chromedp.CSS(`#login-form input[name=username]`), "ada"),
		chromedp.SendKeys(chromedp.CSS(`#login-form input[name=password]`), "correct horse"),
		chromedp.Click(chromedp.CSS(`#login-form input[name=remember]`)))
	click(t, other, "#login-form button[type=submit]")
	wantText(t, other, "#session-policy", "browser session: no Expires or Max-Age, it ends with the browser")
	if oc := sessionCookie(t, other, base); oc == nil || !oc.Session {
		t.Errorf("second device's cookie %+v, want a session cookie (no expiry)", oc)
	}

	// The devices panel of the first shows both, with browser and
	// address; it signs the other out.
	step(t, ctx, "reloading", chromedp.Reload())
	devices := text(t, ctx, "#devices tbody")
	for _, want := range []string{"this browser", "browser session", "remembered", "127.0.0.1", "Mozilla/5.0"} {
		if !strings.Contains(devices, want) {
			t.Errorf("devices panel does not show %q:\n%s", want, devices)
		}
	}
	if authtest.Updating() {
		screenshot(t, ctx, docsScreenshot)
	}
	click(t, ctx, "#sign-out-others-form button")
	wantText(t, ctx, "#notice", "Other devices signed out: every session but this browser's is deleted.")
	step(t, other, "reloading the second device", chromedp.Reload())
	wantText(t, other, "#signed-out", "Not signed in.")
	if strings.Contains(text(t, ctx, "#devices tbody"), "browser session") {
		t.Error("the signed-out device is still listed")
	}

	// Past the idle period: signed out, the cookie cleared.
	click(t, ctx, "#advance-past-idle button")
	step(t, ctx, "reloading", chromedp.Reload())
	wantText(t, ctx, "#signed-out", "Not signed in.")
	wantText(t, ctx, "#cookies tr.cookie-event .change", "cleared")
	if c := sessionCookie(t, ctx, base); c != nil {
		t.Errorf("the browser still holds the session cookie after the idle period: %+v", c)
	}
	screenshot(t, ctx, filepath.Join(artifactDir(t), "authplayground-signed-out.png"))

	// Signed in again, then past the absolute lifetime: the browser has
	// dropped the cookie by itself (it never expires after the end).
	step(t, ctx, "signing in again",
		chromedp.SendKeys(chromedp.CSS(`#login-form input[name=username]`), "ada"),
		chromedp.SendKeys(chromedp.CSS(`#login-form input[name=password]`), "correct horse"))
	click(t, ctx, "#login-form button[type=submit]")
	wantText(t, ctx, "#username", "ada")
	if !strings.Contains(text(t, ctx, "#session-expires"), "absolute") {
		t.Errorf("session panel does not show the absolute end: %q", text(t, ctx, "#session-expires"))
	}
	click(t, ctx, "#advance-past-absolute button")
	wantText(t, ctx, "#signed-out", "Not signed in.")
	if c := sessionCookie(t, ctx, base); c != nil {
		t.Errorf("the browser still holds the session cookie past the absolute lifetime: %+v", c)
	}

}

// has reports whether an element matches selector, without waiting.
func has(t *testing.T, ctx context.Context, selector string) bool {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector(`+strconv.Quote(selector)+`) !== null`))
	if err != nil {
		t.Fatalf("looking for %s: %v", selector, err)
	}
	return n
}

// signUp signs the tab up as username with the home page's form.
func signUp(t *testing.T, ctx context.Context, base, username string) {
	t.Helper()
	step(t, ctx, "opening the home page", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#signup-form")))
	step(t, ctx, "filling in the sign-up form",
		chromedp.SendKeys(chromedp.CSS(`#signup-form input[name=username]`), username),
		chromedp.SendKeys(chromedp.CSS(`#signup-form input[name=password]`), "correct horse"))
	click(t, ctx, "#signup-form button")
	wantText(t, ctx, "#username", username)
}

// TestBrowserArmingAStoreFaultUsesNoneOfIt arms a store fault of count 2
// in Chromium: the page that confirms it lists "next 2" and reads the
// account without meeting the fault; the next two loads meet it.
func TestBrowserArmingAStoreFaultUsesNoneOfIt(t *testing.T) {
	ctx, base := browserOnPlayground(t)
	signUp(t, ctx, base, "ada")

	step(t, ctx, "setting the count", chromedp.SetValue(chromedp.CSS(`#fault-form input[name=count]`), "2"))
	click(t, ctx, "#fault-form button")
	wantText(t, ctx, "#pending-faults .fault", "GetSessionAndUser: next 2")
	wantText(t, ctx, "#username", "ada")
	if has(t, ctx, "#store-error") {
		t.Errorf("the page that confirms arming says %q", text(t, ctx, "#store-error"))
	}
	if n := text(t, ctx, "#notice"); !strings.HasPrefix(n, "Fault armed") {
		t.Errorf("notice %q", n)
	}

	for _, left := range []string{"GetSessionAndUser: next 1", ""} {
		res, err := chromedp.RunResponse(ctx, chromedp.Reload())
		if err != nil || res.Status != 503 {
			t.Fatalf("reloading with an armed fault: %v, status %v; want 503", err, res)
		}
		if !has(t, ctx, "#store-error") || has(t, ctx, "#login-form") || !has(t, ctx, "#account-unknown") {
			t.Error("during a store fault the page offers the sign-in forms or hides the error")
		}
		if left != "" {
			wantText(t, ctx, "#pending-faults .fault", left)
		} else if !has(t, ctx, "#no-faults") {
			t.Errorf("faults after two failed loads: %q, want none", text(t, ctx, "#pending-faults"))
		}
	}
	step(t, ctx, "reloading", chromedp.Reload())
	wantText(t, ctx, "#username", "ada")
}
