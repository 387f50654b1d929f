package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Migrations are SQL files named NNNN_description.sql, one directory per
// dialect. They are applied in version order, each once, and never edited
// after release: a change is a new file.
//
//go:embed migrations
var migrationFiles embed.FS

type migration struct {
	version int64
	name    string
	sql     string
}

// migrations returns the dialect's migrations in version order, with the
// schema prefix filled in.
func (s *Store) migrations() ([]migration, error) {
	dir := path.Join("migrations", s.dialect.String())
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: read migrations: %w", err)
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("sqlstore: migration %s: name is not NNNN_description.sql", e.Name())
		}
		b, err := migrationFiles.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("sqlstore: read migration %s: %w", e.Name(), err)
		}
		out = append(out, migration{version: v, name: e.Name(), sql: strings.ReplaceAll(string(b), "{{schema}}", s.tablePrefix())})
	}
	slices.SortFunc(out, func(a, b migration) int { return cmp.Compare(a.version, b.version) })
	return out, nil
}

// SchemaVersion is the schema version this package's migrations lead to.
// [Store.Migrate] brings a database to it.
const SchemaVersion = 1

// Migrate creates the tables, or updates them to [SchemaVersion]. It is
// safe to call on every start-up and from several processes at once: the
// migrations run in one transaction that holds a lock (an advisory lock on
// PostgreSQL, the write lock on SQLite), and each is recorded in
// auth_schema_migrations so that it runs once. Versions in the table that
// this package does not know (written by a newer authkit) are left alone.
//
// On SQLite, Migrate also prepares the statements that validating a
// session runs, which halves their cost.
func (s *Store) Migrate(ctx context.Context) error {
	if err := s.migrate(ctx); err != nil {
		return err
	}
	// After migrate has given its connection back: an in-memory SQLite
	// store has only one.
	return s.prepare(ctx)
}

func (s *Store) migrate(ctx context.Context) error {
	ms, err := s.migrations()
	if err != nil {
		return err
	}
	// A connection of our own, so that SQLite's transaction can begin with
	// BEGIN IMMEDIATE whatever the DSN says.
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sqlstore: migrate: %w", err)
	}
	defer conn.Close()

	begin, commit, rollback := "BEGIN", "COMMIT", "ROLLBACK"
	if s.dialect == SQLite {
		begin = "BEGIN IMMEDIATE"
	}
	if _, err := conn.ExecContext(ctx, begin); err != nil {
		return fmt.Errorf("sqlstore: migrate: begin: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			// A fresh context: the rollback must run even if ctx is done.
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			conn.ExecContext(ctx, rollback)
		}
	}()
	if err := s.migrateLocked(ctx, conn, ms); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, commit); err != nil {
		return fmt.Errorf("sqlstore: migrate: commit: %w", err)
	}
	committed = true
	return nil
}

func (s *Store) migrateLocked(ctx context.Context, conn *sql.Conn, ms []migration) error {
	table := s.tablePrefix() + "auth_schema_migrations"
	if s.dialect == Postgres {
		// Serialise concurrent migrators of the same schema; released at
		// the end of the transaction.
		h := fnv.New64a()
		h.Write([]byte("authkit sqlstore migrate " + s.schema))
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", int64(h.Sum64())); err != nil {
			return fmt.Errorf("sqlstore: migrate: lock: %w", err)
		}
		if s.schema != "" {
			if _, err := conn.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+strings.TrimSuffix(s.tablePrefix(), ".")); err != nil {
				return fmt.Errorf("sqlstore: migrate: create schema: %w", err)
			}
		}
	}
	if _, err := conn.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS "+table+" (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"); err != nil {
		return fmt.Errorf("sqlstore: migrate: create %s: %w", table, err)
	}
	applied := map[int64]bool{}
	rows, err := conn.QueryContext(ctx, "SELECT version FROM "+table)
	if err != nil {
		return fmt.Errorf("sqlstore: migrate: read versions: %w", err)
	}
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return fmt.Errorf("sqlstore: migrate: read versions: %w", err)
		}
		applied[v] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlstore: migrate: read versions: %w", err)
	}
	record := "INSERT INTO " + table + " (version, name, applied_at) VALUES (?, ?, ?)"
	if s.dialect == Postgres {
		record = numberPlaceholders(record)
	}
	for _, m := range ms {
		if applied[m.version] {
			continue
		}
		// No arguments: pgx sends it with the simple protocol, which
		// allows several statements, as SQLite's driver does.
		if _, err := conn.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("sqlstore: migrate: %s: %w", m.name, err)
		}
		if _, err := conn.ExecContext(ctx, record, m.version, m.name, time.Now().UnixNano()); err != nil {
			return fmt.Errorf("sqlstore: migrate: record %s: %w", m.name, err)
		}
	}
	return nil
}
