package main

import (
	"context"
	"fmt"
)

// openRedis opens the Redis server at url (redis:// or rediss://) with
// auth/redisstore and returns the store with its Admin. The URL's "prefix"
// query parameter, if any, is the playground's, not the client's: take it
// out with redisPrefix and give it to the store as its key prefix. Reset
// deletes every key under the prefix. Its errors must not repeat url,
// which may hold a password.
func openRedis(ctx context.Context, url string) (backend, error) {
	return backend{}, fmt.Errorf("redis: %w", errNotBuilt)
}
