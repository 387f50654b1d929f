package redisstore

import (
	"context"
	"errors"
	"strings"

	"github.com/redis/go-redis/v9"
)

// The Lua scripts. Redis runs each atomically. Each touches the keys of
// one hash slot only (given in KEYS), except getSessionAndUser, which runs
// only on a single Redis, not on a cluster. They return integers, strings
// and arrays of those only: never nil or false, whose encoding differs
// between RESP2 and RESP3 connections.
type scripts struct {
	createSession, joinUser, renewSession, deleteSession *redis.Script
	deleteUserSession, sweepSession                      *redis.Script
	getSessionAndUser, updateSessionAttributes           *redis.Script
	createUser, updateUserAttributes, markUserDeleted    *redis.Script
	createKey, joinKey, dropKey, updateKeyPassword       *redis.Script
	deleteKey                                            *redis.Script
	// tokens are the one-time token and counter scripts (tokens.go).
	tokens tokenScripts
}

func (s *scripts) all() []*redis.Script {
	return []*redis.Script{
		s.createSession, s.joinUser, s.renewSession, s.deleteSession,
		s.deleteUserSession, s.sweepSession, s.getSessionAndUser, s.updateSessionAttributes,
		s.createUser, s.updateUserAttributes, s.markUserDeleted,
		s.createKey, s.joinKey, s.dropKey, s.updateKeyPassword, s.deleteKey,
		s.tokens.createRef, s.tokens.replace, s.tokens.deleteToken, s.tokens.addAttempt,
		s.tokens.sweepToken, s.tokens.increment,
	}
}

// lessTime is the Lua function of the scripts that compare stored times:
// signed decimals without leading zeros, compared by sign, then length,
// then as strings (Lua numbers can't hold nanoseconds exactly).
const lessTime = `
local function less(a, b)
	local na, nb = string.sub(a, 1, 1) == '-', string.sub(b, 1, 1) == '-'
	if na ~= nb then return na end
	if na then
		a, b = string.sub(a, 2), string.sub(b, 2)
		if #a ~= #b then return #a > #b end
		return a > b
	end
	if #a ~= #b then return #a < #b end
	return a < b
end
`

// setAttributes is the Lua function of the scripts that write a session's
// or a user's attributes: they are the hash's field "at", and nil
// attributes (has ~= '1') are no field, so that nil and {} stay apart.
const setAttributes = `
local function setAttributes(key, has, attributes)
	if has == '1' then
		redis.call('HSET', key, 'at', attributes)
	else
		redis.call('HDEL', key, 'at')
	end
end
`

func newScripts() scripts {
	return scripts{
		// KEYS: session. ARGV: expire-at in ms, then the hash's field-value
		// pairs. Returns 0, or 1 if the session exists.
		createSession: redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 1 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIREAT', KEYS[1], ARGV[1])
return 0`),

		// KEYS: user, user's sessions. ARGV: session ID. Adds the session
		// to the user's index and returns 1 if the user exists and is not
		// being deleted, else returns 0.
		joinUser: redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HEXISTS', KEYS[1], 'd') == 1 then return 0 end
redis.call('SADD', KEYS[2], ARGV[1])
return 1`),

		// KEYS: session. ARGV: old active, renewed, active, idle, expire-at
		// in ms. Returns {1, user ID} if the stored active expiry was old
		// and is now replaced, else {0, ""}. A missing session reads as
		// false, which equals no string: it is never brought back.
		renewSession: redis.NewScript(`
local v = redis.call('HMGET', KEYS[1], 'a', 'u')
if v[1] ~= ARGV[1] or not v[2] then return {0, ''} end
redis.call('HSET', KEYS[1], 'r', ARGV[2], 'a', ARGV[3], 'i', ARGV[4])
redis.call('PEXPIREAT', KEYS[1], ARGV[5])
return {1, v[2]}`),

		// KEYS: session. ARGV: has old attributes, old attributes, has
		// new attributes, new attributes. Replaces the attributes and
		// returns 1 if the session exists and its attributes are the old
		// ones (absent matching only absent), else returns 0.
		updateSessionAttributes: redis.NewScript(setAttributes + `
if redis.call('HEXISTS', KEYS[1], 'u') == 0 then return 0 end
local cur = redis.call('HGET', KEYS[1], 'at')
if ARGV[1] == '1' then
	if cur ~= ARGV[2] then return 0 end
elseif cur then
	return 0
end
setAttributes(KEYS[1], ARGV[3], ARGV[4])
return 1`),

		// KEYS: session. Deletes it and returns {user ID}, or {} if there
		// was no session.
		deleteSession: redis.NewScript(`
local u = redis.call('HGET', KEYS[1], 'u')
if not u then
	redis.call('DEL', KEYS[1])
	return {}
end
redis.call('DEL', KEYS[1])
return {u}`),

		// KEYS: session. ARGV: user ID. Deletes the session if it belongs
		// to the user; returns 1 if it did.
		deleteUserSession: deleteIf("u"),

		// KEYS: session. ARGV: now in Unix nanoseconds. Deletes the
		// session if its idle expiry is before now. Returns {0, ""} if
		// there was no session, {1, idle} if it deleted it, {2, idle} if it
		// is not expired. Times are signed decimals without leading zeros
		// (compared by sign, then length, then as strings: Lua numbers
		// can't hold nanoseconds exactly), "" for the zero time, which is
		// before any other.
		sweepSession: redis.NewScript(lessTime + `
local i = redis.call('HGET', KEYS[1], 'i')
if not i then return {0, ''} end
if i == '' or less(i, ARGV[1]) then
	redis.call('DEL', KEYS[1])
	return {1, i}
end
return {2, i}`),

		// Single Redis only (it reads a key not in KEYS). KEYS: session.
		// ARGV: prefix. Returns {0} if there is no session, else {1,
		// session hash, user hash} with the hashes as flat arrays (the
		// user's empty if it is missing).
		getSessionAndUser: redis.NewScript(`
local s = redis.call('HGETALL', KEYS[1])
if #s == 0 then return {0} end
local u
for i = 1, #s, 2 do
	if s[i] == 'u' then u = s[i + 1] end
end
if not u then return {1, s, {}} end
return {1, s, redis.call('HGETALL', ARGV[1] .. '{U:' .. u .. '}')}`),

		// KEYS: user. ARGV: user ID, generation, has attributes,
		// attributes. Returns 0, or 1 if the user exists.
		createUser: redis.NewScript(setAttributes + `
if redis.call('EXISTS', KEYS[1]) == 1 then return 1 end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'g', ARGV[2])
setAttributes(KEYS[1], ARGV[3], ARGV[4])
return 0`),

		// KEYS: user. ARGV: has attributes, attributes. Returns 1, or 0 if
		// there is no such user.
		updateUserAttributes: redis.NewScript(setAttributes + `
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HEXISTS', KEYS[1], 'd') == 1 then return 0 end
setAttributes(KEYS[1], ARGV[1], ARGV[2])
return 1`),

		// KEYS: user. Marks the user deleted. Returns {0, ""} if there is
		// no such user, {1, generation} if it marked it, {2, generation}
		// if it was marked already (a deletion to finish).
		markUserDeleted: redis.NewScript(`
local v = redis.call('HMGET', KEYS[1], 'g', 'd')
if not v[1] then return {0, ''} end
if v[2] then return {2, v[1]} end
redis.call('HSET', KEYS[1], 'd', '1')
return {1, v[1]}`),

		// KEYS: key. ARGV: provider, provider user ID, user ID, generation,
		// password hash. Returns 0, or 1 if the key exists.
		createKey: redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 1 end
redis.call('HSET', KEYS[1], 'p', ARGV[1], 'pu', ARGV[2], 'u', ARGV[3], 'g', ARGV[4], 'h', ARGV[5])
return 0`),

		// KEYS: user, user's keys. ARGV: generation, key ID. Adds the key
		// to the user's index and returns 1 if the user of that generation
		// exists and is not being deleted, else returns 0.
		joinKey: redis.NewScript(`
local v = redis.call('HMGET', KEYS[1], 'g', 'd')
if v[1] ~= ARGV[1] or v[2] then return 0 end
redis.call('SADD', KEYS[2], ARGV[2])
return 1`),

		// KEYS: key. ARGV: user ID, generation. Deletes the key if it
		// belongs to that user and generation.
		dropKey: redis.NewScript(`
local v = redis.call('HMGET', KEYS[1], 'u', 'g')
if v[1] == ARGV[1] and v[2] == ARGV[2] then
	redis.call('DEL', KEYS[1])
	return 1
end
return 0`),

		// KEYS: key. ARGV: password hash. Returns 1, or 0 if there is no
		// such key.
		updateKeyPassword: redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'h', ARGV[1])
return 1`),

		// KEYS: key. Deletes it and returns {user ID}, or {} if there is no
		// such key.
		deleteKey: redis.NewScript(`
local u = redis.call('HGET', KEYS[1], 'u')
if not u then return {} end
redis.call('DEL', KEYS[1])
return {u}`),

		tokens: newTokenScripts(),
	}
}

func isNoScript(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT")
}

// pipelined builds a pipeline with build and runs it. Scripts in a
// pipeline go as EVALSHA, and go-redis can't fall back to EVAL inside one:
// if Redis does not know a script (a restart, a new node), pipelined loads
// every script on every node and runs the pipeline once more. build must
// be safe to call twice (it is given a fresh pipeline).
func (c *core) pipelined(ctx context.Context, build func(redis.Pipeliner)) error {
	pipe := c.rdb.Pipeline()
	build(pipe)
	_, err := pipe.Exec(ctx)
	if !isNoScript(err) {
		return err
	}
	for _, sc := range c.scripts.all() {
		if lerr := sc.Load(ctx, c.rdb).Err(); lerr != nil {
			return errors.Join(err, lerr)
		}
	}
	pipe = c.rdb.Pipeline()
	build(pipe)
	_, err = pipe.Exec(ctx)
	return err
}

// deleteIf returns the script that deletes the hash KEYS[1] if its field
// holds ARGV[1], and returns 1 if it did, 0 otherwise, in one step.
func deleteIf(field string) *redis.Script {
	return redis.NewScript(`
if redis.call('HGET', KEYS[1], '` + field + `') == ARGV[1] then
	redis.call('DEL', KEYS[1])
	return 1
end
return 0`)
}
