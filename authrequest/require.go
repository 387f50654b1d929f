package authrequest

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/authkit-dev/authkit/auth"
)

// ReturnParam is the query parameter in which [RequireSession] passes the
// path to come back to after signing in, and which [ReturnPath] reads.
const ReturnParam = "next"

// maxReturnPath bounds a return path: a longer one is refused.
const maxReturnPath = 2048

// RequireSession returns middleware for HTML routes, to mount behind
// [Middleware], that passes on only requests with a session. A request
// without one is redirected (303 See Other) to signInPath with the path
// it asked for in the query parameter [ReturnParam], when that path is a
// safe one ([SafeReturnPath]) and the method is GET or HEAD; otherwise
// without it. A store failure answers 503 Service Unavailable and keeps
// the cookie: the user is not signed out by a fault. Outside Middleware
// it answers 500: the wiring is wrong.
//
// The sign-in handler then sends the user back with [ReturnPath], which
// checks the parameter again: it came from the browser.
func RequireSession(signInPath string) func(http.Handler) http.Handler {
	return require(func(w http.ResponseWriter, r *http.Request) {
		target := &url.URL{Path: signInPath}
		if u, err := url.Parse(signInPath); err == nil {
			target = u
		}
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			if next, ok := SafeReturnPath(r.URL.RequestURI()); ok {
				q := target.Query()
				q.Set(ReturnParam, next)
				target.RawQuery = q.Encode()
			}
		}
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, target.String(), http.StatusSeeOther)
	}, func(w http.ResponseWriter, r *http.Request, code int) {
		http.Error(w, http.StatusText(code)+": the session store is unavailable; try again", code)
	})
}

// RequireSessionAPI returns middleware for JSON routes, to mount behind
// [Middleware], that passes on only requests with a session. A request
// without one gets 401 {"error": "not signed in"}; a store failure 503
// {"error": ...}, keeping the cookie; a handler outside Middleware 500.
// A request with a bearer token is judged by it instead of the cookie
// ([AuthRequest.ValidateBearerToken]).
func RequireSessionAPI() func(http.Handler) http.Handler {
	return require(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusUnauthorized, errorBody{"not signed in"})
	}, func(w http.ResponseWriter, r *http.Request, code int) {
		writeJSON(w, code, errorBody{errorMessage(code)})
	})
}

// require is the shared middleware: signedOut answers a request without a
// session, fail a failure with its status.
func require(signedOut http.HandlerFunc, fail func(w http.ResponseWriter, r *http.Request, code int)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ar := FromContext(r.Context())
			s, err := ar.Session()
			if s == nil && err == nil {
				if _, bearer := auth.ReadBearerToken(r); bearer {
					s, err = ar.ValidateBearerToken()
					if errors.Is(err, auth.ErrInvalidSession) {
						s, err = nil, nil
					}
				}
			}
			switch code := StatusCode(err); {
			case code == http.StatusServiceUnavailable:
				ar.a.Config().Logger.ErrorContext(r.Context(), "authrequest: RequireSession: session store failure", "path", r.URL.Path, "error", err)
				fail(w, r, code)
			case err != nil && s == nil:
				fail(w, r, code)
			case s == nil:
				signedOut(w, r)
			default:
				next.ServeHTTP(w, r)
			}
		})
	}
}

// ReturnPath returns where a sign-in handler should send the user: the
// request's [ReturnParam] query parameter when it is a safe return path
// ([SafeReturnPath]), fallback otherwise. Never redirect to the parameter
// without it: that is an open redirect.
func ReturnPath(r *http.Request, fallback string) string {
	if p, ok := SafeReturnPath(r.URL.Query().Get(ReturnParam)); ok {
		return p
	}
	return fallback
}

// SafeReturnPath reports whether p is safe to redirect to after signing
// in, and returns it: a path on this site, which every browser resolves
// to this origin. It must start with a single "/" and hold only printable
// ASCII, with no backslash, no "//" anywhere, no "." or ".." segment, no
// fragment, and none of these in its percent-decoded forms either
// (%2F%2F, %5C, %2e%2e, %0a...): schemes ("https:", "javascript:"),
// hosts ("//evil.example", "/\evil.example"), control characters and
// CR/LF are all refused. At most 2048 bytes.
func SafeReturnPath(p string) (string, bool) {
	if len(p) == 0 || len(p) > maxReturnPath || p[0] != '/' {
		return "", false
	}
	s := p
	// Each layer of percent-encoding, decoded, must pass too: a later
	// hop (a proxy, the app's own router) may decode once more.
	for layer := range 4 {
		if !safePathLayer(s, layer == 0) {
			return "", false
		}
		d, err := url.PathUnescape(s)
		if err != nil {
			return "", false
		}
		if d == s {
			return p, true
		}
		s = d
	}
	return "", false // still encoded after four layers: refuse
}

// safePathLayer checks one layer of p: the raw one holds printable ASCII
// only; a decoded one may hold spaces and UTF-8 (from %20, %E6...), but no
// control character either.
func safePathLayer(s string, raw bool) bool {
	if len(s) == 0 || s[0] != '/' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < ' ' || c == 0x7f || c == '\\' || raw && (c == ' ' || c >= 0x80 || c == '#') {
			return false
		}
	}
	if strings.Contains(s, "//") {
		return false
	}
	path, _, _ := strings.Cut(s, "?")
	for _, seg := range strings.Split(path, "/") {
		if seg == "." || seg == ".." {
			return false
		}
	}
	return true
}
