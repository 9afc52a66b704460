-- wrk script of bench/cluster_bench.py: POST /api/v1/dossiers as one signed-in citizen, each
-- request with its own Idempotency-Key, the bodies taken in turn from TS_BODIES (JSON bodies
-- separated by the character 0x1e). Environment: TS_COOKIE, TS_CSRF, TS_BODIES, TS_RUN.
local bodies = {}
for b in string.gmatch(os.getenv("TS_BODIES"), "[^\30]+") do
   bodies[#bodies + 1] = b
end
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
   return wrk.format("POST", "/api/v1/dossiers", h, bodies[(n + id) % #bodies + 1])
end
