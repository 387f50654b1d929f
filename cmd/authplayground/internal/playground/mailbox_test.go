package playground_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/authtest"
)

const adaEmail = "ada@example.com"

// post submits the form of h that matches selector with the values of set
// changed, as a same-origin form post, and returns the answer.
func (b *browser) post(h *authtest.HTML, selector string, set url.Values) *authtest.Recorder {
	b.t.Helper()
	f := h.Form(selector)
	for k, v := range set {
		f.Fields[k] = v
	}
	return b.jar.Serve(b.srv, authtest.BuildRequest("POST", base+f.Action).WithForm(f.Fields).SameOrigin().Build(b.t))
}

// postHome is post, failing the test unless the answer is a 303 home.
func (b *browser) postHome(h *authtest.HTML, selector string, set url.Values) {
	b.t.Helper()
	rec := b.post(h, selector, set)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/" {
		b.t.Fatalf("form %s: status %d to %q, want 303 to /\n%s", selector, rec.Code, rec.Header().Get("Location"), rec.Body)
	}
}

// emailSignUpAndRequestReset signs ada up by email and asks for a password
// reset, with the home page's forms, and returns the home page after.
func emailSignUpAndRequestReset(b *browser) *authtest.HTML {
	b.t.Helper()
	b.postHome(b.page("/", http.StatusOK), "#email-signup-form", url.Values{"email": {adaEmail}, "password": {"correct horse battery"}})
	b.postHome(b.page("/", http.StatusOK), "#reset-request-form", url.Values{"email": {adaEmail}})
	return b.page("/", http.StatusOK)
}

// resetLink returns the newest mail's link and checks that it is the reset
// link on the playground's base URL.
func resetLink(t *testing.T, h *authtest.HTML) string {
	t.Helper()
	link := h.Attr("#mailbox tr.mail:first-child a.mail-link", "href")
	if !strings.HasPrefix(link, base+"/reset-password?token=") {
		t.Fatalf("the newest mail's link is %q, want %s/reset-password?token=...", link, base)
	}
	return link
}

func TestMailboxShowsSentResetMail(t *testing.T) {
	b := newBrowser(t, newServer(t), "ada")
	if h := b.page("/", http.StatusOK); !h.Has("#no-mail") {
		t.Error("a new playground's mailbox is not empty")
	}
	h := emailSignUpAndRequestReset(b)
	if n := h.Count("#mailbox tr.mail"); n != 2 {
		t.Fatalf("the mailbox lists %d messages, want 2 (verification, then reset)", n)
	}
	newest := "#mailbox tr.mail:first-child "
	if got := h.Text(newest + ".mail-to"); got != adaEmail {
		t.Errorf("newest mail to %q, want %q", got, adaEmail)
	}
	if got := h.Text(newest + ".mail-subject"); !strings.Contains(strings.ToLower(got), "reset") {
		t.Errorf("newest mail's subject %q does not say reset (the newest comes first)", got)
	}
	if got, want := h.Text(newest+".mail-sent"), "2026-03-02 09:00:00 UTC"; got != want {
		t.Errorf("newest mail sent at %q, want %q (the playground clock)", got, want)
	}
	link := resetLink(t, h)
	if !strings.Contains(h.Text(newest+".mail-text"), link) {
		t.Errorf("the mail's text does not hold its link %q", link)
	}
	if code := h.Text(newest + ".mail-code"); len(code) != 8 {
		t.Errorf("the mail's code is %q, want 8 digits", code)
	}
	if got := h.Text("#mail-limits"); !strings.Contains(got, "mail requests per address: 5 per 1h") {
		t.Errorf("the throttle policy reads %q", got)
	}
}

func TestMailboxResetLinkCompletesReset(t *testing.T) {
	b := newBrowser(t, newServer(t), "ada")
	link := resetLink(t, emailSignUpAndRequestReset(b))
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	form := b.page(u.RequestURI(), http.StatusOK)
	b.postHome(form, "form", url.Values{"password": {"a new long passphrase"}})

	home := b.page("/", http.StatusOK)
	if rec := b.post(home, "#email-signin-form", url.Values{"email": {adaEmail}, "password": {"correct horse battery"}}); rec.Code != http.StatusUnauthorized {
		t.Errorf("the old password: status %d, want 401", rec.Code)
	}
	b.postHome(home, "#email-signin-form", url.Values{"email": {adaEmail}, "password": {"a new long passphrase"}})
	b.page("/", http.StatusOK).AssertText("#username", adaEmail) // signed in with the new password
	// The link is single-use.
	if rec := b.post(form, "form", url.Values{"password": {"yet another passphrase"}}); rec.Code != http.StatusBadRequest {
		t.Errorf("the reset link used twice: status %d, want 400", rec.Code)
	}
}

func TestTimeMachineExpiresResetLink(t *testing.T) {
	b := newBrowser(t, newServer(t), "ada")
	h := emailSignUpAndRequestReset(b)
	u, err := url.Parse(resetLink(t, h))
	if err != nil {
		t.Fatal(err)
	}
	form := b.page(u.RequestURI(), http.StatusOK)
	b.submit(h, "#advance-custom", url.Values{"by": {"15m1s"}}, "advanced")
	if rec := b.post(form, "form", url.Values{"password": {"a new long passphrase"}}); rec.Code != http.StatusBadRequest {
		t.Fatalf("the reset link 15m1s later: status %d, want 400\n%s", rec.Code, rec.Body)
	}
	home := b.page("/", http.StatusOK)
	b.postHome(home, "#email-signin-form", url.Values{"email": {adaEmail}, "password": {"correct horse battery"}})
}

func TestMailboxShowsThrottling(t *testing.T) {
	b := newBrowser(t, newServer(t), "ada")
	h := b.page("/", http.StatusOK)
	for range 5 { // DefaultThrottlePolicy: 5 mail requests per address per hour
		b.postHome(h, "#reset-request-form", url.Values{"email": {adaEmail}})
	}
	if b.page("/", http.StatusOK).Has("#mail-throttled") {
		t.Fatal("the page says throttled before any 429")
	}
	rec := b.post(h, "#reset-request-form", url.Values{"email": {adaEmail}})
	// The window counts until its last instant inclusive: one hour and a
	// second (authaccount.ThrottledError.RetryAfterSeconds).
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "3601" {
		t.Fatalf("the 6th request: status %d, Retry-After %q; want 429, 3601", rec.Code, rec.Header().Get("Retry-After"))
	}
	h = b.page("/", http.StatusOK)
	got := h.Text("#mail-throttled")
	if !strings.Contains(got, "/reset-password/request") || !strings.Contains(got, "Retry-After: 3601 seconds") {
		t.Errorf("the throttle notice reads %q", got)
	}
	// The time machine moves the throttle's windows too.
	b.submit(h, "#advance-custom", url.Values{"by": {"3601s"}}, "advanced")
	b.postHome(b.page("/", http.StatusOK), "#reset-request-form", url.Values{"email": {adaEmail}})
}

func TestResetFormEmptiesMailbox(t *testing.T) {
	b := newBrowser(t, newServer(t), "ada")
	h := emailSignUpAndRequestReset(b)
	b.submit(h, "#reset-form", nil, "reset")
	h = b.page("/", http.StatusOK)
	if !h.Has("#no-mail") || h.Has("#mailbox tr.mail") {
		t.Error("the mailbox still lists mail after a reset")
	}
	// The reset deleted ada: her old password no longer signs in.
	if rec := b.post(h, "#email-signin-form", url.Values{"email": {adaEmail}, "password": {"correct horse battery"}}); rec.Code != http.StatusUnauthorized {
		t.Errorf("sign-in after the reset: status %d, want 401", rec.Code)
	}
}
