package authtest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/authkit-dev/authkit/auth"
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

// Option configures a [Jar] made by [NewJar], or one reading or assertion
// of a response. An option that does not apply to the call is ignored.
type Option func(*settings)

type settings struct {
	jarName        string
	cookieName     string
	clock          auth.Clock
	loopbackSecure *bool
	noSuffixList   bool
	maxRedirects   *int
}

// WithName names a [Jar]. The name heads its transcript and is shown in
// the failure messages of assertions on the responses it received, which
// tells users apart in a test with several jars.
func WithName(name string) Option {
	return func(s *settings) { s.jarName = name }
}

// WithCookieName sets the name of the session cookie, [auth.DefaultCookieName]
// ("auth_session") when the option is not given. Given to [NewJar], it
// becomes the default of every assertion on the jar's responses.
func WithCookieName(name string) Option {
	return func(s *settings) { s.cookieName = name }
}

// WithClock sets the clock against which cookies expire. Pass the clock
// the [auth.Auth] under test uses (a fake clock, in most tests), so that
// advancing it expires the jar's cookies as it expires sessions. Given to
// [NewJar], it also becomes the clock of the assertions on the jar's
// responses. Without it a jar uses [auth.SystemClock], and a check that
// needs the time uses the response's Date header, or the system clock.
func WithClock(c auth.Clock) Option {
	return func(s *settings) { s.clock = c }
}

// WithLoopbackSecure sets whether a [Jar] treats plain-http requests to
// localhost, 127.0.0.0/8 and [::1] as a secure context, in which it
// accepts and sends Secure cookies. It is on by default, as in browsers,
// so that a session cookie with the Secure attribute works against
// [httptest.NewServer]. Turn it off to check what happens without TLS.
func WithLoopbackSecure(on bool) Option {
	return func(s *settings) { s.loopbackSecure = &on }
}

// WithoutPublicSuffixList makes a [Jar] accept a Domain attribute that is
// on the public suffix list (such as "co.uk"), as a browser without the
// list would; only a Domain without a dot is still refused. The list is on
// by default.
func WithoutPublicSuffixList() Option {
	return func(s *settings) { s.noSuffixList = true }
}

// WithMaxRedirects sets how many redirects [Jar.Do] follows before it
// stops and returns the last redirect response; 10 by default, as
// [http.Client]. Zero makes Do follow none.
func WithMaxRedirects(n int) Option {
	return func(s *settings) { s.maxRedirects = &n }
}

func applyOptions(base settings, opts []Option) settings {
	for _, o := range opts {
		if o != nil {
			o(&base)
		}
	}
	return base
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

// settingsFor resolves the options of one check: the defaults, then the
// jar's, then the call's.
func settingsFor(v view, opts []Option) settings {
	s := settings{cookieName: auth.DefaultCookieName}
	if v.jar != nil {
		s.jarName, s.cookieName, s.clock = v.jar.name, v.jar.cookieName, v.jar.clock
	}
	s = applyOptions(s, opts)
	if s.cookieName == "" {
		s.cookieName = auth.DefaultCookieName
	}
	return s
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
// does not parse. [WithCookieName] chooses the name.
func SessionCookie[R Response](res R, opts ...Option) *http.Cookie {
	v := viewOf(res)
	s := settingsFor(v, opts)
	lines := v.sessionLines(s.cookieName)
	if len(lines) == 0 {
		return nil
	}
	c, err := http.ParseSetCookie(lines[len(lines)-1])
	if err != nil {
		return nil
	}
	return c
}

// SessionCookieCount returns how many Set-Cookie lines of the response
// carry the session cookie name. authkit writes at most one.
func SessionCookieCount[R Response](res R, opts ...Option) int {
	v := viewOf(res)
	return len(v.sessionLines(settingsFor(v, opts).cookieName))
}

// SessionChange tells what the response did to the session cookie,
// compared with the cookie its request sent:
//
//   - [CookieUntouched]: no Set-Cookie line has the name;
//   - [CookieCleared]: the last one has an empty value, a Max-Age of zero
//     or less, or (without Max-Age) an Expires that is not in the future;
//   - [CookieSet]: a value, and the request sent no session cookie;
//   - [CookieRotated]: a value other than the one the request sent;
//   - [CookieRenewed]: the value the request sent, issued again;
//   - [CookieRejected]: the line does not parse.
//
// A response alone does not tell the expiry the browser held before, so
// SessionChange never answers [CookieUnchanged]; a [Jar]'s timeline does.
func SessionChange[R Response](res R, opts ...Option) CookieChange {
	v := viewOf(res)
	return v.change(settingsFor(v, opts))
}

func (v view) change(s settings) CookieChange {
	lines := v.sessionLines(s.cookieName)
	if len(lines) == 0 {
		return CookieUntouched
	}
	c, err := http.ParseSetCookie(lines[len(lines)-1])
	if err != nil {
		return CookieRejected
	}
	if clears(c, s.now(v)) {
		return CookieCleared
	}
	sent, ok := v.sentValue(s.cookieName)
	switch {
	case !ok:
		return CookieSet
	case sent != c.Value:
		return CookieRotated
	default:
		return CookieRenewed
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
