package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/authkit-dev/authkit/cmd/authplayground/internal/playground"
	"github.com/authkit-dev/authkit/fakeauth"
)

// backend is a store the playground runs on, opened from -db: the store
// itself, the Admin that lists and empties it for the controls, and how to
// close it.
type backend struct {
	Store fakeauth.Backend
	Admin playground.Admin
	Close func() error
}

// errNotBuilt is what the opening function of a backend returns while the
// playground is built without it.
var errNotBuilt = errors.New("backend not built yet")

// openStore opens the store that -db names and returns it (a zero backend
// for the in-memory default, which the playground makes itself) and a name
// to show, with no password in it. SQL stores are migrated first. Each
// backend but memory is opened by a function of its own, in a file of its
// own: openSQLite, openPostgres, openRedis.
//
//	memory                 the default: everything in memory
//	sqlite:PATH            SQLite database file (created if needed)
//	postgres://...         PostgreSQL (postgresql:// too)
//	redis://...            Redis (rediss:// too); a "prefix" query parameter
//	                       sets the key prefix (see redisPrefix)
func openStore(ctx context.Context, spec string) (backend, string, error) {
	switch {
	case spec == "" || spec == "memory":
		return backend{}, "memory", nil
	case strings.HasPrefix(spec, "sqlite:"):
		path := strings.TrimPrefix(spec, "sqlite:")
		if path == "" {
			return backend{}, "", fmt.Errorf("-db %s: the path is empty", spec)
		}
		b, err := openSQLite(ctx, path)
		return opened(b, spec, err)
	case strings.HasPrefix(spec, "postgres://"), strings.HasPrefix(spec, "postgresql://"):
		b, err := openPostgres(ctx, spec)
		return opened(b, redactURL(spec), err)
	case strings.HasPrefix(spec, "redis://"), strings.HasPrefix(spec, "rediss://"):
		b, err := openRedis(ctx, spec)
		return opened(b, redactURL(spec), err)
	}
	return backend{}, "", fmt.Errorf("-db %q: want memory, sqlite:PATH, postgres://... or redis://...", spec)
}

// opened checks what an opening function returned and reports its error
// with name, which has no password in it. The opening functions must not
// repeat their URL in their errors (TestOpenStoreRedactsPasswords).
func opened(b backend, name string, err error) (backend, string, error) {
	if err != nil {
		return backend{}, "", fmt.Errorf("-db %s: %w", name, err)
	}
	if b.Store == nil {
		return backend{}, "", fmt.Errorf("-db %s: the backend opened no store", name)
	}
	if b.Close == nil {
		b.Close = func() error { return nil }
	}
	return b, name, nil
}

// redisPrefix takes the playground's "prefix" query parameter out of a
// Redis URL: it returns the URL the Redis client is given, and the key
// prefix when the parameter is there (ok false leaves the store's
// default).
func redisPrefix(spec string) (clientURL, prefix string, ok bool, err error) {
	u, err := url.Parse(spec)
	if err != nil {
		return "", "", false, fmt.Errorf("parsing the URL: %w", redactedError(err))
	}
	q := u.Query()
	if !q.Has("prefix") {
		return spec, "", false, nil
	}
	prefix = q.Get("prefix")
	q.Del("prefix")
	u.RawQuery = q.Encode()
	return u.String(), prefix, true, nil
}

// redactedError drops the URL that a *url.Error repeats, which may hold a
// password.
func redactedError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
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
