-- wrk script: POST a resident's report as the public intake takes it (JSON), pinned at a random place inside
-- grid A or B of the test world (BENCH_POINTS: "lat,lon;lat,lon", the grids' south-west corners), category
-- 0102, force_new (no duplicate prompt). The same body goes to the stack's least report (/bench/ninja-write).
-- Counts 2xx / non-2xx per thread and prints one "BENCH ..." line at the end (count.lua's fields).

local points = {}
for lat, lon in string.gmatch(os.getenv("BENCH_POINTS") or error("BENCH_POINTS not set"), "([%d.]+),([%d.]+)") do
  table.insert(points, {tonumber(lat), tonumber(lon)})
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"

local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(tid * 7919 + os.time())
  ok2xx = 0
  non2xx = 0
end

function request()
  local p = points[math.random(#points)]
  local body = string.format(
    '{"category": "0102", "lat": %.7f, "lon": %.7f, "description": "bench", "force_new": true}',
    p[1] + math.random() * 0.009, p[2] + math.random() * 0.009)
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok2xx = ok2xx + 1
  else
    non2xx = non2xx + 1
    if non2xx <= 3 then
      io.stderr:write(string.format("non-2xx %d: %s\n", status, string.sub(body or "", 1, 300)))
    end
  end
end

function done(summary, latency, requests)
  local ok, bad = 0, 0
  for _, t in ipairs(threads) do
    ok = ok + t:get("ok2xx")
    bad = bad + t:get("non2xx")
  end
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d seconds=%.3f rps=%.2f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f "
      .. "max_ms=%.2f mean_ms=%.2f ok2xx=%d non2xx=%d err_connect=%d err_read=%d "
      .. "err_write=%d err_timeout=%d\n",
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000,
    ok, bad, e.connect, e.read, e.write, e.timeout))
end
