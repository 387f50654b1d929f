package authrequest_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authrequest"
)

func TestStatusCode(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, http.StatusOK},
		{auth.ErrStore, http.StatusServiceUnavailable},
		{fmt.Errorf("%w: %w", auth.ErrStore, auth.ErrInvalidSession), http.StatusServiceUnavailable},
		{fmt.Errorf("renewing: %w", auth.ErrStore), http.StatusServiceUnavailable},
		{authrequest.ErrCrossOrigin, http.StatusForbidden},
		{authrequest.ErrNotSignedIn, http.StatusUnauthorized},
		{auth.ErrInvalidSession, http.StatusUnauthorized},
		{auth.ErrInvalidKey, http.StatusUnauthorized},
		{auth.ErrInvalidPassword, http.StatusUnauthorized},
		{authrequest.ErrSessionNotFound, http.StatusNotFound},
		{auth.ErrDuplicateKey, http.StatusConflict},
		{auth.ErrDuplicateUser, http.StatusConflict},
		{auth.ErrSessionChanged, http.StatusConflict},
		{authrequest.ErrNoMiddleware, http.StatusInternalServerError},
		{authrequest.ErrHeadersWritten, http.StatusInternalServerError},
		{errors.New("something else"), http.StatusInternalServerError},
	} {
		if got := authrequest.StatusCode(tc.err); got != tc.want {
			t.Errorf("StatusCode(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}
