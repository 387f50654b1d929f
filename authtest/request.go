package authtest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/auth"
)

// RequestBuilder builds an incoming server request for a handler test, as
// [httptest.NewRequest] does, with the cookies, tokens, origin headers and
// bodies of session tests a method call away. Start one with [BuildRequest]
// and finish it with [RequestBuilder.Build] (which fails the test on a bad
// argument) or [RequestBuilder.Request] (which returns the error). The
// methods change the builder and return it, so that calls chain:
//
//	r := authtest.BuildRequest("POST", "/logout").
//		WithSession(token).
//		CrossSite("https://evil.example").
//		Build(t)
type RequestBuilder struct {
	method string
	target string
	ctx    context.Context
	header http.Header
	body   []byte
	err    error
	origin func(r *http.Request)
}

// NewRequest returns a new incoming server request for a handler test, as
// [httptest.NewRequest] does: target is a path ("/login?next=/") or an
// absolute URL, an empty method means GET, and body (nil for none) is read
// whole. A bad method or target fails the test with t.Fatalf where
// httptest.NewRequest would panic.
//
// One default differs: a target that is only a path is served as
// https://example.com, with r.TLS set, because the session cookie is
// Secure by default and a browser sends it only over https. Write an
// absolute "http://" target to test plain http. [BuildRequest] adds
// cookies, tokens, origin headers and bodies.
func NewRequest(t testing.TB, method, target string, body io.Reader) *http.Request {
	t.Helper()
	b := BuildRequest(method, target)
	if body != nil {
		data, err := io.ReadAll(body)
		if err != nil {
			b.fail(fmt.Errorf("reading the body: %w", err))
		}
		b.WithBody("", data)
	}
	return b.Build(t)
}

// BuildRequest starts a [RequestBuilder] for method and target, which
// mean what they mean to [NewRequest].
func BuildRequest(method, target string) *RequestBuilder {
	if method == "" {
		method = http.MethodGet
	}
	return &RequestBuilder{method: method, target: target, header: http.Header{}}
}

// WithSession adds the session cookie with the given token, under
// [auth.DefaultCookieName]. Use [RequestBuilder.WithCookie] for another
// name.
func (b *RequestBuilder) WithSession(token string) *RequestBuilder {
	return b.WithCookie(&http.Cookie{Name: auth.DefaultCookieName, Value: token})
}

// WithCookie adds c to the Cookie header. Only its name and value travel,
// as in a browser's request.
func (b *RequestBuilder) WithCookie(c *http.Cookie) *RequestBuilder {
	if c == nil || c.Name == "" {
		b.fail(errors.New("WithCookie: a cookie needs a name"))
		return b
	}
	// AddCookie writes to the header map it is given: b.header.
	(&http.Request{Header: b.header}).AddCookie(c)
	return b
}

// WithBearer sets "Authorization: Bearer <token>".
func (b *RequestBuilder) WithBearer(token string) *RequestBuilder {
	b.header.Set("Authorization", "Bearer "+token)
	return b
}

// WithHeader adds a header value.
func (b *RequestBuilder) WithHeader(key, value string) *RequestBuilder {
	b.header.Add(key, value)
	return b
}

// WithForm sets the body to the URL-encoded form v, with the Content-Type
// of an HTML form post.
func (b *RequestBuilder) WithForm(v url.Values) *RequestBuilder {
	return b.WithBody("application/x-www-form-urlencoded", []byte(v.Encode()))
}

// WithJSON sets the body to v encoded as JSON, with Content-Type
// application/json. A value that does not encode makes Build fail.
func (b *RequestBuilder) WithJSON(v any) *RequestBuilder {
	data, err := json.Marshal(v)
	if err != nil {
		b.fail(fmt.Errorf("WithJSON: %w", err))
		return b
	}
	return b.WithBody("application/json", data)
}

// WithBody sets the body and its Content-Type (none when contentType is
// empty).
func (b *RequestBuilder) WithBody(contentType string, body []byte) *RequestBuilder {
	b.body = bytes.Clone(body)
	if b.body == nil {
		b.body = []byte{}
	}
	if contentType != "" {
		b.header.Set("Content-Type", contentType)
	}
	return b
}

// WithContext sets the request's context.
func (b *RequestBuilder) WithContext(ctx context.Context) *RequestBuilder {
	b.ctx = ctx
	return b
}

// SameOrigin makes the request come from its own origin, as a browser's
// fetch or form post from the same site does: Origin is the request's
// scheme and host, and Sec-Fetch-Site is "same-origin".
func (b *RequestBuilder) SameOrigin() *RequestBuilder {
	b.origin = func(r *http.Request) {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		r.Header.Set("Origin", scheme+"://"+r.Host)
		r.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	return b
}

// SameSite makes the request come from origin, another origin of the same
// site (a sibling subdomain): Origin is origin and Sec-Fetch-Site is
// "same-site".
func (b *RequestBuilder) SameSite(origin string) *RequestBuilder {
	return b.fromOrigin(origin, "same-site")
}

// CrossSite makes the request come from origin on another site, as a
// forged form post from an attacker's page does: Origin is origin and
// Sec-Fetch-Site is "cross-site".
func (b *RequestBuilder) CrossSite(origin string) *RequestBuilder {
	return b.fromOrigin(origin, "cross-site")
}

func (b *RequestBuilder) fromOrigin(origin, site string) *RequestBuilder {
	b.origin = func(r *http.Request) {
		r.Header.Set("Origin", origin)
		r.Header.Set("Sec-Fetch-Site", site)
	}
	return b
}

func (b *RequestBuilder) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

// Request returns the request, or the first error met while building it:
// a target that is not a request target, a method with spaces, a value
// that does not encode as JSON.
func (b *RequestBuilder) Request() (*http.Request, error) {
	if b.err != nil {
		return nil, fmt.Errorf("authtest: %w", b.err)
	}
	target := b.target
	if target == "" {
		target = "/"
	}
	if strings.ContainsAny(b.method, " \r\n") || strings.ContainsAny(target, " \r\n") {
		return nil, fmt.Errorf("authtest: request %q %q: method and target can't hold spaces or line breaks", b.method, b.target)
	}
	line := b.method + " " + target + " HTTP/1.0\r\n\r\n"
	// A buffer the size of the request, not bufio's 4 KiB default.
	r, err := http.ReadRequest(bufio.NewReaderSize(strings.NewReader(line), len(line)))
	if err != nil {
		return nil, fmt.Errorf("authtest: request %q %q: %w", b.method, b.target, err)
	}
	if r.URL == nil {
		return nil, errors.New("authtest: request: no URL")
	}
	r.Proto, r.ProtoMinor, r.Close = "HTTP/1.1", 1, false
	r.RemoteAddr = "192.0.2.1:1234" // TEST-NET-1, as httptest uses
	if r.Host == "" {
		r.Host = "example.com"
	}
	if r.URL.Scheme == "" || r.URL.Scheme == "https" {
		r.TLS = &tls.ConnectionState{Version: tls.VersionTLS12, HandshakeComplete: true, ServerName: r.Host}
	}
	for k, vs := range b.header {
		r.Header[k] = append([]string(nil), vs...)
	}
	if b.body != nil {
		r.Body = io.NopCloser(bytes.NewReader(b.body))
		r.ContentLength = int64(len(b.body))
		body := b.body
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	if b.origin != nil {
		b.origin(r)
	}
	if b.ctx != nil {
		r = r.WithContext(b.ctx)
	}
	return r, nil
}

// Build returns the request. A bad argument to the builder fails the test
// with t.Fatalf, as httptest.NewRequest would panic.
func (b *RequestBuilder) Build(t testing.TB) *http.Request {
	t.Helper()
	r, err := b.Request()
	if err != nil {
		t.Fatalf("%v", err)
		return nil
	}
	return r
}
