package accountscenarios

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/authkit-dev/authkit/authmail"
	"github.com/authkit-dev/authkit/fakeauth"
)

// ErrNotExpressible is wrapped by a hook's error when the app cannot do
// what a case needs (change an account's address, dump its store, fail its
// token write). A case that needs it ends with [Result.NotExpressible] set
// instead of a verdict; a case whose hook is nil ends the same way.
var ErrNotExpressible = errors.New("accountscenarios: the target cannot express this case")

// Env is what a case's app is built on: a fake auth with its clock, an
// outbox the app sends its mail through, a logger whose output the secrets
// cases read, and the app's base URL.
type Env struct {
	// Fake is the case's fake auth: its Auth keeps the app's sessions
	// (and one-time tokens and counters, when the app uses auth's), its
	// Clock is the case's only clock.
	Fake *fakeauth.Fake
	// Sender is the case's outbox: the app sends every message through
	// it. It records what is sent at Fake.Clock's time, and fails when a
	// case makes it.
	Sender authmail.Sender
	// Logger is the app's logger. Everything written to it is kept for the
	// case, which looks for the secrets of its one-time tokens in it.
	Logger *slog.Logger
	// BaseURL is the Target's BaseURL: the app builds the links it mails
	// from it, never from a request's Host.
	BaseURL string
	// App is whatever the Target's Handler keeps for its hooks, such as
	// the app's own users table; the runner never reads it.
	App any
}

// Paths are the app's account routes. An empty path is the HTTP
// contract's default, given with each field.
type Paths struct {
	SignUp              string // POST, "/sign-up"
	RequestVerification string // POST, "/verify-email/request"
	Verify              string // GET ?token= or POST token (or email and code), "/verify-email"
	RequestReset        string // POST, "/reset-password/request"
	Reset               string // POST token (or email and code) and password, "/reset-password"
	RequestSignInLink   string // POST, "/sign-in/email/request"
	SignInLink          string // GET ?token=, "/sign-in/email"
	SignInCode          string // POST email and code, "/sign-in/email"
	SignIn              string // POST email and password, "/sign-in"
}

// Fields are the names of the form and JSON fields the app reads; an
// empty name is the HTTP contract's.
type Fields struct {
	Email    string // "email"
	Password string // "password"
	Token    string // "token"
	Code     string // "code"
}

// TTLs are how long the app's one-time tokens last, from their issue to
// the last instant they are accepted (inclusive). A zero TTL is the
// default given with each field.
type TTLs struct {
	Verify time.Duration // 24 hours
	Reset  time.Duration // 15 minutes (OWASP Forgot Password Cheat Sheet)
	SignIn time.Duration // 15 minutes
}

// A Limit is a throttle an app claims: at most N attempts in Window, the
// next one refused with 429 and a Retry-After after which it is allowed
// again. A zero Limit claims none, and the cases that check it end with
// [Result.NotExpressible].
type Limit struct {
	N      int
	Window time.Duration
}

// Limits are the throttles an app claims, each for one client (the runner
// sends every request from one address) and one account.
type Limits struct {
	// SignIn limits wrong passwords at the password sign-in.
	SignIn Limit
	// EmailRequest limits requests of mail (verification, reset, sign-in
	// link) for one address.
	EmailRequest Limit
	// Code limits codes entered from one client, whatever the accounts
	// (each token also burns after Target.MaxCodeAttempts wrong codes).
	Code Limit
}

// An Account is an account of the app that a case seeds.
type Account struct {
	Email    string
	Password string
	// Verified says whether the address is already verified.
	Verified bool
}

// A Target is the app under test: its handler built on an [Env], its
// routes, and hooks that let the runner seed accounts and look inside.
type Target struct {
	// Handler returns the app's handler: its account routes, behind
	// authrequest.Middleware on env.Fake.Auth, sending mail through
	// env.Sender, logging to env.Logger and building links from
	// env.BaseURL. It is called once per case.
	Handler func(env *Env) (http.Handler, error)
	// BaseURL is the app's scheme and host; "https://example.com" when
	// empty.
	BaseURL string
	// Paths are the app's account routes; Fields its field names.
	Paths  Paths
	Fields Fields

	// NewFake returns the fake auth of one case; fakeauth.New() when nil.
	// An app with its own users returns a fake on a sessions-only store
	// (fakeauth.WithAppUsers), a new one for each case.
	NewFake func() (*fakeauth.Fake, error)
	// SeedAccount creates an account of the app and returns its user ID
	// (the ID its sessions name). It is required.
	SeedAccount func(ctx context.Context, env *Env, a Account) (userID string, err error)
	// IsVerified reports whether address is the verified address of an
	// account. The verification cases need it.
	IsVerified func(ctx context.Context, env *Env, address string) (bool, error)
	// ChangeAddress changes the account's email address, as the app's
	// settings page would. The old-address case needs it.
	ChangeAddress func(ctx context.Context, env *Env, userID, newAddress string) error
	// DumpStore returns everything the app keeps about one-time tokens, as
	// an attacker reading its database would see it: the at-rest secrets
	// case needs it.
	DumpStore func(ctx context.Context, env *Env) ([]byte, error)
	// FailTokenWrite makes the app's next write of a one-time token fail,
	// as a store that is down fails it. The store-fault cases need it. An
	// app on auth's one-time tokens uses [FailAuthTokenWrite].
	FailTokenWrite func(env *Env) error

	// Form sends every POST as an HTML form does (urlencoded, no Accept
	// of JSON), where the HTTP contract lets a success answer with a 303;
	// the cases send JSON otherwise.
	Form bool
	// SessionPath is a GET route that answers 2xx to a signed-in request
	// and anything else to a signed-out one; "" checks sessions through
	// env.Fake.Auth only.
	SessionPath string
	// Codes says that the app's sign-in mails carry a numeric code too,
	// redeemed at Paths.SignInCode.
	Codes bool
	// MaxCodeAttempts is how many wrong codes burn a token; 5 when zero
	// (auth's default).
	MaxCodeAttempts int
	// TTLs are the app's token lifetimes.
	TTLs TTLs
	// Limits are the throttles the app claims.
	Limits Limits
}

func (t Target) withDefaults() Target {
	t.BaseURL = cmp.Or(t.BaseURL, "https://example.com")
	p := &t.Paths
	p.SignUp = cmp.Or(p.SignUp, "/sign-up")
	p.RequestVerification = cmp.Or(p.RequestVerification, "/verify-email/request")
	p.Verify = cmp.Or(p.Verify, "/verify-email")
	p.RequestReset = cmp.Or(p.RequestReset, "/reset-password/request")
	p.Reset = cmp.Or(p.Reset, "/reset-password")
	p.RequestSignInLink = cmp.Or(p.RequestSignInLink, "/sign-in/email/request")
	p.SignInLink = cmp.Or(p.SignInLink, "/sign-in/email")
	p.SignInCode = cmp.Or(p.SignInCode, "/sign-in/email")
	p.SignIn = cmp.Or(p.SignIn, "/sign-in")
	f := &t.Fields
	f.Email = cmp.Or(f.Email, "email")
	f.Password = cmp.Or(f.Password, "password")
	f.Token = cmp.Or(f.Token, "token")
	f.Code = cmp.Or(f.Code, "code")
	t.MaxCodeAttempts = cmp.Or(t.MaxCodeAttempts, 5)
	t.TTLs.Verify = cmp.Or(t.TTLs.Verify, 24*time.Hour)
	t.TTLs.Reset = cmp.Or(t.TTLs.Reset, 15*time.Minute)
	t.TTLs.SignIn = cmp.Or(t.TTLs.SignIn, 15*time.Minute)
	return t
}

// FailAuthTokenWrite is Target.FailTokenWrite for an app whose one-time
// tokens are auth's ([auth.Auth.IssueToken]): the fake's store fails its
// next CreateToken.
func FailAuthTokenWrite(env *Env) error {
	env.Fake.Store.FailNext(fakeauth.OpCreateToken, 1, nil)
	return nil
}
