package jsonapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/suite"

	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/examples/jsonapi"
	"github.com/authkit-dev/authkit/fakeauth"
)

// APISuite is a testify suite of the API, each test on a fresh fake.
type APISuite struct {
	suite.Suite
	f   *fakeauth.Fake
	h   http.Handler
	jar *authtest.Jar
}

func (s *APISuite) SetupTest() {
	s.f = fakeauth.NewT(s.T())
	s.h = jsonapi.NewHandler(s.f.Auth, nil)
	s.jar = authtest.NewJar(authtest.WithClock(s.f.Clock))
}

// post sends body as JSON to path from the same origin, through the jar.
func (s *APISuite) post(path, body string) *authtest.Recorder {
	r := authtest.BuildRequest("POST", path).SameOrigin().WithBody("application/json", []byte(body)).Build(s.T())
	return s.jar.Do(s.h, r)
}

// signUp signs ada up and returns her bearer token.
func (s *APISuite) signUp() string {
	rec := s.post("/api/signup", `{"email": "Ada@Example.com", "password": "correct horse"}`)
	s.Require().Equal(http.StatusOK, rec.Code, rec.Body.String())
	authtest.RequireSession(s.T(), rec, authtest.Set)
	var body struct {
		Token string         `json:"token"`
		User  map[string]any `json:"user"`
	}
	s.Require().NoError(json.Unmarshal(rec.Body.Bytes(), &body))
	s.Equal("ada@example.com", body.User["email"])
	return body.Token
}

func (s *APISuite) TestBearerToken() {
	token := s.signUp()
	other := authtest.NewJar() // a client without the cookie
	rec := other.Do(s.h, authtest.BuildRequest("GET", "/api/me").WithBearer(token).Build(s.T()))
	s.Equal(http.StatusOK, rec.Code)
	s.Contains(rec.Body.String(), `"email":"ada@example.com"`)
	authtest.AssertSession(s.T(), rec, authtest.Untouched)

	rec = other.Do(s.h, authtest.BuildRequest("POST", "/api/logout").WithBearer(token).Build(s.T()))
	s.Equal(http.StatusOK, rec.Code)
	rec = other.Do(s.h, authtest.BuildRequest("GET", "/api/me").WithBearer(token).Build(s.T()))
	s.Equal(http.StatusUnauthorized, rec.Code, "the token's session is gone")
	rec = s.jar.Do(s.h, authtest.BuildRequest("GET", "/api/me").Build(s.T()))
	s.Equal(http.StatusUnauthorized, rec.Code, "and the cookie named the same session")
}

func (s *APISuite) TestInputIsChecked() {
	s.signUp()
	for body, want := range map[string]int{
		`{"email": "ada@example.com", "password": "correct horse"}`:                       http.StatusConflict,
		`{"email": "grace@example.com", "password": ""}`:                                  http.StatusBadRequest,
		`{"email": "grace", "password": "long enough"}`:                                   http.StatusBadRequest,
		`{"email": "grace@example.com", "password": "` + strings.Repeat("x", 1025) + `"}`: http.StatusBadRequest,
		`{"email": "grace@example.com"`:                                                   http.StatusBadRequest,
	} {
		rec := s.post("/api/signup", body)
		s.Equal(want, rec.Code, body)
		authtest.AssertSession(s.T(), rec, authtest.Untouched)
	}
	r := authtest.BuildRequest("POST", "/api/login").SameOrigin().WithBody("text/plain", []byte(`{}`)).Build(s.T())
	s.Equal(http.StatusUnsupportedMediaType, s.jar.Do(s.h, r).Code)
}

func (s *APISuite) TestStoreFailureIs503() {
	s.signUp()
	s.f.Store.FailNext(fakeauth.OpGetKey, 1, nil)
	rec := s.post("/api/login", `{"email": "ada@example.com", "password": "correct horse"}`)
	s.Equal(http.StatusServiceUnavailable, rec.Code, "not a wrong password")
	rec = s.post("/api/login", `{"email": "ada@example.com", "password": "wrong horse"}`)
	s.Equal(http.StatusUnauthorized, rec.Code)
	authtest.AssertSessionHistory(s.T(), s.jar, authtest.Set)
}

func TestAPISuite(t *testing.T) {
	suite.Run(t, new(APISuite))
}
