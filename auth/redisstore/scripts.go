package redisstore

import "github.com/redis/go-redis/v9"

// The Lua scripts. Redis runs each atomically. They return integers,
// strings and arrays of strings only: never nil or false, whose encoding
// differs between RESP2 and RESP3 connections.
//
// Scripts that reach keys not passed in KEYS (a user's sessions, found in
// a set) build their names from the prefix in ARGV[1], the same way the
// Go code does.
type scripts struct {
	createUser, updateUserAttributes, deleteUser                  *redis.Script
	createKey, updateKeyPassword, deleteKey, userKeys             *redis.Script
	createSession, getSessionAndUser, renewSession, deleteSession *redis.Script
	deleteUserSessions, userSessions, deleteExpired               *redis.Script
}

func newScripts() scripts {
	return scripts{
		// KEYS: user, [key, user's keys]. ARGV: user ID, has attributes,
		// attributes, [key ID, provider, provider user ID, key's user ID,
		// password hash]. Returns 0, or 1 for a duplicate user, 2 for a
		// duplicate key.
		createUser: redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 1 end
if #KEYS > 1 and redis.call('EXISTS', KEYS[2]) == 1 then return 2 end
if ARGV[2] == '1' then
	redis.call('HSET', KEYS[1], 'id', ARGV[1], 'a', ARGV[3])
else
	redis.call('HSET', KEYS[1], 'id', ARGV[1])
end
if #KEYS > 1 then
	redis.call('HSET', KEYS[2], 'p', ARGV[5], 'pu', ARGV[6], 'u', ARGV[7], 'h', ARGV[8])
	redis.call('SADD', KEYS[3], ARGV[4])
end
return 0`),

		// KEYS: user. ARGV: has attributes, attributes. Returns 1, or 0 if
		// there is no such user.
		updateUserAttributes: redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[1] == '1' then
	redis.call('HSET', KEYS[1], 'a', ARGV[2])
else
	redis.call('HDEL', KEYS[1], 'a')
end
return 1`),

		// KEYS: user, user's sessions, user's keys, sweep index. ARGV:
		// prefix, user ID. Returns 1, or 0 if there is no such user.
		// Only records that still name the user are deleted.
		deleteUser: redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
for _, id in ipairs(redis.call('SMEMBERS', KEYS[2])) do
	local k = ARGV[1] .. 's:' .. id
	if redis.call('HGET', k, 'u') == ARGV[2] then
		redis.call('DEL', k)
		redis.call('ZREM', KEYS[4], id)
	end
end
for _, enc in ipairs(redis.call('SMEMBERS', KEYS[3])) do
	local k = ARGV[1] .. 'k:' .. enc
	if redis.call('HGET', k, 'u') == ARGV[2] then
		redis.call('DEL', k)
	end
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
return 1`),

		// KEYS: user, key, user's keys. ARGV: key ID, provider, provider
		// user ID, user ID, password hash. Returns 0, or 1 if there is no
		// such user, 2 if the key exists.
		createKey: redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 1 end
if redis.call('EXISTS', KEYS[2]) == 1 then return 2 end
redis.call('HSET', KEYS[2], 'p', ARGV[2], 'pu', ARGV[3], 'u', ARGV[4], 'h', ARGV[5])
redis.call('SADD', KEYS[3], ARGV[1])
return 0`),

		// KEYS: key. ARGV: password hash. Returns 1, or 0 if there is no
		// such key.
		updateKeyPassword: redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'h', ARGV[1])
return 1`),

		// KEYS: key. ARGV: prefix, key ID. Returns 1, or 0 if there is no
		// such key.
		deleteKey: redis.NewScript(`
local u = redis.call('HGET', KEYS[1], 'u')
if not u then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SREM', ARGV[1] .. 'uk:' .. u, ARGV[2])
return 1`),

		// KEYS: user's keys. ARGV: prefix, user ID. Returns provider,
		// provider user ID, password hash for each key; drops stale set
		// members.
		userKeys: redis.NewScript(`
local out = {}
for _, enc in ipairs(redis.call('SMEMBERS', KEYS[1])) do
	local v = redis.call('HMGET', ARGV[1] .. 'k:' .. enc, 'p', 'pu', 'u', 'h')
	if v[3] == ARGV[2] then
		table.insert(out, v[1])
		table.insert(out, v[2])
		table.insert(out, v[4] or '')
	else
		redis.call('SREM', KEYS[1], enc)
	end
end
return out`),

		// KEYS: session, user, user's sessions, sweep index. ARGV: prefix,
		// session ID, user ID, active, idle, idle second, idle nanosecond,
		// expire-at in ms. Returns 0, or 1 if there is no such user, 2 if
		// the session exists. Also drops the user's set members whose
		// session Redis expired, so the set does not grow forever.
		createSession: redis.NewScript(`
if redis.call('EXISTS', KEYS[2]) == 0 then return 1 end
if redis.call('EXISTS', KEYS[1]) == 1 then return 2 end
for _, id in ipairs(redis.call('SMEMBERS', KEYS[3])) do
	if redis.call('EXISTS', ARGV[1] .. 's:' .. id) == 0 then
		redis.call('SREM', KEYS[3], id)
	end
end
redis.call('HSET', KEYS[1], 'u', ARGV[3], 'a', ARGV[4], 'i', ARGV[5], 'n', ARGV[7])
redis.call('PEXPIREAT', KEYS[1], ARGV[8])
redis.call('SADD', KEYS[3], ARGV[2])
redis.call('ZADD', KEYS[4], ARGV[6], ARGV[2])
return 0`),

		// KEYS: session. ARGV: prefix. Returns {} if there is no such
		// session, else {user ID, active, idle, user found "1"/"0",
		// has attributes "1"/"0", attributes}.
		getSessionAndUser: redis.NewScript(`
local s = redis.call('HMGET', KEYS[1], 'u', 'a', 'i')
if not s[1] then return {} end
local u = redis.call('HMGET', ARGV[1] .. 'u:' .. s[1], 'id', 'a')
local found, has = '0', '0'
if u[1] then found = '1' end
if u[2] then has = '1' end
return {s[1], s[2] or '', s[3] or '', found, has, u[2] or ''}`),

		// KEYS: session, sweep index. ARGV: old active, active, idle, idle
		// second, idle nanosecond, expire-at in ms, session ID. Returns 1
		// if the stored active expiry was old and is now replaced, else 0.
		// A missing session reads as false, which equals no string.
		renewSession: redis.NewScript(`
if redis.call('HGET', KEYS[1], 'a') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'a', ARGV[2], 'i', ARGV[3], 'n', ARGV[5])
redis.call('PEXPIREAT', KEYS[1], ARGV[6])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[7])
return 1`),

		// KEYS: session, sweep index. ARGV: prefix, session ID. Returns 1
		// if it deleted a session, else 0.
		deleteSession: redis.NewScript(`
redis.call('ZREM', KEYS[2], ARGV[2])
local u = redis.call('HGET', KEYS[1], 'u')
if not u then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SREM', ARGV[1] .. 'us:' .. u, ARGV[2])
return 1`),

		// KEYS: user's sessions, sweep index. ARGV: prefix, user ID.
		// Returns how many sessions it deleted.
		deleteUserSessions: redis.NewScript(`
local n = 0
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
	local k = ARGV[1] .. 's:' .. id
	if redis.call('HGET', k, 'u') == ARGV[2] then
		redis.call('DEL', k)
		redis.call('ZREM', KEYS[2], id)
		n = n + 1
	end
end
redis.call('DEL', KEYS[1])
return n`),

		// KEYS: user's sessions. ARGV: prefix, user ID. Returns session
		// ID, active, idle for each session; drops stale set members.
		userSessions: redis.NewScript(`
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
	local v = redis.call('HMGET', ARGV[1] .. 's:' .. id, 'u', 'a', 'i')
	if v[1] == ARGV[2] then
		table.insert(out, id)
		table.insert(out, v[2] or '')
		table.insert(out, v[3] or '')
	else
		redis.call('SREM', KEYS[1], id)
	end
end
return out`),

		// KEYS: sweep index. ARGV: prefix, now's second, now's
		// nanosecond, batch size. Deletes up to a batch of sessions whose
		// idle expiry is before now, and returns {deleted, examined}; the
		// caller runs it again while examined equals the batch size.
		//
		// Scores are whole seconds (a double holds those exactly; it can't
		// hold Unix nanoseconds), so a score below now's second is surely
		// expired, and a score equal to it is settled by comparing the
		// nanoseconds stored in the session.
		deleteExpired: redis.NewScript(`
local function del(id)
	redis.call('ZREM', KEYS[1], id)
	local k = ARGV[1] .. 's:' .. id
	local u = redis.call('HGET', k, 'u')
	if not u then return 0 end
	redis.call('DEL', k)
	redis.call('SREM', ARGV[1] .. 'us:' .. u, id)
	return 1
end
local n = 0
local batch = tonumber(ARGV[4])
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[2], 'LIMIT', 0, batch)
for _, id in ipairs(ids) do n = n + del(id) end
if #ids < batch then
	local nsec = tonumber(ARGV[3])
	for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[2], ARGV[2])) do
		local ns = redis.call('HGET', ARGV[1] .. 's:' .. id, 'n')
		if not ns then
			redis.call('ZREM', KEYS[1], id)
		elseif tonumber(ns) < nsec then
			n = n + del(id)
		end
	end
end
return {n, #ids}`),
	}
}
