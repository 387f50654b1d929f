package authtest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"time"
)

// Response is the set of forms in which a test holds a response: a
// [*Recorder] from [Jar.Do] or [Serve], a bare [*httptest.ResponseRecorder],
// or an [*http.Response] from an [http.Client]. Every reading helper and
// assertion in this package accepts any of them.
//
// A *Recorder and an *http.Response know the request they answer (the
// client sets [http.Response.Request]), so a check can compare the session
// cookie the response sets with the one the request sent. A bare
// ResponseRecorder does not: for it the request counts as carrying no
// cookie, and the request line in failure messages reads "(request
// unknown)".
type Response interface {
	*Recorder | *httptest.ResponseRecorder | *http.Response
}

// Recorder is an [httptest.ResponseRecorder] that also keeps the request it
// answered and, when [Jar.Do] made it, the [Jar] that sent it. Its embedded
// fields (Code, Body, Result) work as they do on the ResponseRecorder; the
// extra fields let assertions show the request line and tell a renewed
// session cookie from a rotated one.
type Recorder struct {
	*httptest.ResponseRecorder

	// Request is the request as the handler received it, including any
	// cookies the jar added.
	Request *http.Request

	// Jar is the jar that sent the request and stored the cookies of the
	// response. It is nil for a Recorder made by [Serve].
	Jar *Jar

	// Redirects are the redirect responses [Jar.Do] followed to reach this
	// one, oldest first; empty when it followed none.
	Redirects []*Recorder
}

// NewRecorder returns a [Recorder] on a new [httptest.ResponseRecorder],
// as [httptest.NewRecorder] does, for a handler called by the test itself:
// h.ServeHTTP(rec, r). Set its Request to r so that checks can compare
// the cookie the response sets with the one the request sent; [Serve]
// does both in one call.
func NewRecorder() *Recorder {
	return &Recorder{ResponseRecorder: httptest.NewRecorder()}
}

// Serve calls h.ServeHTTP with r and a new [httptest.ResponseRecorder], and
// returns the recorder together with r. It is the in-process round trip
// without a jar: r is sent as it is and nothing is remembered. A nil h or
// r gives a recorder with status 500 instead of a panic.
func Serve(h http.Handler, r *http.Request) *Recorder {
	rec := httptest.NewRecorder()
	if h == nil || r == nil {
		http.Error(rec, "authtest: Serve needs a handler and a request", http.StatusInternalServerError)
		return &Recorder{ResponseRecorder: rec, Request: r}
	}
	h.ServeHTTP(rec, r)
	return &Recorder{ResponseRecorder: rec, Request: r}
}

// view is the part of a response the helpers read, whatever its form.
type view struct {
	req    *http.Request // nil when unknown
	status int           // 0 when unknown
	header http.Header
	jar    *Jar
}

func viewOf[R Response](res R) view {
	switch v := any(res).(type) {
	case *Recorder:
		if v == nil {
			return view{}
		}
		out := recorderView(v.ResponseRecorder)
		out.req, out.jar = v.Request, v.Jar
		return out
	case *httptest.ResponseRecorder:
		return recorderView(v)
	case *http.Response:
		if v == nil {
			return view{}
		}
		return view{req: v.Request, status: v.StatusCode, header: v.Header}
	}
	return view{}
}

func recorderView(rec *httptest.ResponseRecorder) view {
	if rec == nil {
		return view{}
	}
	if rec.HeaderMap == nil {
		// A zero ResponseRecorder that nobody wrote to.
		return view{status: rec.Code}
	}
	res := rec.Result()
	return view{status: res.StatusCode, header: res.Header}
}

// now is the time against which a check reads Expires: the configured
// clock, else the response's Date header, else the system clock.
func (s settings) now(v view) time.Time {
	if s.clock != nil {
		return s.clock.Now()
	}
	if d := v.header.Get("Date"); d != "" {
		if t, err := http.ParseTime(d); err == nil {
			return t
		}
	}
	return time.Now()
}

// setCookieName returns the cookie name of a Set-Cookie line without
// parsing the rest, so that a malformed line still counts for its name.
func setCookieName(line string) string {
	nv, _, _ := strings.Cut(line, ";")
	name, _, _ := strings.Cut(nv, "=")
	return strings.TrimSpace(name)
}

// SetCookies returns the cookies of the response's Set-Cookie lines, in
// order, each with every attribute and its line in Raw. Lines that do not
// parse are left out, as browsers ignore them.
func SetCookies[R Response](res R) []*http.Cookie {
	var out []*http.Cookie
	for _, line := range viewOf(res).header.Values("Set-Cookie") {
		if c, err := http.ParseSetCookie(line); err == nil {
			out = append(out, c)
		}
	}
	return out
}

// sessionLines returns the Set-Cookie lines of v that carry name.
func (v view) sessionLines(name string) []string {
	var out []string
	for _, line := range v.header.Values("Set-Cookie") {
		if setCookieName(line) == name {
			out = append(out, line)
		}
	}
	return out
}

// SessionCookie returns the session cookie the response sets: the last
// Set-Cookie line with the session cookie name (the one a browser keeps),
// parsed with every attribute. It returns nil when there is none or it
// does not parse. [CheckCookieName] chooses the name.
func SessionCookie[R Response](res R, opts ...CheckOption) *http.Cookie {
	v := viewOf(res)
	c, _, err := v.lastSessionCookie(settingsFor(v, opts).cookieName)
	if err != nil {
		return nil
	}
	return c
}

// lastSessionCookie parses the last Set-Cookie line named name, the one a
// browser keeps; found is false when there is none.
func (v view) lastSessionCookie(name string) (c *http.Cookie, found bool, err error) {
	lines := v.sessionLines(name)
	if len(lines) == 0 {
		return nil, false, nil
	}
	c, err = http.ParseSetCookie(lines[len(lines)-1])
	return c, true, err
}

// SessionCookieCount returns how many Set-Cookie lines of the response
// carry the session cookie name. authkit writes at most one.
func SessionCookieCount[R Response](res R, opts ...CheckOption) int {
	v := viewOf(res)
	return len(v.sessionLines(settingsFor(v, opts).cookieName))
}

// SessionChange tells what the response did to the session cookie,
// compared with the cookie its request sent:
//
//   - [Untouched]: no Set-Cookie line has the name;
//   - [Cleared]: the last one has an empty value, a Max-Age of zero
//     or less, or (without Max-Age) an Expires that is not in the future;
//   - [Set]: a value, and the request sent no session cookie;
//   - [Rotated]: a value other than the one the request sent;
//   - [Renewed]: the value the request sent, issued again;
//   - [Rejected]: the line does not parse.
//
// A response alone does not tell the expiry the browser held before, so
// SessionChange never answers [Unchanged]; a [Jar]'s timeline does.
func SessionChange[R Response](res R, opts ...CheckOption) CookieChange {
	v := viewOf(res)
	return v.change(settingsFor(v, opts))
}

func (v view) change(s settings) CookieChange {
	c, found, err := v.lastSessionCookie(s.cookieName)
	switch {
	case !found:
		return Untouched
	case err != nil:
		return Rejected
	}
	if clears(c, s.now(v)) {
		return Cleared
	}
	sent, ok := v.sentValue(s.cookieName)
	switch {
	case !ok:
		return Set
	case sent != c.Value:
		return Rotated
	default:
		return Renewed
	}
}

// clears reports whether c removes the cookie it names, read at now.
func clears(c *http.Cookie, now time.Time) bool {
	switch {
	case c.Value == "" || c.MaxAge < 0:
		return true
	case c.MaxAge > 0:
		return false
	default:
		return !c.Expires.IsZero() && !c.Expires.After(now)
	}
}

// sentValue returns the value of the cookie name in the request, if the
// request is known and has one.
func (v view) sentValue(name string) (string, bool) {
	if v.req == nil {
		return "", false
	}
	c, err := v.req.Cookie(name)
	if err != nil {
		return "", false
	}
	return c.Value, true
}
