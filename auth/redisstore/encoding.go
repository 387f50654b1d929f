package redisstore

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/internal/unixnano"
)

// Key names, as documented in the package doc.

func (c *core) userKey(id string) string         { return c.prefix + "{U:" + id + "}" }
func (c *core) userKeysKey(id string) string     { return c.userKey(id) + "k" }
func (c *core) userSessionsKey(id string) string { return c.userKey(id) + "s" }
func (c *core) keyKey(enc string) string         { return c.prefix + "{K:" + enc + "}" }
func (c *core) sessionKey(id string) string      { return c.prefix + "{S:" + id + "}" }
func (c *core) sweepKey() string                 { return c.prefix + "{sweep}" }

// keyID encodes a (provider, provider user ID) pair as one string that no
// other pair encodes to.
func keyID(providerID, providerUserID string) string {
	return strconv.Itoa(len(providerID)) + ":" + providerID + ":" + providerUserID
}

// sweepMember is a session's member in the sweep index: it names the user
// too, so that the sweep can clean the user's index of a session Redis
// dropped.
func sweepMember(sessionID, userID string) string {
	return strconv.Itoa(len(sessionID)) + ":" + sessionID + userID
}

func parseSweepMember(m string) (sessionID, userID string, ok bool) {
	n, rest, found := strings.Cut(m, ":")
	if !found {
		return "", "", false
	}
	l, err := strconv.Atoi(n)
	if err != nil || l < 0 || l > len(rest) {
		return "", "", false
	}
	return rest[:l], rest[l:], true
}

// errCorrupt marks a reply that does not parse: a system error.
var errCorrupt = errors.New("redisstore: malformed data")

// encodeTime is a time as the store writes it, by the stores' one rule
// (see unixnano): decimal Unix nanoseconds, "" for the zero time (none).
func encodeTime(t time.Time) (string, error) {
	n, err := unixnano.Encode(t)
	switch {
	case err != nil:
		return "", fmt.Errorf("redisstore: %v: %w", t, err)
	case n == unixnano.None:
		return "", nil
	}
	return strconv.FormatInt(n, 10), nil
}

func decodeTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: timestamp %q: %v", errCorrupt, s, err)
	}
	return unixnano.Decode(n), nil
}

// expireAt is when Redis may drop a session key: the grace period after
// the later of its IdleExpiresAt and now, in Unix milliseconds.
func (c *core) expireAt(idle time.Time) int64 {
	at := idle
	// The real clock, not an auth.Clock: the TTL is Redis's business.
	if now := time.Now(); now.After(at) {
		at = now
	}
	at = at.Add(c.grace)
	if at.After(unixnano.Last) {
		at = unixnano.Last
	}
	return at.UnixMilli()
}

// sweepScore is the sweep index's score of an IdleExpiresAt: whole seconds,
// which a double holds exactly; for the zero time (none), the second
// before the first instant, since none is before every instant.
func sweepScore(idle time.Time) float64 {
	if idle.IsZero() {
		return float64(unixnano.First.Unix() - 1)
	}
	return float64(idle.Unix())
}

func newGeneration() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// errDuplicateSession is a system error: session IDs are hashes of random
// tokens, so a collision means a bug.
var errDuplicateSession = errors.New("redisstore: a session with this ID exists")

// sessionFields are the HSET field-value pairs of a new session.
func sessionFields(r auth.SessionRecord) ([]any, error) {
	times := []time.Time{r.CreatedAt, r.RenewedAt, r.ActiveExpiresAt, r.IdleExpiresAt, r.ExpiresAt}
	names := []string{"c", "r", "a", "i", "e"}
	out := []any{"u", r.UserID}
	for i, t := range times {
		v, err := encodeTime(t)
		if err != nil {
			return nil, err
		}
		out = append(out, names[i], v)
	}
	out = append(out, "ua", r.UserAgent, "ip", r.ClientIP)
	if r.Attributes != nil {
		out = append(out, "at", string(r.Attributes))
	}
	if r.BrowserSession {
		out = append(out, "b", "1")
	}
	return out, nil
}

// parseSession builds a session from its hash. Every field but at must be
// there.
func parseSession(id string, h map[string]string) (auth.SessionRecord, error) {
	r := auth.SessionRecord{ID: id}
	get := func(name string) (string, error) {
		v, ok := h[name]
		if !ok {
			return "", fmt.Errorf("%w: session %.16s… has no field %q", errCorrupt, id, name)
		}
		return v, nil
	}
	var err error
	if r.UserID, err = get("u"); err != nil {
		return auth.SessionRecord{}, err
	}
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"c", &r.CreatedAt}, {"r", &r.RenewedAt}, {"a", &r.ActiveExpiresAt}, {"i", &r.IdleExpiresAt}, {"e", &r.ExpiresAt}} {
		v, err := get(f.name)
		if err != nil {
			return auth.SessionRecord{}, err
		}
		if *f.dst, err = decodeTime(v); err != nil {
			return auth.SessionRecord{}, err
		}
	}
	if r.UserAgent, err = get("ua"); err != nil {
		return auth.SessionRecord{}, err
	}
	if r.ClientIP, err = get("ip"); err != nil {
		return auth.SessionRecord{}, err
	}
	if a, ok := h["at"]; ok {
		r.Attributes = json.RawMessage(a)
	}
	r.BrowserSession = h["b"] == "1"
	return r, nil
}
