package accountscenarios

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/authkit-dev/authkit/fakemail"
)

// wantThrottled sends attempts until past limit: the first N must not be
// 429, the next must be 429 with a Retry-After of whole seconds within the
// window; it returns that Retry-After.
func (r *run) wantThrottled(what string, l Limit, attempt func() int) (time.Duration, bool) {
	for i := 1; i <= l.N; i++ {
		if code := attempt(); code == http.StatusTooManyRequests {
			r.failf("%s: attempt %d of the claimed %d was refused with 429", what, i, l.N)
			return 0, false
		}
	}
	code := attempt()
	if code != http.StatusTooManyRequests {
		r.failf("%s: attempt %d (past the claimed %d in %s): status %d, want 429", what, l.N+1, l.N, l.Window, code)
		return 0, false
	}
	last := r.answers[len(r.answers)-1]
	ra := last.Header().Get("Retry-After")
	secs, err := strconv.Atoi(ra)
	maxSecs := int((l.Window+time.Second-1)/time.Second) + 1
	if err != nil || secs < 1 || secs > maxSecs {
		r.failf("%s: the 429's Retry-After is %q, want whole seconds from 1 to %d (RFC 9110 §10.2.3)", what, ra, maxSecs)
		return 0, false
	}
	return time.Duration(secs) * time.Second, true
}

// withLimit returns a case's run that calls check with the limit pick
// chooses of the Target's Limits. A Target that claims none (named
// what) can't express the case.
func withLimit(what string, pick func(Limits) Limit, check func(r *run, l Limit) error) func(*run) error {
	return func(r *run) error {
		l := pick(r.t.Limits)
		if l.N <= 0 || l.Window <= 0 {
			return notExpressible("the Target claims no %s", what)
		}
		return check(r, l)
	}
}

func throttleCases() []Case {
	cs := []Case{{name: "password-sign-in-throttled", family: "throttle",
		given: "a verified account and the Target's claimed sign-in limit of N in a window",
		when:  "N wrong passwords are sent, then one more, then the right one exactly Retry-After seconds later",
		then:  "the N+1th is refused with 429 and a Retry-After, and the right password signs in then (RFC 9110 §10.2.3: the wait the client is told is enough)",
		run: withLimit("sign-in limit (Target.Limits.SignIn)", func(ls Limits) Limit { return ls.SignIn }, func(r *run, l Limit) error {
			id, err := r.seed(account(resetFlow))
			if err != nil {
				return err
			}
			wait, ok := r.wantThrottled("wrong passwords", l, func() int { return r.signIn(r.browser(), knownAddress, "not the password").Code })
			if !ok {
				return nil
			}
			jar := r.browser()
			if rec := r.signIn(jar, knownAddress, password); rec.Code != http.StatusTooManyRequests || r.sessionOf(jar) != "" {
				r.failf("the right password while throttled: status %d, session of %q; want 429 and no session", rec.Code, r.sessionOf(jar))
			}
			r.env.Fake.Clock.Advance(wait)
			jar = r.browser()
			r.wantSignedIn(fmt.Sprintf("the right password %s after the 429 (its Retry-After)", wait), r.signIn(jar, knownAddress, password), jar, id)
			return nil
		})}}
	cs = append(cs, codeThrottleCase())
	for _, f := range flows {
		cs = append(cs, Case{name: f.request() + "-throttled", family: "throttle",
			given: accountText(f) + " and the Target's claimed mail request limit of N in a window",
			when:  "N " + f.token() + " mails are requested for its address, then one more, then another exactly Retry-After seconds later",
			then:  "the N+1th is refused with 429 and a Retry-After, and the request is accepted then (RFC 9110 §10.2.3: the wait the client is told is enough)",
			run: withLimit("mail request limit (Target.Limits.EmailRequest)", func(ls Limits) Limit { return ls.EmailRequest }, func(r *run, l Limit) error {
				if _, err := r.seed(account(f)); err != nil {
					return err
				}
				wait, ok := r.wantThrottled(f.request(), l, func() int { return r.request(r.browser(), f, knownAddress).Code })
				if !ok {
					return nil
				}
				r.env.Fake.Clock.Advance(wait)
				if rec := r.request(r.browser(), f, knownAddress); !ok2xx3xx(rec.Code) {
					r.failf("a request %s after the 429 (its Retry-After): status %d, want 202", wait, rec.Code)
				}
				return nil
			})})
	}
	return cs
}

// codeThrottleCase checks Limits.Code: wrong codes from one client,
// spread over as many accounts as it takes for no token to burn, until
// one past the limit.
func codeThrottleCase() Case {
	return Case{name: "sign-in-code-throttled", family: "throttle",
		given: "the Target's claimed code limit of N in a window, and accounts mailed sign-in codes",
		when:  "N wrong codes are sent from one client, spread over accounts so that no token burns, then one more, then a right code exactly Retry-After seconds later",
		then:  "the N+1th is refused with 429 and a Retry-After, and the right code signs in then (RFC 9110 §10.2.3: the wait the client is told is enough)",
		run: withLimit("code limit (Target.Limits.Code)", func(ls Limits) Limit { return ls.Code }, func(r *run, l Limit) error {
			if !r.t.Codes {
				return notExpressible("the Target's mails carry no codes (Target.Codes)")
			}
			per := max(r.t.MaxCodeAttempts-1, 1)
			var addr, code string
			used, accounts := per, 0
			var setupErr error
			next := func() (string, string, string, error) {
				accounts++
				a := fmt.Sprintf("user%d@example.com", accounts)
				id, err := r.seed(Account{Email: a, Password: password, Verified: true})
				if err != nil {
					return "", "", "", err
				}
				m, err := r.issue(signInFlow, a)
				if err == nil && m.Code() == "" {
					err = fmt.Errorf("the sign-in mail has no code: %q", snippet(m.Text))
				}
				return a, id, m.Code(), err
			}
			wait, ok := r.wantThrottled("wrong codes", l, func() int {
				if setupErr != nil {
					return 0
				}
				if used == per {
					if addr, _, code, setupErr = next(); setupErr != nil {
						return 0
					}
					used = 0
				}
				used++
				return r.signInCode(r.browser(), addr, wrongCode(code)).Code
			})
			if setupErr != nil {
				return setupErr
			}
			if !ok {
				return nil
			}
			r.env.Fake.Clock.Advance(wait)
			a, id, code, err := next()
			if err != nil {
				return fmt.Errorf("after the 429: %w", err)
			}
			jar := r.browser()
			r.wantSignedIn(fmt.Sprintf("a right code %s after the 429 (its Retry-After)", wait), r.signInCode(jar, a, code), jar, id)
			return nil
		})}
}

// afterCode returns a case's run that seeds a verified account and has
// a sign-in mail sent to it, then calls check with the account's user ID
// and the mail's code. A Target whose mails carry no codes can't express
// the case.
func afterCode(check func(r *run, id, code string) error) func(*run) error {
	issued := afterIssue(signInFlow, func(r *run, id string, m fakemail.Message) error {
		if m.Code() == "" {
			return fmt.Errorf("the sign-in mail has no code of 6 to 8 digits: %q", snippet(m.Text))
		}
		return check(r, id, m.Code())
	})
	return func(r *run) error {
		if !r.t.Codes {
			return notExpressible("the Target's mails carry no codes (Target.Codes)")
		}
		return issued(r)
	}
}

func codeCases() []Case {
	return []Case{
		{name: "sign-in-code-redeemed", family: "code",
			given: "a verified account and the sign-in code mailed to it",
			when:  "the address and the code are posted", then: "the browser is signed in",
			run: afterCode(func(r *run, id, code string) error {
				jar := r.browser()
				r.wantSignedIn("the code", r.signInCode(jar, knownAddress, code), jar, id)
				return nil
			})},
		{name: "sign-in-code-reused", family: "reuse",
			given: "a verified account and the sign-in code mailed to it, redeemed once",
			when:  "the same code is posted again from another browser", then: "it is refused with 400",
			run: afterCode(func(r *run, _, code string) error {
				r.signInCode(r.browser(), knownAddress, code)
				jar := r.browser()
				if rec := r.signInCode(jar, knownAddress, code); rec.Code != http.StatusBadRequest || r.sessionOf(jar) != "" {
					r.failf("the second use of the code: status %d, session of %q; want 400 and no session", rec.Code, r.sessionOf(jar))
				}
				return nil
			})},
		{name: "sign-in-code-after-wrong-codes", family: "code",
			given: "a verified account and the sign-in code mailed to it",
			when:  "MaxCodeAttempts-1 wrong codes are posted, then the right one", then: "the right one signs in",
			run: afterCode(func(r *run, id, code string) error {
				for range r.t.MaxCodeAttempts - 1 {
					r.signInCode(r.browser(), knownAddress, wrongCode(code))
				}
				jar := r.browser()
				r.wantSignedIn(fmt.Sprintf("the right code after %d wrong ones", r.t.MaxCodeAttempts-1), r.signInCode(jar, knownAddress, code), jar, id)
				return nil
			})},
		{name: "sign-in-code-burned", family: "code",
			given: "a verified account and the sign-in code mailed to it",
			when:  "MaxCodeAttempts wrong codes are posted, then the right one",
			then:  "every wrong one is refused and so is the right one: the token is burned",
			run: afterCode(func(r *run, _, code string) error {
				for i := range r.t.MaxCodeAttempts {
					if rec := r.signInCode(r.browser(), knownAddress, wrongCode(code)); ok2xx3xx(rec.Code) {
						r.failf("wrong code %d: status %d, want refused", i+1, rec.Code)
					}
				}
				jar := r.browser()
				if rec := r.signInCode(jar, knownAddress, code); ok2xx3xx(rec.Code) || r.sessionOf(jar) != "" {
					r.failf("the right code after %d wrong ones: status %d, session of %q; want refused (the token burned)", r.t.MaxCodeAttempts, rec.Code, r.sessionOf(jar))
				}
				return nil
			})},
	}
}
