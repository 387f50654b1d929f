package auth_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/fakeauth"
)

// The model check drives auth.Auth on a real store and a plain sequential
// model of the lifetime rules (session.go) with the same random sequence of
// operations, and fails on the first divergence. rapid shrinks a failing
// sequence to a short one. Run more sequences with -rapid.checks=N.

// model is the lifetime rules, written again as plainly as
// possible, independently of package auth.
type model struct {
	now          time.Time
	active, idle time.Duration
	users        map[string]bool
	sessions     map[string]*modelSession // by token
}

type modelSession struct {
	userID                     string
	activeExpires, idleExpires time.Time
}

// validate applies the rules to a presented token: active is returned as
// is; idle is renewed in place; dead is deleted; unknown is invalid.
func (m *model) validate(token string) (s *modelSession, renewed, ok bool) {
	s = m.sessions[token]
	switch {
	case s == nil:
		return nil, false, false
	case !m.users[s.userID]:
		delete(m.sessions, token)
		return nil, false, false
	case !m.now.After(s.activeExpires):
		return s, false, true
	case !m.now.After(s.idleExpires):
		s.activeExpires = m.now.Add(m.active)
		s.idleExpires = s.activeExpires.Add(m.idle)
		return s, true, true
	default:
		delete(m.sessions, token)
		return nil, false, false
	}
}

func (m *model) live(s *modelSession) bool { return !m.now.After(s.idleExpires) }

// machine runs one random sequence.
type machine struct {
	ctx     context.Context
	a       *auth.Auth
	clock   *fakeauth.Clock
	store   *fakeauth.Store
	m       *model
	userIDs []string // every user ever created
	tokens  []string // every token ever issued
}

// The model check runs on memstore, a new one per sequence: it checks
// Auth's lifetime rules. Every backend runs a model check of its own
// session methods from its own package (storetest's ModelCheck).

func TestModelCheck(t *testing.T) {
	check(t, "random sequences agreed with the model", func(rt *rapid.T, inner fakeauth.Backend) {
		newMachine(rt, inner).run(rt)
	})
}

// check runs prop with rapid, each time on a new memstore, and logs how
// many checks passed.
func check(t *testing.T, what string, prop func(rt *rapid.T, inner fakeauth.Backend)) {
	checks := 0
	rapid.Check(t, func(rt *rapid.T) {
		checks++
		prop(rt, memstore.New())
	})
	t.Logf("%d %s", checks, what)
}

func newMachine(rt *rapid.T, inner fakeauth.Backend) *machine {
	clock := fakeauth.NewClock(time.Time{})
	store := fakeauth.WrapStore(inner)
	active := rapid.SampledFrom([]time.Duration{time.Hour, 24 * time.Hour}).Draw(rt, "active")
	idle := rapid.SampledFrom([]time.Duration{2 * time.Hour, 14 * 24 * time.Hour}).Draw(rt, "idle")
	a, err := auth.New(store, auth.Config{Clock: clock, ActivePeriod: active, IdlePeriod: idle, Argon2: cheapArgon2})
	if err != nil {
		rt.Fatal(err)
	}
	return &machine{
		ctx: context.Background(), a: a, clock: clock, store: store,
		m: &model{now: clock.Now(), active: active, idle: idle, users: map[string]bool{}, sessions: map[string]*modelSession{}},
	}
}

func (mc *machine) run(rt *rapid.T) {
	rt.Repeat(map[string]func(*rapid.T){
		"createUser":    mc.createUser,
		"createSession": mc.createSession,
		"validate":      mc.validate,
		"advance":       mc.advance,
		"invalidate":    mc.invalidate,
		"deleteUser":    mc.deleteUser,
		"deleteExpired": mc.deleteExpired,
		"userSessions":  mc.userSessions,
		"":              mc.invariants,
	})
}

func (mc *machine) createUser(rt *rapid.T) {
	u, err := mc.a.CreateUser(mc.ctx, auth.NewUser{})
	if err != nil {
		rt.Fatalf("CreateUser: %v", err)
	}
	mc.m.users[u.ID] = true
	mc.userIDs = append(mc.userIDs, u.ID)
}

func (mc *machine) pickUser(rt *rapid.T) string {
	if len(mc.userIDs) == 0 || rapid.IntRange(0, 9).Draw(rt, "unknownUser") == 0 {
		return "no-such-user"
	}
	return rapid.SampledFrom(mc.userIDs).Draw(rt, "user")
}

func (mc *machine) pickToken(rt *rapid.T) string {
	if len(mc.tokens) == 0 || rapid.IntRange(0, 9).Draw(rt, "unknownToken") == 0 {
		return "abcdefghijklmnopqrstuvwxyz234567"
	}
	return rapid.SampledFrom(mc.tokens).Draw(rt, "token")
}

func (mc *machine) createSession(rt *rapid.T) {
	uid := mc.pickUser(rt)
	s, err := mc.a.CreateSession(mc.ctx, uid)
	if !mc.m.users[uid] {
		if !errors.Is(err, auth.ErrInvalidUser) {
			rt.Fatalf("CreateSession(unknown user %q) = %v, %v; the model says ErrInvalidUser", uid, s, err)
		}
		return
	}
	if err != nil {
		rt.Fatalf("CreateSession: %v", err)
	}
	want := mc.m.now.Add(mc.m.active)
	if !s.ActiveExpiresAt.Equal(want) || !s.IdleExpiresAt.Equal(want.Add(mc.m.idle)) || !s.Fresh {
		rt.Fatalf("CreateSession = %+v; the model says active until %v", s, want)
	}
	mc.m.sessions[s.Token] = &modelSession{userID: uid, activeExpires: s.ActiveExpiresAt, idleExpires: s.IdleExpiresAt}
	mc.tokens = append(mc.tokens, s.Token)
}

func (mc *machine) validate(rt *rapid.T) {
	token := mc.pickToken(rt)
	writesBefore := mc.store.Writes()
	got, err := mc.a.ValidateSession(mc.ctx, token)
	want, renewed, ok := mc.m.validate(token)
	if !ok {
		if !errors.Is(err, auth.ErrInvalidSession) || got != nil {
			rt.Fatalf("ValidateSession = %+v, %v; the model says invalid", got, err)
		}
		return
	}
	if err != nil {
		rt.Fatalf("ValidateSession: %v; the model says valid (renewed: %v)", err, renewed)
	}
	if got.Fresh != renewed || !got.ActiveExpiresAt.Equal(want.activeExpires) || !got.IdleExpiresAt.Equal(want.idleExpires) {
		rt.Fatalf("ValidateSession = fresh %v, %v / %v; the model says fresh %v, %v / %v",
			got.Fresh, got.ActiveExpiresAt, got.IdleExpiresAt, renewed, want.activeExpires, want.idleExpires)
	}
	wantWrites := 0
	if renewed {
		wantWrites = 1
	}
	if w := mc.store.Writes() - writesBefore; w != wantWrites {
		rt.Fatalf("validation wrote %d times; the model says %d", w, wantWrites)
	}
}

func (mc *machine) advance(rt *rapid.T) {
	var d time.Duration
	if len(mc.m.sessions) > 0 && rapid.Bool().Draw(rt, "toBoundary") {
		// Land exactly on, or a nanosecond either side of, an expiry.
		var expiries []time.Time
		for _, s := range mc.m.sessions {
			expiries = append(expiries, s.activeExpires, s.idleExpires)
		}
		sort.Slice(expiries, func(i, j int) bool { return expiries[i].Before(expiries[j]) })
		at := rapid.SampledFrom(expiries).Draw(rt, "expiry")
		at = at.Add(time.Duration(rapid.IntRange(-1, 1).Draw(rt, "nudge")))
		if d = at.Sub(mc.m.now); d < 0 {
			d = 0
		}
	} else {
		d = rapid.SampledFrom([]time.Duration{time.Nanosecond, time.Minute, time.Hour, 23 * time.Hour, 25 * time.Hour, 7 * 24 * time.Hour, 15 * 24 * time.Hour}).Draw(rt, "by")
	}
	mc.clock.Advance(d)
	mc.m.now = mc.m.now.Add(d)
}

func (mc *machine) invalidate(rt *rapid.T) {
	token := mc.pickToken(rt)
	if err := mc.a.InvalidateSession(mc.ctx, auth.SessionID(token)); err != nil {
		rt.Fatalf("InvalidateSession: %v", err)
	}
	delete(mc.m.sessions, token)
}

func (mc *machine) deleteUser(rt *rapid.T) {
	uid := mc.pickUser(rt)
	err := mc.a.DeleteUser(mc.ctx, uid)
	if !mc.m.users[uid] {
		if !errors.Is(err, auth.ErrInvalidUser) {
			rt.Fatalf("DeleteUser(unknown %q) = %v", uid, err)
		}
		return
	}
	if err != nil {
		rt.Fatalf("DeleteUser: %v", err)
	}
	delete(mc.m.users, uid)
	for tok, s := range mc.m.sessions {
		if s.userID == uid {
			delete(mc.m.sessions, tok)
		}
	}
}

func (mc *machine) deleteExpired(rt *rapid.T) {
	n, err := mc.a.DeleteExpiredSessions(mc.ctx)
	if err != nil {
		rt.Fatalf("DeleteExpiredSessions: %v", err)
	}
	want := 0
	for tok, s := range mc.m.sessions {
		if !mc.m.live(s) {
			delete(mc.m.sessions, tok)
			want++
		}
	}
	if n != want {
		rt.Fatalf("DeleteExpiredSessions = %d; the model says %d", n, want)
	}
}

func (mc *machine) userSessions(rt *rapid.T) {
	uid := mc.pickUser(rt)
	list, err := mc.a.UserSessions(mc.ctx, uid)
	if err != nil {
		rt.Fatalf("UserSessions: %v", err)
	}
	var got, want []string
	for _, s := range list {
		got = append(got, s.ID)
	}
	for tok, s := range mc.m.sessions {
		if s.userID == uid && mc.m.live(s) {
			want = append(want, auth.SessionID(tok))
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		rt.Fatalf("UserSessions(%s) = %v; the model says %v", uid, got, want)
	}
}

// invariants: every session the model holds is stored with the model's
// expiries, and a session the model has dropped is not stored, or is dead
// and merely not swept yet.
func (mc *machine) invariants(rt *rapid.T) {
	inner := mc.store.Inner()
	for _, tok := range mc.tokens {
		rec, _, err := inner.GetSessionAndUser(mc.ctx, auth.SessionID(tok))
		s, inModel := mc.m.sessions[tok]
		switch {
		case err != nil && !errors.Is(err, auth.ErrNotFound):
			rt.Fatalf("reading the store: %v", err)
		case inModel && err != nil:
			rt.Fatalf("session %.8s is missing from the store", auth.SessionID(tok))
		case inModel && (!rec.ActiveExpiresAt.Equal(s.activeExpires) || !rec.IdleExpiresAt.Equal(s.idleExpires)):
			rt.Fatalf("session %.8s stored with %v / %v; the model says %v / %v", auth.SessionID(tok), rec.ActiveExpiresAt, rec.IdleExpiresAt, s.activeExpires, s.idleExpires)
		case !inModel && err == nil && !mc.m.now.After(rec.IdleExpiresAt):
			rt.Fatalf("session %.8s is live in the store but gone from the model (revived?)", auth.SessionID(tok))
		}
	}
}

// TestModelCheckConcurrent checks the lifetime invariants
// under concurrency, on random shapes: any number of validations of one
// idle session, racing an invalidation or not, make at most one renewal
// write; nobody is logged out unless the session was invalidated; and an
// invalidated session is never brought back.
func TestModelCheckConcurrent(t *testing.T) {
	check(t, "random concurrent shapes kept the invariants", func(rt *rapid.T, inner fakeauth.Backend) {
		mc := newMachine(rt, inner)
		mc.createUser(rt)
		mc.m.users[mc.userIDs[0]] = true
		s, err := mc.a.CreateSession(mc.ctx, mc.userIDs[0])
		if err != nil {
			rt.Fatal(err)
		}
		mc.clock.Advance(mc.m.active + time.Duration(rapid.Int64Range(1, int64(mc.m.idle)).Draw(rt, "intoIdle")))
		n := rapid.IntRange(2, 32).Draw(rt, "validators")
		invalidate := rapid.Bool().Draw(rt, "invalidate")
		mc.store.ClearCalls()

		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				<-start
				_, errs[i] = mc.a.ValidateSession(mc.ctx, s.Token)
			})
		}
		if invalidate {
			wg.Go(func() {
				<-start
				if err := mc.a.InvalidateSession(mc.ctx, s.ID); err != nil {
					rt.Error(err)
				}
			})
		}
		close(start)
		wg.Wait()

		renewals := 0
		for _, c := range mc.store.Calls() {
			if c.Op == fakeauth.OpRenewSession && c.Wrote {
				renewals++
			}
		}
		if renewals > 1 {
			rt.Fatalf("%d renewal writes for one idle session", renewals)
		}
		_, _, stored := mc.store.Inner().GetSessionAndUser(mc.ctx, s.ID)
		if invalidate {
			if stored == nil {
				rt.Fatalf("the invalidated session is stored again")
			}
			return
		}
		if renewals != 1 {
			rt.Fatalf("%d renewal writes, want exactly 1", renewals)
		}
		for i, err := range errs {
			if err != nil {
				rt.Fatalf("validator %d of %d: %v (logged out)", i+1, n, err)
			}
		}
	})
}
