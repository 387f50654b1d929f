package redisstore_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/redisstore"
)

// An app on Redis: open the store and hand it to auth.New. There is
// nothing to migrate.
func Example() {
	ctx := context.Background()
	store, err := redisstore.Open(ctx, "redis://127.0.0.1:6379/0", redisstore.WithPrefix("myapp:auth:"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	a, err := auth.New(store, auth.Config{})
	if err != nil {
		log.Fatal(err)
	}
	_ = a // the app's handlers sign users in and validate sessions with a
}

// New wraps a client the app configured itself (here one that prefers an
// error to a retried write, see the package documentation); Close leaves
// the client open.
func ExampleNew() {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", MaxRetries: -1})
	defer client.Close()

	store, err := redisstore.New(client,
		redisstore.WithPrefix("myapp:auth:"),
		redisstore.WithExpiryGrace(time.Hour),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(store.Prefix())
	// Output: myapp:auth:
}

// An app that keeps its users in its own database keeps only sessions on
// Redis. When it deletes a user, it ends the user's sessions itself.
func ExampleNewSessions() {
	ctx := context.Background()
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer client.Close()
	sessions, err := redisstore.NewSessions(client, redisstore.WithPrefix("myapp:sessions:"))
	if err != nil {
		log.Fatal(err)
	}
	a, err := auth.New(sessions, auth.Config{})
	if err != nil {
		log.Fatal(err)
	}
	// After signing in user 42 of the app's own users table:
	if _, err := a.CreateSession(ctx, "42"); err != nil {
		log.Fatal(err)
	}
	// After deleting user 42 from the app's table:
	if err := a.InvalidateUserSessions(ctx, "42"); err != nil {
		log.Fatal(err)
	}
}

// On Redis Cluster, give New a cluster client: every script the store
// runs touches one hash slot.
func ExampleNew_cluster() {
	client := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"10.0.0.1:6379", "10.0.0.2:6379", "10.0.0.3:6379"}})
	defer client.Close()
	store, err := redisstore.New(client, redisstore.WithPrefix("myapp:auth:"))
	if err != nil {
		log.Fatal(err)
	}
	_ = store // hand it to auth.New
}
