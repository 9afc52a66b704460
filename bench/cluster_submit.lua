-- wrk script of bench/cluster_bench.py: POST /api/v1/dossiers as one signed-in citizen, each
-- request with its own Idempotency-Key. Environment: TS_COOKIE, TS_CSRF, TS_BODY, TS_RUN.
local n = 0
local next_id = 0
function setup(thread)
   thread:set("id", next_id)
   next_id = next_id + 1
end
request = function()
   n = n + 1
   local h = {
      ["Content-Type"] = "application/json",
      ["Cookie"] = os.getenv("TS_COOKIE"),
      ["X-CSRF-Token"] = os.getenv("TS_CSRF"),
      ["Idempotency-Key"] = "bench-" .. os.getenv("TS_RUN") .. "-" .. id .. "-" .. n,
   }
   return wrk.format("POST", "/api/v1/dossiers", h, os.getenv("TS_BODY"))
end
