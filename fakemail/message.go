package fakemail

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/authkit-dev/authkit/authmail"
)

// A Message is one message an [Outbox] recorded: what the app sent, with
// the line breaks of its bodies made "\n", and when.
type Message struct {
	authmail.Message
	// Sent is the time on the outbox's clock when the message was sent.
	Sent time.Time
}

// Link returns the first http or https URL of the text body, as written
// there, or "" if it has none. It is the link a user reading the text
// would follow.
func (m Message) Link() string {
	if links := m.Links(); len(links) > 0 {
		return links[0]
	}
	return ""
}

// Links returns every http and https URL of the text body, in order.
// A URL ends at white space, at one of <>"` and before trailing
// punctuation (".", ",", ";", ":", "!", "?", "'", and a ")" or "]" it did
// not open), as mail programs that make links of text end it.
func (m Message) Links() []string {
	var links []string
	for _, s := range urlSpans(m.Text) {
		links = append(links, m.Text[s[0]:s[1]])
	}
	return links
}

// HTMLLinks returns the http and https targets of the HTML body's <a
// href> elements, in order, with their character references decoded
// ("&amp;" is "&"), as a browser follows them.
func (m Message) HTMLLinks() []string {
	var links []string
	z := html.NewTokenizer(strings.NewReader(m.HTML))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return links
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		if string(name) != "a" {
			continue
		}
		for hasAttr {
			var k, v []byte
			k, v, hasAttr = z.TagAttr()
			if string(k) != "href" {
				continue
			}
			href := strings.TrimSpace(string(v))
			if u, err := url.Parse(href); err == nil && isWebScheme(u.Scheme) && u.Host != "" {
				links = append(links, href)
			}
			break
		}
	}
}

// Token returns the "token" query parameter of [Message.Link], or "".
func (m Message) Token() string {
	u, err := url.Parse(m.Link())
	if err != nil {
		return ""
	}
	return u.Query().Get("token")
}

// Code returns the first run of 6 to 8 ASCII digits in the text body that
// stands alone (no letter or digit right before or after it, and not part
// of a URL), or "" if there is none. It is the one-time code a user would
// type.
func (m Message) Code() string {
	text := []byte(m.Text)
	for _, s := range urlSpans(m.Text) {
		for i := s[0]; i < s[1]; i++ {
			text[i] = ' '
		}
	}
	t := string(text)
	for i := 0; i < len(t); {
		if !isDigit(t[i]) {
			i++
			continue
		}
		j := i
		for j < len(t) && isDigit(t[j]) {
			j++
		}
		if n := j - i; n >= 6 && n <= 8 && !alnumBefore(t, i) && !alnumAfter(t, j) {
			return t[i:j]
		}
		i = j
	}
	return ""
}

// checkLinks reports a message whose HTML alternative links first to
// another URL than its text.
func (m Message) checkLinks() error {
	if m.HTML == "" {
		return nil
	}
	var first string
	if links := m.HTMLLinks(); len(links) > 0 {
		first = links[0]
	}
	if first != m.Link() {
		return fmt.Errorf("the HTML's first link %q is not the text's first link %q", first, m.Link())
	}
	return nil
}

// urlSpans returns the [start, end) byte offsets of the http and https
// URLs in s.
func urlSpans(s string) [][2]int {
	var spans [][2]int
	lower := strings.ToLower(s)
	for i := 0; i < len(s); {
		start := nextScheme(lower, i)
		if start < 0 {
			break
		}
		end := start
		for end < len(s) {
			r, size := utf8.DecodeRuneInString(s[end:])
			if unicode.IsSpace(r) || strings.ContainsRune("<>\"`", r) || unicode.IsControl(r) {
				break
			}
			end += size
		}
		end = trimURLEnd(s, start, end)
		if u, err := url.Parse(s[start:end]); err == nil && u.Host != "" {
			spans = append(spans, [2]int{start, end})
		}
		i = max(end, start+1)
	}
	return spans
}

// nextScheme returns the offset of the next "http://" or "https://" in
// lower at or after i that does not continue a word, or -1.
func nextScheme(lower string, i int) int {
	for {
		j := strings.Index(lower[i:], "http")
		if j < 0 {
			return -1
		}
		j += i
		rest := lower[j:]
		if (strings.HasPrefix(rest, "http://") || strings.HasPrefix(rest, "https://")) && !alnumBefore(lower, j) {
			return j
		}
		i = j + 4
	}
}

// trimURLEnd drops trailing punctuation from s[start:end] that ends the
// sentence around a URL rather than the URL: ".,;:!?'" and a ")" or "]"
// without its opening one inside the URL.
func trimURLEnd(s string, start, end int) int {
	for end > start {
		c := s[end-1]
		switch {
		case strings.IndexByte(".,;:!?'", c) >= 0:
		case c == ')' && strings.Count(s[start:end], "(") < strings.Count(s[start:end], ")"):
		case c == ']' && strings.Count(s[start:end], "[") < strings.Count(s[start:end], "]"):
		default:
			return end
		}
		end--
	}
	return end
}

func isWebScheme(scheme string) bool {
	return strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https")
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// alnumBefore reports whether the rune before s[i] is a letter or digit.
func alnumBefore(s string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return i > 0 && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// alnumAfter reports whether the rune at s[j] is a letter or digit.
func alnumAfter(s string, j int) bool {
	r, _ := utf8.DecodeRuneInString(s[j:])
	return j < len(s) && (unicode.IsLetter(r) || unicode.IsDigit(r))
}
