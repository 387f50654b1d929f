package accountscenarios

import (
	"fmt"
	"net/http"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/fakemail"
)

// A Case is one account scenario: what the app holds (given), what the
// browser does (when), and what must hold after (then). A Case is a
// value; [Standard] returns the table.
type Case struct {
	name              string
	family            string
	given, when, then string
	run               func(*run) error
}

// Name returns the case's name, such as "reset-token-reused".
func (c Case) Name() string { return c.name }

// Family returns the name of the case's family, such as "reuse".
func (c Case) Family() string { return c.family }

// Describe returns the case in one line: given, when, then.
func (c Case) Describe() string {
	return "given " + c.given + "; when " + c.when + "; then " + c.then
}

// afterSeed returns a case's run that seeds acc, then calls check with the
// account's user ID.
func afterSeed(acc Account, check func(r *run, id string) error) func(*run) error {
	return func(r *run) error {
		id, err := r.seed(acc)
		if err != nil {
			return err
		}
		return check(r, id)
	}
}

// afterIssue returns a case's run that seeds the account flow f starts
// from and has the flow's mail sent to it, then calls check with the
// account's user ID and the mail.
func afterIssue(f flow, check func(r *run, id string, m fakemail.Message) error) func(*run) error {
	return func(r *run) error {
		id, m, err := r.seedAndIssue(f)
		if err != nil {
			return err
		}
		return check(r, id, m)
	}
}

// Standard returns the table, family by family: the flows working, token
// reuse, expiry at its last instant and either side of it, tokens of the
// wrong purpose, a token for an address the account no longer has, a
// reset ending every session, enumeration, throttling, store and sender
// faults, and secrets kept out of logs, answers and the store.
func Standard() []Case {
	var cs []Case
	for _, fam := range [][]Case{successCases(), reuseCases(), expiryCases(), purposeCases(), refusalsCases(), addressCases(),
		resetCases(), enumerationCases(), throttleCases(), codeCases(), faultCases(), secretCases()} {
		cs = append(cs, fam...)
	}
	return cs
}

func successCases() []Case {
	var cs []Case
	for _, f := range flows {
		cs = append(cs, Case{name: f.token() + "-redeemed", family: "success",
			given: accountText(f) + " and the " + f.token() + " mailed to it",
			when:  "the link's token is presented", then: "it " + f.what(),
			run: afterIssue(f, func(r *run, id string, m fakemail.Message) error {
				jar := r.browser()
				r.wantRedeemed(f, "redeeming", r.redeem(jar, f, m.Token()), jar, id)
				if f == resetFlow {
					if rec := r.signIn(r.browser(), knownAddress, password); rec.Code != http.StatusUnauthorized {
						r.failf("the old password after the reset: status %d, want 401", rec.Code)
					}
					b := r.browser()
					r.wantSignedIn("the new password after the reset", r.signIn(b, knownAddress, newPassword), b, id)
				}
				return nil
			})})
	}
	cs = append(cs,
		Case{name: "password-sign-in", family: "success", given: "a verified account",
			when: "it signs in with its password", then: "the browser holds a session of the account",
			run: afterSeed(account(resetFlow), func(r *run, id string) error {
				jar := r.browser()
				r.wantSignedIn("signing in", r.signIn(jar, knownAddress, password), jar, id)
				return nil
			})},
		Case{name: "sign-up", family: "success", given: "no account",
			when: "someone signs up, then opens the mailed link", then: "the account exists and its address is verified",
			run: func(r *run) error {
				rec := r.send(r.browser(), http.MethodPost, r.t.Paths.SignUp, map[string]string{r.t.Fields.Email: knownAddress, r.t.Fields.Password: password})
				if !ok2xx3xx(rec.Code) {
					r.failf("signing up: status %d, want 201 or 303", rec.Code)
					return nil
				}
				m, err := r.lastMail(knownAddress)
				if err != nil {
					return err
				}
				r.wantRedeemed(verifyFlow, "verifying the new account", r.redeem(r.browser(), verifyFlow, m.Token()), nil, "")
				return nil
			}},
	)
	return cs
}

func accountText(f flow) string {
	if f == verifyFlow {
		return "an account with an unverified address"
	}
	return "a verified account"
}

func reuseCases() []Case {
	var cs []Case
	for _, f := range flows {
		cs = append(cs, Case{name: f.token() + "-reused", family: "reuse",
			given: accountText(f) + " and the " + f.token() + " mailed to it, redeemed once",
			when:  "the same token is presented a second time, from another browser",
			then:  "it is refused with 400 (single use)",
			run: afterIssue(f, func(r *run, id string, m fakemail.Message) error {
				first := r.browser()
				r.wantRedeemed(f, "the first redemption", r.redeem(first, f, m.Token()), first, id)
				second := r.browser()
				r.wantRefusedAgain(f, "the second redemption", r.redeem(second, f, m.Token()), second)
				return nil
			})})
	}
	return cs
}

// wantRefusedAgain is wantRefused after a redemption that succeeded: the
// address is verified by then, so only the status and the session tell.
func (r *run) wantRefusedAgain(f flow, what string, rec *authtest.Recorder, jar *authtest.Jar) {
	if rec.Code != http.StatusBadRequest {
		r.failf("%s: status %d, want 400 (token refused)", what, rec.Code)
	}
	if got := r.sessionOf(jar); f == signInFlow && got != "" {
		r.failf("%s: a used token signed the browser in as %q", what, got)
	}
}

func expiryCases() []Case {
	var cs []Case
	for _, f := range flows {
		for _, off := range []struct {
			suffix string
			d      time.Duration
			alive  bool
		}{{"-1ns", -1, true}, {"", 0, true}, {"+1ns", 1, false}} {
			then := "it is accepted (a token lives through its last instant)"
			if !off.alive {
				then = "it is refused with 400"
			}
			cs = append(cs, Case{name: f.token() + "-at-expiry" + off.suffix, family: "expiry",
				given: accountText(f) + " and the " + f.token() + " mailed to it",
				when:  fmt.Sprintf("the clock is moved to the mail's time + the Target's TTL %s and the token is presented", durText(off.d)),
				then:  then,
				run: afterIssue(f, func(r *run, id string, m fakemail.Message) error {
					r.env.Fake.Clock.Set(m.Sent.Add(r.ttl(f) + off.d))
					jar := r.browser()
					rec := r.redeem(jar, f, m.Token())
					what := fmt.Sprintf("at expiry%s (TTL %s)", off.suffix, r.ttl(f))
					if off.alive {
						r.wantRedeemed(f, what, rec, jar, id)
					} else {
						r.wantRefused(f, what, rec, jar)
					}
					return nil
				})})
		}
	}
	return cs
}

func durText(d time.Duration) string {
	switch {
	case d < 0:
		return "minus " + (-d).String()
	case d > 0:
		return "plus " + d.String()
	}
	return "exactly"
}

func purposeCases() []Case {
	pairs := []struct{ from, at flow }{
		{verifyFlow, resetFlow}, {verifyFlow, signInFlow}, {resetFlow, signInFlow}, {resetFlow, verifyFlow}, {signInFlow, resetFlow},
	}
	var cs []Case
	for _, p := range pairs {
		cs = append(cs, Case{name: p.from.token() + "-at-" + p.at.route(),
			family: "purpose",
			given:  "an account with an unverified address and the " + p.from.token() + " mailed to it",
			when:   "the token is presented where a " + p.at.token() + " is expected",
			then:   "it is refused with 400 (a token is good for its own purpose only)",
			run: afterSeed(Account{Email: knownAddress, Password: password}, func(r *run, _ string) error {
				m, err := r.issue(p.from, knownAddress)
				if err != nil {
					return err
				}
				jar := r.browser()
				r.wantRefused(p.at, "presented at the "+p.at.token()+" route", r.redeem(jar, p.at, m.Token()), jar)
				return nil
			})})
	}
	return cs
}

// refusalsCases check that a refused token answers the same whatever the
// reason (the HTTP contract: one body for all reasons), so that the answer
// tells an attacker nothing about the token.
func refusalsCases() []Case {
	var cs []Case
	for _, f := range flows {
		other := resetFlow
		if f == resetFlow {
			other = signInFlow
		}
		cs = append(cs, Case{name: f.token() + "-refusals-alike", family: "purpose",
			given: accountText(f),
			when:  "a used, an expired, a malformed and a " + other.token() + " are presented at the " + f.route(),
			then:  "each is refused with 400 and the same body",
			run: afterIssue(f, func(r *run, id string, m fakemail.Message) error {
				answers := map[string]*authtest.Recorder{}
				r.env.Fake.Clock.Set(m.Sent.Add(r.ttl(f) + 1))
				answers["expired"] = r.redeem(r.browser(), f, m.Token())
				answers["malformed"] = r.redeem(r.browser(), f, "not-a-token")
				otherMail, err := r.issue(other, knownAddress)
				if err != nil {
					return err
				}
				answers["of another purpose"] = r.redeem(r.browser(), f, otherMail.Token())
				live, err := r.issue(f, knownAddress)
				if err != nil {
					return err
				}
				jar := r.browser()
				r.wantRedeemed(f, "a live token", r.redeem(jar, f, live.Token()), jar, id)
				answers["used"] = r.redeem(r.browser(), f, live.Token())
				used := answers["used"]
				for _, why := range []string{"used", "expired", "malformed", "of another purpose"} {
					a := answers[why]
					if a.Code != http.StatusBadRequest {
						r.failf("a %s token: status %d, want 400", why, a.Code)
					} else if a.Body.String() != used.Body.String() {
						r.failf("a %s token answers another body than a used one (the reasons must look alike):\n-used %q\n+%s %q", why, used.Body.String(), why, a.Body.String())
					}
				}
				return nil
			})})
	}
	return cs
}

func addressCases() []Case {
	return []Case{{name: "verify-token-for-old-address", family: "address",
		given: "an account with an unverified address, mailed a verification link, whose address then changes",
		when:  "the link sent to the old address is opened",
		then:  "the new address is not verified (a token confirms the address it was sent to, and no other)",
		run: func(r *run) error {
			if r.t.ChangeAddress == nil || r.t.IsVerified == nil {
				return notExpressible("Target.ChangeAddress or Target.IsVerified is nil")
			}
			id, m, err := r.seedAndIssue(verifyFlow)
			if err != nil {
				return err
			}
			if err := r.t.ChangeAddress(r.ctx, r.env, id, otherAddress); err != nil {
				return fmt.Errorf("changing the address: %w", err)
			}
			rec := r.redeem(r.browser(), verifyFlow, m.Token())
			if v, err := r.t.IsVerified(r.ctx, r.env, otherAddress); err != nil || v {
				r.failf("the token sent to %s verified the new address %s (status %d, err %v)", knownAddress, otherAddress, rec.Code, err)
			}
			return nil
		}}}
}

func resetCases() []Case {
	return []Case{
		{name: "reset-ends-every-session", family: "reset",
			given: "a verified account signed in on two devices",
			when:  "its password is reset by the mailed link",
			then:  "both sessions are refused (OWASP Forgot Password Cheat Sheet)",
			run: afterSeed(account(resetFlow), func(r *run, id string) error {
				var devices []*auth.Session
				for range 2 {
					s, err := r.env.Fake.SeedSession(r.ctx, id, fakeauth.Active)
					if err != nil {
						return err
					}
					devices = append(devices, s)
				}
				for i, s := range devices {
					if code := r.sessionRoute(s); code >= 0 && !ok2xx3xx(code) {
						return fmt.Errorf("device %d: %s answers %d before the reset, want 2xx", i+1, r.t.SessionPath, code)
					}
				}
				m, err := r.issue(resetFlow, knownAddress)
				if err != nil {
					return err
				}
				r.wantRedeemed(resetFlow, "the reset", r.redeem(r.browser(), resetFlow, m.Token()), nil, id)
				for i, s := range devices {
					if r.validSession(s) {
						r.failf("the session on device %d still validates after the reset", i+1)
					}
					if code := r.sessionRoute(s); code >= 0 && ok2xx3xx(code) {
						r.failf("the session on device %d still opens %s after the reset (status %d)", i+1, r.t.SessionPath, code)
					}
				}
				return nil
			})},
		{name: "reset-weak-password-keeps-token", family: "reset",
			given: "a verified account and the reset link mailed to it",
			when:  "a weak password is posted with the token, then a strong one",
			then:  "the first is refused with 400 and the token still works for the second",
			run: afterIssue(resetFlow, func(r *run, id string, m fakemail.Message) error {
				rec := r.send(r.browser(), http.MethodPost, r.t.Paths.Reset, map[string]string{r.t.Fields.Token: m.Token(), r.t.Fields.Password: weakPassword})
				if rec.Code != http.StatusBadRequest {
					r.failf("a weak password: status %d, want 400", rec.Code)
				}
				r.wantRedeemed(resetFlow, "a strong password after a weak one", r.redeem(r.browser(), resetFlow, m.Token()), nil, id)
				return nil
			})},
		{name: "reset-link-ignores-host-header", family: "reset",
			given: "a verified account",
			when:  "a reset is requested as usual, then with the Host header (and Origin) of another site",
			then:  "the mailed link, if any, starts with the Target's BaseURL (OWASP Forgot Password Cheat Sheet: not based on the Host header)",
			run: afterSeed(account(resetFlow), func(r *run, _ string) error {
				// First as the app's own page sends it: the flow must work.
				if _, err := r.issue(resetFlow, knownAddress); err != nil {
					return err
				}
				r.sendTo(r.browser(), http.MethodPost, "https://attacker.example", r.t.Paths.RequestReset, map[string]string{r.t.Fields.Email: knownAddress})
				for _, m := range r.out.To(knownAddress) {
					r.keep(m)
					if l := m.Link(); l != "" && !hasPrefix(l, r.t.BaseURL+"/") {
						r.failf("the mailed link %q is not on the base URL %s: it follows the Host header", l, r.t.BaseURL)
					}
				}
				return nil
			})},
	}
}

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }

// sessionRoute opens Target.SessionPath with the session; -1 without one.
func (r *run) sessionRoute(s *auth.Session) int {
	if r.t.SessionPath == "" {
		return -1
	}
	jar := r.browser()
	jar.SetSession(r.env.Fake.Auth, s)
	return r.send(jar, http.MethodGet, r.t.SessionPath, nil).Code
}

func enumerationCases() []Case {
	var cs []Case
	for _, f := range flows {
		cs = append(cs, Case{name: f.request() + "-enumeration", family: "enumeration",
			given: accountText(f),
			when:  "its address and an unknown one each request the " + f.token() + " mail",
			then:  "both answers have the same status, the same body byte for byte and the same headers (Date aside)",
			run: afterSeed(account(f), func(r *run, _ string) error {
				known := r.request(r.browser(), f, knownAddress)
				unknown := r.request(r.browser(), f, unknownAddress)
				if !ok2xx3xx(known.Code) {
					r.failf("%s for a known address: status %d, want 202", f.request(), known.Code)
				}
				r.compare(f.request(), known, unknown)
				return nil
			})})
	}
	cs = append(cs,
		Case{name: "password-sign-in-enumeration", family: "enumeration",
			given: "a verified account",
			when:  "it signs in with a wrong password, and an unknown address signs in",
			then:  "both are refused with 401, the same body and the same headers",
			run: afterSeed(account(resetFlow), func(r *run, _ string) error {
				known := r.signIn(r.browser(), knownAddress, "not the password")
				unknown := r.signIn(r.browser(), unknownAddress, "not the password")
				if known.Code != http.StatusUnauthorized {
					r.failf("a wrong password: status %d, want 401", known.Code)
				}
				r.compare("password sign-in", known, unknown)
				return nil
			})},
		Case{name: "sign-up-duplicate-enumeration", family: "enumeration",
			given: "a verified account",
			when:  "someone signs up with its address, and with a new one",
			then:  "both answers are the same, and the owner is mailed",
			run: afterSeed(account(resetFlow), func(r *run, _ string) error {
				fields := func(addr string) map[string]string {
					return map[string]string{r.t.Fields.Email: addr, r.t.Fields.Password: password}
				}
				known := r.send(r.browser(), http.MethodPost, r.t.Paths.SignUp, fields(knownAddress))
				unknown := r.send(r.browser(), http.MethodPost, r.t.Paths.SignUp, fields(unknownAddress))
				if !ok2xx3xx(unknown.Code) {
					r.failf("signing up a new address: status %d, want 201 or 303", unknown.Code)
				}
				r.compare("sign-up", known, unknown)
				if len(r.out.To(knownAddress)) == 0 {
					r.failf("the owner of %s was not mailed about the sign-up attempt", knownAddress)
				}
				return nil
			})},
	)
	return cs
}
