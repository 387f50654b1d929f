package authaccount

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authrequest"
)

// A Limit allows Max attempts per Window; a zero Limit allows any number.
type Limit struct {
	Max    int
	Window time.Duration
}

func (l Limit) off() bool { return l.Max == 0 }

// ThrottlePolicy says how many attempts a client and an account may make.
// Each limit counts in a fixed window that opens with its first attempt,
// in the Auth's store ([auth.Auth.CountAttempt]), so that every app
// server on the store agrees. The trade-off behind the defaults is in the
// package doc (Throttling).
type ThrottlePolicy struct {
	// SignInPerAccountIP limits password sign-ins for one account from
	// one client IP: tight, since it locks out only that pair. A
	// successful sign-in resets it.
	SignInPerAccountIP Limit
	// SignInPerIP limits password sign-ins from one client IP, whatever
	// the accounts: looser, since many people share an address (an
	// office, a carrier's NAT).
	SignInPerIP Limit
	// SignInPerAccount limits password sign-ins for one account from all
	// IPs together: high, so that an attacker can't cheaply lock the
	// owner out, yet a bound on a distributed guessing attack.
	SignInPerAccount Limit
	// CodePerIP limits codes entered (verification, reset, sign-in) from
	// one client IP. Each token also allows only auth.Config's
	// MaxCodeAttempts wrong codes.
	CodePerIP Limit
	// EmailPerAddress limits mail requests (verification, reset, sign-in
	// link) for one address, known or not, so that nobody floods a
	// mailbox.
	EmailPerAddress Limit
	// EmailPerIP limits mail requests from one client IP.
	EmailPerIP Limit
}

// DefaultThrottlePolicy returns the limits [New] applies when Config.Throttle
// is nil: sign-in 5 per 15 minutes per (account, IP), 100 per 15 minutes
// per IP, 500 per hour per account; codes 30 per 15 minutes per IP; mail 5
// per hour per address and 20 per hour per IP.
func DefaultThrottlePolicy() ThrottlePolicy {
	return ThrottlePolicy{
		SignInPerAccountIP: Limit{5, 15 * time.Minute},
		SignInPerIP:        Limit{100, 15 * time.Minute},
		SignInPerAccount:   Limit{500, time.Hour},
		CodePerIP:          Limit{30, 15 * time.Minute},
		EmailPerAddress:    Limit{5, time.Hour},
		EmailPerIP:         Limit{20, time.Hour},
	}
}

func (p ThrottlePolicy) check() error {
	for name, l := range map[string]Limit{
		"SignInPerAccountIP": p.SignInPerAccountIP, "SignInPerIP": p.SignInPerIP, "SignInPerAccount": p.SignInPerAccount,
		"CodePerIP": p.CodePerIP, "EmailPerAddress": p.EmailPerAddress, "EmailPerIP": p.EmailPerIP,
	} {
		if l.Max < 0 || l.Window < 0 || l.Max > 0 && l.Window == 0 {
			return fmt.Errorf("%w: throttle limit %s: %d per %v (want a positive Max and Window, or both zero)", ErrConfig, name, l.Max, l.Window)
		}
	}
	return nil
}

// ThrottledError is the error of a refused attempt. It wraps
// [ErrThrottled].
type ThrottledError struct {
	// Limit names the limit that refused ("SignInPerAccountIP", ...).
	Limit string
	// RetryAfter is how long until the limit's window ends.
	RetryAfter time.Duration
}

// Error says which limit refused and for how long.
func (e *ThrottledError) Error() string {
	return fmt.Sprintf("authaccount: too many attempts (%s); retry in %v", e.Limit, e.RetryAfter)
}

// Unwrap returns [ErrThrottled].
func (e *ThrottledError) Unwrap() error { return ErrThrottled }

// RetryAfterSeconds is the value of a Retry-After header (RFC 9110
// §10.2.3): the fewest whole seconds after which the window is over. A
// window counts until its last instant inclusive ([auth.CounterStore]), so
// a client that waits exactly RetryAfter would still be refused: the answer
// is RetryAfter in whole seconds, rounded down, plus one.
func (e *ThrottledError) RetryAfterSeconds() int {
	return int(max(e.RetryAfter, 0)/time.Second) + 1
}

// A Throttle applies a [ThrottlePolicy] with an Auth's counters. An app's
// own sign-in handler can use it as the Accounts' handlers do:
//
//	if err := th.AllowSignIn(r, email); err != nil {
//		// errors.As(err, &te) for a *ThrottledError: 429 with Retry-After
//	}
//	... check the password ...
//	_ = th.SignedIn(r, email) // after success: the (account, IP) count restarts
//
// It is safe for concurrent use.
type Throttle struct {
	a *auth.Auth
	p ThrottlePolicy
}

// NewThrottle returns a Throttle of policy on a's counters, or an error
// wrapping [ErrConfig] for a negative limit or a Max without a Window.
func NewThrottle(a *auth.Auth, policy ThrottlePolicy) (*Throttle, error) {
	if err := policy.check(); err != nil {
		return nil, err
	}
	return &Throttle{a: a, p: policy}, nil
}

// Policy returns the throttle's policy.
func (t *Throttle) Policy() ThrottlePolicy { return t.p }

// ClientIP returns the client IP the throttle counts r under: the one
// authrequest records ([authrequest.AuthRequest.ClientIP]), which behind
// authrequest's Middleware follows its trusted-proxy option, and is the
// connection's address otherwise.
func ClientIP(r *http.Request) string {
	if ar := authrequest.FromContext(r.Context()); ar != nil {
		return ar.ClientIP()
	}
	return authrequest.New(nil, nil, r).ClientIP()
}

// counterKey is a counter's key: the limit's name and a hash of what it
// counts, so that the store holds no addresses.
func counterKey(limit string, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return "authaccount:" + limit + ":" + hex.EncodeToString(h.Sum(nil)[:16])
}

type counted struct {
	name  string
	limit Limit
	parts []string
}

// count counts one attempt against each limit, and refuses with the
// longest wait among those passed. Every limit is counted even when an
// earlier one refuses, so that each tells the truth about its key.
func (t *Throttle) count(ctx context.Context, cs ...counted) error {
	var refused *ThrottledError
	now := t.a.Now()
	for _, c := range cs {
		if c.limit.off() {
			continue
		}
		n, resetAt, err := t.a.CountAttempt(ctx, counterKey(c.name, c.parts...), c.limit.Window)
		if err != nil {
			return err
		}
		if n > c.limit.Max {
			wait := resetAt.Sub(now)
			if refused == nil || wait > refused.RetryAfter {
				refused = &ThrottledError{Limit: c.name, RetryAfter: wait}
			}
		}
	}
	if refused != nil {
		return refused
	}
	return nil
}

// AllowSignIn counts a password sign-in attempt for account (a normalized
// address, a username) from r's client IP, and returns a
// [*ThrottledError] when a limit is passed: answer 429 with its
// Retry-After. Call it before checking the password, so that refused
// attempts cost no hash. A store failure wraps [auth.ErrStore].
func (t *Throttle) AllowSignIn(r *http.Request, account string) error {
	ip := ClientIP(r)
	return t.count(r.Context(),
		counted{"SignInPerAccountIP", t.p.SignInPerAccountIP, []string{account, ip}},
		counted{"SignInPerIP", t.p.SignInPerIP, []string{ip}},
		counted{"SignInPerAccount", t.p.SignInPerAccount, []string{account}},
	)
}

// SignedIn restarts the (account, IP) count after a successful sign-in,
// so that the owner's own typos never add up across days. The per-IP and
// per-account counts go on: a success does not buy an attacker more
// guesses at other accounts.
func (t *Throttle) SignedIn(r *http.Request, account string) error {
	if t.p.SignInPerAccountIP.off() {
		return nil
	}
	return t.a.ResetAttempts(r.Context(), counterKey("SignInPerAccountIP", account, ClientIP(r)))
}

// AllowCode counts a code attempt from r's client IP.
func (t *Throttle) AllowCode(r *http.Request) error {
	return t.count(r.Context(), counted{"CodePerIP", t.p.CodePerIP, []string{ClientIP(r)}})
}

// AllowEmail counts a mail request for address from r's client IP.
func (t *Throttle) AllowEmail(r *http.Request, address string) error {
	return t.count(r.Context(),
		counted{"EmailPerAddress", t.p.EmailPerAddress, []string{address}},
		counted{"EmailPerIP", t.p.EmailPerIP, []string{ClientIP(r)}},
	)
}
