/**
 * The Lua run by RedisLimiter. A script runs atomically in Redis, so one script can check every
 * limit of every scope and count the request only if all pass, whatever the number of replicas.
 *
 * The scripts build their key names themselves (from the Redis clock, see below), so they declare
 * no KEYS: they suit a standalone Redis (or one primary with replicas), not Redis Cluster.
 *
 * Every number handed to redis.call is formatted with %d first: Lua's own number-to-string
 * conversion can write large values as "1.7e+12", which INCRBY and friends refuse.
 */

/** Civil calendar from days since 1970-01-01 and back (H. Hinnant's algorithms), UTC. */
export const calendarLua = `
local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = math.floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end

local function civil_from_days(days)
  local z = days + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local d = doy - math.floor((153 * mp + 2) / 5) + 1
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400
  if m <= 2 then y = y + 1 end
  return y, m, d
end

-- Windows and their ends at a given time (ms since the epoch).
local function windows_at(now_ms)
  local sec = math.floor(now_ms / 1000)
  local minute = math.floor(sec / 60)
  local days = math.floor(sec / 86400)
  local y, m, d = civil_from_days(days)
  local next_y, next_m = y, m + 1
  if next_m > 12 then next_y, next_m = y + 1, 1 end
  return {
    now_ms = now_ms,
    minute = string.format('%d', minute),
    day = string.format('%04d-%02d-%02d', y, m, d),
    month = string.format('%04d-%02d', y, m),
    minute_end = (minute + 1) * 60000,
    day_end = (days + 1) * 86400000,
    month_end = days_from_civil(next_y, next_m, 1) * 86400000,
  }
end
`;

/** Limit kinds in check order (src/limits/windows.ts checkOrder), with their keys and lifetimes. */
const kindsLua = `
local KINDS = {
  { name = 'concurrentRequests', period = 'concurrent' },
  { name = 'requestsPerMinute', period = 'minute', key = 'rpm', ttl = 120 },
  { name = 'tokensPerMinute', period = 'minute', key = 'tpm', ttl = 120, measure = 'tokens' },
  { name = 'tokensPerDay', period = 'day', key = 'tok:day', ttl = 172800, measure = 'tokens' },
  { name = 'tokensPerMonth', period = 'month', key = 'tok:month', ttl = 3024000, measure = 'tokens' },
  { name = 'costMicrosPerDay', period = 'day', key = 'cost:day', ttl = 172800, measure = 'cost' },
  { name = 'costMicrosPerMonth', period = 'month', key = 'cost:month', ttl = 3024000, measure = 'cost' },
}

local function int(n)
  return string.format('%d', n)
end

local function counter_key(prefix, kind, scope_kind, scope_id, w)
  return prefix .. kind.key .. ':' .. scope_kind .. ':' .. scope_id .. ':' .. w[kind.period]
end

local function lease_key(prefix, scope_kind, scope_id)
  return prefix .. 'conc:' .. scope_kind .. ':' .. scope_id
end
`;

/**
 * reserve. ARGV: prefix, requestId, tokens, costMicros, leaseMs, wantBaseline ('1'|'0'), scopes.
 * Scopes are packed in one argument ("kind id l1 … l7;kind id …", '-' for no limit; ids never hold
 * spaces or ';'): every argument costs the client an encoding and Redis a parse.
 * Returns one of:
 *   {'ok', minute, day, month}
 *   {'deny', scopeIndex (0-based), kindName, used, retryAfterSeconds}
 *   {'baseline', day, month, then per missing budget counter: scopeIndex, kindName, key, ttl}
 * The time is Redis's own (TIME): replicas with skewed clocks still share windows.
 */
export const reserveLua = `${calendarLua}${kindsLua}
local prefix, request_id = ARGV[1], ARGV[2]
local amount = { tokens = ARGV[3], cost = ARGV[4] }
local lease_ms = tonumber(ARGV[5])
local want_baseline = ARGV[6] == '1'
local scopes = {}
for packed in string.gmatch(ARGV[7], '[^;]+') do
  local f = {}
  for field in string.gmatch(packed, '%S+') do f[#f + 1] = field end
  local scope = { kind = f[1], id = f[2], limits = {} }
  for k = 1, 7 do
    if f[2 + k] ~= '-' then scope.limits[k] = tonumber(f[2 + k]) end
  end
  scopes[#scopes + 1] = scope
end

local t = redis.call('TIME')
local w = windows_at(tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))

local function retry_after(k)
  local period = KINDS[k].period
  if period == 'concurrent' then return 1 end
  local seconds = math.ceil((w[period .. '_end'] - w.now_ms) / 1000)
  if seconds < 1 then seconds = 1 end
  return seconds
end

-- Check everything first, in one pass. A budget counter that does not exist yet needs what was
-- spent before this deployment counted (the client fetches and SETs it NX, then runs this again);
-- once one is missing, later limits are not judged, so the denial order never depends on it.
local missing = { 'baseline', w.day, w.month }
for i, scope in ipairs(scopes) do
  for k = 1, 7 do
    local limit = scope.limits[k]
    if limit ~= nil then
      local used, requested
      if k == 1 then
        local key = lease_key(prefix, scope.kind, scope.id)
        -- Leases of requests never settled (a crashed replica) expire here.
        redis.call('ZREMRANGEBYSCORE', key, '-inf', int(w.now_ms))
        used, requested = redis.call('ZCARD', key), 1
      else
        local key = counter_key(prefix, KINDS[k], scope.kind, scope.id, w)
        local value = redis.call('GET', key)
        if value == false and want_baseline and k >= 4 then
          table.insert(missing, i - 1)
          table.insert(missing, KINDS[k].name)
          table.insert(missing, key)
          table.insert(missing, KINDS[k].ttl)
        end
        used = tonumber(value or '0')
        requested = 1
        if KINDS[k].measure ~= nil then requested = tonumber(amount[KINDS[k].measure]) end
      end
      if #missing == 3 and used + requested > limit then
        return { 'deny', i - 1, KINDS[k].name, used, retry_after(k) }
      end
    end
  end
end
if #missing > 3 then return missing end

-- ...then count everything. A counter gets its lifetime when this request created it.
for _, scope in ipairs(scopes) do
  for k = 1, 7 do
    if scope.limits[k] ~= nil then
      if k == 1 then
        local key = lease_key(prefix, scope.kind, scope.id)
        redis.call('ZADD', key, int(w.now_ms + lease_ms), request_id)
        redis.call('PEXPIRE', key, int(lease_ms + 60000))
      else
        local key = counter_key(prefix, KINDS[k], scope.kind, scope.id, w)
        local step = '1'
        if k > 2 then step = amount[KINDS[k].measure] end
        if redis.call('INCRBY', key, step) == tonumber(step) then
          redis.call('EXPIRE', key, KINDS[k].ttl)
        end
      end
    end
  end
end
-- Marks the reservation open until settled (or its lease ends): settle acts only while it exists.
redis.call('SET', prefix .. 'res:' .. request_id, '1', 'PX', int(lease_ms))
return { 'ok', w.minute, w.day, w.month }
`;

/**
 * settle, for several reservations at once (the client sends every settlement of one tick in one
 * call). ARGV: prefix, then one argument per reservation: "requestId minute day month tokensDelta
 * costDelta kind id flags [kind id flags]" (its windows, actual - reserved, and per scope 7 flags,
 * '1' = the scope has that limit, KINDS order). Returns how many were applied; one already settled
 * (or whose lease ended) is skipped.
 */
export const settleLua = `${kindsLua}
local prefix = ARGV[1]
local applied = 0
for n = 2, #ARGV do
  local f = {}
  for field in string.gmatch(ARGV[n], '%S+') do f[#f + 1] = field end
  local request_id = f[1]
  local w = { minute = f[2], day = f[3], month = f[4] }
  local delta = { tokens = f[5], cost = f[6] }
  -- Once only, even when a retry follows a reply lost on the way back. The marker lives only while
  -- the request is open, so Redis holds one small key per request in flight, not per request served.
  if redis.call('DEL', prefix .. 'res:' .. request_id) == 1 then
    applied = applied + 1
    for base = 7, #f - 2, 3 do
      local scope_kind, scope_id, flags = f[base], f[base + 1], f[base + 2]
      for k = 1, 7 do
        if string.sub(flags, k, k) == '1' then
          if k == 1 then
            redis.call('ZREM', lease_key(prefix, scope_kind, scope_id), request_id)
          elseif KINDS[k].measure ~= nil and delta[KINDS[k].measure] ~= '0' then
            local key = counter_key(prefix, KINDS[k], scope_kind, scope_id, w)
            -- An expired window is over: it needs no correction, and must not come back to life.
            if redis.call('EXISTS', key) == 1 then
              if redis.call('INCRBY', key, delta[KINDS[k].measure]) < 0 then
                redis.call('SET', key, '0', 'KEEPTTL')
              end
            end
          end
        end
      end
    end
  end
end
return applied
`;
