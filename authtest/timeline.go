package authtest

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/authkit-dev/authkit/internal/enumname"
)

// CookieChange is what one response did to one cookie.
type CookieChange int

// The changes a response can make to a cookie, one name each, as the
// assertions expect them (authtest.AssertSession(t, rec, authtest.Renewed)).
// [SessionChange] reads them from a response and its request; a [Jar]
// labels each [Event] of its timeline with them, comparing with the cookie
// it held.
const (
	// Untouched: the response has no Set-Cookie line for the cookie.
	Untouched CookieChange = iota
	// Set: a new cookie, where there was none.
	Set
	// Renewed: the same value again; in a jar's timeline, with an
	// expiry at least a second later than the one held.
	Renewed
	// Rotated: a new value for a cookie that existed.
	Rotated
	// Cleared: the cookie is deleted (Max-Age of zero or less, or an
	// Expires not in the future) or its value is emptied.
	Cleared
	// Unchanged: in a jar's timeline only, the same value with an
	// expiry no later than the one held (cookie lifetimes are whole
	// seconds, so expiries less than a second apart count as the same).
	Unchanged
	// Rejected: the line does not parse, or a jar refused it (a
	// Secure cookie over plain http, a Domain the host does not match, a
	// broken __Host- or __Secure- prefix); [Event.Reason] says why.
	Rejected
)

// String returns the change's name in lower case: "set", "renewed",
// "rotated", "cleared", and so on.
func (c CookieChange) String() string {
	return enumname.String(c, "CookieChange", "untouched", "set", "renewed", "rotated", "cleared", "unchanged", "rejected")
}

// Event is one Set-Cookie line a [Jar] received, with the request it
// answered and what it did to the jar.
type Event struct {
	// Time is the jar's clock when the line arrived.
	Time time.Time

	// Method is the request's method. It is empty when the jar was used
	// as a plain [http.CookieJar], which is never told the method.
	Method string

	// URL is the request's URL, scheme and host included.
	URL string

	// Line is the Set-Cookie line as received (for a cookie handed to
	// [Jar.SetCookies] without Raw, its serialization).
	Line string

	// Cookie is the line parsed, with every attribute; nil when the line
	// does not parse.
	Cookie *http.Cookie

	// Previous is the cookie of the same name, domain and path that the
	// jar held before; nil when there was none.
	Previous *http.Cookie

	// Change is what the line did, compared with Previous.
	Change CookieChange

	// Reason says why the jar refused the line, for Rejected.
	Reason string
}

// String returns the event on one line: request, change and Set-Cookie
// line. Tokens are not redacted; see [Jar.Transcript] for that.
func (e Event) String() string {
	req := strings.TrimSpace(e.Method + " " + e.URL)
	s := fmt.Sprintf("%s: %s %s", req, e.Change, e.Line)
	if e.Reason != "" {
		s += " (" + e.Reason + ")"
	}
	return s
}

// exchange is one request a jar took part in and what came back.
type exchange struct {
	time      time.Time
	method    string // "" when unknown
	url       *url.URL
	sent      []*http.Cookie
	sentKnown bool
	status    int         // 0 when unknown
	header    http.Header // the request's origin headers and Authorization, the response's Location
	events    []Event
}

// Transcript returns a text record of every exchange the jar took part in:
// request line, the cookies and origin headers it sent, status, Location,
// and each Set-Cookie line received, labelled with its [CookieChange].
// It is made to be compared with a golden file (see [AssertGolden]), so it
// is stable from run to run: tokens are replaced by placeholders
// ("<token-1>", the same token always the same placeholder), the port of a
// loopback server by "<port>", times by their distance from the jar's
// creation ("at +25h"), and Expires by its distance from the time of the
// exchange ("<now+336h>", "<past>"), rounded to the minute.
//
// Exchanges seen only through [Jar.SetCookies] (an [http.Client] whose Jar
// field is this jar) have no method, status or sent cookies, and those
// without a Set-Cookie line are not seen at all; use [Jar.Do] or
// [Jar.Client] for a complete record.
func (j *Jar) Transcript() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	var red Redactor
	var b strings.Builder
	if j.name != "" {
		fmt.Fprintf(&b, "# jar %s\n", j.name)
	}
	for i, x := range j.exchanges {
		if i > 0 || j.name != "" {
			b.WriteByte('\n')
		}
		method := x.method
		if method == "" {
			method = "(method unknown)"
		}
		fmt.Fprintf(&b, "%s %s  at %s\n", method, red.Redact(x.url.String()), elapsed(x.time.Sub(j.start)))
		if x.sentKnown {
			field(&b, "cookie", cookieHeader(x.sent, &red))
		}
		// The request headers that decide an origin check or carry a
		// bearer token.
		for _, h := range []string{"Origin", "Sec-Fetch-Site", "Authorization"} {
			v := x.header.Get(h)
			if v == "" {
				continue
			}
			if scheme, _, _ := strings.Cut(v, " "); h == "Authorization" && !strings.EqualFold(scheme, "Bearer") {
				// Basic credentials and the like are secrets of no known
				// form: keep only the scheme.
				v = scheme + " <redacted>"
			}
			field(&b, strings.ToLower(h), red.Redact(v))
		}
		if x.status != 0 {
			field(&b, "status", statusText(x.status))
		} else {
			field(&b, "status", "(unknown)")
		}
		if loc := x.header.Get("Location"); loc != "" {
			field(&b, "location", red.Redact(loc))
		}
		for _, e := range x.events {
			field(&b, "set-cookie", fmt.Sprintf("%-9s %s", e.Change, red.Redact(stableExpires(e.Line, x.time))))
			if e.Reason != "" {
				field(&b, "", "reason: "+e.Reason)
			}
		}
	}
	return b.String()
}

// field writes one labelled line of a transcript, values aligned.
func field(b *strings.Builder, label, value string) {
	if label != "" {
		label += ":"
	}
	fmt.Fprintf(b, "  %-15s %s\n", label, value)
}

// cookieHeader renders cookies as a Cookie header value, redacted.
func cookieHeader(cs []*http.Cookie, red *Redactor) string {
	if len(cs) == 0 {
		return "(none)"
	}
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.Name + "=" + red.Redact(c.Value)
	}
	return strings.Join(parts, "; ")
}

func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("%d %s", code, t)
	}
	return fmt.Sprint(code)
}

// stableExpires rewrites the Expires attribute of a Set-Cookie line
// relative to now, keeping the rest of the line as it was.
func stableExpires(line string, now time.Time) string {
	parts := strings.Split(line, ";")
	for i, p := range parts {
		k, v, ok := strings.Cut(p, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "expires") {
			continue
		}
		t, err := http.ParseTime(strings.TrimSpace(v))
		if err != nil {
			continue
		}
		rel := "<past>"
		if t.After(now) {
			rel = "<now+" + roundDuration(t.Sub(now)) + ">"
		}
		parts[i] = k + "=" + rel
	}
	return strings.Join(parts, ";")
}

// elapsed writes a signed, rounded duration: "+25h", "-1m", "+0".
func elapsed(d time.Duration) string {
	if d < 0 {
		return "-" + roundDuration(-d)
	}
	return "+" + roundDuration(d)
}

// roundDuration writes d rounded to the minute, without the zero units
// that time.Duration.String adds: "336h", "24h30m", "5m", "0".
func roundDuration(d time.Duration) string {
	d = d.Round(time.Minute)
	if d == 0 {
		return "0"
	}
	s := d.String()
	s = strings.TrimSuffix(s, "0s")
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
