package authaccount_test

import (
	"net/http"
	"testing"
)

// TestPasswordSignInAnswersAlikeForUnknownAddress: a wrong password and an
// unknown address get the same 401.
func TestPasswordSignInAnswersAlikeForUnknownAddress(t *testing.T) {
	e := newEnv(t, nil)
	e.signUp(t, "ada@example.com", "correct horse")
	wrong := e.signInFrom("192.0.2.1", "ada@example.com", "wrong password")
	unknown := e.signInFrom("192.0.2.2", "nobody@example.com", "wrong password")
	wantStatus(t, wrong, http.StatusUnauthorized)
	sameAnswer(t, "wrong password vs unknown address", wrong, unknown)
}

func TestPasswordSignInRedirectsToSafeReturnPath(t *testing.T) {
	e := newEnv(t, nil)
	e.signUp(t, "ada@example.com", "correct horse")
	for _, tc := range []struct{ target, want string }{
		{"/sign-in?next=/account", "/account"},
		{"/sign-in?next=//evil.example", "/"},
		{"/sign-in", "/"},
	} {
		r := newFormRequest(tc.target, map[string][]string{"email": {"ada@example.com"}, "password": {"correct horse"}})
		w := newRecorder()
		e.h.ServeHTTP(w, r)
		wantStatus(t, w, http.StatusSeeOther)
		if got := w.Header().Get("Location"); got != tc.want {
			t.Errorf("%s: Location %q, want %q", tc.target, got, tc.want)
		}
		if e.sessionCookie(w) == nil {
			t.Errorf("%s: no session cookie", tc.target)
		}
	}
}
