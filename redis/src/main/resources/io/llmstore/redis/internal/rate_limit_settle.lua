-- Settles a reservation: refunds (delta < 0) or charges (delta > 0) the difference between the permits reserved
-- and those used, in one atomic step.
-- KEYS[i]   the counter of limit i (one hash tag, so one slot).
-- ARGV      4 per limit: algorithm ('fw' | 'tb'), limit, window ms, delta, then the window id from the reservation.
-- A fixed-window refund goes back only into the window that was charged (same PEXPIRETIME), never a later one;
-- a charge always lands (the permits were spent). Returns 1.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

for i = 1, #KEYS do
  local b = (i - 1) * 5
  local alg, limit, window, delta, wid =
      ARGV[b + 1], tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3]), tonumber(ARGV[b + 4]), tonumber(ARGV[b + 5])
  local key = KEYS[i]
  if delta ~= 0 then
    if alg == 'fw' then
      if delta < 0 then
        if redis.call('PEXPIRETIME', key) == wid then
          local v = tonumber(redis.call('GET', key)) + delta
          if v < 0 then v = 0 end
          redis.call('SET', key, string.format('%.0f', v), 'KEEPTTL')
        end
      else
        redis.call('INCRBY', key, delta)
        if redis.call('PTTL', key) < 0 then redis.call('PEXPIRE', key, window) end
      end
    else
      local m, f = now, 0
      local s = redis.call('GET', key)
      if s then
        local sm, sf = string.match(s, '^(%d+) (%d+)$')
        if sm and tonumber(sm) >= now then m, f = tonumber(sm), tonumber(sf) end
      end
      local n = math.abs(delta)
      local q = math.floor(n * window / limit)
      local r = n * window - q * limit
      if delta > 0 then
        m, f = m + q, f + r
        if f >= limit then f = f - limit; m = m + 1 end
      else
        m, f = m - q, f - r
        if f < 0 then f = f + limit; m = m - 1 end
      end
      if m < now or (m == now and f == 0) then
        redis.call('DEL', key)
      else
        redis.call('SET', key, string.format('%.0f %.0f', m, f), 'PX', m - now + 1)
      end
    end
  end
end
return 1
