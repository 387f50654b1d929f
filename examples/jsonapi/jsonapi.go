// Package jsonapi is a JSON API on authkit: sign-up and sign-in answer the
// session token (for "Authorization: Bearer") and set the session cookie
// (for a browser). Input is validated, a store failure is answered 503, a
// taken email is reported as taken. Run it with cmd/jsonapi.
package jsonapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"strings"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authrequest"
)

// The limits of a request.
const (
	MaxEmail    = 254
	MinPassword = 8
	MaxPassword = 1024
	MaxBody     = 8 << 10
)

// NewHandler returns the API on a: "POST /api/signup" and "POST /api/login"
// ({"email", "password"}: 200 {"token", "user"} and the cookie), "POST
// /api/logout" and "GET /api/me" (cookie or bearer; 401 without a session).
func NewHandler(a *auth.Auth, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	api := &api{a: a, log: log}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/signup", api.signUp)
	mux.HandleFunc("POST /api/login", api.signIn)
	mux.HandleFunc("POST /api/logout", api.signOut)
	mux.HandleFunc("GET /api/me", api.me)
	return authrequest.MustMiddleware(a)(mux)
}

type api struct {
	a   *auth.Auth
	log *slog.Logger
}

type errorBody struct {
	Error string `json:"error"`
}

func (api *api) write(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		api.log.Error("writing the answer", "error", err)
	}
}

// fail answers an error with its status ([authrequest.StatusCode]): 503
// for a store failure, which keeps the cookie.
func (api *api) fail(w http.ResponseWriter, r *http.Request, err error) {
	api.log.Error("request failed", "path", r.URL.Path, "error", err)
	code, msg := authrequest.StatusCode(err), "internal error"
	if code == http.StatusServiceUnavailable {
		msg = "the service is unavailable; try again"
	}
	api.write(w, code, errorBody{msg})
}

type credentials struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// read decodes and checks the credentials, or answers why it can't.
func (api *api) read(w http.ResponseWriter, r *http.Request) (credentials, bool) {
	var c credentials
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		api.write(w, http.StatusUnsupportedMediaType, errorBody{"send application/json"})
		return c, false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		api.write(w, http.StatusBadRequest, errorBody{"malformed JSON"})
		return c, false
	}
	c.Email = strings.ToLower(strings.TrimSpace(c.Email))
	switch {
	case c.Email == "" || len(c.Email) > MaxEmail || !strings.Contains(c.Email, "@"):
		api.write(w, http.StatusBadRequest, errorBody{"email: want an address of at most 254 bytes"})
		return c, false
	case len(c.Password) < MinPassword || len(c.Password) > MaxPassword:
		api.write(w, http.StatusBadRequest, errorBody{"password: want 8 to 1024 bytes"})
		return c, false
	}
	return c, true
}

func (api *api) signUp(w http.ResponseWriter, r *http.Request) {
	c, ok := api.read(w, r)
	if !ok {
		return
	}
	u, err := api.a.CreateUser(r.Context(), auth.NewUser{
		Attributes: map[string]any{"email": c.Email},
		Key:        &auth.NewKey{ProviderID: "email", ProviderUserID: c.Email, Password: c.Password},
	})
	switch {
	case errors.Is(err, auth.ErrDuplicateKey), errors.Is(err, auth.ErrDuplicateUser):
		api.write(w, http.StatusConflict, errorBody{"that email is taken"})
	case err != nil:
		api.fail(w, r, err)
	default:
		api.startSession(w, r, u)
	}
}

func (api *api) signIn(w http.ResponseWriter, r *http.Request) {
	c, ok := api.read(w, r)
	if !ok {
		return
	}
	key, err := api.a.UseKey(r.Context(), "email", c.Email, c.Password)
	switch {
	case errors.Is(err, auth.ErrInvalidKey), errors.Is(err, auth.ErrInvalidPassword):
		api.write(w, http.StatusUnauthorized, errorBody{"wrong email or password"})
		return
	case err != nil:
		api.fail(w, r, err)
		return
	}
	u, err := api.a.GetUser(r.Context(), key.UserID)
	if err != nil {
		api.fail(w, r, err)
		return
	}
	api.startSession(w, r, u)
}

// startSession signs the user in, replacing the session the request
// carried, and answers the token and the user.
func (api *api) startSession(w http.ResponseWriter, r *http.Request, u *auth.User) {
	s, err := authrequest.FromContext(r.Context()).SignIn(u.ID)
	if err != nil {
		api.fail(w, r, err)
		return
	}
	api.write(w, http.StatusOK, map[string]any{"token": s.Token, "user": authrequest.UserJSON(u)})
}

// session returns the request's session and user: the bearer token's when
// the request has one, else the cookie's.
func session(r *http.Request) (*auth.Session, *auth.User, error) {
	ar := authrequest.FromContext(r.Context())
	if _, ok := auth.ReadBearerToken(r); !ok {
		return ar.SessionUser()
	}
	s, err := ar.ValidateBearerToken()
	if err != nil || s == nil {
		if errors.Is(err, auth.ErrInvalidSession) {
			err = nil
		}
		return nil, nil, err
	}
	u, err := ar.Auth().GetUser(r.Context(), s.UserID)
	if errors.Is(err, auth.ErrInvalidUser) {
		return nil, nil, nil
	}
	return s, u, err
}

func (api *api) me(w http.ResponseWriter, r *http.Request) {
	s, u, err := session(r)
	switch {
	case err != nil:
		api.fail(w, r, err)
	case s == nil:
		api.write(w, http.StatusUnauthorized, errorBody{"not signed in"})
	default:
		api.write(w, http.StatusOK, map[string]any{"user": authrequest.UserJSON(u)})
	}
}

func (api *api) signOut(w http.ResponseWriter, r *http.Request) {
	s, _, err := session(r)
	switch {
	case err != nil:
		api.fail(w, r, err)
		return
	case s == nil:
		api.write(w, http.StatusUnauthorized, errorBody{"not signed in"})
		return
	}
	if _, bearer := auth.ReadBearerToken(r); bearer {
		err = api.a.InvalidateSession(r.Context(), s.ID)
	} else {
		err = authrequest.FromContext(r.Context()).SignOut()
	}
	if err != nil {
		api.fail(w, r, err)
		return
	}
	api.write(w, http.StatusOK, struct{}{})
}
