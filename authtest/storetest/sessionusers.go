package storetest

import (
	"context"
	"errors"
	"fmt"

	"github.com/authkit-dev/authkit/auth"
	"github.com/google/go-cmp/cmp"
)

// --- Users -------------------------------------------------------------------

func testUsersUnknown(f *fixture) {
	f.user("u1")
	r := session("s1", "nobody")
	err := f.s.CreateSession(f.ctx(), r)
	f.wantErr("CreateSession(unknown user)", err, auth.ErrUserNotFound)
	f.wantNoSession(r.ID)
	f.wantUserSessions("nobody")
}

func testUsersSessionsEnd(f *fixture) {
	f.user("u1")
	f.user("u2")
	s1, s2, s3 := session("s1", "u1"), session("s2", "u1"), session("s3", "u2")
	for _, r := range []auth.SessionRecord{s1, s2, s3} {
		f.create(r)
	}
	f.noErr("delete user u1", f.deleteUser(f.ctx(), "u1"))
	f.wantNoSession(s1.ID)
	f.wantNoSession(s2.ID)
	f.wantUserSessions("u1")
	f.wantSession(s3)
	f.wantUserSessions("u2", s3)
	f.wantRenewMisses("session of a deleted user", s1)
	// A new user with the same ID does not inherit the old sessions.
	f.user("u1")
	f.wantUserSessions("u1")
	f.wantNoSession(s1.ID)
}

// A session created while its user is being deleted either fails with
// ErrUserNotFound or is deleted with the user: none outlives it.
func testUsersDeleteRacingCreate(f *fixture) {
	const rounds, creators = 5, 16
	for round := range rounds {
		uid := fmt.Sprintf("u%d", round)
		f.user(uid)
		errs := make([]error, creators+1)
		ids := make([]string, creators)
		race(creators+1, func(i int) {
			if i == creators {
				errs[i] = f.deleteUser(context.Background(), uid)
				return
			}
			r := session(fmt.Sprintf("round %d session %d", round, i), uid)
			ids[i] = r.ID
			errs[i] = f.s.CreateSession(context.Background(), r)
		})
		f.noErr("delete user", errs[creators])
		for i, err := range errs[:creators] {
			if err != nil && !errors.Is(err, auth.ErrUserNotFound) {
				f.t.Errorf("CreateSession racing the user's delete: error = %v, want nil or ErrUserNotFound", err)
			}
			f.wantNoSession(ids[i])
		}
		f.wantUserSessions(uid)
	}
}

// --- GetSessionAndUser -------------------------------------------------------

func testJoinReturnsUser(f *fixture) {
	f.user("u1")
	f.user("u2")
	r := session("s1", "u1")
	f.create(r)
	f.create(session("s2", "u2"))
	gotS, gotU, err := f.js.GetSessionAndUser(f.ctx(), r.ID)
	f.noErr("GetSessionAndUser", err)
	if diff := cmp.Diff(r, gotS, cmpOpts); diff != "" {
		f.t.Errorf("GetSessionAndUser session mismatch (-want +got):\n%s", diff)
	}
	if f.us != nil {
		want, err := f.us.GetUser(f.ctx(), "u1")
		f.noErr("GetUser", err)
		if diff := cmp.Diff(want, gotU, cmpOpts); diff != "" {
			f.t.Errorf("GetSessionAndUser user mismatch (-want +got):\n%s", diff)
		}
	} else if gotU.ID != "u1" {
		f.t.Errorf("GetSessionAndUser user ID = %q, want %q", gotU.ID, "u1")
	}
}

func testJoinMissing(f *fixture) {
	f.user("u1")
	f.create(session("s1", "u1"))
	for _, id := range []string{session("s2", "u1").ID, ""} {
		s, u, err := f.js.GetSessionAndUser(f.ctx(), id)
		f.wantErr(fmt.Sprintf("GetSessionAndUser(%.12s…)", id), err, auth.ErrNotFound)
		if errors.Is(err, auth.ErrUserNotFound) {
			f.t.Errorf("GetSessionAndUser(missing session): error %v also matches ErrUserNotFound", err)
		}
		if s.ID != "" || u.ID != "" {
			f.t.Errorf("GetSessionAndUser(missing session) = session %q, user %q, want zero records", s.ID, u.ID)
		}
	}
}

func testJoinAfterDeleteUser(f *fixture) {
	f.user("u1")
	r := session("s1", "u1")
	f.create(r)
	f.noErr("delete user", f.deleteUser(f.ctx(), "u1"))
	_, _, err := f.js.GetSessionAndUser(f.ctx(), r.ID)
	f.wantErr("GetSessionAndUser(session of a deleted user)", err, auth.ErrNotFound)
}

func testJoinOrphan(f *fixture) {
	f.user("u1")
	r := session("s1", "u1")
	f.create(r)
	f.noErr("OrphanUser", f.cfg.orphanUser(f.ctx(), f.s, "u1"))
	s, u, err := f.js.GetSessionAndUser(f.ctx(), r.ID)
	f.wantErr("GetSessionAndUser(orphan session)", err, auth.ErrUserNotFound)
	if errors.Is(err, auth.ErrNotFound) {
		f.t.Errorf("GetSessionAndUser(orphan session): error %v also matches ErrNotFound", err)
	}
	if diff := cmp.Diff(r, s, cmpOpts); diff != "" {
		f.t.Errorf("GetSessionAndUser(orphan session) session mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(auth.UserRecord{}, u, cmpOpts); diff != "" {
		f.t.Errorf("GetSessionAndUser(orphan session) user mismatch (-want +got):\n%s", diff)
	}
}
