-- The common case, lean: ONE fixed-window limit. Same decision as rate_limit.lua for such a policy, fewer calls
-- (no GET: the key's expiry is the window; TIME only to check the caller's deadline).
-- KEYS[1]   the counter (its {hash tag} names the limited entity).
-- ARGV      limit, window ms, cost, '1' to return the window id (a reservation) else '0', the caller's deadline
--           (server epoch ms; '0' = none).
-- Returns   {allowed (1/0), count before this call, retry-after ms when denied | window id when asked | 0,
--           ms until the window ends (the limit is whole again)}, or {-1}
--           when run after the deadline: the caller already gave up (timed out), so nothing is charged.
-- Charge first, undo when over: atomic inside the script, so nobody sees the transient count. A counter is
-- created by this INCRBY and given its TTL in the same script (no crash can leave it without one); NX keeps the
-- window of a counter refunded down to 0 (rate_limit_settle.lua) instead of extending it.
local key = KEYS[1]
local deadline = tonumber(ARGV[5] or '0')
if deadline > 0 then
  -- The one clock read of this script: a hung server that resumes must not charge calls already refused.
  local t = redis.call('TIME')
  if tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) > deadline then
    return {-1}
  end
end
local cost = tonumber(ARGV[3])
local v = redis.call('INCRBY', key, cost)
if v == cost then
  redis.call('PEXPIRE', key, ARGV[2], 'NX')
end
if v > tonumber(ARGV[1]) then
  redis.call('DECRBY', key, cost)
  local pttl = redis.call('PTTL', key)
  if pttl < 0 then
    -- A counter left without TTL by another writer (INCR without EXPIRE): give it one window to live.
    redis.call('PEXPIRE', key, ARGV[2])
    pttl = tonumber(ARGV[2])
  end
  return {0, v - cost, pttl, pttl}
end
if ARGV[4] == '1' then
  return {1, v - cost, redis.call('PEXPIRETIME', key), redis.call('PTTL', key)}
end
return {1, v - cost, 0, redis.call('PTTL', key)}
