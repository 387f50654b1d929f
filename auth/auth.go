package auth

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Default lifetimes: those of a persistent session are Lucia's; a browser
// session ([SessionOptions.BrowserSession]) is renewed more often and dies
// sooner when left unused.
const (
	DefaultActivePeriod = 24 * time.Hour
	DefaultIdlePeriod   = 14 * 24 * time.Hour

	DefaultBrowserSessionActivePeriod = time.Hour
	DefaultBrowserSessionIdlePeriod   = 2 * time.Hour
)

// Config configures an [Auth]. The zero value is a valid configuration with
// the secure defaults.
type Config struct {
	// ActivePeriod is how long a session is active after it is created or
	// renewed; DefaultActivePeriod when zero.
	ActivePeriod time.Duration

	// IdlePeriod is how long a session stays renewable after its active
	// period ends; DefaultIdlePeriod when zero.
	IdlePeriod time.Duration

	// BrowserSessionActivePeriod and BrowserSessionIdlePeriod are the
	// periods of a browser session (a sign-in without "remember me", see
	// [SessionOptions.BrowserSession]), whose cookie ends with the
	// browser; DefaultBrowserSessionActivePeriod and
	// DefaultBrowserSessionIdlePeriod when zero.
	BrowserSessionActivePeriod time.Duration
	BrowserSessionIdlePeriod   time.Duration

	// MaxLifetime is the absolute lifetime of every session: it ends this
	// long after it was created, however often it is renewed (OWASP's
	// absolute timeout). Zero means none: renewal can keep a session
	// alive for as long as it is used.
	MaxLifetime time.Duration

	// Clock tells the time for every lifetime decision; [SystemClock] when
	// nil.
	Clock Clock

	// Cookie sets the session cookie's name and attributes.
	Cookie CookieConfig

	// Logger receives debug events (session created, validated, renewed,
	// invalidated). Log lines carry session and user IDs, never tokens or
	// passwords. Nil discards them.
	Logger *slog.Logger

	// Argon2 sets the cost of hashing new passwords;
	// [DefaultArgon2Params] when zero.
	Argon2 Argon2Params

	// MaxSessionAttributesSize is the most bytes a session's attributes
	// may take, encoded as JSON; DefaultMaxSessionAttributesSize when
	// zero. [Auth.CreateSessionWith] and [Auth.UpdateSessionAttributes]
	// refuse more with [ErrAttributesTooLarge]. The attributes travel
	// from the store on every validation, so keep them small and keep
	// anything larger in a table of the app's, keyed by [Session.ID].
	MaxSessionAttributesSize int

	// SweepBatch is how many expired sessions one step of
	// [Auth.DeleteExpiredSessions] deletes; DefaultSweepBatch when zero.
	// Smaller steps hold up other clients of the store for less time.
	SweepBatch int

	// TokenTTL is how long a one-time token lives ([Auth.IssueToken])
	// unless [NewToken.TTL] says otherwise; DefaultTokenTTL (15 minutes)
	// when zero.
	TokenTTL time.Duration

	// CodeDigits is the length of a one-time code, [MinCodeDigits] to
	// [MaxCodeDigits]; DefaultCodeDigits (8) when zero.
	CodeDigits int

	// MaxCodeAttempts is how many codes may be tried against one token
	// before it is deleted ([Auth.ConsumeCode]); DefaultMaxCodeAttempts
	// (5) when zero.
	MaxCodeAttempts int
}

// DefaultSweepBatch is [Config.SweepBatch] when it is zero.
const DefaultSweepBatch = 500

// DefaultMaxSessionAttributesSize is [Config.MaxSessionAttributesSize]
// when it is zero: 4 KiB of JSON. Attributes are read, copied and
// returned with the session on every validation, in every store round
// trip; 4 KiB is what a browser guarantees one cookie (RFC 6265 §6.1), so
// an app that kept such data in a cookie fits, and it holds a device name,
// flags and a few IDs many times over, while a validation stays one small
// read.
const DefaultMaxSessionAttributesSize = 4096

// Auth manages sessions on a [SessionStore], and users and keys on a
// [UserStore] when the store is one too. All lifetime rules live here;
// stores only record. An Auth is safe for concurrent use.
type Auth struct {
	store SessionStore
	users UserStore // nil when the app keeps its users
	// nil when the store keeps no one-time tokens, no counters
	tokens   TokenStore
	counters CounterStore
	joined   SessionUserGetter // nil when the store can't join
	sweep    int
	clock    Clock
	active   time.Duration
	idle     time.Duration
	// The periods of browser sessions, and the absolute lifetime (0 =
	// none).
	browserActive, browserIdle time.Duration
	maxLifetime                time.Duration
	maxAttrs                   int // bytes of JSON
	cookie                     CookieConfig
	log                        *slog.Logger
	debug                      bool
	argon2                     Argon2Params
	// One-time tokens and codes.
	tokenTTL                    time.Duration
	codeDigits, maxCodeAttempts int

	dummyOnce sync.Once
	dummy     string
}

// New returns an Auth on store with cfg. If store is also a [UserStore]
// (the memory, SQL and Redis stores are, unless built for an app's own
// users table), the Auth manages users and keys on it; otherwise its user
// and key methods return [ErrNoUserStore]. Likewise it keeps one-time
// tokens when store is a [TokenStore] and throttling counters when it is
// a [CounterStore] (authkit's stores are both, in every mode); otherwise
// those methods return [ErrNoTokenStore] and [ErrNoCounterStore]. It returns an error if store is
// nil or cfg is inconsistent (a negative period, a cookie name its other
// settings don't allow).
func New(store SessionStore, cfg Config) (*Auth, error) {
	if store == nil {
		return nil, errors.New("auth: New: store is nil")
	}
	if cfg.ActivePeriod < 0 || cfg.IdlePeriod < 0 || cfg.BrowserSessionActivePeriod < 0 || cfg.BrowserSessionIdlePeriod < 0 || cfg.MaxLifetime < 0 {
		return nil, fmt.Errorf("auth: New: periods must not be negative (active %v, idle %v, browser session active %v and idle %v, max lifetime %v)",
			cfg.ActivePeriod, cfg.IdlePeriod, cfg.BrowserSessionActivePeriod, cfg.BrowserSessionIdlePeriod, cfg.MaxLifetime)
	}
	if cfg.SweepBatch < 0 {
		return nil, fmt.Errorf("auth: New: SweepBatch must not be negative, got %d", cfg.SweepBatch)
	}
	if cfg.MaxSessionAttributesSize < 0 {
		return nil, fmt.Errorf("auth: New: MaxSessionAttributesSize must not be negative, got %d", cfg.MaxSessionAttributesSize)
	}
	if cfg.TokenTTL < 0 {
		return nil, fmt.Errorf("auth: New: TokenTTL must not be negative, got %v", cfg.TokenTTL)
	}
	if cfg.CodeDigits != 0 && (cfg.CodeDigits < MinCodeDigits || cfg.CodeDigits > MaxCodeDigits) {
		return nil, fmt.Errorf("auth: New: CodeDigits must be %d to %d (or 0 for %d), got %d", MinCodeDigits, MaxCodeDigits, DefaultCodeDigits, cfg.CodeDigits)
	}
	if cfg.MaxCodeAttempts < 0 {
		return nil, fmt.Errorf("auth: New: MaxCodeAttempts must not be negative, got %d", cfg.MaxCodeAttempts)
	}
	a := &Auth{
		store:  store,
		sweep:  cfg.SweepBatch,
		clock:  cfg.Clock,
		active: cfg.ActivePeriod,
		idle:   cfg.IdlePeriod,
		log:    cfg.Logger,

		browserActive: cmp.Or(cfg.BrowserSessionActivePeriod, DefaultBrowserSessionActivePeriod),
		browserIdle:   cmp.Or(cfg.BrowserSessionIdlePeriod, DefaultBrowserSessionIdlePeriod),
		maxLifetime:   cfg.MaxLifetime,
		maxAttrs:      cmp.Or(cfg.MaxSessionAttributesSize, DefaultMaxSessionAttributesSize),
		argon2:        cfg.Argon2,

		tokenTTL:        cmp.Or(cfg.TokenTTL, DefaultTokenTTL),
		codeDigits:      cmp.Or(cfg.CodeDigits, DefaultCodeDigits),
		maxCodeAttempts: cmp.Or(cfg.MaxCodeAttempts, DefaultMaxCodeAttempts),
	}
	a.users, _ = store.(UserStore)
	a.tokens, _ = store.(TokenStore)
	a.counters, _ = store.(CounterStore)
	a.joined, _ = store.(SessionUserGetter)
	if a.sweep == 0 {
		a.sweep = DefaultSweepBatch
	}
	if a.clock == nil {
		a.clock = SystemClock{}
	}
	if a.active == 0 {
		a.active = DefaultActivePeriod
	}
	if a.idle == 0 {
		a.idle = DefaultIdlePeriod
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	// Checked once here so that the hot path skips building log records.
	a.debug = a.log.Enabled(context.Background(), slog.LevelDebug)
	if a.argon2 == (Argon2Params{}) {
		a.argon2 = DefaultArgon2Params()
	}
	if a.argon2.Memory == 0 || a.argon2.Time == 0 || a.argon2.Threads == 0 {
		return nil, fmt.Errorf("auth: New: Argon2 parameters must all be positive, got %+v", a.argon2)
	}
	var err error
	if a.cookie, err = cfg.Cookie.withDefaults(); err != nil {
		return nil, fmt.Errorf("auth: New: %w", err)
	}
	return a, nil
}

// Now returns the time on the Auth's clock: the time every lifetime
// decision reads, to compare with a session's expiries.
func (a *Auth) Now() time.Time { return a.clock.Now() }

// Config returns the Auth's configuration as it applies it: every field
// left zero in the Config given to [New] holds its default (the periods,
// the [SystemClock], a logger that discards everything, the Argon2
// parameters, the cookie's name, path and SameSite mode, the limits).
func (a *Auth) Config() Config {
	return Config{
		ActivePeriod:               a.active,
		IdlePeriod:                 a.idle,
		BrowserSessionActivePeriod: a.browserActive,
		BrowserSessionIdlePeriod:   a.browserIdle,
		MaxLifetime:                a.maxLifetime,
		Clock:                      a.clock,
		Cookie:                     a.cookie,
		Logger:                     a.log,
		Argon2:                     a.argon2,
		MaxSessionAttributesSize:   a.maxAttrs,
		SweepBatch:                 a.sweep,
		TokenTTL:                   a.tokenTTL,
		CodeDigits:                 a.codeDigits,
		MaxCodeAttempts:            a.maxCodeAttempts,
	}
}

// KeepsUsers reports whether the Auth manages users and keys: whether its
// store is also a [UserStore]. When it does not (the app keeps its users
// itself), the user and key methods return [ErrNoUserStore], and a
// package built on the Auth that needs to find users by key (a sign-in
// with an identity provider, say) must be told how the app finds them.
func (a *Auth) KeepsUsers() bool { return a.users != nil }

// logDebug logs a debug event if the logger wants it. Attributes must never
// include a token or a password.
func (a *Auth) logDebug(ctx context.Context, msg string, attrs ...slog.Attr) {
	if a.debug {
		a.log.LogAttrs(ctx, slog.LevelDebug, msg, attrs...)
	}
}
