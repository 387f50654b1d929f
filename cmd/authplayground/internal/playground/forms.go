package playground

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authrequest"
)

// readForm parses a form body of at most MaxBodyBytes.
func readForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: %v", errBadRequest, err)
	}
	return nil
}

func formCredentials(w http.ResponseWriter, r *http.Request) (credentials, error) {
	if err := readForm(w, r); err != nil {
		return credentials{}, err
	}
	c := credentials{Username: r.PostForm.Get("username"), Password: r.PostForm.Get("password")}
	return c, c.check()
}

// formNotice returns the notice key for an error of a sign-up or sign-in.
func formNotice(err error) string {
	switch code, _ := classify(err); code {
	case http.StatusBadRequest:
		return "invalid"
	case http.StatusUnauthorized:
		return "bad-login"
	case http.StatusConflict:
		return "taken"
	}
	return "store"
}

// formSignIn answers the sign-up or login form: it finds the user of the
// form's credentials with find, signs them in, and goes back home with
// notice.
func (s *Server) formSignIn(find findUser, notice string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := formCredentials(w, r)
		var u *auth.User
		if err == nil {
			u, err = find(r, s.fake.Auth, c)
		}
		if err == nil {
			_, err = authrequest.FromContext(r.Context()).SignInWith(u.ID, formSessionOptions(r))
		}
		if err != nil {
			back(w, r, formNotice(err))
			return
		}
		back(w, r, notice)
	}
}

// formSessionOptions reads the "remember me" checkbox of a parsed sign-up
// or sign-in form: unchecked, the session is a browser session.
func formSessionOptions(r *http.Request) auth.SessionOptions {
	return auth.SessionOptions{BrowserSession: r.PostForm.Get("remember") != "on"}
}

// formSignOutOthers signs out every device of the user but this browser.
func (s *Server) formSignOutOthers(w http.ResponseWriter, r *http.Request) {
	err := authrequest.FromContext(r.Context()).InvalidateOtherSessions()
	switch {
	case errors.Is(err, authrequest.ErrNotSignedIn):
		back(w, r, "not-signed-in")
	case err != nil:
		s.log.InfoContext(r.Context(), "playground: signing out other devices failed", "error", err)
		back(w, r, "store")
	default:
		back(w, r, "others-out")
	}
}

func (s *Server) formLogout(w http.ResponseWriter, r *http.Request) {
	if err := authrequest.FromContext(r.Context()).SignOut(); err != nil {
		s.log.InfoContext(r.Context(), "playground: sign-out failed", "error", err)
		back(w, r, "store")
		return
	}
	back(w, r, "signed-out")
}

// formRevoke signs out one of the user's devices: the session with the
// posted ID, if it is one of the user's. Revoking the browser's own
// session is signing out.
func (s *Server) formRevoke(w http.ResponseWriter, r *http.Request) {
	if err := readForm(w, r); err != nil {
		back(w, r, "no-device")
		return
	}
	id := r.PostForm.Get("id")
	ar := authrequest.FromContext(r.Context())
	session, err := ar.Session()
	if err != nil {
		back(w, r, "store")
		return
	}
	if session == nil {
		back(w, r, "not-signed-in")
		return
	}
	if id == session.ID {
		s.formLogout(w, r)
		return
	}
	devices, err := s.fake.Auth.UserSessions(r.Context(), session.UserID)
	if err != nil {
		back(w, r, "store")
		return
	}
	if !slices.ContainsFunc(devices, func(d *auth.Session) bool { return d.ID == id }) {
		back(w, r, "no-device")
		return
	}
	if err := s.fake.Auth.InvalidateSession(r.Context(), id); err != nil {
		back(w, r, "store")
		return
	}
	back(w, r, "revoked")
}

// formAdvance moves the clock by the posted duration ("by") or past the
// end of a period of the browser's session ("to").
func (s *Server) formAdvance(w http.ResponseWriter, r *http.Request) {
	err := readForm(w, r)
	var d time.Duration
	if err == nil {
		if to := r.PostForm.Get("to"); to != "" {
			d, err = s.pastDelta(r, to)
		} else {
			d, err = parseAdvance(r.PostForm.Get("by"))
		}
	}
	if err == nil {
		_, err = s.advance(d)
	}
	if err != nil {
		back(w, r, "bad-advance")
		return
	}
	back(w, r, "advanced")
}

func (s *Server) formFaults(w http.ResponseWriter, r *http.Request) {
	err := readForm(w, r)
	var n int
	if err == nil {
		n, err = strconv.Atoi(r.PostForm.Get("count"))
	}
	if err == nil {
		err = s.failNext(r.PostForm.Get("op"), n)
	}
	if err != nil {
		back(w, r, "bad-fault")
		return
	}
	back(w, r, "faults-set")
}

func (s *Server) formClearFaults(w http.ResponseWriter, r *http.Request) {
	s.fake.Store.ClearFaults()
	back(w, r, "faults-clear")
}

func (s *Server) formReset(w http.ResponseWriter, r *http.Request) {
	if err := s.resetAll(r.Context()); err != nil {
		s.log.ErrorContext(r.Context(), "playground: reset failed", "error", err)
		back(w, r, "reset-failed")
		return
	}
	back(w, r, "reset")
}
