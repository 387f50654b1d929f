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
	user, err := a.CreateUser(ctx, auth.NewUser{Attributes: map[string]any{"username": "ada"}})
	if err != nil {
		log.Fatal(err)
	}
	session, err := a.CreateSession(ctx, user.ID)
	if err != nil {
		log.Fatal(err)
	}
	// Later, on a request carrying session.Token in its cookie:
	if _, err := a.ValidateSession(ctx, session.Token); err != nil {
		log.Fatal(err)
	}
}

// New wraps a client the app configured itself (here one that prefers an
// error to a retried write, see the package documentation); Close leaves
// the client open.
func ExampleNew() {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", MaxRetries: -1})
	defer client.Close()

	store, err := redisstore.New(client,
		redisstore.WithPrefix("{myapp}:auth:"), // a hash tag: one slot on Redis Cluster
		redisstore.WithExpiryGrace(time.Hour),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(store.Prefix())
	// Output: {myapp}:auth:
}
