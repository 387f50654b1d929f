package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/authkit-dev/authkit/auth"
)

// openStore opens the store that -db names and returns it (nil for the
// in-memory default, which the playground makes itself), a name to show
// with no secret in it, and the function that closes it.
func openStore(ctx context.Context, spec string) (auth.Store, string, func() error, error) {
	noop := func() error { return nil }
	switch {
	case spec == "" || spec == "memory":
		return nil, "memory", noop, nil
	case strings.HasPrefix(spec, "sqlite:"):
		return nil, "", noop, fmt.Errorf("-db %s: the SQLite store (package auth/sqlstore) is not wired into the playground yet", spec)
	case strings.HasPrefix(spec, "postgres://"), strings.HasPrefix(spec, "postgresql://"):
		return nil, "", noop, fmt.Errorf("-db postgres://...: the PostgreSQL store (package auth/sqlstore) is not wired into the playground yet")
	case strings.HasPrefix(spec, "redis://"), strings.HasPrefix(spec, "rediss://"):
		return nil, "", noop, fmt.Errorf("-db redis://...: the Redis store (package auth/redisstore) does not exist yet")
	}
	return nil, "", noop, fmt.Errorf("-db %q: want memory, sqlite:PATH, postgres://... or redis://...", spec)
}
