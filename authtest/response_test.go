package authtest_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/authtest"
)

func TestResponseReadingInEveryForm(t *testing.T) {
	tok1, tok2 := testToken(1), testToken(2)
	h := linesHandler(
		"theme=dark; Path=/",
		"auth_session="+tok2+"; Path=/; Max-Age=60; HttpOnly; Secure; SameSite=Lax; Partitioned",
	)
	r := authtest.BuildRequest("GET", "/").WithSession(tok1).Build(t)

	// The same exchange as a Recorder, a bare ResponseRecorder and an
	// *http.Response from a client.
	rec := authtest.Serve(h, r)
	bare := httptest.NewRecorder()
	h.ServeHTTP(bare, r)
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL, nil)
	req.AddCookie(&http.Cookie{Name: "auth_session", Value: tok1})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	check := func(form string, cs []*http.Cookie, c *http.Cookie, n int, ch, want authtest.CookieChange) {
		t.Helper()
		if len(cs) != 2 || cs[0].Name != "theme" {
			t.Errorf("%s: SetCookies = %v", form, cs)
		}
		if c == nil || c.Value != tok2 || !c.Partitioned || c.MaxAge != 60 || c.Raw == "" {
			t.Errorf("%s: SessionCookie = %#v", form, c)
		}
		if n != 1 {
			t.Errorf("%s: SessionCookieCount = %d", form, n)
		}
		if ch != want {
			t.Errorf("%s: SessionChange = %v, want %v", form, ch, want)
		}
	}
	check("Recorder", authtest.SetCookies(rec), authtest.SessionCookie(rec), authtest.SessionCookieCount(rec), authtest.SessionChange(rec), authtest.Rotated)
	check("Response", authtest.SetCookies(resp), authtest.SessionCookie(resp), authtest.SessionCookieCount(resp), authtest.SessionChange(resp), authtest.Rotated)
	// A bare recorder does not know the request's cookie: a new value reads as set.
	check("ResponseRecorder", authtest.SetCookies(bare), authtest.SessionCookie(bare), authtest.SessionCookieCount(bare), authtest.SessionChange(bare), authtest.Set)
}

func TestSessionChangeRules(t *testing.T) {
	tok := testToken(5)
	past := time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)
	future := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	cases := []struct {
		sent  string // "" sends no cookie
		lines []string
		want  authtest.CookieChange
	}{
		{"", nil, authtest.Untouched},
		{tok, []string{"other=1"}, authtest.Untouched},
		{"", []string{"auth_session=" + tok}, authtest.Set},
		{tok, []string{"auth_session=" + tok + "; Max-Age=60"}, authtest.Renewed},
		{tok, []string{"auth_session=x" + tok[1:] + "; Max-Age=60"}, authtest.Rotated},
		{tok, []string{"auth_session=; Path=/"}, authtest.Cleared},
		{tok, []string{"auth_session=" + tok + "; Max-Age=0"}, authtest.Cleared},
		{tok, []string{"auth_session=" + tok + "; Expires=" + past}, authtest.Cleared},
		{tok, []string{"auth_session=" + tok + "; Expires=" + future}, authtest.Renewed},
		{tok, []string{"auth_session=" + tok + "; Max-Age=60; Expires=" + past}, authtest.Renewed}, // Max-Age wins
		{"", []string{"auth_session=a b\x7f"}, authtest.Rejected},
		{"", []string{"auth_session=; Max-Age=0", "auth_session=" + tok}, authtest.Set}, // the last line wins
	}
	for i, c := range cases {
		b := authtest.BuildRequest("GET", "/")
		if c.sent != "" {
			b.WithSession(c.sent)
		}
		rec := authtest.Serve(linesHandler(c.lines...), b.Build(t))
		if got := authtest.SessionChange(rec); got != c.want {
			t.Errorf("case %d %q: %v, want %v", i, c.lines, got, c.want)
		}
	}
}

func TestSessionChangeReadsTheDateHeader(t *testing.T) {
	// Without a clock, Expires is read against the response's Date.
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", "Mon, 01 Jan 2024 12:00:00 GMT")
		w.Header().Add("Set-Cookie", "auth_session=v; Expires=Mon, 01 Jan 2024 13:00:00 GMT")
	})
	rec := authtest.Serve(h, authtest.BuildRequest("GET", "/").Build(t))
	if got := authtest.SessionChange(rec); got != authtest.Set {
		t.Errorf("against Date: %v, want set", got)
	}
	// A clock two hours later makes the same line a deletion.
	clock := newClock()
	clock.Advance(2 * time.Hour)
	if got := authtest.SessionChange(rec, authtest.CheckClock(clock)); got != authtest.Cleared {
		t.Errorf("against a later clock: %v, want cleared", got)
	}
}

func TestResponseNilAndZeroForms(t *testing.T) {
	var rec *authtest.Recorder
	var bare *httptest.ResponseRecorder
	var resp *http.Response
	if authtest.SessionChange(rec) != authtest.Untouched ||
		authtest.SessionChange(bare) != authtest.Untouched ||
		authtest.SessionChange(resp) != authtest.Untouched ||
		authtest.SessionChange(&httptest.ResponseRecorder{}) != authtest.Untouched ||
		authtest.SessionChange(&authtest.Recorder{}) != authtest.Untouched {
		t.Error("nil or zero responses should read as untouched")
	}
	if authtest.SessionCookie(resp) != nil || authtest.SetCookies(bare) != nil {
		t.Error("nil responses have no cookies")
	}
	rt := runRecording(t, func(tb testing.TB) { authtest.AssertSession(tb, rec, authtest.Set) })
	wantContains(t, rt.output(), "want set, got untouched", "(request unknown")
	if got := authtest.Serve(nil, nil); got.Code != http.StatusInternalServerError {
		t.Errorf("Serve(nil, nil) status %d", got.Code)
	}
}

func TestCookieChangeString(t *testing.T) {
	want := map[authtest.CookieChange]string{
		authtest.Untouched: "untouched", authtest.Set: "set", authtest.Renewed: "renewed",
		authtest.Rotated: "rotated", authtest.Cleared: "cleared", authtest.Unchanged: "unchanged",
		authtest.Rejected: "rejected", authtest.CookieChange(99): "CookieChange(99)",
	}
	for c, s := range want {
		if c.String() != s {
			t.Errorf("%d.String() = %q, want %q", int(c), c.String(), s)
		}
	}
}
