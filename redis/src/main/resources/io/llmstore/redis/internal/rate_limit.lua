-- Decides every limit of one call together, all or nothing, in one atomic step.
-- KEYS[i]   the counter of limit i; every key shares the limited entity's {hash tag}, so one cluster slot.
-- ARGV      4 per limit: algorithm ('fw' fixed window, 'tb' token bucket as GCRA), limit, window ms, cost; then
--           the caller's deadline (server epoch ms; '0' = none).
-- Returns   {all allowed (1/0), then per limit: allowed, remaining, retry-after ms, window id, reset ms},
--           or {-1} when the script runs after the deadline: the caller has given up (its command timed out and it was
--           told Redis did not decide), so nothing is charged. A hung server that resumes runs queued scripts late.
--           window id: the fixed window's absolute expiry (PEXPIRETIME), so a refund never lands in a later window.
--           reset ms: until the limit is whole again (the window's end; the token bucket's theoretical arrival time).
-- Time is the server's (TIME), so client clocks do not matter. Numbers stay below 2^53 (checked by the client:
-- limit * window ms <= 2^53), so the doubles of Lua hold them exactly.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local deadline = tonumber(ARGV[#KEYS * 4 + 1] or '0')
if deadline > 0 and now > deadline then
  return {-1}
end

local function gcra_remaining(m, f, limit, window)
  local v = (now + window - m) * limit - f
  if v <= 0 then return 0 end
  return math.min(limit, math.floor(v / window))
end

local all = 1
local plan = {}
for i = 1, #KEYS do
  local b = (i - 1) * 4
  local alg, limit, window, cost = ARGV[b + 1], tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3]), tonumber(ARGV[b + 4])
  local key = KEYS[i]
  local p = {alg = alg, key = key, window = window, cost = cost, allowed = 1, remaining = 0, retry = 0, reset = 0}
  if alg == 'fw' then
    local count = tonumber(redis.call('GET', key) or '0')
    -- PEXPIRETIME, not PTTL: it gives the retry-after (with now) and the window id without another call.
    local exp = redis.call('PEXPIRETIME', key)
    local pttl
    if exp == -2 then
      count = 0
      pttl = window
      p.fresh = true
    elseif exp == -1 then
      -- A counter left without TTL (a writer that crashed between INCR and EXPIRE): give it one window to live.
      redis.call('PEXPIRE', key, window)
      pttl = window
    else
      pttl = math.max(0, exp - now)
      p.wid = exp
    end
    p.reset = pttl
    if count + cost > limit then
      p.allowed = 0
      p.remaining = math.max(0, limit - count)
      p.retry = pttl
    else
      p.remaining = limit - count - cost
    end
  else
    local m, f = now, 0
    local s = redis.call('GET', key)
    if s then
      local sm, sf = string.match(s, '^(%d+) (%d+)$')
      if sm and tonumber(sm) >= now then m, f = tonumber(sm), tonumber(sf) end
    end
    local q = math.floor(cost * window / limit)
    local nm, nf = m + q, f + (cost * window - q * limit)
    if nf >= limit then nf = nf - limit; nm = nm + 1 end
    local allow_at = nm - window
    if nf > 0 then allow_at = allow_at + 1 end
    if now < allow_at then
      p.allowed = 0
      p.retry = allow_at - now
      p.remaining = gcra_remaining(m, f, limit, window)
    else
      p.remaining = gcra_remaining(nm, nf, limit, window)
    end
    p.reset = math.max(0, m - now)
    p.nm, p.nf = nm, nf
  end
  if p.allowed == 0 then all = 0 end
  plan[i] = p
end

local out = {all}
for i = 1, #plan do
  local p = plan[i]
  local wid = 0
  if all == 1 then
    if p.alg == 'fw' then
      redis.call('INCRBY', p.key, p.cost)
      if p.fresh then redis.call('PEXPIRE', p.key, p.window) end
      -- INCRBY keeps the TTL, so a counter that had one keeps the expiry read above.
      wid = p.wid or redis.call('PEXPIRETIME', p.key)
    else
      -- The state may vanish once the theoretical arrival time has passed: an empty bucket is the same state.
      redis.call('SET', p.key, string.format('%.0f %.0f', p.nm, p.nf), 'PX', p.nm - now + 1)
      p.reset = p.nm - now
    end
  end
  out[#out + 1] = p.allowed
  out[#out + 1] = p.remaining
  out[#out + 1] = p.retry
  out[#out + 1] = wid
  out[#out + 1] = p.reset
end
return out
