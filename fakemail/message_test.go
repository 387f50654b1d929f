package fakemail_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/authkit-dev/authkit/authmail"
	"github.com/authkit-dev/authkit/fakemail"
)

func text(body string) fakemail.Message {
	return fakemail.Message{Message: authmail.Message{To: "ada@example.com", Text: body}}
}

// Link, Token and Code each read one thing from the text part: the first
// http(s) link, its token query parameter, and the first code of 6 to 8
// digits.
func TestMessageReadsText(t *testing.T) {
	read := map[string]func(fakemail.Message) string{
		"Link": fakemail.Message.Link, "Token": fakemail.Message.Token, "Code": fakemail.Message.Code,
	}
	for _, tc := range []struct {
		method, name, text, want string
	}{
		{"Link", "none", "Hello, no link here.", ""},
		{"Link", "plain", "Go to https://app.example/v?token=t1&x=1 now", "https://app.example/v?token=t1&x=1"},
		{"Link", "first of two", "https://a.example/1 and http://b.example/2", "https://a.example/1"},
		{"Link", "end of sentence", "Open https://app.example/v?token=t1.", "https://app.example/v?token=t1"},
		{"Link", "in angle brackets", "Open <https://app.example/v?token=t1>, then sign in.", "https://app.example/v?token=t1"},
		{"Link", "in parentheses", "(see https://app.example/v)", "https://app.example/v"},
		{"Link", "balanced parentheses kept", "https://en.example/wiki/Go_(language) is", "https://en.example/wiki/Go_(language)"},
		{"Link", "in quotes", `the link "https://app.example/v?token=t1" works`, "https://app.example/v?token=t1"},
		{"Link", "upper-case scheme", "HTTPS://App.Example/v", "HTTPS://App.Example/v"},
		{"Link", "line end", "Link:\nhttps://app.example/v\nThanks", "https://app.example/v"},
		{"Link", "no host", "http:// nothing https://app.example/", "https://app.example/"},
		{"Link", "not other schemes", "ftp://files.example/ then https://app.example/", "https://app.example/"},
		{"Link", "inside a word", "xhttps://a.example/ https://b.example/", "https://b.example/"},
		{"Token", "escaped", "https://app.example/v?x=1&token=t%2B1", "t+1"},
		{"Token", "link without one", "https://app.example/v?x=1", ""},
		{"Token", "outside a link", "no link, token=abc", ""},
		{"Code", "six digits", "Your code is 123456.", "123456"},
		{"Code", "eight digits", "Code: 12345678\n", "12345678"},
		{"Code", "five digits too short", "Code 12345", ""},
		{"Code", "nine digits too long", "Code 123456789", ""},
		{"Code", "part of a word", "Ref A1234567 then 654321", "654321"},
		{"Code", "in a URL", "https://app.example/v?token=12345678 code 876543", "876543"},
		{"Code", "first of two", "111111 or 222222", "111111"},
		{"Code", "after a date", "On 2026-01-01 use 424242", "424242"},
		{"Code", "none", "Hello", ""},
	} {
		t.Run(tc.method+"/"+tc.name, func(t *testing.T) {
			if got := read[tc.method](text(tc.text)); got != tc.want {
				t.Errorf("%s() of %q = %q, want %q", tc.method, tc.text, got, tc.want)
			}
		})
	}
}

func TestMessageLinks(t *testing.T) {
	m := text("a https://a.example/1, b http://b.example/2; c https://c.example/3?q=1")
	want := []string{"https://a.example/1", "http://b.example/2", "https://c.example/3?q=1"}
	if diff := cmp.Diff(want, m.Links()); diff != "" {
		t.Errorf("Links() (-want +got):\n%s", diff)
	}
}

func TestMessageHTMLLinks(t *testing.T) {
	m := fakemail.Message{Message: authmail.Message{HTML: `<p><a name="top">x</a>
<a href="mailto:help@example.com">help</a>
<a class="btn" href=" https://app.example/v?token=t1&amp;x=1 ">Verify</a>
<A HREF="http://b.example/2">b</A><img src="https://img.example/logo.png"></p>`}}
	want := []string{"https://app.example/v?token=t1&x=1", "http://b.example/2"}
	if diff := cmp.Diff(want, m.HTMLLinks()); diff != "" {
		t.Errorf("HTMLLinks() (-want +got):\n%s", diff)
	}
}

func FuzzMessageReading(f *testing.F) {
	f.Add("Go to https://app.example/v?token=t1&x=1 and type 123456.", `<a href="https://x.example/">x</a>`)
	f.Add("(https://a.example/))].", "<a href=")
	f.Fuzz(func(t *testing.T, body, html string) {
		m := fakemail.Message{Message: authmail.Message{Text: body, HTML: html}}
		links := m.Links()
		if len(links) > 0 && m.Link() != links[0] {
			t.Errorf("Link() = %q, Links()[0] = %q", m.Link(), links[0])
		}
		_ = m.HTMLLinks()
		_ = m.Token()
		if c := m.Code(); c != "" && (len(c) < 6 || len(c) > 8) {
			t.Errorf("Code() = %q", c)
		}
	})
}
