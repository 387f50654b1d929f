package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/authkit-dev/authkit/internal/enumname"
)

// This file holds every session lifetime rule: the states and their
// boundaries (Session.State), the expiries of a creation or a renewal
// (Auth.NewSessionExpiries, expiries), the cookie's expiry
// (Session.CookieExpires) and the conditional writes. Stores record; the
// fake and the playground ask these methods, as an app would, and none of
// them decides expiry.

// A Session is a signed-in user's session.
//
// It is active until ActiveExpiresAt, then idle until IdleExpiresAt, then
// dead; never alive after ExpiresAt, when it has one. Validating an idle
// session renews it in place: same ID, same token, new expiries, Fresh
// set. Its [Session.LogValue] leaves out the token and the attributes, so
// that logging a session never leaks either.
type Session struct {
	// ID is public: safe to log, to list and to revoke one device by. It is
	// the SHA-256 of Token (see [SessionID]), so it can't be turned back
	// into a usable cookie.
	ID     string
	UserID string

	// Token is the secret the cookie carries. It is set only when known:
	// for a session just created, or validated from a token the caller
	// presented. Sessions listed from the store have no Token.
	Token string

	// CreatedAt is when the session was created (the sign-in), RenewedAt
	// when it was last renewed: CreatedAt until its first renewal.
	CreatedAt time.Time
	RenewedAt time.Time

	// ActiveExpiresAt is the end of the active period. A session is
	// active while now <= ActiveExpiresAt.
	ActiveExpiresAt time.Time

	// IdleExpiresAt is the end of the idle period: the session is idle
	// while ActiveExpiresAt < now <= IdleExpiresAt, and dead after.
	IdleExpiresAt time.Time

	// ExpiresAt is the absolute end of the session, which no renewal
	// passes; the zero time when it has none. The session is alive while
	// now <= ExpiresAt, dead after.
	ExpiresAt time.Time

	// BrowserSession is the lifetime policy chosen at sign-in: true for a
	// browser session (no "remember me"), whose cookie has no Expires or
	// Max-Age and whose periods are the short browser-session ones; false
	// for a persistent session. Renewal keeps it.
	BrowserSession bool

	// UserAgent and ClientIP are those of the request that created the
	// session (see [SessionOptions]); empty when not given.
	UserAgent string
	ClientIP  string

	// Attributes is the JSON object given at creation in
	// [SessionOptions.Attributes], or nil. Decode it with
	// [encoding/json]; it is never logged. Callers must not modify it.
	Attributes json.RawMessage

	// Fresh reports that the session was created or renewed by the call
	// that returned it, so the cookie must be (re)issued.
	Fresh bool
}

// SessionOptions describes a session to create with
// [Auth.CreateSessionWith]. The zero value is a plain session.
type SessionOptions struct {
	// UserAgent and ClientIP say which device signed in, for a "your
	// devices" page. They are stored as given (cut to 512 and 64 bytes).
	UserAgent string
	ClientIP  string

	// Attributes are kept with the session and returned with it; they
	// must encode as a JSON object of at most
	// [Config.MaxSessionAttributesSize] bytes (4 KiB by default): every
	// validation reads them. Change them with
	// [Auth.UpdateSessionAttributes].
	Attributes map[string]any

	// BrowserSession makes the session end with the browser: a sign-in
	// without "remember me". Its cookie has no Expires or Max-Age, and it
	// follows [Config.BrowserSessionActivePeriod] and
	// [Config.BrowserSessionIdlePeriod] instead of the persistent
	// periods. The choice is stored with the session, so renewal keeps
	// it.
	BrowserSession bool

	// MaxLifetime, when positive, gives this session an absolute lifetime
	// shorter than [Config.MaxLifetime] (or one where the Config has
	// none): it ends that long after its creation, however often it is
	// renewed.
	MaxLifetime time.Duration
}

// Limits on what [SessionOptions] stores.
const (
	maxUserAgent = 512
	maxClientIP  = 64
)

func newSession(rec SessionRecord, token string) *Session {
	return &Session{
		ID: rec.ID, UserID: rec.UserID, Token: token,
		CreatedAt: rec.CreatedAt, RenewedAt: rec.RenewedAt,
		ActiveExpiresAt: rec.ActiveExpiresAt, IdleExpiresAt: rec.IdleExpiresAt, ExpiresAt: rec.ExpiresAt,
		UserAgent: rec.UserAgent, ClientIP: rec.ClientIP, Attributes: rec.Attributes,
		BrowserSession: rec.BrowserSession,
	}
}

// LogValue implements [slog.LogValuer]: a session logs as its ID, user ID,
// policy and expiries, never its token or attributes.
func (s *Session) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("id", s.ID), slog.String("user_id", s.UserID),
		slog.Bool("browser_session", s.BrowserSession),
		slog.Time("active_expires_at", s.ActiveExpiresAt), slog.Time("idle_expires_at", s.IdleExpiresAt),
		slog.Time("expires_at", s.ExpiresAt),
	)
}

// State is where a session stands in its lifetime.
type State int

// The states of a session, in order.
const (
	StateActive State = iota + 1
	StateIdle
	StateDead
)

// String returns "active", "idle" or "dead".
func (st State) String() string {
	return enumname.String(st, "State", "", "active", "idle", "dead")
}

// State returns the session's state at now:
//
//	active  while now <= ActiveExpiresAt
//	idle    while ActiveExpiresAt < now <= IdleExpiresAt
//	dead    after IdleExpiresAt, and after ExpiresAt when it has one
//
// A boundary instant belongs to the earlier state: at exactly
// ActiveExpiresAt the session is still active, at exactly IdleExpiresAt
// still idle, and ExpiresAt itself belongs to the session's life.
func (s *Session) State(now time.Time) State {
	return lifeState(s.ActiveExpiresAt, s.IdleExpiresAt, s.ExpiresAt, now)
}

func lifeState(activeExpiresAt, idleExpiresAt, expiresAt time.Time, now time.Time) State {
	switch {
	case !expiresAt.IsZero() && now.After(expiresAt):
		return StateDead
	case !now.After(activeExpiresAt):
		return StateActive
	case !now.After(idleExpiresAt):
		return StateIdle
	default:
		return StateDead
	}
}

// recordState is the state of a stored session at now, the one judgement
// every path that reads a session (validation, listing, changing its
// attributes) makes: as [Session.State] says, and dead when the record
// names no user. A session is always created for a user, so an empty
// UserID is a record damaged behind the store's back (a Redis hash field
// emptied, a SQLite row edited with foreign keys off): it is no session of
// anyone's, never one of the user "".
func recordState(rec SessionRecord, now time.Time) State {
	if rec.UserID == "" {
		return StateDead
	}
	return lifeState(rec.ActiveExpiresAt, rec.IdleExpiresAt, rec.ExpiresAt, now)
}

// periods returns the active and idle periods a session follows: the
// browser-session ones when browserSession is set, the persistent ones
// otherwise.
func (a *Auth) periods(browserSession bool) (active, idle time.Duration) {
	if browserSession {
		return a.browserActive, a.browserIdle
	}
	return a.active, a.idle
}

// expiries returns the expiries of a session created or renewed at t
// with the given policy and absolute end (the zero time for none):
// ActiveExpiresAt is t plus the active period, IdleExpiresAt that plus the
// idle period, each cut to expiresAt, so that no renewal outlives the
// session's absolute lifetime.
func (a *Auth) expiries(t time.Time, browserSession bool, expiresAt time.Time) (activeExpiresAt, idleExpiresAt time.Time) {
	active, idle := a.periods(browserSession)
	// Round(0) drops the monotonic reading: stores compare wall times.
	activeExpiresAt = t.Round(0).Add(active)
	idleExpiresAt = activeExpiresAt.Add(idle)
	if !expiresAt.IsZero() {
		activeExpiresAt = minTime(activeExpiresAt, expiresAt)
		idleExpiresAt = minTime(idleExpiresAt, expiresAt)
	}
	return activeExpiresAt, idleExpiresAt
}

// absoluteExpiry returns the ExpiresAt of a session created at t: t plus
// the shorter of [Config.MaxLifetime] and maxLifetime (each ignored when
// not positive), or the zero time when neither is set.
func (a *Auth) absoluteExpiry(t time.Time, maxLifetime time.Duration) time.Time {
	d := a.maxLifetime
	if maxLifetime > 0 && (d == 0 || maxLifetime < d) {
		d = maxLifetime
	}
	if d == 0 {
		return time.Time{}
	}
	return t.Round(0).Add(d)
}

// NewSessionExpiries returns the expiries [Auth.CreateSessionWith] gives a
// session created at t with opts: the end of its active period, of its
// idle period (both after the policy opts choose, and cut to the absolute
// end) and its absolute end (the zero time when it has none). A page can
// say with it when a sign-in made now would end; a test tool can seed a
// session on a boundary with it. Renewal at t' gives the same active and
// idle ends from t', still cut to the session's own absolute end.
func (a *Auth) NewSessionExpiries(t time.Time, opts SessionOptions) (activeExpiresAt, idleExpiresAt, expiresAt time.Time) {
	expiresAt = a.absoluteExpiry(t, opts.MaxLifetime)
	activeExpiresAt, idleExpiresAt = a.expiries(t, opts.BrowserSession, expiresAt)
	return activeExpiresAt, idleExpiresAt, expiresAt
}

// CookieExpires returns when the session's cookie should expire: its
// IdleExpiresAt, never after its ExpiresAt. ok is false for a browser
// session, whose cookie has no Expires or Max-Age and ends with the
// browser.
func (s *Session) CookieExpires() (expires time.Time, ok bool) {
	if s.BrowserSession {
		return time.Time{}, false
	}
	if !s.ExpiresAt.IsZero() {
		return minTime(s.IdleExpiresAt, s.ExpiresAt), true
	}
	return s.IdleExpiresAt, true
}

func minTime(x, y time.Time) time.Time {
	if y.Before(x) {
		return y
	}
	return x
}

// CreateSession creates a plain session for the user and returns it with
// its Token set and Fresh true. It returns an error wrapping
// [ErrInvalidUser] if the store knows users and this one does not exist.
func (a *Auth) CreateSession(ctx context.Context, userID string) (*Session, error) {
	return a.CreateSessionWith(ctx, userID, SessionOptions{})
}

// CreateSessionWith is [Auth.CreateSession] with the device, attributes,
// lifetime policy and absolute lifetime of opts recorded in the session.
func (a *Auth) CreateSessionWith(ctx context.Context, userID string, opts SessionOptions) (*Session, error) {
	if userID == "" {
		// Whatever the store: a session without a user is no session.
		return nil, fmt.Errorf("auth: create session: empty user ID: %w", ErrInvalidUser)
	}
	attrs, err := a.encodeSessionAttributes(opts.Attributes)
	if err != nil {
		return nil, err
	}
	token := newToken()
	now := a.clock.Now().Round(0)
	active, idle, expires := a.NewSessionExpiries(now, opts)
	rec := SessionRecord{
		ID: SessionID(token), UserID: userID,
		CreatedAt: now, RenewedAt: now, ActiveExpiresAt: active, IdleExpiresAt: idle, ExpiresAt: expires,
		UserAgent: truncate(opts.UserAgent, maxUserAgent), ClientIP: truncate(opts.ClientIP, maxClientIP),
		Attributes: attrs, BrowserSession: opts.BrowserSession,
	}
	if err := a.store.CreateSession(ctx, rec); err != nil {
		if errors.Is(err, ErrUserNotFound) || errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("auth: create session for user %q: %w", userID, ErrInvalidUser)
		}
		return nil, storeError("create session", err)
	}
	a.logDebug(ctx, "session created", slog.String("session_id", rec.ID), slog.String("user_id", userID))
	s := newSession(rec, token)
	s.Fresh = true
	return s, nil
}

// encodeSessionAttributes encodes attributes as JSON, refusing more than
// the configured size; nil stays nil.
func (a *Auth) encodeSessionAttributes(attrs map[string]any) (json.RawMessage, error) {
	if attrs == nil {
		return nil, nil
	}
	b, err := json.Marshal(attrs)
	if err != nil {
		return nil, fmt.Errorf("auth: session attributes do not encode as JSON: %w", err)
	}
	if len(b) > a.maxAttrs {
		return nil, fmt.Errorf("%w: %d bytes of JSON, over the limit of %d (Config.MaxSessionAttributesSize)", ErrAttributesTooLarge, len(b), a.maxAttrs)
	}
	return b, nil
}

// truncate cuts s to at most n bytes, at a UTF-8 boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// ValidateSession returns the live session the token belongs to. An idle
// session is renewed in place (one conditional store write) and returned
// with Fresh true; an active one costs one store read of the session alone
// and no write.
//
// It returns an error wrapping [ErrInvalidSession] if the token is
// malformed (checked before any store read), unknown, or belongs to a dead
// session; a dead session is deleted on the way. A store failure is
// returned wrapped in [ErrStore], never as ErrInvalidSession.
func (a *Auth) ValidateSession(ctx context.Context, token string) (*Session, error) {
	s, _, err := a.validate(ctx, token, false)
	return s, err
}

// ValidateSessionUser is ValidateSession that also returns the session's
// user: in the same store round trip when the store can join them
// ([SessionUserGetter]), in a second read otherwise. A session whose user
// is gone is deleted and reported as [ErrInvalidSession]. On an Auth whose
// store keeps no users it returns an error wrapping [ErrNoUserStore]
// before reading anything.
func (a *Auth) ValidateSessionUser(ctx context.Context, token string) (*Session, *User, error) {
	if a.users == nil {
		return nil, nil, fmt.Errorf("auth: validate session user: %w", ErrNoUserStore)
	}
	s, u, err := a.validate(ctx, token, true)
	if err != nil {
		return nil, nil, err
	}
	user, err := u.user()
	if err != nil {
		return nil, nil, err
	}
	return s, user, nil
}

// maxRenewAttempts bounds the retries when a renewal loses its race and
// the session it then reads is still idle (only possible when processes'
// clocks disagree).
const maxRenewAttempts = 3

// read fetches a session, and its user when withUser is set.
func (a *Auth) read(ctx context.Context, id string, withUser bool) (SessionRecord, UserRecord, error) {
	if !withUser {
		rec, err := a.store.GetSession(ctx, id)
		return rec, UserRecord{}, err
	}
	if a.joined != nil {
		return a.joined.GetSessionAndUser(ctx, id)
	}
	rec, err := a.store.GetSession(ctx, id)
	if err != nil {
		return rec, UserRecord{}, err
	}
	user, err := a.users.GetUser(ctx, rec.UserID)
	if errors.Is(err, ErrNotFound) {
		err = ErrUserNotFound
	}
	return rec, user, err
}

func (a *Auth) validate(ctx context.Context, token string, withUser bool) (*Session, UserRecord, error) {
	if !ValidToken(token) {
		return nil, UserRecord{}, fmt.Errorf("%w: malformed token", ErrInvalidSession)
	}
	id := SessionID(token)
	for attempt := 1; ; attempt++ {
		rec, user, err := a.read(ctx, id, withUser)
		switch {
		case errors.Is(err, ErrNotFound):
			return nil, UserRecord{}, ErrInvalidSession
		case errors.Is(err, ErrUserNotFound):
			return nil, UserRecord{}, a.deleteInvalid(ctx, id, "user deleted")
		case err != nil:
			return nil, UserRecord{}, storeError("get session", err)
		}
		now := a.clock.Now()
		s := newSession(rec, token)
		s.ID = id
		switch recordState(rec, now) {
		case StateActive:
			if a.debug {
				a.log.LogAttrs(ctx, slog.LevelDebug, "session validated", slog.String("session_id", id))
			}
			// Fresh after a lost renewal race: the winner renewed it just
			// now, so the cookie should carry the new expiry here too.
			s.Fresh = attempt > 1
			return s, user, nil
		case StateDead:
			why := "expired"
			if rec.UserID == "" {
				why = "userless"
			}
			return nil, UserRecord{}, a.deleteInvalid(ctx, id, why)
		}
		if attempt > maxRenewAttempts {
			// Still idle after losing every race: keep it as it is rather
			// than log the user out.
			return s, user, nil
		}
		now = now.Round(0)
		// The policy and the absolute end are the session's own, stored
		// with it: renewal keeps both.
		active, idle := a.expiries(now, rec.BrowserSession, rec.ExpiresAt)
		r := Renewal{RenewedAt: now, ActiveExpiresAt: active, IdleExpiresAt: idle}
		ok, err := a.store.RenewSession(ctx, id, rec.ActiveExpiresAt, r)
		if err != nil {
			return nil, UserRecord{}, storeError("renew session", err)
		}
		if ok {
			a.logDebug(ctx, "session renewed", slog.String("session_id", id), slog.Time("active_expires_at", active))
			s.RenewedAt, s.ActiveExpiresAt, s.IdleExpiresAt, s.Fresh = now, active, idle, true
			return s, user, nil
		}
		// Another caller renewed or deleted it between our read and our
		// write: read again to learn which.
	}
}

// deleteInvalid deletes a session found dead or orphaned, and returns the
// error its validation reports.
func (a *Auth) deleteInvalid(ctx context.Context, id, why string) error {
	if err := a.store.DeleteSession(ctx, id); err != nil {
		return storeError("delete "+why+" session", err)
	}
	a.logDebug(ctx, "session deleted", slog.String("session_id", id), slog.String("reason", why))
	return fmt.Errorf("%w: %s", ErrInvalidSession, why)
}

// InvalidateSession deletes the session with the given ID (the public
// [Session.ID], not the token). Invalidating a session that does not exist
// is not an error. A renewal racing with it can't bring it back.
func (a *Auth) InvalidateSession(ctx context.Context, sessionID string) error {
	if err := a.store.DeleteSession(ctx, sessionID); err != nil {
		return storeError("invalidate session", err)
	}
	a.logDebug(ctx, "session invalidated", slog.String("session_id", sessionID))
	return nil
}

// InvalidateOtherSessions deletes every session of the user but the one
// with ID keepSessionID: "sign out everywhere else", after a password
// change say. The kept session is left as it is (it need not exist). On
// a store failure it stops and returns an error wrapping [ErrStore]; the
// sessions not yet deleted stay, and calling it again finishes the job.
func (a *Auth) InvalidateOtherSessions(ctx context.Context, userID, keepSessionID string) error {
	recs, err := a.store.UserSessions(ctx, userID)
	if err != nil {
		return storeError("invalidate other sessions", err)
	}
	n := 0
	for _, r := range recs {
		if r.ID == keepSessionID {
			continue
		}
		if err := a.store.DeleteSession(ctx, r.ID); err != nil {
			return storeError("invalidate other sessions", err)
		}
		n++
	}
	a.logDebug(ctx, "other sessions invalidated", slog.String("user_id", userID), slog.String("kept_session_id", keepSessionID), slog.Int("count", n))
	return nil
}

// UpdateSessionAttributes replaces the attributes of s with attrs (nil
// removes them) in one conditional write: only if the stored attributes
// are still those s carries, so that two requests changing a session at
// once never silently lose one change. It returns s with the new
// attributes, or an error wrapping [ErrSessionChanged] when another
// writer changed them first (validate again and retry),
// [ErrInvalidSession] when the session is gone or dead (by its stored
// expiries, on the Auth's clock: a dead session not yet swept is no more
// changeable than a deleted one), [ErrAttributesTooLarge] when attrs
// encode to more than [Config.MaxSessionAttributesSize] bytes, or
// [ErrStore]. It costs a read of the session before the write. The
// attributes are never logged.
func (a *Auth) UpdateSessionAttributes(ctx context.Context, s *Session, attrs map[string]any) (*Session, error) {
	if s == nil {
		return nil, fmt.Errorf("%w: nil session", ErrInvalidSession)
	}
	b, err := a.encodeSessionAttributes(attrs)
	if err != nil {
		return nil, err
	}
	// Judged on the stored expiries, not those s carries: another request
	// may have renewed the session since s was read. Renewal only moves
	// the end later, so a session alive now is alive at the write.
	rec, err := a.store.GetSession(ctx, s.ID)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, ErrInvalidSession
	case err != nil:
		return nil, storeError("update session attributes", err)
	case recordState(rec, a.clock.Now()) == StateDead:
		// Left for the sweep, or for its next presentation, to delete.
		return nil, ErrInvalidSession
	}
	ok, err := a.store.UpdateSessionAttributes(ctx, s.ID, s.Attributes, b)
	if err != nil {
		return nil, storeError("update session attributes", err)
	}
	if !ok {
		// Gone, or changed: a read tells which.
		if _, err := a.store.GetSession(ctx, s.ID); errors.Is(err, ErrNotFound) {
			return nil, ErrInvalidSession
		} else if err != nil {
			return nil, storeError("update session attributes", err)
		}
		return nil, ErrSessionChanged
	}
	a.logDebug(ctx, "session attributes updated", slog.String("session_id", s.ID))
	out := *s
	out.Attributes = b
	return &out, nil
}

// InvalidateUserSessions deletes every session of the user: "sign out
// everywhere".
func (a *Auth) InvalidateUserSessions(ctx context.Context, userID string) error {
	if err := a.store.DeleteUserSessions(ctx, userID); err != nil {
		return storeError("invalidate user sessions", err)
	}
	a.logDebug(ctx, "user sessions invalidated", slog.String("user_id", userID))
	return nil
}

// UserSessions returns the user's live sessions (active or idle), the
// "devices" a user can review and revoke one by one, soonest to expire
// first. They carry no Token. Dead sessions are left for
// DeleteExpiredSessions.
func (a *Auth) UserSessions(ctx context.Context, userID string) ([]*Session, error) {
	recs, err := a.store.UserSessions(ctx, userID)
	if err != nil {
		return nil, storeError("list user sessions", err)
	}
	now := a.clock.Now()
	out := make([]*Session, 0, len(recs))
	for _, r := range recs {
		if recordState(r, now) != StateDead {
			out = append(out, newSession(r, ""))
		}
	}
	sortSessions(out)
	return out, nil
}

// DeleteExpiredSessions deletes every dead session from the store and
// returns how many it deleted. It works in bounded steps of
// [Config.SweepBatch] sessions, each its own short store call, so that
// validations and sign-ins running meanwhile wait for one step at most; it
// stops early, with the count so far, when ctx is done. Dead sessions are
// also deleted when presented, so running this is housekeeping, not a
// security need.
//
// When the store keeps one-time tokens ([TokenStore]) and throttling
// counters ([CounterStore]), it then sweeps the expired ones the same
// way: tokens past their ExpiresAt, counters whose window has ended. The
// count returned is of sessions only; the others are logged.
func (a *Auth) DeleteExpiredSessions(ctx context.Context) (int, error) {
	now := a.clock.Now()
	total, err := a.sweepExpired(ctx, "sessions", func(limit int) (int, error) {
		return a.store.DeleteExpiredSessions(ctx, now, limit)
	})
	if err != nil {
		return total, err
	}
	if a.tokens != nil {
		if _, err := a.sweepExpired(ctx, "tokens", func(limit int) (int, error) {
			return a.tokens.DeleteExpiredTokens(ctx, now, limit)
		}); err != nil {
			return total, err
		}
	}
	if a.counters != nil {
		if _, err := a.sweepExpired(ctx, "counters", func(limit int) (int, error) {
			return a.counters.DeleteExpiredCounters(ctx, now, limit)
		}); err != nil {
			return total, err
		}
	}
	return total, nil
}

// sweepExpired calls step with a limit of [Config.SweepBatch] until a step
// deletes fewer, and returns the total deleted.
func (a *Auth) sweepExpired(ctx context.Context, what string, step func(limit int) (int, error)) (int, error) {
	total := 0
	for {
		if err := ctx.Err(); err != nil {
			return total, storeError("delete expired "+what, err)
		}
		n, err := step(a.sweep)
		total += n
		if err != nil {
			return total, storeError("delete expired "+what, err)
		}
		if n < a.sweep {
			break
		}
	}
	a.logDebug(ctx, "expired "+what+" deleted", slog.Int("count", total))
	return total, nil
}

func sortSessions(ss []*Session) {
	slices.SortFunc(ss, func(x, y *Session) int {
		if c := x.IdleExpiresAt.Compare(y.IdleExpiresAt); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
}
