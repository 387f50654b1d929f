package sqlitecases_test

import (
	"context"
	"testing"

	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/internal/sqlitecases"
)

const usersTable = `CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE)`

// Each case's fake is in front of a database of its own, whose sessions
// end with their user's row (ON DELETE CASCADE); DB finds a fake's
// database until the fake is released.
func TestNewFakeCascadesAndReleases(t *testing.T) {
	ctx := context.Background()
	d := sqlitecases.New(t.TempDir(), usersTable)
	f, release, err := d.NewFake(ctx)
	if err != nil {
		t.Fatal(err)
	}
	db, ok := d.DB(f)
	if !ok {
		t.Fatal("DB of a fake NewFake made: not found")
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO users (id, email) VALUES (1, 'ada@example.com')`); err != nil {
		t.Fatal(err)
	}
	s, err := f.SeedSession(ctx, "1", fakeauth.Active)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := f.StoredSession(ctx, s.ID); !ok || err != nil {
		t.Fatalf("StoredSession before the user is deleted = %v, %v; want it stored", ok, err)
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM users WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := f.StoredSession(ctx, s.ID); ok || err != nil {
		t.Errorf("StoredSession after the user is deleted = %v, %v; want it gone by the cascade", ok, err)
	}

	other, releaseOther, err := d.NewFake(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer releaseOther()
	if otherDB, _ := d.DB(other); otherDB == db {
		t.Error("two cases share a database")
	}
	release()
	if _, ok := d.DB(f); ok {
		t.Error("DB of a released fake: found")
	}
}

// Open makes a database with the app's users table alone.
func TestOpenMakesTheUsersTable(t *testing.T) {
	ctx := context.Background()
	db, err := sqlitecases.New(t.TempDir(), usersTable).Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `INSERT INTO users (id, email) VALUES (1, 'ada@example.com')`); err != nil {
		t.Errorf("inserting a user: %v", err)
	}
}
