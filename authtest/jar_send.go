package authtest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"

	"github.com/authkit-dev/authkit/auth"
)

// This file sends requests through a Jar: in process (Do, Serve), as a
// seeded session (SetSession), and over the network (Client).

// Do sends r to h in process as a browser with this jar would, and follows
// redirects as [http.Client] does: each response's Set-Cookie lines are
// stored and enter the timeline, and a 301, 302, 303, 307 or 308 with a
// Location is requested next with the jar's cookies for its URL. A 303
// turns any method but HEAD into a GET, 301 and 302 turn a POST into a
// GET, both without the body; 307 and 308 keep the method and the body.
// A redirect that changes the method drops the body's headers and Origin.
// h serves one site, so a redirect to another host (an identity
// provider, a payment page) ends the chain: it is the response Do
// returns, as the browser leaves the app there. After [WithMaxRedirects]
// hops (10 by default) Do stops and returns the last redirect response.
//
// The returned recorder is the last response; its Redirects field holds
// the ones before it, oldest first, so that the Set-Cookie of a sign-in
// answered with a redirect stays at hand: rec.Redirects[0]. [Jar.Serve]
// sends one request and never follows.
func (j *Jar) Do(h http.Handler, r *http.Request) *Recorder {
	if h == nil || r == nil {
		return j.Serve(h, r)
	}
	var body []byte
	if r.Body != nil && r.Body != http.NoBody {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			rec := httptest.NewRecorder()
			http.Error(rec, "authtest: reading the request body: "+err.Error(), http.StatusInternalServerError)
			return &Recorder{ResponseRecorder: rec, Request: r, Jar: j}
		}
		body = b
		r = r.Clone(r.Context())
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	var hops []*Recorder
	for {
		rec := j.Serve(h, r)
		next := redirect(rec, r, body)
		if next == nil || len(hops) >= j.maxRedirects {
			rec.Redirects = hops
			return rec
		}
		hops = append(hops, rec)
		if next.Method != r.Method {
			body = nil
		}
		r = next
	}
}

// redirect returns the request a browser makes after rec, or nil when
// rec is not a redirect it follows.
func redirect(rec *Recorder, r *http.Request, body []byte) *http.Request {
	switch rec.Code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
	default:
		return nil
	}
	loc := rec.Header().Get("Location")
	if loc == "" {
		return nil
	}
	from := requestURL(r)
	to, err := from.Parse(loc)
	if err != nil || (to.Scheme != "http" && to.Scheme != "https") || canonicalHost(to.Host) != canonicalHost(from.Host) {
		return nil
	}
	method := r.Method
	switch {
	case rec.Code == http.StatusSeeOther && method != http.MethodHead,
		(rec.Code == http.StatusMovedPermanently || rec.Code == http.StatusFound) && method == http.MethodPost:
		method = http.MethodGet
	}
	var rd io.Reader
	if method == r.Method && body != nil {
		rd = bytes.NewReader(body)
	}
	to.Fragment = ""
	next := httptest.NewRequestWithContext(r.Context(), method, to.String(), rd)
	for k, vs := range r.Header {
		next.Header[k] = slices.Clone(vs)
	}
	next.Header.Del("Cookie")
	if method != r.Method {
		for _, k := range []string{"Content-Type", "Content-Length", "Origin"} {
			next.Header.Del(k)
		}
	}
	return next
}

// Serve sends r to h in process, once, as a browser with this jar would
// send it: it adds the jar's cookies for r's URL to a clone of r, serves
// the clone with a new [httptest.ResponseRecorder], and stores the
// Set-Cookie lines of the response. It does not follow redirects (see
// [Jar.Do]): the Location is in the recorder. r's URL is read as a server
// reads it: the scheme is https when r.TLS is set (as
// [httptest.NewRequest] and [NewRequest] set it for an https target), and
// the host is r.Host. A nil h or r gives a recorder with status 500
// instead of a panic.
func (j *Jar) Serve(h http.Handler, r *http.Request) *Recorder {
	if h == nil || r == nil {
		rec := Serve(nil, nil)
		rec.Jar = j
		return rec
	}
	u := requestURL(r)
	r2 := r.Clone(r.Context())
	j.mu.Lock()
	sent := j.cookiesLocked(u, j.now())
	j.mu.Unlock()
	for _, c := range sent {
		r2.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r2)
	j.receive(r2, u, sent, rec.Code, rec.Header())
	return &Recorder{ResponseRecorder: rec, Request: r2, Jar: j}
}

// A CookieIssuer makes the session cookie of a session: an [*auth.Auth],
// or a fakeauth.Fake.
type CookieIssuer interface {
	SessionCookie(s *auth.Session) *http.Cookie
}

// SetSession puts the cookie of session s, as a (the Auth or fake that
// made it) issues it, in the jar for https://example.com, the host
// [NewRequest] and [BuildRequest] send a path to: the one-line start of a test with a
// seeded session.
//
//	jar.SetSession(f, s)
//
// For another host, use [Jar.SetCookies] with a.SessionCookie(s).
func (j *Jar) SetSession(a CookieIssuer, s *auth.Session) {
	if aa, ok := a.(*auth.Auth); a == nil || s == nil || ok && aa == nil {
		return
	}
	c := a.SessionCookie(s)
	if c == nil {
		return
	}
	j.SetCookies(&url.URL{Scheme: "https", Host: "example.com", Path: "/"}, []*http.Cookie{c})
}

// requestURL is the URL a browser would have requested to produce r, as
// a server sees r.
func requestURL(r *http.Request) *url.URL {
	u := &url.URL{Path: "/"}
	if r.URL != nil {
		u2 := *r.URL
		u = &u2
	}
	if u.Host == "" {
		u.Host = r.Host
	}
	if u.Host == "" {
		u.Host = "example.com"
	}
	if u.Scheme == "" {
		u.Scheme = "http"
		if r.TLS != nil {
			u.Scheme = "https"
		}
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u
}

// Client returns a copy of base (a new [http.Client] when base is nil)
// whose transport sends this jar's cookies and stores the ones it
// receives, so that every exchange, redirects included, enters the
// timeline with its method, status and raw Set-Cookie lines. Pass
// [httptest.Server.Client] as base for a TLS test server. The returned
// client's Jar field is nil: the jar works inside the transport.
func (j *Jar) Client(base *http.Client) *http.Client {
	c := &http.Client{}
	if base != nil {
		*c = *base
	}
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c.Transport = &jarTransport{jar: j, next: next}
	c.Jar = nil
	return c
}

type jarTransport struct {
	jar  *Jar
	next http.RoundTripper
}

// RoundTrip sends a clone of r with the jar's cookies added, as an
// http.Client with a Jar would, and stores the cookies of the response.
func (t *jarTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r == nil || r.URL == nil {
		return t.next.RoundTrip(r)
	}
	u := *r.URL
	if r.Host != "" {
		u.Host = r.Host
	}
	r2 := r.Clone(r.Context())
	j := t.jar
	j.mu.Lock()
	sent := j.cookiesLocked(&u, j.now())
	j.mu.Unlock()
	for _, c := range sent {
		r2.AddCookie(c)
	}
	res, err := t.next.RoundTrip(r2)
	if err != nil {
		return nil, err
	}
	j.receive(r2, &u, sent, res.StatusCode, res.Header)
	res.Request = r2
	return res, nil
}
