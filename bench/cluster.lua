-- wrk script of the cluster fault tests (Tests/LoreServerTests/ClusterFaultTests.swift) and
-- bench/soak: POST one JSON body per request, cycling through BODIES_FILE (one body per
-- line, already JSON, as bench/load.lua takes them), and tally what came back.
--
-- Usage: wrk ... -s bench/cluster.lua URL -- BODIES_FILE
--
-- At the end it prints one line "CLUSTERLOAD {...}" with:
--   requests, duration_us, errors (wrk's socket errors: connect, read, write, timeout,
--   and status: responses with a status over 399), latency_us percentiles,
--   statuses       {"200": n, "503": n, ...}
--   codes          Lore's error codes of the non-2xx responses ({"backend_unavailable": n})
--   upstreams      responses by X-Lore-Upstream (nginx: the replica(s) tried, in order)
--   versions       responses by X-Lore-Index-Version
--   last_version   the index version of the last response from each upstream
--   fallbacks      2xx responses whose JSON has "fallback_from" (answered by generation.fallback)
--   timeline       {"EPOCH_SECOND STATUS": n}: when each status was seen, so a test can
--                  tell the responses before a fault from those after it (flat: wrk
--                  crashes copying nested tables between its threads' Lua states).

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  local path = args[1]
  if path == nil then error("bench/cluster.lua: pass the bodies file after --") end
  bodies = {}
  for line in io.lines(path) do
    if #line > 0 then bodies[#bodies + 1] = line end
  end
  if #bodies == 0 then error("bench/cluster.lua: no request bodies in " .. path) end
  idx = (tid * 17) % #bodies
  statuses, codes, upstreams, versions, last_version, timeline = {}, {}, {}, {}, {}, {}
  fallbacks = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Accept"] = "application/json"
end

function request()
  idx = idx % #bodies + 1
  return wrk.format("POST", nil, nil, bodies[idx])
end

local function header(headers, name)
  for k, v in pairs(headers) do
    if string.lower(k) == name then return v end
  end
  return nil
end

local function bump(t, k) t[k] = (t[k] or 0) + 1 end

function response(status, headers, body)
  local s = tostring(status)
  bump(statuses, s)
  bump(timeline, os.time() .. " " .. s)
  local upstream = header(headers, "x-lore-upstream") or "-"
  bump(upstreams, upstream)
  local version = header(headers, "x-lore-index-version") or "-"
  bump(versions, version)
  last_version[upstream] = version
  if status >= 200 and status <= 299 then
    if body and string.find(body, '"fallback_from"%s*:%s*"') then fallbacks = fallbacks + 1 end
  else
    local code = body and string.match(body, '"code"%s*:%s*"([^"]*)"') or nil
    bump(codes, code or "(none)")
  end
end

local function merge(into, from)
  for k, v in pairs(from or {}) do into[k] = (into[k] or 0) + v end
end

local function quote(s) return '"' .. string.gsub(tostring(s), '["\\]', "\\%0") .. '"' end

local function object(t, value)
  local parts = {}
  for k, v in pairs(t) do parts[#parts + 1] = quote(k) .. ": " .. (value or tostring)(v) end
  table.sort(parts)
  return "{" .. table.concat(parts, ", ") .. "}"
end

function done(summary, latency, requests)
  local all = { statuses = {}, codes = {}, upstreams = {}, versions = {}, last_version = {}, timeline = {} }
  local total_fallbacks = 0
  for _, t in ipairs(threads) do
    for _, name in ipairs({ "statuses", "codes", "upstreams", "versions", "timeline" }) do merge(all[name], t:get(name)) end
    for k, v in pairs(t:get("last_version") or {}) do all.last_version[k] = v end
    total_fallbacks = total_fallbacks + (t:get("fallbacks") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'CLUSTERLOAD {"requests": %d, "duration_us": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"mean": %.1f, "max": %d, "p50": %d, "p90": %d, "p99": %d}, ' ..
    '"statuses": %s, "codes": %s, "upstreams": %s, "versions": %s, "last_version": %s, ' ..
    '"fallbacks": %d, "timeline": %s}\n',
    summary.requests, summary.duration,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.max, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    object(all.statuses), object(all.codes), object(all.upstreams), object(all.versions),
    object(all.last_version, quote), total_fallbacks,
    object(all.timeline)))
end
