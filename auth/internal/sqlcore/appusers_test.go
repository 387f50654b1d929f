package sqlcore_test

import (
	"errors"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/internal/testservices"
)

// An app's integer ID column works: user IDs are passed as strings, and
// deleting the user's row deletes its sessions (ON DELETE CASCADE).
func TestAppUsersIntegerID(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := t.Context()
		db := b.newDB(t)
		db.exec(t, appTable(b.intType), `INSERT INTO users (id) VALUES (42)`)
		a := testservices.NewAuth(t, migrated(t, db.sessions(t, b.intType)), nil)
		sess, err := a.CreateSession(ctx, "42")
		if err != nil {
			t.Fatalf("CreateSession(42): %v", err)
		}
		if got, err := a.ValidateSession(ctx, sess.Token); err != nil || got.UserID != "42" {
			t.Fatalf("ValidateSession = %+v, %v; want the session of 42", got, err)
		}
		if _, err := a.CreateSession(ctx, "43"); !errors.Is(err, auth.ErrInvalidUser) {
			t.Errorf("CreateSession(43), no such row: error = %v, want auth.ErrInvalidUser", err)
		}
		if ss, err := a.UserSessions(ctx, "42"); err != nil || len(ss) != 1 {
			t.Errorf("UserSessions(42) = %d sessions, %v; want 1", len(ss), err)
		}
		db.exec(t, `DELETE FROM users WHERE id = 42`)
		var left int64
		if db.scan(t, `SELECT COUNT(*) FROM auth_sessions`, &left); left != 0 {
			t.Errorf("sessions left after deleting user 42 = %d, want 0 (ON DELETE CASCADE)", left)
		}
		if _, err := a.ValidateSession(ctx, sess.Token); !errors.Is(err, auth.ErrInvalidSession) {
			t.Errorf("ValidateSession after deleting user 42: error = %v, want auth.ErrInvalidSession", err)
		}
	})
}

// A user ID on an app's integer or uuid column must be the one the column
// gives back: the database would compare "042" equal to 42, yet the
// session would carry UserID "042". Such IDs name no user, for every
// method that takes one.
func TestAppUsersCanonicalID(t *testing.T) {
	integer := []string{"042", " 42", "42 ", "+42", "4.2e1", "42.0", "0x2a", "", "forty-two"}
	cases := map[string][]struct {
		idType, id string
		refused    []string
	}{
		"SQLite": {
			{"INTEGER", "42", integer},
			{"INTEGER", "-7", []string{"-07", "-0", "7", " -7"}},
		},
		"PostgreSQL": {
			{"bigint", "42", append(integer, "9223372036854775808")},
			{"integer", "-7", []string{"-07", "+-7", "2147483648", "-0", "7", " -7"}},
			{"uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", []string{
				"A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",
				"a0eebc999c0b4ef8bb6d6bb9bd380a11", "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11", "not a uuid",
			}},
		},
	}
	eachBackend(t, func(t *testing.T, b backend) {
		for _, c := range cases[b.name] {
			t.Run(c.idType, func(t *testing.T) {
				ctx := t.Context()
				db := b.newDB(t)
				db.exec(t, appTable(c.idType), `INSERT INTO users (id) VALUES ('`+c.id+`')`)
				a := testservices.NewAuth(t, migrated(t, db.sessions(t, c.idType)), nil)
				kept, err := a.CreateSession(ctx, c.id)
				if err != nil {
					t.Fatalf("CreateSession(%q): %v", c.id, err)
				}
				for _, id := range c.refused {
					if sess, err := a.CreateSession(ctx, id); !errors.Is(err, auth.ErrInvalidUser) {
						t.Errorf("CreateSession(%q) = %+v, %v; want auth.ErrInvalidUser (not the ID the column gives back)", id, sess, err)
					}
					if ss, err := a.UserSessions(ctx, id); err != nil || len(ss) != 0 {
						t.Errorf("UserSessions(%q) = %d sessions, %v; want none", id, len(ss), err)
					}
					if err := a.InvalidateUserSessions(ctx, id); err != nil {
						t.Errorf("InvalidateUserSessions(%q): %v", id, err)
					}
				}
				var n int64
				if db.scan(t, `SELECT COUNT(*) FROM auth_sessions`, &n); n != 1 {
					t.Errorf("sessions stored = %d, want 1: the refused IDs stored none", n)
				}
				got, err := a.ValidateSession(ctx, kept.Token)
				if err != nil || got.UserID != c.id || kept.UserID != c.id {
					t.Errorf("session of %q: created with UserID %q, validated as %+v, %v; want %q both times, untouched by the refused IDs", c.id, kept.UserID, got, err, c.id)
				}
			})
		}
	})
}
