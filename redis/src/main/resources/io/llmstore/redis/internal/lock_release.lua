-- Releases a single-flight lock only if this caller still holds it (its random token), so a caller whose lock
-- expired never deletes the next holder's. KEYS[1] the lock, ARGV[1] the token. Returns 1 if released.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
