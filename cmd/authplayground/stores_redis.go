package main

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/authkit-dev/authkit/auth/redisstore"
)

// openRedis opens the Redis server at url (redis:// or rediss://) with
// auth/redisstore and returns the store with its Admin. The URL's "prefix"
// query parameter, if any, is the playground's, not the client's: take it
// out with redisPrefix and give it to the store as its key prefix. Reset
// deletes every key under the prefix. Its errors must not repeat url,
// which may hold a password.
func openRedis(ctx context.Context, url string) (backend, error) {
	clientURL, prefix, ok, err := redisPrefix(url)
	if err != nil {
		return backend{}, err
	}
	var opts []redisstore.Option
	if ok {
		opts = append(opts, redisstore.WithPrefix(prefix))
	}
	s, err := redisstore.Open(ctx, clientURL, opts...)
	if err != nil {
		return backend{}, redactedError(err)
	}
	client, p := s.Client(), s.Prefix()
	return adminBackend(s,
		// The store's documented layout: P{U:<user ID>}s is the set of a
		// user's sessions.
		func(ctx context.Context) ([]string, error) {
			var ids []string
			err := scanKeys(ctx, client, p+"{U:*}s", func(key string) {
				id := strings.TrimSuffix(strings.TrimPrefix(key, p+"{U:"), "}s")
				ids = append(ids, id)
			})
			return ids, err
		},
		// Every key of the store starts with its prefix.
		func(ctx context.Context) error {
			var keys []string
			if err := scanKeys(ctx, client, p+"*", func(key string) { keys = append(keys, key) }); err != nil {
				return err
			}
			var errs []error
			for _, k := range keys { // one by one: on a cluster they are in different slots
				errs = append(errs, client.Del(ctx, k).Err())
			}
			return errors.Join(errs...)
		},
	), nil
}

// scanKeys calls f with every key matching pattern, on each master of a
// cluster.
func scanKeys(ctx context.Context, client redis.UniversalClient, pattern string, f func(string)) error {
	scan := func(ctx context.Context, c *redis.Client) error {
		iter := c.Scan(ctx, 0, pattern, 500).Iterator()
		for iter.Next(ctx) {
			f(iter.Val())
		}
		return iter.Err()
	}
	switch c := client.(type) {
	case *redis.Client:
		return scan(ctx, c)
	case *redis.ClusterClient:
		// ForEachMaster runs f on the masters at once.
		var mu sync.Mutex
		inner := f
		f = func(key string) {
			mu.Lock()
			defer mu.Unlock()
			inner(key)
		}
		return c.ForEachMaster(ctx, scan)
	}
	return errors.New("the playground lists a single Redis or a cluster only")
}
