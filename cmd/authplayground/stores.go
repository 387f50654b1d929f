package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/redisstore"
	"github.com/authkit-dev/authkit/auth/sqlstore"
)

// openStore opens the store that -db names and returns it (nil for the
// in-memory default, which the playground makes itself), a name to show
// with no password in it, and the function that closes it. SQL stores are
// migrated first.
//
//	memory                 the default: everything in memory
//	sqlite:PATH            SQLite database file (created if needed)
//	postgres://...         PostgreSQL (postgresql:// too)
//	redis://...            Redis (rediss:// too); a "prefix" query parameter
//	                       sets the key prefix, "authkit:" by default
func openStore(ctx context.Context, spec string) (auth.Store, string, func() error, error) {
	noop := func() error { return nil }
	switch {
	case spec == "" || spec == "memory":
		return nil, "memory", noop, nil
	case strings.HasPrefix(spec, "sqlite:"):
		path := strings.TrimPrefix(spec, "sqlite:")
		s, err := sqlstore.OpenSQLite(path)
		if err != nil {
			return nil, "", noop, fmt.Errorf("-db %s: %w", spec, err)
		}
		return migrated(ctx, s, spec)
	case strings.HasPrefix(spec, "postgres://"), strings.HasPrefix(spec, "postgresql://"):
		name := redactURL(spec)
		s, err := sqlstore.OpenPostgres(ctx, spec)
		if err != nil {
			return nil, "", noop, fmt.Errorf("-db %s: %w", name, err)
		}
		return migrated(ctx, s, name)
	case strings.HasPrefix(spec, "redis://"), strings.HasPrefix(spec, "rediss://"):
		name := redactURL(spec)
		u, err := url.Parse(spec)
		if err != nil {
			return nil, "", noop, fmt.Errorf("-db %s: %w", name, err)
		}
		// The prefix is the playground's parameter, not the Redis
		// client's: take it out of the URL.
		q := u.Query()
		var opts []redisstore.Option
		if q.Has("prefix") {
			opts = append(opts, redisstore.WithPrefix(q.Get("prefix")))
			q.Del("prefix")
			u.RawQuery = q.Encode()
		}
		s, err := redisstore.Open(ctx, u.String(), opts...)
		if err != nil {
			return nil, "", noop, fmt.Errorf("-db %s: %w", name, err)
		}
		return s, name, s.Close, nil
	}
	return nil, "", noop, fmt.Errorf("-db %q: want memory, sqlite:PATH, postgres://... or redis://...", spec)
}

// migrated brings the SQL store's tables up to date and returns it, or
// closes it on failure.
func migrated(ctx context.Context, s *sqlstore.Store, name string) (auth.Store, string, func() error, error) {
	if err := s.Migrate(ctx); err != nil {
		return nil, "", func() error { return nil }, errors.Join(fmt.Errorf("-db %s: %w", name, err), s.Close())
	}
	return s, name, s.Close, nil
}

// redactURL returns a database URL with its password replaced by "xxxxx",
// for the log and the pages.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(an unparsable URL)"
	}
	return u.Redacted()
}
