package authaccount

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authmail"
	"github.com/authkit-dev/authkit/authrequest"
)

// The purposes of the one-time tokens this package issues ([auth.NewToken]):
// a token is redeemed for its own purpose only.
const (
	PurposeVerifyEmail   = "verify-email"
	PurposeResetPassword = "reset-password"
	PurposeSignIn        = "sign-in"
	// PurposeNoAccount is the purpose of the throwaway token issued for a
	// request about an address that has no account, so that such a
	// request does the same work as one about a known address (see the
	// package doc, Enumeration). No handler redeems it.
	PurposeNoAccount = "no-account"
)

// Default token lifetimes. A reset token lives 15 minutes, as the OWASP
// Forgot Password Cheat Sheet suggests; a verification link a day, since
// it is often opened later and grants nothing but the address's mark.
const (
	DefaultVerificationTTL = 24 * time.Hour
	DefaultResetTTL        = 15 * time.Minute
	DefaultSignInTTL       = 15 * time.Minute
)

// The password limits of sign-up and reset when Config leaves them zero:
// at least 8 characters and up to 1024 bytes, following the OWASP
// Authentication Cheat Sheet (minimum 8, maximum at least 64).
const (
	DefaultMinPassword = 8
	DefaultMaxPassword = 1024
)

// Paths are the routes [Accounts.Mount] serves and the mail links point to.
// A field left empty takes the default shown.
type Paths struct {
	SignUp                string // "/sign-up" (POST)
	RequestVerification   string // "/verify-email/request" (POST)
	ConfirmVerification   string // "/verify-email" (GET with ?token=, or POST); the verification link
	RequestPasswordReset  string // "/reset-password/request" (POST)
	CompletePasswordReset string // "/reset-password" (POST; GET serves a small form); the reset link
	RequestSignInLink     string // "/sign-in/email/request" (POST)
	SignInWithEmail       string // "/sign-in/email" (GET ?token=: the link; POST email and code)
	SignIn                string // "/sign-in" (POST)
}

func (p Paths) withDefaults() Paths {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&p.SignUp, "/sign-up")
	def(&p.RequestVerification, "/verify-email/request")
	def(&p.ConfirmVerification, "/verify-email")
	def(&p.RequestPasswordReset, "/reset-password/request")
	def(&p.CompletePasswordReset, "/reset-password")
	def(&p.RequestSignInLink, "/sign-in/email/request")
	def(&p.SignInWithEmail, "/sign-in/email")
	def(&p.SignIn, "/sign-in")
	return p
}

// Pages are where a form (non-JSON) request is sent with a 303 after it
// succeeds. Empty fields answer a short HTML page instead, except for the
// sign-ins, which always redirect (to the request's safe return_to, or
// AfterSignIn).
type Pages struct {
	AfterSignUp              string
	AfterRequestVerification string
	AfterVerification        string
	AfterRequestReset        string
	AfterReset               string
	AfterRequestSignInLink   string
	// AfterSignIn is where a sign-in sends the browser when the request
	// names no safe return path ([authrequest.ReturnParam]): "/" when
	// empty.
	AfterSignIn string
}

// Config configures [Accounts]. Sender and BaseURL are required.
type Config struct {
	// Sender delivers the mail. Required.
	Sender authmail.Sender

	// BaseURL is the absolute URL links in mail start with, such as
	// "https://app.example". Links are never built from the request's
	// Host header, which a client chooses (OWASP Forgot Password Cheat
	// Sheet: tokens must not be sent to a URL based on the Host header).
	// It must be https unless AllowInsecureBaseURL is set.
	BaseURL string
	// AllowInsecureBaseURL accepts an http BaseURL, for a development
	// server. Never in production: a link token sent in clear is a
	// password sent in clear.
	AllowInsecureBaseURL bool

	// Paths are the routes; see [Paths] for the defaults.
	Paths Paths
	// Pages are where form requests go after success; see [Pages].
	Pages Pages

	// VerificationTTL, ResetTTL and SignInTTL are how long the tokens of
	// each purpose live: DefaultVerificationTTL, DefaultResetTTL and
	// DefaultSignInTTL when zero.
	VerificationTTL time.Duration
	ResetTTL        time.Duration
	SignInTTL       time.Duration

	// Codes also sends a numeric code with each link (auth.Config's
	// CodeDigits digits), for a user who reads mail on another device:
	// the email-and-code forms of verification, reset and sign-in accept
	// it. Each token allows auth.Config's MaxCodeAttempts wrong codes.
	Codes bool

	// Directory finds and changes the app's users. Nil means authkit's own
	// users ([NewUserDirectory]), which needs an Auth whose store keeps
	// users; New refuses a sessions-only Auth without one.
	Directory Directory

	// SignInAfterReset signs the browser in with a fresh session once a
	// password reset succeeds. Either way, every existing session of the
	// user ends (OWASP Forgot Password Cheat Sheet).
	SignInAfterReset bool

	// NoUnknownAddressMail stops the mail sent when someone asks for a
	// reset, a verification or a sign-in link for an address that has no
	// account ("someone asked ... but there is no account", as Ory Kratos
	// sends). Without that mail, an unknown address costs less work and
	// the Sender's failures show only for known ones: turning it off lets
	// response times and 503s tell addresses apart.
	NoUnknownAddressMail bool

	// Throttle limits sign-in attempts, code attempts and mail requests;
	// [DefaultThrottlePolicy] when nil. Counters live in the Auth's store.
	Throttle *ThrottlePolicy

	// MinPassword and MaxPassword bound new passwords (sign-up, reset), in
	// bytes: DefaultMinPassword and DefaultMaxPassword when zero.
	MinPassword, MaxPassword int

	// Compose writes the mail of each kind; [DefaultMessage] when nil.
	Compose func(MessageData) authmail.Message

	// Logger receives the flows' events: failures at Error (a store or a
	// sender down), refusals at Info. Lines never carry a token, a code or
	// a password. The Auth's logger when nil.
	Logger *slog.Logger

	// RequestOptions are the authrequest options (trusted origins, trusted
	// proxy client IP) of requests not served behind authrequest's
	// Middleware; behind it, the middleware's AuthRequest is used.
	RequestOptions []authrequest.Option
}

// Accounts serves the account flows of one Auth: sign-up, address
// verification, password reset, sign-in by email link or code, and
// password sign-in with throttling. Make one with [New]. It is safe for
// concurrent use.
type Accounts struct {
	a        *auth.Auth
	cfg      Config
	paths    Paths
	base     *url.URL
	dir      Directory
	throttle *Throttle
	log      *slog.Logger
	compose  func(MessageData) authmail.Message

	verifyMail, resetMail, signInMail mailFlow
}

// New returns the Accounts of a with cfg, or an error wrapping [ErrConfig]
// when cfg is unusable: no Sender, a BaseURL that is not absolute https
// (or http with AllowInsecureBaseURL), a negative lifetime or limit, an
// invalid throttling policy, or no Directory for an Auth that keeps no
// users.
func New(a *auth.Auth, cfg Config) (*Accounts, error) {
	if a == nil {
		return nil, fmt.Errorf("%w: nil Auth", ErrConfig)
	}
	if cfg.Sender == nil {
		return nil, fmt.Errorf("%w: no Sender", ErrConfig)
	}
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || base.Host == "" || base.RawQuery != "" || base.Fragment != "" || base.User != nil ||
		(base.Scheme != "https" && !(base.Scheme == "http" && cfg.AllowInsecureBaseURL)) {
		return nil, fmt.Errorf("%w: BaseURL %q is not an absolute https URL without query, fragment or user (http only with AllowInsecureBaseURL)", ErrConfig, cfg.BaseURL)
	}
	base.Path = strings.TrimSuffix(base.Path, "/")
	if cfg.VerificationTTL < 0 || cfg.ResetTTL < 0 || cfg.SignInTTL < 0 {
		return nil, fmt.Errorf("%w: token lifetimes must not be negative", ErrConfig)
	}
	if cfg.VerificationTTL == 0 {
		cfg.VerificationTTL = DefaultVerificationTTL
	}
	if cfg.ResetTTL == 0 {
		cfg.ResetTTL = DefaultResetTTL
	}
	if cfg.SignInTTL == 0 {
		cfg.SignInTTL = DefaultSignInTTL
	}
	if cfg.MinPassword < 0 || cfg.MaxPassword < 0 {
		return nil, fmt.Errorf("%w: password limits must not be negative", ErrConfig)
	}
	if cfg.MinPassword == 0 {
		cfg.MinPassword = DefaultMinPassword
	}
	if cfg.MaxPassword == 0 {
		cfg.MaxPassword = DefaultMaxPassword
	}
	if cfg.MinPassword > cfg.MaxPassword {
		return nil, fmt.Errorf("%w: MinPassword %d is above MaxPassword %d", ErrConfig, cfg.MinPassword, cfg.MaxPassword)
	}
	dir := cfg.Directory
	if dir == nil {
		if !a.KeepsUsers() {
			return nil, fmt.Errorf("%w: the Auth keeps no users (a sessions-only store): set Config.Directory to the app's users", ErrConfig)
		}
		dir = NewUserDirectory(a)
	}
	policy := DefaultThrottlePolicy()
	if cfg.Throttle != nil {
		policy = *cfg.Throttle
	}
	th, err := NewThrottle(a, policy)
	if err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = a.Config().Logger
	}
	compose := cfg.Compose
	if compose == nil {
		compose = DefaultMessage
	}
	if p, ok := authrequest.SafeReturnPath(cfg.Pages.AfterSignIn); ok {
		cfg.Pages.AfterSignIn = p
	} else {
		cfg.Pages.AfterSignIn = "/"
	}
	if _, err := authrequest.NewWithOptions(a, nil, nil, cfg.RequestOptions...); err != nil {
		return nil, fmt.Errorf("%w: RequestOptions: %w", ErrConfig, err)
	}
	ac := &Accounts{
		a: a, cfg: cfg, paths: cfg.Paths.withDefaults(), base: base, dir: dir,
		throttle: th, log: log, compose: compose,
	}
	p := ac.paths
	ac.verifyMail = mailFlow{"request-verification", PurposeVerifyEmail, KindVerifyEmail, cfg.VerificationTTL, p.ConfirmVerification, cfg.Pages.AfterRequestVerification}
	ac.resetMail = mailFlow{"request-reset", PurposeResetPassword, KindResetPassword, cfg.ResetTTL, p.CompletePasswordReset, cfg.Pages.AfterRequestReset}
	ac.signInMail = mailFlow{"request-sign-in-link", PurposeSignIn, KindSignIn, cfg.SignInTTL, p.SignInWithEmail, cfg.Pages.AfterRequestSignInLink}
	return ac, nil
}

// Throttle returns the throttle the Accounts' handlers use, for an app's
// own handlers to share its counters.
func (ac *Accounts) Throttle() *Throttle { return ac.throttle }

// Paths returns the routes, defaults filled in.
func (ac *Accounts) Paths() Paths { return ac.paths }

// Mount registers every handler on mux at its path ([Paths]), with its
// method. Mount the mux behind authrequest's Middleware, which answers
// cross-site POSTs with 403 and gives the handlers the client IP its
// trusted-proxy option says.
func (ac *Accounts) Mount(mux *http.ServeMux) {
	p := ac.paths
	mux.Handle("POST "+p.SignUp, ac.SignUp())
	mux.Handle("POST "+p.RequestVerification, ac.RequestVerification())
	mux.Handle("GET "+p.ConfirmVerification, ac.ConfirmVerification())
	mux.Handle("POST "+p.ConfirmVerification, ac.ConfirmVerification())
	mux.Handle("POST "+p.RequestPasswordReset, ac.RequestPasswordReset())
	mux.Handle("GET "+p.CompletePasswordReset, ac.ResetPasswordForm())
	mux.Handle("POST "+p.CompletePasswordReset, ac.CompletePasswordReset())
	mux.Handle("POST "+p.RequestSignInLink, ac.RequestSignInLink())
	mux.Handle("GET "+p.SignInWithEmail, ac.SignInWithLink())
	mux.Handle("POST "+p.SignInWithEmail, ac.SignInWithCode())
	mux.Handle("POST "+p.SignIn, ac.SignIn())
}

// Handler returns a handler serving every route at its path, behind
// authrequest's Middleware with RequestOptions: a whole app's account
// routes in one value.
func (ac *Accounts) Handler() (http.Handler, error) {
	mux := http.NewServeMux()
	ac.Mount(mux)
	mw, err := authrequest.Middleware(ac.a, ac.cfg.RequestOptions...)
	if err != nil {
		return nil, fmt.Errorf("%w: RequestOptions: %w", ErrConfig, err)
	}
	return mw(mux), nil
}

// link returns the absolute URL of path on BaseURL with the token.
func (ac *Accounts) link(path, token string) string {
	u := *ac.base
	u.Path += path
	u.RawQuery = url.Values{"token": {token}}.Encode()
	return u.String()
}
