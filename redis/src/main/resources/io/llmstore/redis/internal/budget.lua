-- One step of a key's monthly dollar budget, atomic: reserve (add only within the limit) or settle (add a signed
-- delta), then fire each alert threshold the counter reached for the first time (HSETNX decides "first", so each
-- fires once per key and month across every instance).
-- KEYS[1] counter, whole nano-dollars; KEYS[2] hash of fired thresholds. Both carry the key's {hash tag}.
-- ARGV[1] 'reserve' | 'settle'   ARGV[2] amount   ARGV[3] limit   ARGV[4] expire-at (unix seconds)
-- ARGV[5] initial value when the counter is missing ('' = answer 'missing')   ARGV[6..] thresholds, ascending
-- Returns {'ok', counter, fired...} | {'refused', counter} | {'missing'}.
local spent = redis.call('GET', KEYS[1])
if not spent then
  if ARGV[5] == '' then
    return {'missing'}
  end
  -- Rebuilt from the database: thresholds that sum already reached count as alerted (they were, before the loss).
  redis.call('SET', KEYS[1], ARGV[5], 'NX')
  redis.call('EXPIREAT', KEYS[1], ARGV[4])
  spent = redis.call('GET', KEYS[1])
  for i = 6, #ARGV do
    if tonumber(spent) >= tonumber(ARGV[i]) then
      redis.call('HSETNX', KEYS[2], ARGV[i], 'rebuilt')
    end
  end
end
spent = tonumber(spent)
local amount = tonumber(ARGV[2])
if ARGV[1] == 'reserve' and spent + amount > tonumber(ARGV[3]) then
  return {'refused', spent}
end
local now = redis.call('INCRBY', KEYS[1], ARGV[2])
if now < 0 then
  -- a settlement of a reservation made before the counter was rebuilt: never below zero
  now = redis.call('INCRBY', KEYS[1], -now)
end
local reply = {'ok', now}
for i = 6, #ARGV do
  if now >= tonumber(ARGV[i]) and redis.call('HSETNX', KEYS[2], ARGV[i], '1') == 1 then
    reply[#reply + 1] = tonumber(ARGV[i])
  end
end
if #ARGV >= 6 then
  redis.call('EXPIREAT', KEYS[2], ARGV[4])
end
return reply
