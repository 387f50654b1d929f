package main

import (
	"context"
	"fmt"
)

// openPostgres opens the PostgreSQL database at url (postgres:// or
// postgresql://) with auth/pgstore, migrates it, and returns the store with
// its Admin. Reset empties the store's tables: the playground wants a
// database of its own. Its errors must not repeat url, which may hold a
// password.
func openPostgres(ctx context.Context, url string) (backend, error) {
	return backend{}, fmt.Errorf("postgres: %w", errNotBuilt)
}
