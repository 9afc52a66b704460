-- common.lua - shared by the wrk scripts of bench/run.sh: loads the environment written by
-- `prep.py env` (BENCH_ENV), counts statuses per thread and prints one RESULT line of JSON
-- (requests, rate, latency percentiles in ms, status classes) when wrk is done.
local M = {}

function M.env()
  return dofile(os.getenv("BENCH_ENV"))
end

function M.lines(path)
  local t = {}
  for l in io.lines(path) do
    if #l > 0 then t[#t + 1] = l end
  end
  return t
end

M.threads = {}

function M.setup(thread)
  thread:set("id", #M.threads)
  M.threads[#M.threads + 1] = thread
end

function M.count(status)
  if status >= 500 then s5 = s5 + 1
  elseif status == 409 then s409 = s409 + 1
  elseif status >= 400 then s4 = s4 + 1
  elseif status >= 200 and status < 300 then s2 = s2 + 1 end
end

function M.init_counters()
  s2, s4, s409, s5 = 0, 0, 0, 0
end

function M.done(summary, latency, requests)
  local t = {s2 = 0, s4 = 0, s409 = 0, s5 = 0}
  for _, th in ipairs(M.threads) do
    for k, _ in pairs(t) do t[k] = t[k] + (th:get(k) or 0) end
  end
  local secs = summary.duration / 1e6
  io.write(string.format(
    'RESULT {"requests":%d,"seconds":%.2f,"rate":%.1f,"p50_ms":%.2f,"p90_ms":%.2f,' ..
    '"p99_ms":%.2f,"max_ms":%.2f,"s2xx":%d,"s4xx":%d,"s409":%d,"s5xx":%d,' ..
    '"socket_errors":%d}\n',
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    t.s2, t.s4, t.s409, t.s5,
    summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout))
end

return M
