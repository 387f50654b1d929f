package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/authkit-dev/authkit/auth/sqlitestore"
)

// openSQLite opens the SQLite database file at path (created if needed)
// with auth/sqlitestore, migrates it, and returns the store with its
// Admin. Reset empties the store's tables.
func openSQLite(ctx context.Context, path string) (backend, error) {
	s, err := sqlitestore.Open(path)
	if err != nil {
		return backend{}, err
	}
	if err := s.Migrate(ctx); err != nil {
		return backend{}, errors.Join(err, s.Close())
	}
	db := s.DB()
	return adminBackend(s,
		func(ctx context.Context) ([]string, error) { return sqlUserIDs(ctx, db, "auth_sessions") },
		func(ctx context.Context) error { return sqlDelete(ctx, db, "auth_sessions", "auth_keys", "auth_users") },
	), nil
}

// sqlUserIDs returns the distinct user IDs of a sessions table.
func sqlUserIDs(ctx context.Context, db *sql.DB, table string) ([]string, error) {
	rows, err := db.QueryContext(ctx, "SELECT DISTINCT user_id FROM "+table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// sqlDelete empties the tables, in order, in one transaction.
func sqlDelete(ctx context.Context, db *sql.DB, tables ...string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, t := range tables {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+t); err != nil {
			return fmt.Errorf("emptying %s: %w", t, err)
		}
	}
	return tx.Commit()
}
