package authoidc_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/auth/pgstore"
	"github.com/authkit-dev/authkit/auth/pgstore/pgstoretest"
	"github.com/authkit-dev/authkit/authoidc"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/scenarios/oidcscenarios"
)

// appUsers is an app's own users table with the identities linked to
// them: what Config.ResolveUser reads and writes.
type appUsers interface {
	// resolve returns the user of the identity, creating one (with the
	// email claim) at first sign-in.
	resolve(ctx context.Context, id authoidc.Identity) (string, error)
	email(ctx context.Context, userID string) (string, error)
}

// memUsers keeps the users in a map, beside memstore.NewSessions.
type memUsers struct {
	mu     sync.Mutex
	emails []string
	ids    map[string]string // provider + " " + subject → user ID
}

func (m *memUsers) resolve(_ context.Context, id authoidc.Identity) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := id.ProviderID + " " + id.Subject
	u, ok := m.ids[k]
	switch {
	case ok && id.LinkUserID != "" && u != id.LinkUserID:
		return "", fmt.Errorf("%w: %s", authoidc.ErrLinkConflict, k)
	case ok:
		return u, nil
	case id.LinkUserID != "":
		u = id.LinkUserID
	default:
		m.emails = append(m.emails, id.Email)
		u = strconv.Itoa(len(m.emails))
	}
	if m.ids == nil {
		m.ids = map[string]string{}
	}
	m.ids[k] = u
	return u, nil
}

// add creates a user (a password user of the app) and returns its ID.
func (m *memUsers) add(email string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.emails = append(m.emails, email)
	return strconv.Itoa(len(m.emails))
}

// lookup returns the user of an identity, "" when none.
func (m *memUsers) lookup(providerID, subject string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.ids[providerID+" "+subject]
}

func (m *memUsers) email(_ context.Context, userID string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	i, err := strconv.Atoi(userID)
	if err != nil || i < 1 || i > len(m.emails) {
		return "", fmt.Errorf("no user %q", userID)
	}
	return m.emails[i-1], nil
}

// pgUsers is a users table (bigint IDs) and an identities table in a
// schema of the test's own, beside pgstore.NewSessions.
type pgUsers struct{ pool *pgxpool.Pool }

func (p pgUsers) resolve(ctx context.Context, id authoidc.Identity) (string, error) {
	var uid int64
	err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT user_id FROM identities WHERE provider = $1 AND subject = $2`, id.ProviderID, id.Subject).Scan(&uid)
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO users (email) VALUES ($1) RETURNING id`, id.Email).Scan(&uid); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO identities (provider, subject, user_id) VALUES ($1, $2, $3)`, id.ProviderID, id.Subject, uid)
		return err
	})
	return strconv.FormatInt(uid, 10), err
}

func (p pgUsers) email(ctx context.Context, userID string) (string, error) {
	var e string
	err := p.pool.QueryRow(ctx, `SELECT email FROM users WHERE id = $1`, userID).Scan(&e)
	return e, err
}

// ownUsersStore is a sessions-only store and the app's users beside it.
type ownUsersStore struct {
	name  string
	open  func(t *testing.T) (auth.SessionStore, appUsers)
	needs string
}

func ownUsersStores() []ownUsersStore {
	return []ownUsersStore{
		{name: "memstore.NewSessions", open: func(*testing.T) (auth.SessionStore, appUsers) {
			return memstore.NewSessions(), &memUsers{}
		}},
		{name: "pgstore.NewSessions", open: func(t *testing.T) (auth.SessionStore, appUsers) {
			ctx := t.Context()
			pool := pgstoretest.Pool(t)
			for _, q := range []string{
				`CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL)`,
				`CREATE TABLE identities (provider text, subject text, user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE, PRIMARY KEY (provider, subject))`,
			} {
				if _, err := pool.Exec(ctx, q); err != nil {
					t.Fatal(err)
				}
			}
			s, err := pgstore.NewSessions(pool, pgstore.UsersTable{Table: "users", IDColumn: "id", IDType: "bigint"})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			return s, pgUsers{pool}
		}},
	}
}

// oidcProvider starts the provider side of a test on clock.
type oidcProvider struct {
	name  string
	start func(t *testing.T, clock auth.Clock, redirectURL string) oidcscenarios.Provider
}

func fakeProviderFor(t *testing.T, clock auth.Clock, redirectURL string) oidcscenarios.Provider {
	p, closeP, err := oidcscenarios.FakeProvider(clock, redirectURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeP)
	return p
}

// TestSignInWithOwnUsers: an app with its own users table, on a real
// sessions-only store, signs in through Config.ResolveUser with a
// verified email required; the user it creates has the email that only
// userinfo carries.
func TestSignInWithOwnUsers(t *testing.T) {
	providers := append([]oidcProvider{{"fakeoidc", fakeProviderFor}}, certifiedProviders()...)
	for _, st := range ownUsersStores() {
		for _, pr := range providers {
			t.Run(st.name+"/"+pr.name, func(t *testing.T) {
				clock := fakeauth.NewClock(fakeauth.DefaultStart())
				store, users := st.open(t)
				a, err := auth.New(store, auth.Config{Clock: clock, Argon2: fakeauth.CheapArgon2()})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := authoidc.New(a, authoidc.Config{Issuer: "https://idp.example", ClientID: "x", RedirectURL: "https://example.com/cb"}); !errors.Is(err, authoidc.ErrConfig) {
					t.Fatalf("New without ResolveUser on a sessions-only store: %v, want ErrConfig", err)
				}
				const base = "https://example.com"
				p := pr.start(t, clock, base+"/auth/oidc/callback")
				if err := p.SetLogin(oidcscenarios.Alice); err != nil {
					t.Fatal(err)
				}
				c, err := authoidc.New(a, authoidc.Config{
					Issuer: p.Issuer(), ClientID: oidcscenarios.ClientID, ClientSecret: oidcscenarios.ClientSecret,
					RedirectURL: base + "/auth/oidc/callback", HTTPClient: p.Client(), RequireVerifiedEmail: true,
					ResolveUser: users.resolve,
				})
				if err != nil {
					t.Fatal(err)
				}
				mux := http.NewServeMux()
				mux.HandleFunc("/auth/oidc/start", c.Start)
				mux.HandleFunc("GET /auth/oidc/callback", c.Callback)
				h := authrequest.MustMiddleware(a)(mux)

				var userID string
				for round := range 2 { // a new user, then the same user again
					jar := authtest.NewJar(authtest.WithClock(clock))
					start := jar.Serve(h, authtest.BuildRequest("GET", base+"/auth/oidc/start").Build(t))
					cb, err := p.Authorize(t.Context(), start.Header().Get("Location"))
					if err != nil {
						t.Fatalf("round %d: %v", round, err)
					}
					rec := jar.Serve(h, authtest.BuildRequest("GET", cb.String()).Build(t))
					if rec.Code != http.StatusSeeOther {
						t.Fatalf("round %d: callback %d: %s", round, rec.Code, rec.Body)
					}
					ck, ok := jar.Cookie(a.CookieName())
					if !ok {
						t.Fatalf("round %d: no session cookie", round)
					}
					s, err := a.ValidateSession(t.Context(), ck.Value)
					if err != nil {
						t.Fatalf("round %d: %v", round, err)
					}
					if round == 1 && s.UserID != userID {
						t.Errorf("second sign-in as user %q, want the first's %q", s.UserID, userID)
					}
					userID = s.UserID
				}
				if e, err := users.email(t.Context(), userID); err != nil || e != "alice@example.com" {
					t.Errorf("the app's user has email %q (%v), want alice@example.com (from userinfo)", e, err)
				}
			})
		}
	}
}

// ownUsersTarget is the callback table's app with its own users: a fake
// on a sessions-only store, and ResolveUser over the app's users (kept in
// Env.App, one table per case).
func ownUsersTarget() oidcscenarios.Target {
	return oidcscenarios.Target{
		NewFake: func() (*fakeauth.Fake, error) { return fakeauth.New(fakeauth.WithAppUsers()) },
		Handler: appWith(func(env *oidcscenarios.Env, cfg *authoidc.Config) {
			users := &memUsers{}
			env.App = users
			cfg.ResolveUser = users.resolve
		}, nil),
		SeedUser: func(ctx context.Context, env *oidcscenarios.Env, name string) (string, error) {
			return env.App.(*memUsers).add(name + "@example.com"), nil
		},
		UserOf: func(ctx context.Context, env *oidcscenarios.Env, subject string) (string, error) {
			return env.App.(*memUsers).lookup("oidc:"+env.Provider.Issuer(), subject), nil
		},
	}
}

// TestCallbackTableOwnUsers: the whole callback table passes on an app
// with its own users, through ResolveUser.
func TestCallbackTableOwnUsers(t *testing.T) {
	oidcscenarios.Run(t, ownUsersTarget(), oidcscenarios.Standard()...)
}
