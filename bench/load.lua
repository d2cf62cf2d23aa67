-- wrk script of bench/load: POST /v1/query with the questions of the eval set, one JSON
-- body per request, cycling through them (each wrk thread starts at another question).
--
-- Usage: wrk ... -s bench/load.lua URL/v1/query -- BODIES_FILE [PACE_MS [THREADS]]
-- With PACE_MS, each connection waits that many milliseconds after a response before its
-- next request (wrk's delay()): a server that is busy only part of the time (0: none).
-- With THREADS (wrk's -t), thread t asks bodies t+1, t+1+THREADS, t+1+2*THREADS, ...: no
-- body is sent twice until the whole file has been sent (distinct questions). Without it,
-- each thread cycles through the whole file from its own offset, so with several threads
-- every body is sent once per thread.
-- BODIES_FILE holds one request body per line, already JSON ({"question": "..."}), so this
-- script never has to escape text. It counts the responses whose status is not 2xx (wrk's
-- own "Non-2xx or 3xx responses" counts only status > 399), tallies the status codes, and
-- at the end prints one line "LOADJSON {...}" with the summary, the latency percentiles
-- (microseconds) and those counts for bench/load_report.py.

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  local path = args[1]
  if path == nil then error("bench/load.lua: pass the bodies file after --") end
  bodies = {}
  for line in io.lines(path) do
    if #line > 0 then bodies[#bodies + 1] = line end
  end
  if #bodies == 0 then error("bench/load.lua: no request bodies in " .. path) end
  local pace = tonumber(args[2] or "0") or 0
  if pace > 0 then delay = function() return pace end end
  stride = tonumber(args[3] or "0") or 0
  if stride > 0 then
    idx = tid - stride  -- request() adds the stride first: thread t starts at body t + 1
  else
    idx = (tid * 17) % #bodies
  end
  non2xx = 0
  codes = {}
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Accept"] = "application/json"
end

function request()
  if stride > 0 then
    idx = (idx + stride) % #bodies
    return wrk.format("POST", nil, nil, bodies[idx + 1])
  end
  idx = idx % #bodies + 1
  return wrk.format("POST", nil, nil, bodies[idx])
end

function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
  local key = tostring(status)
  codes[key] = (codes[key] or 0) + 1
end

function done(summary, latency, requests)
  local total_non2xx, all_codes = 0, {}
  for _, t in ipairs(threads) do
    total_non2xx = total_non2xx + (t:get("non2xx") or 0)
    local c = t:get("codes") or {}
    for k, v in pairs(c) do all_codes[k] = (all_codes[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(all_codes) do parts[#parts + 1] = string.format('"%s": %d', k, v) end
  local e = summary.errors
  io.write(string.format(
    'LOADJSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"mean": %.1f, "stdev": %.1f, "min": %d, "max": %d, ' ..
    '"p50": %d, "p75": %d, "p90": %d, "p99": %d, "p99.9": %d}, ' ..
    '"non2xx": %d, "status_codes": {%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.stdev, latency.min, latency.max,
    latency:percentile(50), latency:percentile(75), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9),
    total_non2xx, table.concat(parts, ", ")))
end
