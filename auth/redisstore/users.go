package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/authkit-dev/authkit/auth"
)

// attributesArgs are the script arguments for attributes: a presence flag
// and the bytes, so that nil and empty stay apart.
func attributesArgs(a json.RawMessage) (string, string) {
	if a == nil {
		return "0", ""
	}
	return "1", string(a)
}

// parseUser builds a user from its hash, or returns auth.ErrNotFound for
// a missing user or one being deleted.
func parseUser(userID string, h map[string]string) (auth.UserRecord, error) {
	if len(h) == 0 {
		return auth.UserRecord{}, auth.ErrNotFound
	}
	if _, ok := h["d"]; ok {
		return auth.UserRecord{}, auth.ErrNotFound
	}
	id, ok := h["id"]
	if !ok || id != userID {
		return auth.UserRecord{}, fmt.Errorf("%w: user %q has id field %q", errCorrupt, userID, id)
	}
	if _, ok := h["g"]; !ok {
		return auth.UserRecord{}, fmt.Errorf("%w: user %q has no generation", errCorrupt, userID)
	}
	u := auth.UserRecord{ID: userID}
	if a, ok := h["at"]; ok {
		u.Attributes = json.RawMessage(a)
	}
	return u, nil
}

// CreateUser implements [auth.UserStore]. With a key, it creates the user,
// then the key, then adds the key to the user's index if the user was not
// deleted meanwhile; a taken key deletes the user again (see the package
// doc).
func (s *Store) CreateUser(ctx context.Context, user auth.UserRecord, key *auth.KeyRecord) error {
	gen := newGeneration()
	has, attrs := attributesArgs(user.Attributes)
	code, err := s.scripts.createUser.Run(ctx, s.rdb, []string{s.userKey(user.ID)}, user.ID, gen, has, attrs).Int64()
	if err != nil {
		return fmt.Errorf("redisstore: create user: %w", err)
	}
	if code == 1 {
		return auth.ErrDuplicateUser
	}
	if key == nil {
		return nil
	}
	k := *key
	k.UserID = user.ID
	if err := s.addKey(ctx, k, gen); err != nil {
		if errors.Is(err, auth.ErrDuplicateKey) {
			if derr := s.deleteUser(ctx, user.ID); derr != nil && !errors.Is(derr, auth.ErrNotFound) {
				return fmt.Errorf("redisstore: create user: remove the user of a taken key: %w", derr)
			}
			return auth.ErrDuplicateKey
		}
		if errors.Is(err, auth.ErrNotFound) {
			return nil // deleted by a concurrent DeleteUser
		}
		return fmt.Errorf("redisstore: create user: %w", err)
	}
	return nil
}

// addKey writes the key of the user's generation gen, then adds it to the
// user's index if that user still exists; otherwise it deletes the key
// and returns auth.ErrNotFound.
func (c *core) addKey(ctx context.Context, k auth.KeyRecord, gen string) error {
	enc := keyID(k.ProviderID, k.ProviderUserID)
	kk := c.keyKey(enc)
	code, err := c.scripts.createKey.Run(ctx, c.rdb, []string{kk}, k.ProviderID, k.ProviderUserID, k.UserID, gen, k.PasswordHash).Int64()
	if err != nil {
		return err
	}
	if code == 1 {
		return auth.ErrDuplicateKey
	}
	joined, err := c.scripts.joinKey.Run(ctx, c.rdb, []string{c.userKey(k.UserID), c.userKeysKey(k.UserID)}, gen, enc).Int64()
	if err != nil {
		return err
	}
	if joined != 1 {
		if err := c.scripts.dropKey.Run(ctx, c.rdb, []string{kk}, k.UserID, gen).Err(); err != nil {
			return err
		}
		return auth.ErrNotFound
	}
	return nil
}

// generation returns the generation of a live user, or auth.ErrNotFound.
func (c *core) generation(ctx context.Context, userID string) (string, error) {
	v, err := c.rdb.HMGet(ctx, c.userKey(userID), "g", "d").Result()
	if err != nil {
		return "", err
	}
	if len(v) != 2 {
		return "", fmt.Errorf("%w: reply %v", errCorrupt, v)
	}
	g, ok := v[0].(string)
	if !ok || v[1] != nil {
		return "", auth.ErrNotFound
	}
	return g, nil
}

// GetUser implements [auth.UserStore].
func (s *Store) GetUser(ctx context.Context, userID string) (auth.UserRecord, error) {
	h, err := s.rdb.HGetAll(ctx, s.userKey(userID)).Result()
	if err != nil {
		return auth.UserRecord{}, fmt.Errorf("redisstore: get user: %w", err)
	}
	u, err := parseUser(userID, h)
	if err != nil && !errors.Is(err, auth.ErrNotFound) {
		return auth.UserRecord{}, fmt.Errorf("redisstore: get user: %w", err)
	}
	return u, err
}

// UpdateUserAttributes implements [auth.UserStore].
func (s *Store) UpdateUserAttributes(ctx context.Context, userID string, attributes json.RawMessage) error {
	has, attrs := attributesArgs(attributes)
	code, err := s.scripts.updateUserAttributes.Run(ctx, s.rdb, []string{s.userKey(userID)}, has, attrs).Int64()
	if err != nil {
		return fmt.Errorf("redisstore: update user attributes: %w", err)
	}
	if code == 0 {
		return auth.ErrNotFound
	}
	return nil
}

// DeleteUser implements [auth.UserStore]: it marks the user deleted, then
// deletes its sessions and keys in batches, then the user (see the package
// doc). If it fails halfway, calling it again finishes the work.
func (s *Store) DeleteUser(ctx context.Context, userID string) error {
	if err := s.deleteUser(ctx, userID); err != nil {
		if errors.Is(err, auth.ErrNotFound) {
			return err
		}
		return fmt.Errorf("redisstore: delete user: %w", err)
	}
	return nil
}

func (c *core) deleteUser(ctx context.Context, userID string) error {
	reply, err := c.scripts.markUserDeleted.Run(ctx, c.rdb, []string{c.userKey(userID)}).Slice()
	if err != nil {
		return err
	}
	if len(reply) != 2 {
		return fmt.Errorf("%w: reply %v", errCorrupt, reply)
	}
	code, ok1 := reply[0].(int64)
	gen, ok2 := reply[1].(string)
	if !ok1 || !ok2 {
		return fmt.Errorf("%w: reply %v", errCorrupt, reply)
	}
	if code == 0 {
		return auth.ErrNotFound
	}
	if err := c.deleteUserSessions(ctx, userID); err != nil {
		return err
	}
	encs, err := c.rdb.SMembers(ctx, c.userKeysKey(userID)).Result()
	if err != nil {
		return err
	}
	err = c.pipelined(ctx, func(pipe redis.Pipeliner) {
		for _, enc := range encs {
			c.scripts.dropKey.Run(ctx, pipe, []string{c.keyKey(enc)}, userID, gen)
		}
	})
	if err != nil {
		return err
	}
	if err := c.rdb.Unlink(ctx, c.userKey(userID), c.userKeysKey(userID), c.userSessionsKey(userID)).Err(); err != nil {
		return err
	}
	if code == 2 {
		// Another call marked it: the user did not exist for this one.
		return auth.ErrNotFound
	}
	return nil
}

// CreateKey implements [auth.UserStore].
func (s *Store) CreateKey(ctx context.Context, key auth.KeyRecord) error {
	gen, err := s.generation(ctx, key.UserID)
	if err == nil {
		err = s.addKey(ctx, key, gen)
	}
	if err != nil {
		if errors.Is(err, auth.ErrNotFound) || errors.Is(err, auth.ErrDuplicateKey) {
			return err
		}
		return fmt.Errorf("redisstore: create key: %w", err)
	}
	return nil
}

func parseKey(h map[string]string) (auth.KeyRecord, string, error) {
	var k auth.KeyRecord
	var gen string
	for _, f := range []struct {
		name string
		dst  *string
	}{{"p", &k.ProviderID}, {"pu", &k.ProviderUserID}, {"u", &k.UserID}, {"g", &gen}, {"h", &k.PasswordHash}} {
		v, ok := h[f.name]
		if !ok {
			return auth.KeyRecord{}, "", fmt.Errorf("%w: key has no field %q", errCorrupt, f.name)
		}
		*f.dst = v
	}
	return k, gen, nil
}

// GetKey implements [auth.UserStore]. It reads the key, then checks that
// its user (of the key's generation) still exists: two round trips.
func (s *Store) GetKey(ctx context.Context, providerID, providerUserID string) (auth.KeyRecord, error) {
	h, err := s.readHash(ctx, s.keyKey(keyID(providerID, providerUserID)), "key")
	if err != nil {
		return auth.KeyRecord{}, err
	}
	k, gen, err := parseKey(h)
	if err != nil {
		return auth.KeyRecord{}, fmt.Errorf("redisstore: get key: %w", err)
	}
	if k.ProviderID != providerID || k.ProviderUserID != providerUserID {
		return auth.KeyRecord{}, fmt.Errorf("redisstore: get key: %w: key %q names %q/%q", errCorrupt, keyID(providerID, providerUserID), k.ProviderID, k.ProviderUserID)
	}
	ug, err := s.generation(ctx, k.UserID)
	if errors.Is(err, auth.ErrNotFound) || (err == nil && ug != gen) {
		return auth.KeyRecord{}, auth.ErrNotFound // left by an interrupted DeleteUser
	}
	if err != nil {
		return auth.KeyRecord{}, fmt.Errorf("redisstore: get key: %w", err)
	}
	return k, nil
}

// UpdateKeyPassword implements [auth.UserStore].
func (s *Store) UpdateKeyPassword(ctx context.Context, providerID, providerUserID, passwordHash string) error {
	code, err := s.scripts.updateKeyPassword.Run(ctx, s.rdb, []string{s.keyKey(keyID(providerID, providerUserID))}, passwordHash).Int64()
	if err != nil {
		return fmt.Errorf("redisstore: update key password: %w", err)
	}
	if code == 0 {
		return auth.ErrNotFound
	}
	return nil
}

// DeleteKey implements [auth.UserStore].
func (s *Store) DeleteKey(ctx context.Context, providerID, providerUserID string) error {
	enc := keyID(providerID, providerUserID)
	reply, err := s.scripts.deleteKey.Run(ctx, s.rdb, []string{s.keyKey(enc)}).Slice()
	if err != nil {
		return fmt.Errorf("redisstore: delete key: %w", err)
	}
	if len(reply) == 0 {
		return auth.ErrNotFound
	}
	userID, ok := reply[0].(string)
	if !ok {
		return fmt.Errorf("redisstore: delete key: %w: reply %v", errCorrupt, reply)
	}
	if err := s.rdb.SRem(ctx, s.userKeysKey(userID), enc).Err(); err != nil {
		return fmt.Errorf("redisstore: delete key: %w", err)
	}
	return nil
}

// UserKeys implements [auth.UserStore]: one pipeline reads the user's
// generation and key index, a second the keys.
func (s *Store) UserKeys(ctx context.Context, userID string) ([]auth.KeyRecord, error) {
	var gen *redis.SliceCmd
	var idx *redis.StringSliceCmd
	err := s.pipelined(ctx, func(pipe redis.Pipeliner) {
		gen = pipe.HMGet(ctx, s.userKey(userID), "g", "d")
		idx = pipe.SMembers(ctx, s.userKeysKey(userID))
	})
	if err != nil {
		return nil, fmt.Errorf("redisstore: list user keys: %w", err)
	}
	gv := gen.Val()
	g, ok := gv[0].(string)
	if !ok || gv[1] != nil {
		return nil, nil
	}
	encs := idx.Val()
	cmds := make([]*redis.MapStringStringCmd, len(encs))
	err = s.pipelined(ctx, func(pipe redis.Pipeliner) {
		for i, enc := range encs {
			cmds[i] = pipe.HGetAll(ctx, s.keyKey(enc))
		}
	})
	if err != nil {
		return nil, fmt.Errorf("redisstore: list user keys: %w", err)
	}
	var out []auth.KeyRecord
	for _, cmd := range cmds {
		h := cmd.Val()
		if len(h) == 0 {
			continue
		}
		k, kg, err := parseKey(h)
		if err != nil {
			return nil, fmt.Errorf("redisstore: list user keys: %w", err)
		}
		if k.UserID == userID && kg == g {
			out = append(out, k)
		}
	}
	return out, nil
}

// GetSessionAndUser implements [auth.SessionUserGetter]. On a single
// Redis one script reads the session and its user; on a cluster, where
// they are in different slots, it reads the session, then the user.
func (s *Store) GetSessionAndUser(ctx context.Context, sessionID string) (auth.SessionRecord, auth.UserRecord, error) {
	rec, user, err := s.getSessionAndUser(ctx, sessionID)
	if err != nil && !errors.Is(err, auth.ErrNotFound) && !errors.Is(err, auth.ErrUserNotFound) {
		return auth.SessionRecord{}, auth.UserRecord{}, fmt.Errorf("redisstore: get session and user: %w", err)
	}
	return rec, user, err
}

func (s *Store) getSessionAndUser(ctx context.Context, sessionID string) (auth.SessionRecord, auth.UserRecord, error) {
	var sh, uh map[string]string
	if s.cluster {
		var err error
		if sh, err = s.rdb.HGetAll(ctx, s.sessionKey(sessionID)).Result(); err != nil {
			return auth.SessionRecord{}, auth.UserRecord{}, err
		}
		if len(sh) == 0 {
			return auth.SessionRecord{}, auth.UserRecord{}, auth.ErrNotFound
		}
		if u, ok := sh["u"]; ok {
			if uh, err = s.rdb.HGetAll(ctx, s.userKey(u)).Result(); err != nil {
				return auth.SessionRecord{}, auth.UserRecord{}, err
			}
		}
	} else {
		reply, err := s.scripts.getSessionAndUser.Run(ctx, s.rdb, []string{s.sessionKey(sessionID)}, s.prefix).Slice()
		if err != nil {
			return auth.SessionRecord{}, auth.UserRecord{}, err
		}
		if len(reply) == 0 {
			return auth.SessionRecord{}, auth.UserRecord{}, fmt.Errorf("%w: empty reply", errCorrupt)
		}
		if found, ok := reply[0].(int64); !ok || found != 1 {
			if ok && found == 0 && len(reply) == 1 {
				return auth.SessionRecord{}, auth.UserRecord{}, auth.ErrNotFound
			}
			return auth.SessionRecord{}, auth.UserRecord{}, fmt.Errorf("%w: reply %v", errCorrupt, reply)
		}
		if len(reply) != 3 {
			return auth.SessionRecord{}, auth.UserRecord{}, fmt.Errorf("%w: reply of %d elements", errCorrupt, len(reply))
		}
		if sh, err = flatHash(reply[1]); err != nil {
			return auth.SessionRecord{}, auth.UserRecord{}, err
		}
		if uh, err = flatHash(reply[2]); err != nil {
			return auth.SessionRecord{}, auth.UserRecord{}, err
		}
	}
	rec, err := parseSession(sessionID, sh)
	if err != nil {
		return auth.SessionRecord{}, auth.UserRecord{}, err
	}
	user, err := parseUser(rec.UserID, uh)
	if errors.Is(err, auth.ErrNotFound) {
		return rec, auth.UserRecord{}, auth.ErrUserNotFound
	}
	if err != nil {
		return auth.SessionRecord{}, auth.UserRecord{}, err
	}
	return rec, user, nil
}

// flatHash turns a script's HGETALL reply (a flat array of field, value)
// into a map, checking every element.
func flatHash(v any) (map[string]string, error) {
	arr, ok := v.([]any)
	if !ok || len(arr)%2 != 0 {
		return nil, fmt.Errorf("%w: hash reply %T of odd or wrong shape", errCorrupt, v)
	}
	h := make(map[string]string, len(arr)/2)
	for i := 0; i < len(arr); i += 2 {
		k, ok1 := arr[i].(string)
		val, ok2 := arr[i+1].(string)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("%w: hash reply element %T, %T", errCorrupt, arr[i], arr[i+1])
		}
		h[k] = val
	}
	return h, nil
}
