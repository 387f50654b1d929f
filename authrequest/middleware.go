package authrequest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/authkit-dev/authkit/auth"
)

// Middleware returns middleware that makes an [AuthRequest] for every
// request and puts it in the request's context, for [FromContext].
//
// It answers unsafe cross-origin requests (POST, PUT, PATCH, DELETE, ...
// from another site) with 403 Forbidden, unless [WithCrossOriginHandler]
// or [WithCrossOriginPassThrough] says otherwise, or the route is exempt
// ([WithCrossOriginPassThroughRoutes]). In strict mode
// ([WithStrictOriginCheck]) it also refuses unsafe requests without Origin
// and Sec-Fetch-Site, but passes on those with a bearer token. A request
// passed on this way never has its session cookie read, set or cleared. It wraps the
// ResponseWriter so that setting the session cookie after the headers were
// sent returns [ErrHeadersWritten] instead of being lost; the wrapper keeps
// [http.Flusher], [http.Hijacker] and [http.ResponseController] working.
//
// It returns an error wrapping [ErrInvalidOption] if an option is invalid
// (a malformed trusted origin), and one for a nil Auth, so that a
// configuration no browser could match fails when the server is set up.
// [MustMiddleware] panics instead, as [regexp.MustCompile] does.
func Middleware(a *auth.Auth, opts ...Option) (func(http.Handler) http.Handler, error) {
	if a == nil {
		return nil, fmt.Errorf("authrequest: Middleware: nil *auth.Auth")
	}
	set, err := newSettings(opts)
	if err != nil {
		return nil, err
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// One allocation for the three: the writer and the context
			// live as long as the AuthRequest.
			both := &struct {
				ar  AuthRequest
				rw  responseWriter
				ctx arContext
			}{}
			rw, ar := &both.rw, &both.ar
			rw.ResponseWriter = w
			*ar = AuthRequest{a: a, w: rw, r: r, set: set, rw: rw}
			if err := ar.CheckOrigin(); err != nil && !set.passes(r, err) {
				set.onCross.ServeHTTP(w, r)
				return
			}
			both.ctx = arContext{Context: r.Context(), ar: ar}
			r = r.WithContext(&both.ctx)
			ar.r = r
			next.ServeHTTP(rw, r)
		})
	}, nil
}

// MustMiddleware is [Middleware] for a server set up in one expression: it
// panics where Middleware returns an error, which without options happens
// only for a nil Auth.
func MustMiddleware(a *auth.Auth, opts ...Option) func(http.Handler) http.Handler {
	mw, err := Middleware(a, opts...)
	if err != nil {
		panic(err)
	}
	return mw
}

// arContext is the context Middleware gives the request: its parent,
// carrying ar for [FromContext] as [NewContext]'s does, made in the
// allocation the middleware makes anyway, where context.WithValue would
// cost every request one more.
type arContext struct {
	context.Context
	ar *AuthRequest
}

// Value returns the AuthRequest for FromContext's key and the parent's
// value for any other.
func (c *arContext) Value(key any) any {
	if _, ok := key.(ctxKey); ok {
		return c.ar
	}
	return c.Context.Value(key)
}

// responseWriter records whether the response headers were sent.
type responseWriter struct {
	http.ResponseWriter
	wroteHeader bool
}

// Unwrap returns the wrapped writer, for [http.ResponseController].
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *responseWriter) WriteHeader(code int) {
	// 1xx responses (103 Early Hints) leave the final headers open.
	if code >= 200 {
		w.wroteHeader = true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseWriter) Write(b []byte) (int, error) {
	w.wroteHeader = true
	return w.ResponseWriter.Write(b)
}

// ReadFrom keeps io.Copy's fast path (sendfile) of the wrapped writer.
func (w *responseWriter) ReadFrom(r io.Reader) (int64, error) {
	w.wroteHeader = true
	return io.Copy(w.ResponseWriter, r)
}

// Flush implements [http.Flusher]; a writer that can't flush ignores it,
// as the standard library's wrappers do.
func (w *responseWriter) Flush() { _ = w.FlushError() }

// FlushError flushes and reports an error, for [http.ResponseController].
func (w *responseWriter) FlushError() error {
	w.wroteHeader = true
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack implements [http.Hijacker] when the wrapped writer does.
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil {
		w.wroteHeader = true
	}
	return conn, brw, err
}
