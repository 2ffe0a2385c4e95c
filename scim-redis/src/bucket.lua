-- One token-bucket decision, atomically (a script runs alone on the server).
-- KEYS[1]: the bucket (a hash: `tokens` left, `at` = last update in microseconds).
-- ARGV[1]: capacity = budget per minute; ARGV[2]: cost (0 only looks).
-- Returns {1 if allowed else 0, the tokens left as a decimal string}.
--
-- The time is the server's (TIME), so instances with skewed clocks agree. Redis before 5
-- needs effects replication for a script that writes after TIME; later ones do it anyway.
if redis.replicate_commands then
  redis.replicate_commands()
end
local capacity = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = capacity
else
  -- Refilled continuously at capacity per minute, never above capacity.
  local elapsed = math.max(now - at, 0) / 1000000
  tokens = math.min(tokens + elapsed * capacity / 60, capacity)
end
local allowed = tokens >= math.max(cost, 1)
if allowed then
  tokens = tokens - cost
end
local missing = capacity - tokens
if missing > 0 then
  redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'at', string.format('%.0f', now))
  -- Full again after `missing` tokens at capacity/60 per second; a full bucket is the
  -- same as no bucket, so the key may go then (one second later, to be safe).
  redis.call('PEXPIRE', KEYS[1], math.ceil(missing * 60000 / capacity) + 1000)
elseif state[1] then
  redis.call('DEL', KEYS[1])
end
return {allowed and 1 or 0, string.format('%.17g', tokens)}
