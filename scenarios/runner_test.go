package scenarios_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/scenarios"
)

// counting returns the APIHandler target with its handler builds counted,
// and each build checking that the case's session is already seeded.
func counting(builds *atomic.Int64, seeded *atomic.Int64) scenarios.Target {
	t := authkitTarget()
	next := t.Handler
	t.Handler = func(f *fakeauth.Fake) http.Handler {
		builds.Add(1)
		if ss, err := f.Auth.UserSessions(context.Background(), scenarios.CaseUser().Username); err == nil && len(ss) > 0 {
			seeded.Add(1)
		}
		return next(f)
	}
	return t
}

func TestRunnerBuildsAHandlerPerCaseAfterSeeding(t *testing.T) {
	var builds, seeded atomic.Int64
	r := scenarios.NewRunner(counting(&builds, &seeded))
	for range 5 {
		res := r.Execute(t.Context(), scenarios.Active().Request("GET", "/api/auth/user"))
		require.True(t, res.Passed(), res.Report())
	}
	assert.EqualValues(t, 5, builds.Load(), "a new handler for each case")
	assert.EqualValues(t, 5, seeded.Load(), "each built after its case's session was seeded")

	builds.Store(0)
	target := counting(&builds, &seeded)
	target.ReuseHandler = true
	r = scenarios.NewRunner(target)
	for range 5 {
		res := r.Execute(t.Context(), scenarios.Active().Request("GET", "/api/auth/user"))
		require.True(t, res.Passed(), res.Report())
	}
	assert.Less(t, builds.Load(), int64(5), "ReuseHandler reuses handlers")
}

// A handler's own state stays in its case: each case counts its requests
// from zero, and no case sends more than 17 (16 at once, or a retry).
func TestRunnerIsolatesHandlerState(t *testing.T) {
	target := authkitTarget()
	target.Handler = func(f *fakeauth.Fake) http.Handler {
		var seen atomic.Int64
		next := authkitTarget().Handler(f)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if seen.Add(1) > 17 {
				http.Error(w, "state leaked from another case", http.StatusInternalServerError)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	scenarios.Run(t, target)
}

type ctxKey struct{}

func TestRequestsCarryTheGivenContext(t *testing.T) {
	target := authkitTarget()
	target.Handler = func(f *fakeauth.Fake) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Context().Value(ctxKey{}) != "mine" {
				http.Error(w, "another context", http.StatusInternalServerError)
			}
		})
	}
	ctx := context.WithValue(t.Context(), ctxKey{}, "mine")
	res := scenarios.Execute(ctx, target, scenarios.New("ctx").WantStatus(http.StatusOK))
	assert.True(t, res.Passed(), res.Report())
}

func TestRouteMethods(t *testing.T) {
	assert.Equal(t, []string{"GET"}, scenarios.Route{Pattern: "GET /profile"}.Methods())
	assert.Equal(t, []string{"POST"}, scenarios.Route{Pattern: "POST example.com/settings"}.Methods())
	assert.Equal(t, []string{"GET", "POST", "PUT", "PATCH", "DELETE"}, scenarios.Route{Pattern: "/api/session"}.Methods())
	for _, c := range scenarios.Standard(scenarios.Target{Routes: []scenarios.Route{
		{Pattern: "GET /items/{id}", Path: "/items/7"}, {Pattern: "POST example.com/settings"}, {Pattern: "GET /{$}"},
	}}) {
		d := c.Describe()
		assert.NotContains(t, d, "{", "%s: a pattern, not a path", c.Name())
		assert.NotContains(t, d, "example.com/settings", c.Name())
	}
}

func TestUsersBySignUpNeedsASignUpRoute(t *testing.T) {
	target := authkitTarget()
	target.UsersBySignUp = true
	res := scenarios.Execute(t.Context(), target, scenarios.Active())
	require.False(t, res.Passed())
	assert.Contains(t, res.Report(), "UsersBySignUp needs a SignUp route")
}

// A page route is signed in only when it shows the user.
func TestPageWithoutTheUser(t *testing.T) {
	target := scenarios.Target{
		Handler: func(f *fakeauth.Fake) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hello, stranger")) })
		},
		Routes: []scenarios.Route{{Pattern: "GET /{$}", SignedOut: scenarios.PageWithout("ada")}},
	}
	res := scenarios.Execute(t.Context(), target, scenarios.Active().WantValidations(-1).WantSignedIn(scenarios.PageWithout("ada")))
	require.False(t, res.Passed())
	assert.Contains(t, res.Report(), `the signed-in page lacks "ada"`)
}

// Target.User makes each case's user as the app does; the session
// belongs to the ID it returns.
func TestTargetUserMakesTheCaseUser(t *testing.T) {
	var made atomic.Int64
	target := authkitTarget()
	target.User = func(ctx context.Context, f *fakeauth.Fake, c scenarios.Credentials) (string, error) {
		made.Add(1)
		assert.Equal(t, scenarios.CaseUser(), c)
		return "app-7", nil // a row of the app's own table, unknown to the fake
	}
	res := scenarios.Execute(t.Context(), target, scenarios.Active().Request("GET", "/probe").
		WantAnswer(scenarios.Answer{Status: scenarios.StatusCode(http.StatusOK), Contains: `"user_id":"app-7"`}))
	assert.True(t, res.Passed(), res.Report())
	assert.EqualValues(t, 1, made.Load())
}
