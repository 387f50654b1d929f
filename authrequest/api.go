package authrequest

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/authkit-dev/authkit/auth"
)

// APIHandler returns the handler of the JSON routes a browser app needs,
// Lucia's handleApiRoutes:
//
//	GET  /api/auth/user    200 {"user": {"id": ..., attributes...}} or 200 {"user": null};
//	                       on an Auth whose store keeps no users, {"user": {"id": ...}}
//	POST /api/auth/logout  200 {} after invalidating the session and clearing the cookie;
//	                       401 {"error": ...} without a session; 403 from another origin
//
// Other paths answer 404 {"error": "not found"} and other methods 405. A
// store failure (an error wrapping [auth.ErrStore]) answers 503 Service
// Unavailable, as the README's handlers do, and leaves the cookie alone;
// any other failure answers its [StatusCode]. Mount it with
// mux.Handle("/api/auth/", authrequest.APIHandler(a)).
//
// Behind [Middleware] it uses the middleware's AuthRequest, and so its
// options (one store read for both); on its own it makes one with the
// default options. To change the origin checks, give the options to
// Middleware.
func APIHandler(a *auth.Auth) http.Handler {
	return &apiHandler{a: a}
}

// ServeHTTP routes the two paths itself rather than through an
// http.ServeMux of its own: an app (or a test building its handler for
// every case) then pays nothing to build one.
func (h *apiHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/api/auth/user":
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			h.user(w, r)
			return
		}
		methodNotAllowed(w, "GET, HEAD")
	case "/api/auth/logout":
		if r.Method == http.MethodPost {
			h.logout(w, r)
			return
		}
		methodNotAllowed(w, "POST")
	default:
		writeJSON(w, http.StatusNotFound, errorBody{"not found"})
	}
}

type apiHandler struct {
	a *auth.Auth
}

type errorBody struct {
	Error string `json:"error"`
}

func (h *apiHandler) authRequest(w http.ResponseWriter, r *http.Request) *AuthRequest {
	if ar := FromContext(r.Context()); ar != nil && ar.a == h.a {
		return ar
	}
	return New(h.a, w, r)
}

func (h *apiHandler) user(w http.ResponseWriter, r *http.Request) {
	ar := h.authRequest(w, r)
	var s *auth.Session
	var u *auth.User
	var err error
	if !h.a.KeepsUsers() {
		// The app keeps its users: the session is all authkit knows.
		if s, err = ar.Session(); s != nil {
			u = &auth.User{ID: s.UserID}
		}
	} else {
		s, u, err = ar.SessionUser()
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var body struct {
		User map[string]any `json:"user"`
	}
	if s != nil {
		body.User = UserJSON(u)
	}
	writeJSON(w, http.StatusOK, body)
}

// UserJSON returns the JSON object that represents u in API answers: its
// attributes, with its ID under "id" (an attribute named "id" is
// overridden).
func UserJSON(u *auth.User) map[string]any {
	m := make(map[string]any, len(u.Attributes)+1)
	for k, v := range u.Attributes {
		m[k] = v
	}
	m["id"] = u.ID
	return m
}

func (h *apiHandler) logout(w http.ResponseWriter, r *http.Request) {
	ar := h.authRequest(w, r)
	if err := ar.CheckOrigin(); err != nil {
		writeJSON(w, http.StatusForbidden, errorBody{"cross-origin request"})
		return
	}
	s, err := ar.Session()
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if s == nil {
		writeJSON(w, http.StatusUnauthorized, errorBody{"not signed in"})
		return
	}
	if err := ar.SignOut(); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct{}{})
}

// fail answers err with its [StatusCode]: a store failure with 503 (the
// session works again once the store is back). The error text stays in
// the log: it may name hosts or queries.
func (h *apiHandler) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.a.Config().Logger.ErrorContext(r.Context(), "authrequest: API request failed", slog.String("path", r.URL.Path), slog.Any("error", err))
	writeJSON(w, StatusCode(err), errorBody{errorMessage(StatusCode(err))})
}

// errorMessage is the JSON routes' message for a failure's status.
func errorMessage(code int) string {
	if code == http.StatusServiceUnavailable {
		return "session store unavailable; try again"
	}
	return "internal error"
}

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	writeJSON(w, http.StatusMethodNotAllowed, errorBody{"method not allowed"})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
