package playground

import (
	"bufio"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authrequest"
)

// InspectorSize is how many responses that set or cleared the session
// cookie the cookie inspector keeps: the oldest is dropped when another
// arrives.
const InspectorSize = 20

// A CookieEvent is one response that set or cleared the session cookie,
// as the cookie inspector shows it. Responses that left it untouched (the
// flow cookie of a sign-in with the provider, say) are not kept.
type CookieEvent struct {
	// Seq numbers the events of a server from 1, oldest first.
	Seq int
	// Time is the playground clock when the response was sent.
	Time time.Time
	// Method and Path are the request's.
	Method, Path string
	// Status is the response status.
	Status int
	// Change is what the response did to the session cookie, in
	// authtest's words: "set", "renewed", "rotated" or "cleared"
	// ("rejected" for a line a browser would not parse).
	Change string
	// Lines are the response's Set-Cookie lines, the session cookie's and
	// any other it set beside it. A session token is shown
	// as the public ID of its session ("<token of session 9f86d0c1…>"),
	// never as itself: the page must not undo HttpOnly.
	Lines []string
}

// inspector is a ring of the last InspectorSize CookieEvents.
type inspector struct {
	a          *auth.Auth // whose session cookie
	cookieName string
	clock      auth.Clock

	mu     sync.Mutex
	events []CookieEvent // oldest first, at most InspectorSize
	seq    int
}

func newInspector(a *auth.Auth, clock auth.Clock) *inspector {
	return &inspector{a: a, cookieName: a.CookieName(), clock: clock}
}

// Events returns the kept events, newest first.
func (in *inspector) Events() []CookieEvent {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make([]CookieEvent, len(in.events))
	for i, e := range in.events {
		e.Lines = slices.Clone(e.Lines)
		out[len(out)-1-i] = e
	}
	return out
}

// reset forgets every event.
func (in *inspector) reset() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.events, in.seq = nil, 0
}

// record adds the exchange of r and a response with status code and the
// Set-Cookie lines, if they set or clear the session cookie.
func (in *inspector) record(r *http.Request, code int, lines []string) {
	// The playground's one-shot notice cookie is plumbing, not what the
	// inspector is about.
	lines = slices.DeleteFunc(slices.Clone(lines), func(l string) bool { return strings.HasPrefix(l, noticeCookie+"=") })
	if len(lines) == 0 {
		return
	}
	change := in.sessionChange(r, lines)
	if change == "" {
		return // only other cookies (the sign-in flow's): not the session's story
	}
	e := CookieEvent{
		Time:   in.clock.Now().UTC(),
		Method: r.Method, Path: r.URL.Path, Status: code,
		Change: change,
	}
	for _, l := range lines {
		e.Lines = append(e.Lines, hideToken(l))
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.seq++
	e.Seq = in.seq
	if len(in.events) == InspectorSize {
		in.events = append(in.events[:0], in.events[1:]...)
	}
	in.events = append(in.events, e)
}

// sessionChange says what a response's Set-Cookie lines did to the
// session cookie of r, in the words of authtest.SessionChange (the
// playground links no test package, so it says them itself): "cleared"
// (an empty value, Max-Age=0 or an Expires already past), "renewed" (a
// token the request presented, with a new end), "rotated" (another token
// where the request presented one), "set" (a token where it presented
// none), "rejected" (a line a browser would not parse), or "" when no line
// names the session cookie. As in a browser, the last line of the name
// wins.
func (in *inspector) sessionChange(r *http.Request, lines []string) string {
	var last string
	for _, l := range lines {
		if strings.HasPrefix(l, in.cookieName+"=") {
			last = l
		}
	}
	if last == "" {
		return ""
	}
	c, err := http.ParseSetCookie(last)
	switch {
	case err != nil:
		return "rejected"
	case c.Value == "" || c.MaxAge < 0 || c.MaxAge == 0 && !c.Expires.IsZero() && !c.Expires.After(in.clock.Now()):
		return "cleared"
	}
	tokens := authrequest.ReadSessionCookies(in.a, r).Tokens
	switch {
	case len(tokens) == 0:
		return "set"
	case slices.Contains(tokens, c.Value):
		return "renewed"
	}
	return "rotated"
}

// hideToken replaces a session token in a Set-Cookie line with the ID of
// its session, which is public and is what the devices list shows.
func hideToken(line string) string {
	c, err := http.ParseSetCookie(line)
	if err != nil || !auth.ValidToken(c.Value) {
		return line
	}
	return strings.Replace(line, c.Value, "<token of session "+shortID(auth.SessionID(c.Value))+">", 1)
}

// shortID returns the first 8 characters of a session ID and an ellipsis:
// enough to tell sessions apart on a page.
func shortID(id string) string {
	if len(id) <= 8 {
		return id
	}
	return id[:8] + "…"
}

// recordingWriter remembers a response's status, for the request log and
// the cookie inspector. It unwraps for http.ResponseController.
type recordingWriter struct {
	http.ResponseWriter
	code    int
	cookies []string // the Set-Cookie lines as they were sent
	sent    bool
	bytes   int64
}

func (w *recordingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *recordingWriter) WriteHeader(code int) {
	if !w.sent && code >= 200 {
		w.code, w.sent = code, true
		// The slice is the header map's own: a line added later would not
		// be sent, and is not seen here either.
		w.cookies = w.ResponseWriter.Header()["Set-Cookie"]
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	if !w.sent {
		w.WriteHeader(http.StatusOK)
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Flush keeps http.Flusher working through the wrapper.
func (w *recordingWriter) Flush() {
	if !w.sent {
		w.WriteHeader(http.StatusOK)
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack keeps http.Hijacker working through the wrapper.
func (w *recordingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// status returns the status sent, 200 for a handler that wrote nothing.
func (w *recordingWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}

// setCookies returns the Set-Cookie lines sent, or the current ones for a
// handler that wrote nothing (the server sends them when it returns).
func (w *recordingWriter) setCookies() []string {
	if !w.sent {
		return w.ResponseWriter.Header()["Set-Cookie"]
	}
	return w.cookies
}
