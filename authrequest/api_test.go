package authrequest_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/authkit-dev/authkit/authrequest"
)

// TestAPIHandlerStoreFailureIs503: APIHandler answers a store failure
// with 503 and keeps the cookie, alone and behind Middleware.
func TestAPIHandlerStoreFailureIs503(t *testing.T) {
	e := newEnv(t)
	s := e.newSession(t)
	for name, h := range map[string]http.Handler{
		"alone":             authrequest.APIHandler(e.a),
		"behind Middleware": authrequest.MustMiddleware(e.a)(authrequest.APIHandler(e.a)),
	} {
		for _, r := range []*http.Request{request("GET", "/api/auth/user", s.Token), request("POST", "/api/auth/logout", s.Token)} {
			// Session() reads GetSession, SessionUser() GetSessionAndUser.
			e.store.FailNext("GetSession", 1, nil)
			e.store.FailNext("GetSessionAndUser", 1, nil)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			e.store.ClearFaults()
			if rec.Code != http.StatusServiceUnavailable || cookieOutcome(t, rec) != "untouched" {
				t.Errorf("%s, %s %s with a failing store: %d, cookie %s; want 503, untouched", name, r.Method, r.URL.Path, rec.Code, cookieOutcome(t, rec))
			}
		}
	}
}
