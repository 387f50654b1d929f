package sqlcore

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/authkit-dev/authkit/auth"
)

// Users implements [auth.UserStore] and [auth.SessionUserGetter] on a
// [Core]. The SQL stores' Store types embed it beside their Sessions.
type Users struct{ c *Core }

// Users returns the user methods on c.
func (c *Core) Users() Users { return Users{c} }

// GetSessionAndUser implements [auth.SessionUserGetter]: one SELECT
// joining the user.
func (x Users) GetSessionAndUser(ctx context.Context, id string) (auth.SessionRecord, auth.UserRecord, error) {
	c := x.c
	var uid *string
	var attrs []byte
	rec, err := scanSession(c.db.QueryRow(ctx, c.q.getSessionAndUser, id), "", &uid, &attrs)
	if c.isNoRows(err) {
		return auth.SessionRecord{}, auth.UserRecord{}, auth.ErrNotFound
	}
	if err != nil {
		return auth.SessionRecord{}, auth.UserRecord{}, c.wrap("get session and user", err)
	}
	if uid == nil {
		return rec, auth.UserRecord{}, auth.ErrUserNotFound
	}
	return rec, auth.UserRecord{ID: *uid, Attributes: attrs}, nil
}

// CreateUser implements [auth.UserStore]: user and key in one
// transaction.
func (x Users) CreateUser(ctx context.Context, user auth.UserRecord, key *auth.KeyRecord) error {
	c := x.c
	var sentinel error
	err := c.db.InTx(ctx, func(tx Querier) error {
		if _, err := tx.Exec(ctx, c.q.insertUser, user.ID, jsonArg(user.Attributes)); err != nil {
			if c.cfg.Classify(err) == Unique {
				sentinel = auth.ErrDuplicateUser
			}
			return err
		}
		if key != nil {
			if _, err := tx.Exec(ctx, c.q.insertKey, key.ProviderID, key.ProviderUserID, key.UserID, key.PasswordHash); err != nil {
				if c.cfg.Classify(err) == Unique {
					sentinel = auth.ErrDuplicateKey
				}
				return err
			}
		}
		return nil
	})
	if sentinel != nil {
		return sentinel
	}
	if err != nil {
		return c.wrap("create user", err)
	}
	return nil
}

// GetUser implements [auth.UserStore].
func (x Users) GetUser(ctx context.Context, userID string) (auth.UserRecord, error) {
	c := x.c
	var attrs []byte
	err := c.db.QueryRow(ctx, c.q.getUser, userID).Scan(&attrs)
	if c.isNoRows(err) {
		return auth.UserRecord{}, auth.ErrNotFound
	}
	if err != nil {
		return auth.UserRecord{}, c.wrap("get user", err)
	}
	return auth.UserRecord{ID: userID, Attributes: attrs}, nil
}

// UpdateUserAttributes implements [auth.UserStore].
func (x Users) UpdateUserAttributes(ctx context.Context, userID string, attributes json.RawMessage) error {
	c := x.c
	return c.execOne(ctx, "update user attributes", c.q.updateUserAttributes, jsonArg(attributes), userID)
}

// DeleteUser implements [auth.UserStore]: the user's sessions, keys and
// the user in one transaction (not relying on SQLite's foreign_keys
// pragma).
func (x Users) DeleteUser(ctx context.Context, userID string) error {
	c := x.c
	found := true
	err := c.db.InTx(ctx, func(tx Querier) error {
		for _, q := range []string{c.q.deleteUserSessions, c.q.deleteUserKeys} {
			if _, err := tx.Exec(ctx, q, userID); err != nil {
				return err
			}
		}
		n, err := tx.Exec(ctx, c.q.deleteUser, userID)
		if err != nil {
			return err
		}
		if n == 0 {
			found = false
			return auth.ErrNotFound // rolls back nothing that matters
		}
		return nil
	})
	if !found {
		return auth.ErrNotFound
	}
	if err != nil {
		return c.wrap("delete user", err)
	}
	return nil
}

// CreateKey implements [auth.UserStore]. The insert selects from the users
// table, so a missing user inserts nothing, atomically.
func (x Users) CreateKey(ctx context.Context, key auth.KeyRecord) error {
	c := x.c
	err := c.execOne(ctx, "create key", c.q.insertKeyForUser, key.ProviderID, key.ProviderUserID, key.PasswordHash, key.UserID)
	if err == nil || errors.Is(err, auth.ErrNotFound) {
		return err
	}
	switch c.cfg.Classify(err) {
	case Unique:
		return auth.ErrDuplicateKey
	case ForeignKey:
		return auth.ErrNotFound
	}
	return err
}

// GetKey implements [auth.UserStore].
func (x Users) GetKey(ctx context.Context, providerID, providerUserID string) (auth.KeyRecord, error) {
	c := x.c
	k := auth.KeyRecord{ProviderID: providerID, ProviderUserID: providerUserID}
	err := c.db.QueryRow(ctx, c.q.getKey, providerID, providerUserID).Scan(&k.UserID, &k.PasswordHash)
	if c.isNoRows(err) {
		return auth.KeyRecord{}, auth.ErrNotFound
	}
	if err != nil {
		return auth.KeyRecord{}, c.wrap("get key", err)
	}
	return k, nil
}

// UpdateKeyPassword implements [auth.UserStore].
func (x Users) UpdateKeyPassword(ctx context.Context, providerID, providerUserID, passwordHash string) error {
	c := x.c
	return c.execOne(ctx, "update key password", c.q.updateKeyPassword, passwordHash, providerID, providerUserID)
}

// DeleteKey implements [auth.UserStore].
func (x Users) DeleteKey(ctx context.Context, providerID, providerUserID string) error {
	c := x.c
	return c.execOne(ctx, "delete key", c.q.deleteKey, providerID, providerUserID)
}

// UserKeys implements [auth.UserStore].
func (x Users) UserKeys(ctx context.Context, userID string) ([]auth.KeyRecord, error) {
	c := x.c
	return queryAll(ctx, c, "list user keys", c.q.userKeys, func(r Row) (auth.KeyRecord, error) {
		k := auth.KeyRecord{UserID: userID}
		err := r.Scan(&k.ProviderID, &k.ProviderUserID, &k.PasswordHash)
		return k, err
	}, userID)
}
