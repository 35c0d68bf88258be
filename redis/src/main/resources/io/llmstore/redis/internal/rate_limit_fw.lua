-- The common case, lean: ONE fixed-window limit. Same decision as rate_limit.lua for such a policy, fewer calls
-- (no TIME, no GET: the key's expiry is the window, so the server clock is never read by the script).
-- KEYS[1]   the counter (its {hash tag} names the limited entity).
-- ARGV      limit, window ms, cost, '1' to return the window id (a reservation) else '0'.
-- Returns   {allowed (1/0), count before this call, retry-after ms when denied | window id when asked | 0}
-- Charge first, undo when over: atomic inside the script, so nobody sees the transient count. A counter is
-- created by this INCRBY and given its TTL in the same script (no crash can leave it without one); NX keeps the
-- window of a counter refunded down to 0 (rate_limit_settle.lua) instead of extending it.
local key = KEYS[1]
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
  return {0, v - cost, pttl}
end
if ARGV[4] == '1' then
  return {1, v - cost, redis.call('PEXPIRETIME', key)}
end
return {1, v - cost, 0}
