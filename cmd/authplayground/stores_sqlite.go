package main

import (
	"context"
	"fmt"
)

// openSQLite opens the SQLite database file at path (created if needed)
// with auth/sqlitestore, migrates it, and returns the store with its
// Admin. Reset empties the store's tables.
func openSQLite(ctx context.Context, path string) (backend, error) {
	return backend{}, fmt.Errorf("sqlite: %w", errNotBuilt)
}
