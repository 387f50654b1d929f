package pgusers_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/suite"
	"golang.org/x/crypto/bcrypt"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/pgstore"
	"github.com/authkit-dev/authkit/auth/pgstore/pgstoretest"
	"github.com/authkit-dev/authkit/authoidc"
	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/examples/pgusers"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/fakeoidc"
	"github.com/authkit-dev/authkit/scenarios"
	"github.com/authkit-dev/authkit/scenarios/oidcscenarios"
)

const base = "https://example.com"

// newApp migrates the app's tables and authkit's into pool (a schema of
// the test's own) and returns a fake auth in front of the real session
// store, for its clock, faults and call log.
func newApp(t *testing.T, pool *pgxpool.Pool) *fakeauth.Fake {
	t.Helper()
	sessions, err := pgusers.Migrate(t.Context(), pool)
	if err != nil {
		t.Fatal(err)
	}
	return fakeauth.NewT(t, fakeauth.WithStore(sessions))
}

// config is the app's configuration in tests: cheap password hashes and,
// with a provider, its registration as oidcscenarios makes it.
func config(issuer, redirectURL string, client *http.Client) pgusers.Config {
	cfg := pgusers.Config{BcryptCost: bcrypt.MinCost, ProviderName: "Example ID"}
	if issuer != "" {
		cfg.Provider = authoidc.Config{Issuer: issuer, ClientID: oidcscenarios.ClientID, ClientSecret: oidcscenarios.ClientSecret,
			RedirectURL: redirectURL, HTTPClient: client, RequireVerifiedEmail: true}
	}
	return cfg
}

// insertUser adds a password user to the app's table, as sign-up does,
// and returns its ID.
func insertUser(ctx context.Context, pool *pgxpool.Pool, email string) (string, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(email+"'s password"), bcrypt.MinCost)
	if err != nil {
		return "", err
	}
	var id string
	err = pool.QueryRow(ctx, `INSERT INTO users (email, password_hash) VALUES ($1, $2) RETURNING id::text`, email, string(hash)).Scan(&id)
	return id, err
}

// identityUser returns the user the identity (provider, subject) is
// linked to, "" when none.
func identityUser(ctx context.Context, pool *pgxpool.Pool, provider, subject string) (string, error) {
	var id string
	err := pool.QueryRow(ctx, `SELECT user_id::text FROM identities WHERE provider = $1 AND subject = $2`, provider, subject).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// AppSuite tests the app as a browser uses it, each test on a schema of
// its own, a fake auth on the real session store, and a fake provider.
type AppSuite struct {
	suite.Suite
	pool *pgxpool.Pool
	f    *fakeauth.Fake
	idp  *fakeoidc.Provider
	h    http.Handler
	jar  *authtest.Jar
}

func (s *AppSuite) SetupTest() {
	s.pool = pgstoretest.Pool(s.T()) // skips the test when PostgreSQL does not answer
	s.f = newApp(s.T(), s.pool)
	redirect := base + "/auth/oidc/callback"
	s.idp = fakeoidc.NewServer(s.T(), fakeoidc.WithClock(s.f.Clock),
		fakeoidc.WithClient(fakeoidc.Client{ID: oidcscenarios.ClientID, Secret: oidcscenarios.ClientSecret, RedirectURIs: []string{redirect}}),
		fakeoidc.WithUser(oidcscenarios.Users()[0])) // alice, whose email is verified
	s.Require().NoError(s.idp.SetLogin(oidcscenarios.Alice))
	h, err := pgusers.NewHandler(s.pool, s.f.Auth, config(s.idp.Issuer(), redirect, s.idp.Client()))
	s.Require().NoError(err)
	s.h = h
	s.jar = authtest.NewJar(authtest.WithClock(s.f.Clock))
}

// post sends a same-origin form through the jar, which follows redirects.
func (s *AppSuite) post(path string, form url.Values) *authtest.Recorder {
	return s.jar.Do(s.h, authtest.BuildRequest("POST", base+path).SameOrigin().WithForm(form).Build(s.T()))
}

func (s *AppSuite) get(path string) *authtest.Recorder {
	return s.jar.Do(s.h, authtest.BuildRequest("GET", base+path).Build(s.T()))
}

func creds(email, password string) url.Values {
	return url.Values{"email": {email}, "password": {password}}
}

// signInWithProvider plays the browser through the provider: the start
// route (GET, or the account page's POST of link=1), the provider's
// approval, and the callback. It returns the callback's answer.
func (s *AppSuite) signInWithProvider(link bool) *authtest.Recorder {
	b := authtest.BuildRequest("GET", base+"/auth/oidc/start")
	if link {
		b = authtest.BuildRequest("POST", base+"/auth/oidc/start").SameOrigin().WithForm(url.Values{"link": {"1"}})
	}
	start := s.jar.Serve(s.h, b.Build(s.T()))
	s.Require().Contains([]int{http.StatusFound, http.StatusSeeOther}, start.Code, start.Body.String())
	cb, err := oidcscenarios.FollowToClient(s.T().Context(), s.idp.Client(), start.Header().Get("Location"))
	s.Require().NoError(err)
	return s.jar.Serve(s.h, authtest.BuildRequest("GET", cb.String()).Build(s.T()))
}

// sessionUser returns the user of the jar's session cookie.
func (s *AppSuite) sessionUser() string {
	ck, ok := s.jar.Cookie(s.f.Auth.CookieName())
	s.Require().True(ok, "no session cookie")
	session, err := s.f.Auth.ValidateSession(s.T().Context(), ck.Value)
	s.Require().NoError(err)
	return session.UserID
}

func (s *AppSuite) TestPasswordSignUpSignInSignOut() {
	rec := s.post("/signup", creds("Ada@Example.com", "correct horse"))
	s.Equal(http.StatusOK, rec.Code)
	s.Equal("/account", rec.Request.URL.Path, "sign-up lands on the account page")
	s.Contains(rec.Body.String(), "Signed in as <b>ada@example.com</b>")
	authtest.AssertSession(s.T(), rec.Redirects[0], authtest.Set)

	other := authtest.NewJar(authtest.WithClock(s.f.Clock))
	dup := other.Do(s.h, authtest.BuildRequest("POST", base+"/signup").SameOrigin().WithForm(creds("ada@example.com", "another one")).Build(s.T()))
	s.Equal(http.StatusConflict, dup.Code, "the email is taken")
	authtest.AssertSession(s.T(), dup, authtest.Untouched)

	rec = s.post("/signout", nil)
	s.Equal("/", rec.Request.URL.Path)
	s.NotContains(rec.Body.String(), "Signed in as")
	authtest.AssertSession(s.T(), rec.Redirects[0], authtest.Cleared)

	// Signed out, the account page sends the visitor to sign in, and
	// signing in brings them back there.
	rec = s.get("/account")
	s.Equal("/login", rec.Request.URL.Path)
	s.Equal("/account", rec.Request.URL.Query().Get("next"))
	rec = s.post("/signin?next=/account", creds("ada@example.com", "wrong horse"))
	s.Equal(http.StatusUnauthorized, rec.Code)
	authtest.AssertSession(s.T(), rec, authtest.Untouched)
	rec = s.post("/signin?next=/account", creds("ada@example.com", "correct horse"))
	s.Equal("/account", rec.Request.URL.Path)
	s.Contains(rec.Body.String(), "Signs in with: a password")

	// A next parameter naming another site is ignored.
	s.post("/signout", nil)
	rec = s.post("/signin?next=//evil.example/", creds("ada@example.com", "correct horse"))
	s.Equal("example.com", rec.Request.URL.Host)
	s.Equal("/account", rec.Request.URL.Path)
	authtest.AssertSessionHistory(s.T(), s.jar, authtest.Set, authtest.Cleared, authtest.Set, authtest.Cleared, authtest.Set)
}

func (s *AppSuite) TestSignInWithProviderCreatesUserOnce() {
	rec := s.signInWithProvider(false)
	s.Equal(http.StatusSeeOther, rec.Code, rec.Body.String())
	authtest.AssertSession(s.T(), rec, authtest.Set)
	first := s.sessionUser()

	var email string
	s.Require().NoError(s.pool.QueryRow(s.T().Context(), `SELECT email FROM users WHERE id = $1::bigint`, first).Scan(&email))
	s.Equal("alice@example.com", email, "the email, which only userinfo carries")

	s.post("/signout", nil)
	s.signInWithProvider(false)
	s.Equal(first, s.sessionUser(), "a returning identity signs in its user")
}

func (s *AppSuite) TestProviderEmailNeverFindsPasswordAccount() {
	owner, err := insertUser(s.T().Context(), s.pool, "alice@example.com")
	s.Require().NoError(err)
	rec := s.signInWithProvider(false)
	s.Equal(http.StatusSeeOther, rec.Code, rec.Body.String())
	s.NotEqual(owner, s.sessionUser(), "a provider's email must not sign in the password account that has it")
}

func (s *AppSuite) TestLinkProviderFromAccount() {
	s.post("/signup", creds("ada@example.com", "correct horse"))
	ada := s.sessionUser()

	rec := s.signInWithProvider(true)
	s.Equal(http.StatusSeeOther, rec.Code, rec.Body.String())
	authtest.AssertSession(s.T(), rec, authtest.Rotated) // a new session: privileges changed
	s.Equal(ada, s.sessionUser(), "linking keeps the user")
	s.Contains(s.get("/account").Body.String(), "oidc:"+s.idp.Issuer())

	s.post("/signout", nil)
	s.signInWithProvider(false)
	s.Equal(ada, s.sessionUser(), "the linked identity signs in ada")

	// The identity is ada's: another user can't link it.
	s.post("/signout", nil)
	s.post("/signup", creds("bob@example.com", "correct horse"))
	rec = s.signInWithProvider(true)
	s.Equal(http.StatusConflict, rec.Code)
	authtest.AssertSession(s.T(), rec, authtest.Untouched)
}

func (s *AppSuite) TestLinkingStartsOnlyFromSameOriginPOST() {
	s.post("/signup", creds("ada@example.com", "correct horse"))
	rec := s.jar.Serve(s.h, authtest.BuildRequest("GET", base+"/auth/oidc/start?link=1").Build(s.T()))
	s.Equal(http.StatusForbidden, rec.Code, "a link a cross-site page could send")
	rec = s.jar.Serve(s.h, authtest.BuildRequest("POST", base+"/auth/oidc/start").CrossSite("https://evil.example").
		WithForm(url.Values{"link": {"1"}}).Build(s.T()))
	s.Equal(http.StatusForbidden, rec.Code, "a form on another site")
	authtest.AssertSession(s.T(), rec, authtest.Untouched)
}

func (s *AppSuite) TestDeletingUserEndsSessions() {
	s.post("/signup", creds("ada@example.com", "correct horse"))
	_, err := s.pool.Exec(s.T().Context(), `DELETE FROM users WHERE email = 'ada@example.com'`)
	s.Require().NoError(err)
	rec := s.get("/account")
	s.Equal("/login", rec.Request.URL.Path, "the session went with its user (ON DELETE CASCADE)")
	authtest.AssertSession(s.T(), rec.Redirects[0], authtest.Cleared)
}

func (s *AppSuite) TestStoreFailureIs503() {
	s.post("/signup", creds("ada@example.com", "correct horse"))
	s.f.Store.FailNext(fakeauth.OpGetSession, 1, nil)
	rec := s.get("/account")
	s.Equal(http.StatusServiceUnavailable, rec.Code, "not a sign-in page")
	authtest.AssertSession(s.T(), rec, authtest.Untouched)
	s.Contains(s.get("/account").Body.String(), "ada@example.com", "the session works again")
}

// passwordTarget describes the app to the scenarios table: each case's
// user signs up through the app's own form.
func passwordTarget() scenarios.Target {
	form := scenarios.Form{Route: "POST /signin", UsernameField: "email", Success: scenarios.RedirectTo("/account")}
	signUp := form
	signUp.Route = "POST /signup"
	return scenarios.Target{
		Routes: []scenarios.Route{
			{Pattern: "GET /account", SignedOut: scenarios.RedirectTo("/login")},
			{Pattern: "GET /{$}", SignedOut: scenarios.PageWithout("Signed in as")},
		},
		SignUp:        &signUp,
		SignIn:        &form,
		SignOut:       &scenarios.SignOut{Route: "POST /signout", Success: scenarios.RedirectTo("/"), NoSession: scenarios.RedirectTo("/")},
		Credentials:   scenarios.Credentials{Username: "ada@example.com", Password: "correct horse battery"},
		UsersBySignUp: true,
	}
}

// migratedPool returns a pool on a schema of t's own, with the app's
// tables and authkit's sessions table in it, and the session store.
func migratedPool(t *testing.T) (*pgxpool.Pool, *pgstore.Sessions) {
	t.Helper()
	pool := pgstoretest.Pool(t)
	sessions, err := pgusers.Migrate(t.Context(), pool)
	if err != nil {
		t.Fatal(err)
	}
	return pool, sessions
}

// TestScenarios runs the standard table. Each case runs in a subtest of
// its own, which gives it a schema (the runner's Target.Handler has no
// testing.TB to clean up with): the app's tables, and authkit's sessions
// behind the case's fake.
func (s *AppSuite) TestScenarios() {
	t := s.T() // the cases run in parallel, after this method returns: never s.T() in them
	for _, c := range scenarios.Standard(passwordTarget()) {
		t.Run(c.Name(), func(t *testing.T) {
			t.Parallel()
			pool, sessions := migratedPool(t)
			target := passwordTarget()
			target.Fake = []fakeauth.Option{fakeauth.WithStore(sessions)}
			target.Handler = func(f *fakeauth.Fake) http.Handler {
				h, err := pgusers.NewHandler(pool, f.Auth, config("", "", nil))
				if err != nil {
					t.Error(err)
				}
				return h
			}
			r := scenarios.Execute(t.Context(), target, c)
			if r.Skipped != "" {
				t.Skip(r.Skipped)
			}
			if !r.Passed() {
				t.Error(r.Report())
			}
		})
	}
}

// TestOIDCScenarios runs the callback table, each case on a schema of its
// own, as TestScenarios does.
func (s *AppSuite) TestOIDCScenarios() {
	t := s.T()
	for _, c := range oidcscenarios.Standard() {
		t.Run(c.Name(), func(t *testing.T) {
			t.Parallel()
			pool, sessions := migratedPool(t)
			target := oidcscenarios.Target{
				NewFake: func() (*fakeauth.Fake, error) { return fakeauth.New(fakeauth.WithStore(sessions)) },
				Handler: func(env *oidcscenarios.Env) (http.Handler, error) {
					return pgusers.NewHandler(pool, env.Fake.Auth, config(env.Provider.Issuer(), env.RedirectURL, env.HTTPClient))
				},
				SeedUser: func(ctx context.Context, _ *oidcscenarios.Env, name string) (string, error) {
					return insertUser(ctx, pool, name+"@example.com")
				},
				UserOf: func(ctx context.Context, env *oidcscenarios.Env, subject string) (string, error) {
					return identityUser(ctx, pool, "oidc:"+strings.TrimSuffix(env.Provider.Issuer(), "/"), subject)
				},
			}
			if r := oidcscenarios.Execute(t.Context(), target, c); !r.Passed() {
				t.Error(r.Report())
			}
		})
	}
}

func TestApp(t *testing.T) {
	suite.Run(t, new(AppSuite))
}

// The session store is authkit's on the app's users table: deleting a
// user row ends its sessions, and CreateSession refuses an unknown user.
func TestMigrateSessionsReferenceUsers(t *testing.T) {
	pool, sessions := migratedPool(t)
	if _, err := pgusers.Migrate(t.Context(), pool); err != nil {
		t.Fatalf("Migrate again: %v", err)
	}
	a, err := auth.New(sessions, auth.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateSession(t.Context(), "12345"); !errors.Is(err, auth.ErrInvalidUser) {
		t.Errorf("CreateSession for no user: %v, want auth.ErrInvalidUser", err)
	}
}
