package authtest_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/authtest"
	"github.com/google/go-cmp/cmp"
)

const loginPage = `<!doctype html>
<html><head><title>Sign in</title></head>
<body>
  <h1 class="title">  Sign
     in </h1>
  <p id="who">Signed in as <b>ann</b></p>
  <form id="login" action="/login" method="post">
    <input type="hidden" name="csrf" value="` + "c2sqtdz2w6twljpv3nbulg3oy4zpwx7d" + `">
    <input name="user" value="ann">
    <input type="password" name="password">
    <input type="checkbox" name="remember" checked>
    <input type="checkbox" name="newsletter" value="yes">
    <input type="radio" name="plan" value="free">
    <input type="radio" name="plan" value="pro" checked>
    <input name="disabled" value="x" disabled>
    <input type="submit" name="go" value="Sign in">
    <textarea name="note">hello
there</textarea>
    <select name="lang"><option value="en">English</option><option selected>Deutsch</option></select>
    <select name="tz"><option value="utc">UTC</option><option value="cet">CET</option></select>
    <select name="tags" multiple><option value="a" selected>A</option><option value="b">B</option><option value="c" selected>C</option></select>
  </form>
  <form id="search"><input name="q"></form>
  <nav><a href="/">Home</a> <a href="/account">My
  account</a> <a>no href</a></nav>
</body></html>`

func TestHTMLText(t *testing.T) {
	page := authtest.ParseHTML(t, loginPage)
	if got := page.Text("h1.title"); got != "Sign in" {
		t.Errorf("Text(h1) = %q", got)
	}
	if got := page.Text("#who"); got != "Signed in as ann" {
		t.Errorf("Text(#who) = %q", got)
	}
	if !page.Has("form#login") || page.Has("form#nope") || page.Count("form") != 2 || page.Count("[") != 0 {
		t.Error("Has/Count wrong")
	}
	if page.Attr("form#login", "action") != "/login" {
		t.Error("Attr wrong")
	}
	if !page.AssertText("#who b", "ann") {
		t.Error("AssertText on a match failed")
	}
}

func TestHTMLForm(t *testing.T) {
	page := authtest.ParseHTML(t, loginPage)
	got := page.Form("#login")
	want := authtest.Form{
		Action: "/login",
		Method: "POST",
		Fields: url.Values{
			"csrf":     {"c2sqtdz2w6twljpv3nbulg3oy4zpwx7d"},
			"user":     {"ann"},
			"password": {""},
			"remember": {"on"},
			"plan":     {"pro"},
			"note":     {"hello\nthere"},
			"lang":     {"Deutsch"},
			"tz":       {"utc"},
			"tags":     {"a", "c"},
		},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Form (-want +got):\n%s", d)
	}
	search := page.Form("#search")
	if search.Method != "GET" || search.Action != "" || search.Fields.Get("q") != "" || len(search.Fields) != 1 {
		t.Errorf("search form %+v", search)
	}
}

func TestHTMLLinks(t *testing.T) {
	page := authtest.ParseHTML(t, loginPage)
	want := []authtest.Link{{Text: "Home", Href: "/"}, {Text: "My account", Href: "/account"}}
	if d := cmp.Diff(want, page.Links("nav")); d != "" {
		t.Errorf("Links(nav) (-want +got):\n%s", d)
	}
	if d := cmp.Diff(want, page.Links("")); d != "" {
		t.Errorf("Links(\"\") (-want +got):\n%s", d)
	}
	if d := cmp.Diff(want[1:], page.Links(`a[href="/account"]`)); d != "" {
		t.Errorf("Links on an a element (-want +got):\n%s", d)
	}
	if page.Links("#none") != nil {
		t.Error("links of nothing")
	}
}

func TestHTMLFailureMessages(t *testing.T) {
	cases := []struct {
		name  string
		run   func(p *authtest.HTML)
		fatal bool
		parts []string
	}{
		{"missing element", func(p *authtest.HTML) { p.Text("#missing") }, true,
			[]string{`authtest: text of #missing: no element matches "#missing"`, "page: <!doctype html> <html><head><title>Sign in</title>"}},
		{"invalid selector", func(p *authtest.HTML) { p.Form("form[") }, true,
			[]string{`authtest: form form[: invalid selector "form["`}},
		{"not a form", func(p *authtest.HTML) { p.Form("nav") }, true,
			[]string{`"nav" matches a <nav>, not a <form>`}},
		{"no attribute", func(p *authtest.HTML) { p.Attr("nav", "href") }, true,
			[]string{"attribute href of nav: the element has no href attribute"}},
		{"text differs", func(p *authtest.HTML) { p.AssertText("h1", "Log in") }, false,
			[]string{"authtest: text of h1: differs", `- 	"Log in",`, `+ 	"Sign in",`}},
	}
	for _, c := range cases {
		rt := runRecording(t, func(tb testing.TB) { c.run(authtest.ParseHTML(tb, loginPage)) })
		if c.fatal && len(rt.fatals) != 1 || !c.fatal && len(rt.errors) != 1 {
			t.Errorf("%s: %d fatals, %d errors", c.name, len(rt.fatals), len(rt.errors))
		}
		out := rt.output()
		wantContains(t, out, c.parts...)
		if strings.Contains(out, "c2sqtdz2w6twljpv3nbulg3oy4zpwx7d") {
			t.Errorf("%s: the page snippet shows a token in the clear", c.name)
		}
	}
	// The snippet is cut on long pages.
	long := "<p>" + strings.Repeat("word ", 500) + "</p>"
	rt := runRecording(t, func(tb testing.TB) { authtest.ParseHTML(tb, long).Text("h1") })
	wantContains(t, rt.output(), "more bytes)")
	if len(rt.output()) > 1000 {
		t.Errorf("message of %d bytes: the snippet is not cut", len(rt.output()))
	}
}

func TestHTMLGarbage(t *testing.T) {
	for _, s := range []string{"", "<", "<form><input name=a value=1><form", "\xff\xfe<a href=x>y", "<select name=s></select>"} {
		p := authtest.ParseHTML(t, s)
		p.Links("")
		p.Count("a")
		if p.Has("form") {
			p.Form("form")
		}
	}
}
