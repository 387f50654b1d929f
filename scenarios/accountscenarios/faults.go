package accountscenarios

import (
	"errors"
	"fmt"
	"net/http"
)

func faultCases() []Case {
	var cs []Case
	for _, f := range flows {
		cs = append(cs,
			Case{name: f.request() + "-store-fault", family: "fault",
				given: accountText(f) + " and a store that fails the next token write",
				when:  "the " + f.token() + " mail is requested, then requested again",
				then:  "the first answers 503 and mails nothing; the second works",
				run: func(r *run) error {
					if r.t.FailTokenWrite == nil {
						return notExpressible("Target.FailTokenWrite is nil")
					}
					id, err := r.seed(account(f))
					if err != nil {
						return err
					}
					if err := r.t.FailTokenWrite(r.env); err != nil {
						return fmt.Errorf("failing the token write: %w", err)
					}
					if rec := r.request(r.browser(), f, knownAddress); rec.Code != http.StatusServiceUnavailable {
						r.failf("with the token write failing: status %d, want 503", rec.Code)
					}
					if sent, refused := r.out.count(); sent+refused != 0 {
						r.failf("with the token write failing, %d message(s) were sent and %d refused, want none", sent, refused)
					}
					m, err := r.issue(f, knownAddress)
					if err != nil {
						return fmt.Errorf("after the fault: %w", err)
					}
					jar := r.browser()
					r.wantRedeemed(f, "the token issued after the fault", r.redeem(jar, f, m.Token()), jar, id)
					return nil
				}},
			Case{name: f.request() + "-sender-fault", family: "fault",
				given: accountText(f) + " and a mail sender that is down",
				when:  "the " + f.token() + " mail is requested for its address and an unknown one, then the token of the undelivered mail is presented",
				then:  "both requests answer 503 with the same body, and the undelivered token is refused",
				run: func(r *run) error {
					if _, err := r.seed(account(f)); err != nil {
						return err
					}
					r.out.setDown(true)
					known := r.request(r.browser(), f, knownAddress)
					unknown := r.request(r.browser(), f, unknownAddress)
					r.out.setDown(false)
					if known.Code != http.StatusServiceUnavailable {
						r.failf("with the sender down: status %d, want 503", known.Code)
					}
					r.compare("with the sender down", known, unknown)
					lost := r.out.refusedTo(knownAddress)
					if len(lost) == 0 {
						r.failf("with the sender down the app tried no message to %s", knownAddress)
						return nil
					}
					m := lost[len(lost)-1]
					r.keep(m)
					if m.Token() == "" {
						return errors.New("the undelivered message has no token")
					}
					jar := r.browser()
					r.wantRefused(f, "the token of the undelivered mail", r.redeem(jar, f, m.Token()), jar)
					return nil
				}},
		)
	}
	return cs
}
