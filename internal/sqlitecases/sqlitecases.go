// Package sqlitecases gives each case of a scenarios run a SQLite database
// of its own, as an app that keeps its own users runs in production: the
// app's users table, authkit's sessions table whose user_id references it
// ON DELETE CASCADE (sqlitestore.NewSessions), and a fake in front of the
// sessions. The tests of examples/ownusers and of the testapp shapes of
// package scenarios use it as their Target.NewFake.
package sqlitecases

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/authkit-dev/authkit/auth/sqlitestore"
	"github.com/authkit-dev/authkit/fakeauth"
)

// Databases opens the cases' databases, one file each, in a directory,
// and remembers which database each fake is in front of. Its methods may
// be called by the goroutines of several cases at once.
type Databases struct {
	dir        string
	usersTable string // CREATE TABLE of the app's users table
	n          atomic.Int64
	dbs        sync.Map // *fakeauth.Fake → *sql.DB
}

// New returns the databases of the cases of one run, in dir (a test's
// t.TempDir()). usersTable creates the app's table of users, named
// "users" with the key "id".
func New(dir, usersTable string) *Databases {
	return &Databases{dir: dir, usersTable: usersTable}
}

// Open opens a new database with the app's users table: the users of a
// case whose sessions are elsewhere. The caller closes it.
func (d *Databases) Open(ctx context.Context) (*sql.DB, error) {
	db, err := sqlitestore.OpenDB(filepath.Join(d.dir, fmt.Sprintf("case%d.db", d.n.Add(1))))
	if err != nil {
		return nil, err
	}
	if _, err := db.ExecContext(ctx, d.usersTable); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// NewFake opens a new database with the app's users table and authkit's
// sessions table, and returns a fake in front of its sessions and the
// function that closes the database: a scenarios Target.NewFake.
func (d *Databases) NewFake(ctx context.Context) (*fakeauth.Fake, func(), error) {
	db, err := d.Open(ctx)
	if err != nil {
		return nil, nil, err
	}
	f, err := sessionsFake(ctx, db)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	d.dbs.Store(f, db)
	return f, func() { d.dbs.Delete(f); db.Close() }, nil
}

// DB returns the database that f, made by NewFake and not yet released,
// is in front of.
func (d *Databases) DB(f *fakeauth.Fake) (*sql.DB, bool) {
	db, ok := d.dbs.Load(f)
	if !ok {
		return nil, false
	}
	return db.(*sql.DB), true
}

// sessionsFake makes authkit's sessions table on db, referencing its users
// table, and returns a fake in front of the sessions.
func sessionsFake(ctx context.Context, db *sql.DB) (*fakeauth.Fake, error) {
	s, err := sqlitestore.NewSessions(db, sqlitestore.UsersTable{Table: "users", IDColumn: "id"})
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		return nil, err
	}
	return fakeauth.New(fakeauth.WithStore(s))
}
