package authtest

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"golang.org/x/net/html"
)

// HTML is a parsed HTML page with the readings a handler test needs: the
// text of an element, a form's fields, the links. Its lookups take CSS
// selectors (as in [goquery]). Text, Attr and Form stop the test with
// t.Fatalf when the selector matches nothing, since what follows would
// only fail in a more confusing way; the message names the selector and
// shows the start of the page, tokens redacted.
type HTML struct {
	t   assert.TestingT
	doc *goquery.Document
	src string
}

// Form is an HTML form as a browser would submit it.
type Form struct {
	// Action is the form's action attribute as written; "" submits to
	// the page's own URL.
	Action string

	// Method is the form's method in upper case: GET or POST.
	Method string

	// Fields holds the values the form submits as it stands: enabled
	// named inputs (checkboxes and radio buttons only when checked),
	// textareas and the selected options of selects. Buttons are left
	// out.
	Fields url.Values
}

// Link is one a element with an href.
type Link struct {
	// Text is the link's text, with runs of white space made one space.
	Text string
	// Href is the href attribute as written.
	Href string
}

// ParseHTML parses body, which is usually rec.Body.String(). HTML parsing
// recovers from any input, so it does not fail.
//
// t is a [testing.TB] or anything testify's assert package accepts; the
// lookups report their failures to it. A nil t makes them report nothing.
func ParseHTML(t assert.TestingT, body string) *HTML {
	if t != nil {
		helper(t)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		// Only a failing reader makes the parser fail; a string can't.
		doc = goquery.NewDocumentFromNode(&html.Node{Type: html.DocumentNode})
	}
	return &HTML{t: t, doc: doc, src: body}
}

// find returns the selection, or reports why it can't.
func (h *HTML) find(selector string) (*goquery.Selection, string) {
	if _, err := cascadia.Compile(selector); err != nil {
		return nil, fmt.Sprintf("invalid selector %q: %v", selector, err)
	}
	sel := h.doc.Find(selector)
	if sel.Length() == 0 {
		return nil, fmt.Sprintf("no element matches %q", selector)
	}
	return sel, ""
}

// fail reports a lookup failure with the selector and a snippet of the
// page.
func (h *HTML) fail(fatal bool, what, problem string, diff string) {
	if h.t == nil {
		return
	}
	helper(h.t)
	var red Redactor
	msg := fmt.Sprintf("authtest: %s: %s", what, problem)
	if diff != "" {
		msg += "\n  (-want +got):\n  " + strings.ReplaceAll(strings.TrimRight(red.Redact(diff), "\n"), "\n", "\n  ")
	}
	msg += "\n  page: " + red.Redact(snippet(h.src, 400))
	report(h.t, fatal, &failure{lines: []string{msg}})
}

// snippet returns the page with white space collapsed, cut to about n
// bytes.
func snippet(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && cut < len(s) && s[cut]&0xC0 == 0x80 { // don't split a UTF-8 sequence
		cut--
	}
	return s[:cut] + " …(" + fmt.Sprint(len(s)-cut) + " more bytes)"
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// Has reports whether an element matches selector. An invalid selector
// matches nothing.
func (h *HTML) Has(selector string) bool {
	sel, problem := h.find(selector)
	return problem == "" && sel.Length() > 0
}

// Count returns how many elements match selector; 0 for an invalid one.
func (h *HTML) Count(selector string) int {
	sel, problem := h.find(selector)
	if problem != "" {
		return 0
	}
	return sel.Length()
}

// Text returns the text of the first element that matches selector, with
// runs of white space made one space and the ends trimmed.
func (h *HTML) Text(selector string) string {
	if h.t != nil {
		helper(h.t)
	}
	sel, problem := h.find(selector)
	if problem != "" {
		h.fail(true, "text of "+selector, problem, "")
		return ""
	}
	return collapse(sel.First().Text())
}

// AssertText checks that the text of the first element matching selector
// (as [HTML.Text] reads it) is want, and reports a failure with t.Errorf.
func (h *HTML) AssertText(selector, want string) bool {
	if h.t != nil {
		helper(h.t)
	}
	sel, problem := h.find(selector)
	if problem != "" {
		h.fail(false, "text of "+selector, problem, "")
		return false
	}
	got := collapse(sel.First().Text())
	if got == want {
		return true
	}
	h.fail(false, "text of "+selector, "differs", cmp.Diff(want, got))
	return false
}

// Attr returns the attribute attr of the first element that matches
// selector.
func (h *HTML) Attr(selector, attr string) string {
	if h.t != nil {
		helper(h.t)
	}
	sel, problem := h.find(selector)
	if problem != "" {
		h.fail(true, "attribute "+attr+" of "+selector, problem, "")
		return ""
	}
	v, ok := sel.First().Attr(attr)
	if !ok {
		h.fail(true, "attribute "+attr+" of "+selector, "the element has no "+attr+" attribute", "")
		return ""
	}
	return v
}

// Form returns the first form that matches selector, with its action,
// method and the fields it would submit.
func (h *HTML) Form(selector string) Form {
	if h.t != nil {
		helper(h.t)
	}
	sel, problem := h.find(selector)
	if problem == "" && !sel.First().Is("form") {
		problem = fmt.Sprintf("%q matches a <%s>, not a <form>", selector, goquery.NodeName(sel.First()))
	}
	if problem != "" {
		h.fail(true, "form "+selector, problem, "")
		return Form{Fields: url.Values{}}
	}
	form := sel.First()
	f := Form{
		Action: form.AttrOr("action", ""),
		Method: strings.ToUpper(strings.TrimSpace(form.AttrOr("method", "GET"))),
		Fields: url.Values{},
	}
	if f.Method != "POST" {
		f.Method = "GET" // "dialog" and unknown methods submit as GET, as in browsers
	}
	form.Find("input, textarea, select").Each(func(_ int, el *goquery.Selection) {
		name, ok := el.Attr("name")
		if !ok || name == "" {
			return
		}
		if _, disabled := el.Attr("disabled"); disabled {
			return
		}
		switch goquery.NodeName(el) {
		case "textarea":
			f.Fields.Add(name, el.Text())
		case "select":
			opts := el.Find("option")
			selected := opts.FilterFunction(func(_ int, o *goquery.Selection) bool {
				_, ok := o.Attr("selected")
				return ok
			})
			if selected.Length() == 0 {
				if _, multiple := el.Attr("multiple"); multiple {
					return
				}
				selected = opts.First()
			}
			if _, multiple := el.Attr("multiple"); !multiple {
				selected = selected.Last()
			}
			selected.Each(func(_ int, o *goquery.Selection) {
				v, ok := o.Attr("value")
				if !ok {
					v = collapse(o.Text())
				}
				f.Fields.Add(name, v)
			})
		default: // input
			typ := strings.ToLower(el.AttrOr("type", "text"))
			switch typ {
			case "submit", "button", "image", "reset", "file":
				return
			case "checkbox", "radio":
				if _, checked := el.Attr("checked"); !checked {
					return
				}
				f.Fields.Add(name, el.AttrOr("value", "on"))
			default:
				f.Fields.Add(name, el.AttrOr("value", ""))
			}
		}
	})
	return f
}

// Links returns the a elements with an href inside the elements that
// match selector (an a element that matches counts too), in document
// order. An empty selector means the whole page. A selector that matches
// nothing gives no links.
func (h *HTML) Links(selector string) []Link {
	scope := h.doc.Selection
	if selector != "" {
		sel, problem := h.find(selector)
		if problem != "" {
			return nil
		}
		scope = sel
	}
	var out []Link
	scope.Filter("a[href]").AddSelection(scope.Find("a[href]")).Each(func(_ int, a *goquery.Selection) {
		out = append(out, Link{Text: collapse(a.Text()), Href: a.AttrOr("href", "")})
	})
	return out
}
