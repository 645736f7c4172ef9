-- Shared by the wrk scripts: per-thread status counters and a JSON summary line.
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  created, conflict, client_err, server_err = 0, 0, 0, 0
  -- BENCH_SEED tells apart wrk processes started in the same second (benchmarks/two_apps.py).
  math.randomseed(os.time() * 1000 + id + 100 * tonumber(os.getenv("BENCH_SEED") or "0"))
end

function response(status, headers, body)
  if status >= 500 then server_err = server_err + 1
  elseif status == 201 then created = created + 1
  elseif status == 409 then conflict = conflict + 1
  elseif status >= 400 then client_err = client_err + 1 end
end

function done(summary, latency, requests)
  local c, k, e4, e5 = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created"); k = k + t:get("conflict")
    e4 = e4 + t:get("client_err"); e5 = e5 + t:get("server_err")
  end
  local errs = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"created":%d,"conflict":%d,"client_errors":%d,"server_errors":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, c, k, e4, e5,
    errs.connect + errs.read + errs.write + errs.timeout))
end

function day(offset)
  return os.date("!%Y-%m-%d", os.time() - 3 * 3600 + offset * 86400)
end

-- Every request from a guest address of its own, as behind Fly's proxy (the app runs with
-- TRUSTED_PROXY=true): per-address budgets (rate limit, live holds) see many guests, not one
-- load generator. The reference app ignores the header.
function guest_headers(extra)
  local headers = extra or {}
  headers["Fly-Client-IP"] = string.format("10.%d.%d.%d",
    math.random(0, 255), math.random(0, 255), math.random(0, 255))
  return headers
end
