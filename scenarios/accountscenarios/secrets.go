package accountscenarios

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
)

// tour runs every flow once, keeping each mail's token and code: a
// verification, a reset, a sign-in by link and, when the app sends codes,
// a sign-in by code. dump is called while each token is live and after
// it is redeemed.
func (r *run) tour(dump func(when string) error) error {
	if _, err := r.seed(Account{Email: unknownAddress, Password: password}); err != nil {
		return err
	}
	if _, err := r.seed(account(resetFlow)); err != nil {
		return err
	}
	steps := []struct {
		f    flow
		addr string
	}{{verifyFlow, unknownAddress}, {resetFlow, knownAddress}, {signInFlow, knownAddress}}
	for _, s := range steps {
		m, err := r.issue(s.f, s.addr)
		if err != nil {
			return err
		}
		if err := dump("with a live " + s.f.token()); err != nil {
			return err
		}
		if s.f == resetFlow && m.Code() != "" {
			// A wrong code first: an app may log or keep what it compares.
			r.send(r.browser(), http.MethodPost, r.t.Paths.Reset, map[string]string{r.t.Fields.Email: s.addr, r.t.Fields.Code: wrongCode(m.Code()), r.t.Fields.Password: newPassword})
		}
		r.redeem(r.browser(), s.f, m.Token())
		if err := dump("after redeeming a " + s.f.token()); err != nil {
			return err
		}
	}
	if r.t.Codes {
		m, err := r.issue(signInFlow, knownAddress)
		if err != nil {
			return err
		}
		if err := dump("with a live sign-in code"); err != nil {
			return err
		}
		r.signInCode(r.browser(), knownAddress, m.Code())
	}
	if len(r.secrets) == 0 {
		return fmt.Errorf("the tour's mails carried no token or code")
	}
	return nil
}

// noSecretIn fails the case when data holds a link token or code the
// app mailed. where names the place; shown is what the report shows of it.
func (r *run) noSecretIn(where string, data []byte, shown string) {
	var kinds []string
	for _, s := range r.secrets {
		if bytes.Contains(data, []byte(s.value)) {
			kinds = append(kinds, s.kind)
		}
	}
	if len(kinds) > 0 {
		r.failf("%s holds a %s in clear: %s", where, strings.Join(kinds, " and a "), shown)
	}
}

// afterTour returns a case's run that runs every flow once ([run.tour]),
// then calls check.
func afterTour(check func(r *run)) func(*run) error {
	return func(r *run) error {
		if err := r.tour(func(string) error { return nil }); err != nil {
			return err
		}
		check(r)
		return nil
	}
}

func secretCases() []Case {
	return []Case{
		{name: "secrets-not-in-log", family: "secrets",
			given: "the app logging to Env.Logger",
			when:  "every flow runs once (a verification, a reset with a wrong code first, a sign-in by link and by code)",
			then:  "no link token or code appears in the log",
			run: afterTour(func(r *run) {
				r.noSecretIn("the app's log", []byte(r.log.String()), r.log.String())
			})},
		{name: "secrets-not-in-responses", family: "secrets",
			given: "an app answering JSON",
			when:  "every flow runs once",
			then:  "no response body or header holds a link token or code (only the mail does)",
			run: afterTour(func(r *run) {
				for _, rec := range r.answers {
					var all bytes.Buffer
					rec.Header().Write(&all)
					all.Write(rec.Body.Bytes())
					r.noSecretIn("the response to "+rec.Request.Method+" "+rec.Request.URL.Path, all.Bytes(), snippet(all.String()))
				}
			})},
		{name: "secrets-not-at-rest", family: "secrets",
			given: "the app's store, as Target.DumpStore shows it",
			when:  "every flow runs once, the store dumped while each token is live and after",
			then: "no dump holds a link token or code in clear; this is how a code compared in variable time " +
				"is caught: such an app keeps it in clear to compare with == (a timing measurement over HTTP would be flaky)",
			run: func(r *run) error {
				if r.t.DumpStore == nil {
					return notExpressible("Target.DumpStore is nil")
				}
				return r.tour(func(when string) error {
					data, err := r.t.DumpStore(r.ctx, r.env)
					if err != nil {
						return fmt.Errorf("dumping the store %s: %w", when, err)
					}
					r.noSecretIn("the store "+when, data, snippet(string(data)))
					return nil
				})
			}},
	}
}
