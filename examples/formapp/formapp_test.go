package formapp_test

import (
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/examples/formapp"
	"github.com/authkit-dev/authkit/fakeauth"
)

// post is a same-origin form post of the page's form.
func post(t *testing.T, path string, form url.Values) *http.Request {
	return authtest.BuildRequest("POST", path).SameOrigin().WithForm(form).Build(t)
}

// TestVisit signs up, signs out and signs in as a visitor would, each
// form's redirect followed.
func TestVisit(t *testing.T) {
	f := fakeauth.NewT(t)
	h := formapp.NewHandler(f.Auth, nil)
	jar := authtest.NewJar(authtest.WithClock(f.Clock))
	creds := url.Values{"username": {"grace"}, "password": {"compilers are fun"}}

	rec := jar.Do(h, post(t, "/signup", creds))
	require.Len(t, rec.Redirects, 1)
	authtest.AssertSession(t, rec.Redirects[0], authtest.Set)
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "grace", authtest.ParseHTML(t, rec.Body.String()).Text("b"))

	rec = jar.Do(h, post(t, "/signup", creds))
	assert.Equal(t, http.StatusConflict, rec.Code)
	assert.Contains(t, rec.Body.String(), "That username is taken.")

	rec = jar.Do(h, post(t, "/logout", nil))
	authtest.AssertSession(t, rec.Redirects[0], authtest.Cleared)
	assert.Contains(t, rec.Body.String(), "Sign in")

	for _, bad := range []url.Values{
		{"username": {"eve"}, "password": {""}},
		{"username": {""}, "password": {"long enough"}},
		{"username": {strings.Repeat("x", 65)}, "password": {"long enough"}},
		{"username": {"eve"}, "password": {strings.Repeat("x", 1025)}},
	} {
		rec = jar.Do(h, post(t, "/signup", bad))
		assert.Equal(t, http.StatusBadRequest, rec.Code, "sign-up with %v", bad)
		authtest.AssertSession(t, rec, authtest.Untouched)
	}

	rec = jar.Do(h, post(t, "/login", url.Values{"username": {"grace"}, "password": {"wrong password"}}))
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	f.Store.FailNext(fakeauth.OpGetKey, 1, nil)
	rec = jar.Do(h, post(t, "/login", creds))
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code, "a store failure is not a wrong password")

	rec = jar.Do(h, post(t, "/login", creds))
	assert.Equal(t, "/account", rec.Request.URL.Path)
	assert.Contains(t, rec.Body.String(), "Signed in as <b>grace</b>")
	authtest.AssertSessionHistory(t, jar, authtest.Set, authtest.Cleared, authtest.Set)
}

// TestOnSQLite runs the app on its real store, a SQLite file.
func TestOnSQLite(t *testing.T) {
	a, closeDB, err := formapp.Open(t.Context(), filepath.Join(t.TempDir(), "app.db"),
		auth.Config{Argon2: fakeauth.CheapArgon2()})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, closeDB()) })
	h := formapp.NewHandler(a, nil)
	jar := authtest.NewJar()
	rec := jar.Do(h, post(t, "/signup", url.Values{"username": {"ada"}, "password": {"correct horse"}}))
	assert.Contains(t, rec.Body.String(), "Signed in as <b>ada</b>")
	rec = jar.Do(h, authtest.BuildRequest("GET", "/account").Build(t))
	assert.Equal(t, http.StatusOK, rec.Code)
}
