package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/authkit-dev/authkit/auth/pgstore"
)

// openPostgres opens the PostgreSQL database at url (postgres:// or
// postgresql://) with auth/pgstore, migrates it, and returns the store with
// its Admin. Reset empties the store's tables: the playground wants a
// database of its own. Its errors must not repeat url, which may hold a
// password.
func openPostgres(ctx context.Context, url string) (backend, error) {
	s, err := pgstore.Open(ctx, url)
	if err != nil {
		return backend{}, redactedError(err)
	}
	if err := s.Migrate(ctx); err != nil {
		return backend{}, errors.Join(err, s.Close())
	}
	pool := s.DB()
	return adminBackend(s,
		func(ctx context.Context) ([]string, error) {
			rows, err := pool.Query(ctx, "SELECT DISTINCT user_id FROM auth_sessions")
			if err != nil {
				return nil, err
			}
			return pgx.CollectRows(rows, pgx.RowTo[string])
		},
		func(ctx context.Context) error {
			return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
				for _, t := range []string{"auth_sessions", "auth_keys", "auth_users"} {
					if _, err := tx.Exec(ctx, "DELETE FROM "+t); err != nil {
						return fmt.Errorf("emptying %s: %w", t, err)
					}
				}
				return nil
			})
		},
	), nil
}
