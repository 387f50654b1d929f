package playground_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/cmd/authplayground/internal/playground"
	"github.com/authkit-dev/authkit/fakeauth"
)

// Arming a store fault uses none of it: the page that confirms it reads
// the account around the fault switches and lists the whole count. The
// next load is the app's: it meets the fault, answers 503, keeps the
// cookie, and offers no sign-in forms next to "the cookie is kept".
func TestStoreFaultArmedThenMet(t *testing.T) {
	b := signedUpBrowser(t)
	srv := b.srv
	b.page("/", http.StatusOK)
	b.submit(b.page("/", http.StatusOK), "#fault-form", url.Values{"count": {"2"}}, "faults-set")

	confirm := b.page("/", http.StatusOK)
	confirm.AssertText("#pending-faults .fault", "GetSessionAndUser: next 2")
	confirm.AssertText("#username", "ada")
	if confirm.Has("#store-error") {
		t.Errorf("the page that confirms arming reports a store failure: %q", confirm.Text("#store-error"))
	}
	if n := confirm.Text("#notice"); !strings.HasPrefix(n, "Fault armed") {
		t.Errorf("notice %q, want \"Fault armed...\"", n)
	}
	if got := srv.Fake().Store.PendingFaults()[fakeauth.OpGetSessionAndUser]; got != 2 {
		t.Errorf("after the confirmation page %d GetSessionAndUser faults are pending, want 2", got)
	}

	for _, left := range []string{"next 1", ""} {
		rec := b.get("/")
		if rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("status %d, want 503", rec.Code)
		}
		authtest.AssertSession(t, rec, authtest.Untouched)
		h := authtest.ParseHTML(t, rec.Body.String())
		if h.Has("#signup-form") || h.Has("#login-form") {
			t.Error("the page offers the sign-in forms while the store fails")
		}
		if !h.Has("#account-unknown") || !h.Has("#store-error") {
			t.Error("the page does not say the account is unknown while the store fails")
		}
		if left != "" {
			h.AssertText("#pending-faults .fault", "GetSessionAndUser: "+left)
		} else if !h.Has("#no-faults") {
			t.Errorf("after two failed loads the faults read %q, want none", h.Text("#pending-faults"))
		}
	}
	b.page("/", http.StatusOK).AssertText("#username", "ada")
}

// Without "remember me" the sign-in is a browser session: its cookie has
// no Expires or Max-Age, and the devices panel says so.
func TestRememberMe(t *testing.T) {
	srv := newServer(t)
	home := newBrowser(t, srv, "home")
	home.signUp("ada") // remember me is checked by default
	if lines := setCookieLines(home); !strings.Contains(strings.Join(lines, "\n"), "Max-Age=") {
		t.Errorf("remembered sign-in cookie has no Max-Age: %v", lines)
	}
	h := home.page("/", http.StatusOK)
	h.AssertText("#session-policy", "remembered: it expires with the idle period")
	if !h.Has("#signup-form") && !h.Has("#logout-form") {
		t.Fatal("no account panel")
	}

	cafe := newBrowser(t, srv, "cafe")
	h = cafe.page("/", http.StatusOK)
	if h.Form("#login-form").Fields.Get("remember") != "on" {
		t.Errorf("remember me is not checked by default: %v", h.Form("#login-form").Fields)
	}
	cafe.submit(h, "#login-form", url.Values{"username": {"ada"}, "password": {"correct horse"}, "remember": {""}}, "signed-in")
	lines := strings.Join(setCookieLines(cafe), "\n")
	if strings.Contains(lines, "Max-Age=") || strings.Contains(lines, "Expires=") {
		t.Errorf("browser-session cookie has an expiry: %s", lines)
	}
	h = cafe.page("/", http.StatusOK)
	h.AssertText("#session-policy", "browser session: no Expires or Max-Age, it ends with the browser")
	h.AssertText("tr.device.current .device-policy", "browser session")
	if n := h.Count("tr.device"); n != 2 {
		t.Errorf("devices panel lists %d sessions, want 2", n)
	}
}

// setCookieLines returns the session cookie's Set-Cookie lines the
// browser got, oldest first.
func setCookieLines(b *browser) []string {
	var out []string
	for _, e := range b.jar.Timeline() {
		if strings.HasPrefix(e.Line, auth.DefaultCookieName+"=") {
			out = append(out, e.Line)
		}
	}
	return out
}

// The devices panel shows each device's browser, address and times, and
// "Sign out all other devices" keeps only this browser's session.
func TestDevicesPanelAndSignOutOthers(t *testing.T) {
	srv := newServer(t)
	laptop := newBrowser(t, srv, "laptop")
	laptop.signUp("ada")
	phone := newBrowser(t, srv, "phone")
	phone.submit(phone.page("/", http.StatusOK), "#login-form", url.Values{"username": {"ada"}, "password": {"correct horse"}}, "signed-in")
	h := laptop.page("/", http.StatusOK)
	if n := h.Count("tr.device"); n != 2 {
		t.Fatalf("devices panel lists %d sessions, want 2", n)
	}
	for _, sel := range []string{"tr.device .device-agent", "tr.device .device-created", "tr.device .device-renewed", "tr.device .device-expires"} {
		if h.Text(sel) == "" {
			t.Errorf("devices panel cell %s is empty", sel)
		}
	}
	h.AssertText("tr.device.current .device-ip", "192.0.2.1")
	laptop.submit(h, "#sign-out-others-form", nil, "others-out")
	h = laptop.page("/", http.StatusOK)
	h.AssertText("#notice", "Other devices signed out: every session but this browser's is deleted.")
	if n := h.Count("tr.device"); n != 1 || !h.Has("tr.device.current") {
		t.Errorf("after signing out the others: %d devices", n)
	}
	phone.page("/", http.StatusOK).AssertText("#signed-out", "Not signed in.")
}

// The time machine jumps past the absolute lifetime: however recently
// renewed, the session is then dead.
func TestTimeMachinePastAbsoluteLifetime(t *testing.T) {
	b := signedUpBrowser(t)
	h := b.page("/", http.StatusOK)
	if got, want := h.Text("#advance-past-absolute"), "Past the absolute lifetime (+30d 1s)"; got != want {
		t.Errorf("past-absolute button reads %q, want %q", got, want)
	}
	h.AssertText("#session-expires", "2026-04-01 09:00:00 UTC · in 30d (absolute: no renewal goes past it)")
	// Renew it on the way: a day at a time keeps it renewed.
	for range 3 {
		h = b.advance(h, "#advance-1d", "+1 day")
	}
	h.AssertText("#session-state", "active")
	h = b.advance(h, "#advance-past-absolute", "Past the absolute lifetime (+27d 1s)") // counted from now
	h.AssertText("#signed-out", "Not signed in.")
	h.AssertText("#clock-now", start.Add(playground.DefaultMaxLifetime+time.Second).Format("2006-01-02 15:04:05 MST"))
	// The cookie never outlived the absolute end: the browser dropped it
	// by itself, so the page load sent none.
	if c, ok := b.jar.Cookie(auth.DefaultCookieName); ok {
		t.Errorf("the browser still holds the session cookie past the absolute end: %v", c)
	}
}
