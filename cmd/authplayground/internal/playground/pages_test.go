package playground_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/cmd/authplayground/internal/playground"
	"github.com/authkit-dev/authkit/fakeauth"
)

func TestHomeSignedOut(t *testing.T) {
	h, _ := visit(t, "/")

	if !strings.Contains(h.Text("#dev-cookie-note"), "without the Secure attribute") {
		t.Errorf("the page does not say that the cookie has no Secure attribute: %q", h.Text("#dev-cookie-note"))
	}
	h.AssertText("#signed-out", "Not signed in.")
	for _, want := range []struct{ form, action, button, autocomplete string }{
		{"#signup-form", "/ui/signup", "Sign up", "new-password"},
		{"#login-form", "/ui/login", "Sign in", "current-password"},
	} {
		f := h.Form(want.form)
		if f.Method != "POST" || f.Action != want.action || !f.Fields.Has("username") || !f.Fields.Has("password") {
			t.Errorf("form %s = %+v, want a POST to %s with username and password", want.form, f, want.action)
		}
		h.AssertText(want.form+" button", want.button)
		if got := h.Attr(want.form+" input[name=password]", "autocomplete"); got != want.autocomplete {
			t.Errorf("form %s: the password's autocomplete is %q, want %q", want.form, got, want.autocomplete)
		}
	}
	h.AssertText("#no-session", "No session.")
	h.AssertText("#clock-now", "2026-03-02 09:00:00 UTC")
	h.AssertText("#no-cookies", "No response has set a cookie yet.")
	h.AssertText("#no-faults", "No faults armed: every store call goes through.")
	if h.Has("#logout-form") || h.Count("tr.device") != 0 {
		t.Error("a signed-out page shows a sign-out button or devices")
	}
	if got := h.Text("#store-name"); got != "memory" {
		t.Errorf("store name %q, want memory", got)
	}
}

func TestTimeMachineForms(t *testing.T) {
	h, _ := visit(t, "/")
	for sel, want := range map[string]url.Values{
		"#advance-1h":          {"by": {"1h0m0s"}},
		"#advance-1d":          {"by": {"24h0m0s"}},
		"#advance-past-active": {"to": {"past-active"}},
		"#advance-past-idle":   {"to": {"past-idle"}},
		"#advance-custom":      {"by": {""}},
	} {
		f := h.Form(sel)
		if f.Action != "/ui/advance" || f.Method != "POST" || f.Fields.Encode() != want.Encode() {
			t.Errorf("time machine form %s = %s %s %v, want POST /ui/advance %v", sel, f.Method, f.Action, f.Fields, want)
		}
	}
	// Without a session, "past" is measured from a session created now.
	if got, want := h.Text("#advance-past-active"), "Past the active period (+1d 1s)"; got != want {
		t.Errorf("past-active button reads %q, want %q", got, want)
	}
	if got, want := h.Text("#advance-past-idle"), "Past the idle period (+15d 1s)"; got != want {
		t.Errorf("past-idle button reads %q, want %q", got, want)
	}
}

// assertWholePeriodsAhead checks the session panel of a session just
// created or renewed: active, with its whole active (1d) and idle (15d)
// periods ahead; fresh is what the panel says of its renewal on this very
// request ("yes" or "no").
func assertWholePeriodsAhead(h *authtest.HTML, fresh string) {
	h.AssertText("#session-state", "active")
	h.AssertText("#session-fresh", fresh)
	h.AssertText("#session-active-countdown", "in 1d")
	h.AssertText("#session-idle-countdown", "in 15d")
}

func TestSignUpShowsSessionDevicesAndCookie(t *testing.T) {
	b := signedUpBrowser(t)
	authtest.AssertSessionHistory(t, b.jar, authtest.Set)

	h := b.page("/", http.StatusOK)
	h.AssertText("#notice", "Signed up and signed in: a new session, a new cookie (set).")
	h.AssertText("#username", "ada")
	if !h.Has("#logout-form") || h.Has("#signup-form") {
		t.Error("a signed-in page should offer sign-out, not sign-up")
	}
	cookie, ok := b.jar.Cookie(auth.DefaultCookieName)
	if !ok {
		t.Fatal("no session cookie in the jar after signing up")
	}
	id := auth.SessionID(cookie.Value)
	if got := h.Attr("#session-id", "title"); got != id {
		t.Errorf("session panel shows ID %q, want %q", got, id)
	}
	h.AssertText("#session-id", id[:8]+"…")
	assertWholePeriodsAhead(h, "no")
	h.AssertText("#session-active-expires", "2026-03-03 09:00:00 UTC")
	h.AssertText("#session-idle-expires", "2026-03-17 09:00:00 UTC")
	if strings.Contains(h.Text("body"), cookie.Value) {
		t.Error("the page shows the session token")
	}

	// Devices: this browser's session, with a revoke button.
	if n := h.Count("tr.device"); n != 1 {
		t.Fatalf("%d devices listed, want 1", n)
	}
	if got := h.Attr("tr.device.current", "data-id"); got != id {
		t.Errorf("current device %q, want %q", got, id)
	}
	// The device: where the sign-up came from, when, never renewed.
	h.AssertText("tr.device .device-ip", "192.0.2.1")
	if got := h.Text("tr.device .device-created"); !strings.HasPrefix(got, "2026-03-02 09:00:00 UTC") {
		t.Errorf("device signed in %q, want at the playground's start", got)
	}
	h.AssertText("tr.device .device-renewed", "never")
	if f := h.Form("tr.device .revoke-form"); f.Action != "/ui/revoke" || f.Fields.Get("id") != id {
		t.Errorf("revoke form %+v, want POST /ui/revoke id=%s", f, id)
	}

	// Cookie inspector: the sign-up set the cookie, token hidden.
	if n := h.Count("tr.cookie-event"); n != 1 {
		t.Fatalf("%d cookie events, want 1", n)
	}
	h.AssertText("tr.cookie-event .change", "set")
	line := h.Text("tr.cookie-event .set-cookie")
	if !strings.HasPrefix(line, "auth_session=<token of session "+id[:8]+"…>; Path=/;") || strings.Contains(line, "Secure") || !strings.Contains(line, "HttpOnly") {
		t.Errorf("inspector line %q, want the session cookie, token hidden, HttpOnly, no Secure", line)
	}
	if got := h.Text("tr.cookie-event td:nth-child(3)"); got != "POST /ui/signup" {
		t.Errorf("inspector request %q, want POST /ui/signup", got)
	}
}

func TestTimeMachineRenewsThenExpires(t *testing.T) {
	srv := newServer(t)
	b := realBrowser(t, srv, "ada")
	b.signUp("ada")
	h := b.page("/", http.StatusOK)

	h = b.advance(h, "#advance-past-active", "Past the active period (+1d 1s)")
	h.AssertText("#clock-now", "2026-03-03 09:00:01 UTC")
	assertWholePeriodsAhead(h, "yes")
	h.AssertText("#session-before", "(before this request the store held it as: idle)")
	h.AssertText("tr.cookie-event .change", "renewed") // newest first: this very page load
	h.AssertText("tr.cookie-event td:nth-child(3)", "GET /")

	// A reload finds it active: nothing to renew, nothing set.
	h = b.page("/", http.StatusOK)
	h.AssertText("#session-fresh", "no")
	h.AssertText("#session-before", "(before this request the store held it as: active)")

	h = b.advance(h, "#advance-past-idle", "Past the idle period (+15d 1s)")
	h.AssertText("#clock-now", "2026-03-18 09:00:02 UTC")
	h.AssertText("#signed-out", "Not signed in.")
	h.AssertText("#session-before", "The cookie this browser sent: dead.")
	h.AssertText("tr.cookie-event .change", "cleared")
	if _, ok := b.jar.Cookie(auth.DefaultCookieName); ok {
		t.Error("the browser still holds the session cookie after the idle period")
	}
	if n := h.Count("tr.cookie-event"); n != 3 {
		t.Errorf("%d cookie events, want 3 (set, renewed, cleared)", n)
	}
}

// A jar on the playground clock is a browser whose clock moved too: it
// sees the renewed cookie expire later, and drops the cookie itself when
// the idle period ends, before the server can clear it.
func TestTimeMachineWithTheBrowserClock(t *testing.T) {
	b := signedUpBrowser(t)
	b.submit(b.page("/", http.StatusOK), "#advance-past-active", nil, "advanced")
	b.page("/", http.StatusOK).AssertText("#session-state", "active")
	authtest.AssertSessionHistory(t, b.jar, authtest.Set, authtest.Renewed)

	b.submit(b.page("/", http.StatusOK), "#advance-past-idle", nil, "advanced")
	h := b.page("/", http.StatusOK)
	h.AssertText("#signed-out", "Not signed in.")
	if h.Has("#session-before") {
		t.Errorf("the browser sent a cookie after its idle period: %q", h.Text("#session-before"))
	}
	// The server never saw the dead session: the store keeps it until it
	// is presented or swept.
	rec := b.get("/_play/sessions")
	if !strings.Contains(rec.Body.String(), `"state":"dead"`) {
		t.Errorf("sessions listing %s, want the dead session", rec.Body)
	}
}

func TestTimeMachineCustomAndBadDurations(t *testing.T) {
	srv := newServer(t)
	b := newBrowser(t, srv, "visitor")
	b.submit(b.page("/", http.StatusOK), "#advance-custom", url.Values{"by": {"90m"}}, "advanced")
	b.page("/", http.StatusOK).AssertText("#clock-now", "2026-03-02 10:30:00 UTC")
	for _, by := range []string{"", "-1h", "soon", "1000000h"} {
		b.submit(b.page("/", http.StatusOK), "#advance-custom", url.Values{"by": {by}}, "bad-advance")
	}
	h := b.page("/", http.StatusOK)
	h.AssertText("#clock-now", "2026-03-02 10:30:00 UTC")
	if h.Attr("#notice", "class") != "notice error" {
		t.Errorf("an error notice has class %q", h.Attr("#notice", "class"))
	}
}

func TestSignInFormsRejectBadInput(t *testing.T) {
	srv := newServer(t)
	ada := newBrowser(t, srv, "ada")
	ada.signUp("ada")
	other := newBrowser(t, srv, "other")
	h := other.page("/", http.StatusOK)
	other.submit(h, "#signup-form", url.Values{"username": {"ada"}, "password": {"x"}}, "taken")
	other.submit(h, "#login-form", url.Values{"username": {"ada"}, "password": {"wrong"}}, "bad-login")
	other.submit(h, "#login-form", url.Values{"username": {"nobody"}, "password": {"x"}}, "bad-login")
	other.submit(h, "#login-form", url.Values{"username": {""}, "password": {"x"}}, "invalid")
	other.submit(h, "#signup-form", url.Values{"username": {strings.Repeat("a", 65)}, "password": {"x"}}, "invalid")
	for _, e := range other.jar.Timeline() {
		if strings.Contains(fmt.Sprint(e), auth.DefaultCookieName) {
			t.Errorf("failed sign-ins set the session cookie: %v", e)
		}
	}
	other.submit(h, "#login-form", url.Values{"username": {"ada"}, "password": {"correct horse"}}, "signed-in")
	other.page("/", http.StatusOK).AssertText("#username", "ada")
}

func TestDevicesRevoke(t *testing.T) {
	srv := newServer(t)
	laptop, phone := newBrowser(t, srv, "laptop"), newBrowser(t, srv, "phone")
	laptop.signUp("ada")
	phone.submit(phone.page("/", http.StatusOK), "#login-form", url.Values{"username": {"ada"}, "password": {"correct horse"}}, "signed-in")

	h := laptop.page("/", http.StatusOK)
	if n := h.Count("tr.device"); n != 2 {
		t.Fatalf("%d devices, want 2", n)
	}
	phoneCookie, _ := phone.jar.Cookie(auth.DefaultCookieName)
	phoneID := auth.SessionID(phoneCookie.Value)
	laptop.submit(h, fmt.Sprintf(`tr.device[data-id=%q] .revoke-form`, phoneID), nil, "revoked")

	h = laptop.page("/", http.StatusOK)
	if n := h.Count("tr.device"); n != 1 || h.Attr("tr.device", "data-id") == phoneID {
		t.Errorf("after revoking the phone: %d devices, the first %s", n, h.Attr("tr.device", "data-id"))
	}
	phone.page("/", http.StatusOK).AssertText("#signed-out", "Not signed in.")
	authtest.AssertSessionHistory(t, phone.jar, authtest.Set, authtest.Cleared)

	// Someone else's session can't be revoked.
	eve := newBrowser(t, srv, "eve")
	eve.signUp("eve")
	laptopCookie, _ := laptop.jar.Cookie(auth.DefaultCookieName)
	eve.submit(eve.page("/", http.StatusOK), "tr.device .revoke-form", url.Values{"id": {auth.SessionID(laptopCookie.Value)}}, "no-device")
	laptop.page("/", http.StatusOK).AssertText("#username", "ada")

	// Revoking your own session signs you out.
	h = laptop.page("/", http.StatusOK)
	laptop.submit(h, "tr.device.current .revoke-form", nil, "signed-out")
	laptop.page("/", http.StatusOK).AssertText("#signed-out", "Not signed in.")
}

func TestFaultsPanel(t *testing.T) {
	b := signedUpBrowser(t)
	srv := b.srv
	h := b.page("/", http.StatusOK)

	f := h.Form("#fault-form")
	if f.Action != "/ui/faults" || f.Fields.Get("op") != "GetSessionAndUser" || f.Fields.Get("count") != "1" {
		t.Errorf("fault form %+v", f)
	}
	var ops []string
	for _, op := range fakeauth.Ops() {
		ops = append(ops, string(op))
		if !h.Has(fmt.Sprintf(`#fault-form option[value=%q]`, op)) {
			t.Errorf("fault form does not offer %s", op)
		}
	}
	if n := h.Count("#fault-form option"); n != len(ops) {
		t.Errorf("fault form offers %d operations, want %d", n, len(ops))
	}

	b.submit(h, "#fault-form", url.Values{"count": {"2"}}, "faults-set")
	if got := srv.Fake().Store.PendingFaults()[fakeauth.OpGetSessionAndUser]; got != 2 {
		t.Fatalf("pending GetSessionAndUser faults %d, want 2", got)
	}
	// The page that confirms arming uses none of it; the next load reads
	// the session as the app does: it fails, says so, keeps the cookie.
	b.page("/", http.StatusOK).AssertText("#pending-faults .fault", "GetSessionAndUser: next 2")
	rec := b.get("/")
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("home page with a failing store: status %d, want 503", rec.Code)
	}
	authtest.AssertSession(t, rec, authtest.Untouched)
	h = authtest.ParseHTML(t, rec.Body.String())
	if !strings.Contains(h.Text("#store-error"), "injected store failure") {
		t.Errorf("store error box reads %q", h.Text("#store-error"))
	}
	h.AssertText("#pending-faults .fault", "GetSessionAndUser: next 1")

	b.submit(h, "#clear-faults-form", nil, "faults-clear")
	h = b.page("/", http.StatusOK)
	h.AssertText("#username", "ada")
	h.AssertText("#no-faults", "No faults armed: every store call goes through.")

	for _, bad := range []url.Values{{"op": {"Nope"}}, {"count": {"0"}}, {"count": {"x"}}, {"count": {"1001"}}} {
		b.submit(h, "#fault-form", bad, "bad-fault")
	}
	if got := srv.Fake().Store.PendingFaults(); len(got) != 0 {
		t.Errorf("bad fault forms armed faults: %v", got)
	}
}

func TestResetForm(t *testing.T) {
	b := signedUpBrowser(t)
	h := b.page("/", http.StatusOK)
	b.submit(h, "#advance-1d", nil, "advanced")
	b.submit(b.page("/", http.StatusOK), "#reset-form", nil, "reset")
	h = b.page("/", http.StatusOK)
	h.AssertText("#clock-now", "2026-03-02 09:00:00 UTC")
	h.AssertText("#signed-out", "Not signed in.")
	h.AssertText("#session-before", "The cookie this browser sent: not stored.")
	// The inspector starts again: only this page load's clearing is in it.
	if n := h.Count("tr.cookie-event"); n != 1 {
		t.Errorf("%d cookie events after reset, want 1", n)
	}
	h.AssertText("tr.cookie-event .change", "cleared")
	b.submit(h, "#signup-form", url.Values{"username": {"ada"}, "password": {"again"}}, "signed-up")
}

func TestCookieInspectorIsBounded(t *testing.T) {
	b := signedUpBrowser(t)
	srv := b.srv
	for range playground.InspectorSize + 5 {
		b.submit(b.page("/", http.StatusOK), "#advance-past-active", nil, "advanced")
	}
	h := b.page("/", http.StatusOK)
	if n := h.Count("tr.cookie-event"); n != playground.InspectorSize {
		t.Errorf("%d cookie events, want %d", n, playground.InspectorSize)
	}
	events := srv.CookieEvents()
	if len(events) != playground.InspectorSize || events[0].Seq != 26 || events[len(events)-1].Seq != 7 {
		t.Errorf("events kept: %d, newest #%d, oldest #%d; want %d, #26, #7", len(events), events[0].Seq, events[len(events)-1].Seq, playground.InspectorSize)
	}
	h.AssertText("tr.cookie-event td", "26")
}

func TestNavigationLinks(t *testing.T) {
	h, _ := visit(t, "/")
	var hrefs []string
	for _, l := range h.Links("nav") {
		hrefs = append(hrefs, l.Href)
	}
	for _, want := range []string{"/", "/lab", "/api/auth/user", "/_play/sessions"} {
		if !slices.Contains(hrefs, want) {
			t.Errorf("navigation lacks %s: %v", want, hrefs)
		}
	}
}

// Right after sign-up the session panel does not say "Fresh: false
// (created or renewed by this request...)": it says this page load only
// read the session, and that the sign-in set the cookie.
func TestSessionPanelAfterSignUp(t *testing.T) {
	b := newBrowser(t, newServer(t), "ada")
	b.signUp("ada")
	h := b.page("/", http.StatusOK)
	h.AssertText("#session-fresh", "no")
	if why := h.Text("#session-fresh-why"); !strings.Contains(why, "sign-in or change just before set the cookie") {
		t.Errorf("session-fresh explanation %q does not say the sign-in set the cookie", why)
	}
	if strings.Contains(h.Text("#session"), "created or renewed by this request") {
		t.Error("the session panel still says the session was created or renewed by this request")
	}
}

// A notice shows once: a reload does not show it again, and the URL
// never carries it.
func TestNoticeShowsOnce(t *testing.T) {
	b := newBrowser(t, newServer(t), "ada")
	b.signUp("ada")
	b.page("/", http.StatusOK).AssertText("#notice", "Signed up and signed in: a new session, a new cookie (set).")
	if h := b.page("/", http.StatusOK); h.Has("#notice") {
		t.Errorf("the reload shows the notice again: %q", h.Text("#notice"))
	}
	// A notice named in the URL, the old way, is not shown.
	if h := b.page("/?n=faults-set", http.StatusOK); h.Has("#notice") {
		t.Errorf("a notice from the URL is shown: %q", h.Text("#notice"))
	}
}

// TestInspectorSummaryAndDurationField: "The last 1 responses" reads "The
// last response", and the duration field is wide enough for its
// placeholder.
func TestInspectorSummaryAndDurationField(t *testing.T) {
	b := signedUpBrowser(t)
	h := b.page("/", http.StatusOK)
	if got := h.Text("#cookies-summary"); !strings.HasPrefix(got, "The last response of this server") {
		t.Errorf("cookie inspector summary %q, want it to start with \"The last response\"", got)
	}
	b.get("/ui/none") // no cookie: the count stays
	b.submit(h, "#advance-past-active", nil, "advanced")
	if got := b.page("/", http.StatusOK).Text("#cookies-summary"); !strings.HasPrefix(got, "The last 2 responses") {
		t.Errorf("cookie inspector summary %q, want \"The last 2 responses\"", got)
	}
	in := h.Attr("#advance-custom input[name=by]", "placeholder")
	if size := h.Attr("#advance-custom input[name=by]", "size"); size == "" || len(in) > atoi(size) {
		t.Errorf("duration field size %q is shorter than its placeholder %q", size, in)
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}
