//go:build lab

package playground

import (
	"context"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/scenarios"
)

// LabTarget is the scenario lab's target: the playground's app part (App)
// on each case's own fake, configured as the live server is (development
// cookies), described as it is routed: /api/auth/user (GET) and
// /api/session (every method) read the session, and sign-up, sign-in
// and sign-out are /api/signup, /api/login (JSON) and /api/auth/logout.
func LabTarget() scenarios.Target {
	signIn := scenarios.Form{Route: "POST " + LoginPath, JSON: true, Success: scenarios.OK()}
	signUp := signIn
	signUp.Route = "POST " + SignupPath
	return scenarios.Target{
		Handler: func(f *fakeauth.Fake) http.Handler { return App(f.Auth) },
		Routes: []scenarios.Route{
			scenarios.APIUser(UserPath),
			{Pattern: SessionPath, SignedOut: scenarios.Unauthorized()},
			// Behind authrequest.RequireSession and RequireSessionAPI.
			{Pattern: "GET " + AccountPath, SignedOut: scenarios.RedirectTo(SignInPagePath)},
			{Pattern: "GET " + AccountAPIPath, SignedOut: scenarios.Unauthorized()},
		},
		SignUp:        &signUp,
		SignIn:        &signIn,
		SignOut:       scenarios.APISignOut(LogoutPath),
		SignOutOthers: "POST " + SignOutOthersPath,
		Fake:          []fakeauth.Option{fakeauth.WithConfig(auth.Config{Cookie: auth.CookieConfig{Insecure: true}})},
	}
}

// The scenario lab runs the test kit (scenarios, authtest), so it is built
// only with the "lab" build tag: the playground's default binary links no
// test package. nolab.go is the page without it.

// lab runs the standard scenarios against LabTarget. Each case runs on a
// fake of its own, never on the live one, so running the lab changes
// nothing a visitor sees.
type lab struct {
	runner *scenarios.Runner
	// busy lets one run at a time use the CPU: a table is a burst of work,
	// and reloading the page should not pile them up.
	busy chan struct{}
}

func newLab() *lab {
	return &lab{runner: scenarios.NewRunner(LabTarget()), busy: make(chan struct{}, 1)}
}

// run executes every case of scenarios.Standard, a few at a time, and
// returns the results in the table's order.
func (l *lab) run(ctx context.Context) ([]scenarios.Result, error) {
	select {
	case l.busy <- struct{}{}:
		defer func() { <-l.busy }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	cases := scenarios.Standard(LabTarget())
	results := make([]scenarios.Result, len(cases))
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = l.runner.Execute(ctx, cases[i])
			}
		}()
	}
	var err error
feed:
	for i := range cases {
		select {
		case next <- i:
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(next)
	wg.Wait()
	return results, err
}

// labResult is a result with its case described on this target.
type labResult struct {
	scenarios.Result
	Description string
	// Timeline is the case's cookie timeline (Result.Transcript) as the
	// lab shows it: see labTimeline.
	Timeline string
}

// labTimeline is a case's cookie timeline with its seeding named for what
// it is. A case that starts with a session has it seeded by the runner,
// which hands the cookie to the jar (authtest.Jar.SetCookies) without a
// request; authtest records that step as "(method unknown)" with
// "status: (unknown)". No method or status exists to show, so the lab
// says "seeded (no request)" and leaves the status out; every request's
// own method and status are shown as recorded.
func labTimeline(transcript string) string {
	const unknown = "(method unknown) "
	lines := strings.Split(transcript, "\n")
	out := lines[:0]
	seeded := false
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, unknown):
			seeded = true
			l = "seeded (no request) " + strings.TrimPrefix(l, unknown)
		case l != "" && !strings.HasPrefix(l, " "):
			seeded = false // the next exchange
		case seeded && slices.Equal(strings.Fields(l), []string{"status:", "(unknown)"}):
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// describe is the case's description with the placeholders of a
// described target ("<target path>", "<logout>") replaced by the path
// the case was sent to.
func describe(res scenarios.Result) string {
	d := res.Case.Describe()
	_, target, _ := strings.Cut(res.Request, " ")
	path := target
	if u, err := url.Parse(target); err == nil && u.Path != "" {
		path = u.Path
	}
	if path == "" {
		path = SessionPath
	}
	return strings.NewReplacer("<target path>", path, "<logout>", path).Replace(d)
}

func (s *Server) labPage(w http.ResponseWriter, r *http.Request) {
	results, err := s.lab.run(r.Context())
	var v labView
	if err != nil {
		v.Error = "the run was cut short: " + err.Error()
	}
	for _, res := range results {
		switch {
		case res.Case.Name() == "":
			continue // not run: the request was cancelled
		case res.Skipped != "":
			v.Skipped++
		case res.Passed():
			v.Passed++
		default:
			v.Failed++
		}
		v.Results = append(v.Results, labResult{Result: res, Description: describe(res), Timeline: labTimeline(res.Transcript())})
	}
	s.render(w, r, http.StatusOK, "lab.html", v)
}
