-- get.lua - GET the paths listed in BENCH_PATHS in turn (each thread from its own starting
-- point), as the demo role BENCH_ROLE when set (cookie), anonymously otherwise.
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
local C = require("common")
local E = C.env()
local paths = C.lines(os.getenv("BENCH_PATHS"))
local role = os.getenv("BENCH_ROLE")

setup = C.setup
done = C.done

function init(args)
  C.init_counters()
  local h = {}
  if role and #role > 0 then h["Cookie"] = E[role].cookie end
  reqs = {}
  for k, p in ipairs(paths) do reqs[k] = wrk.format("GET", p, h) end
  i = (id * 7919) % #reqs
end

function request()
  i = i % #reqs + 1
  return reqs[i]
end

function response(status, headers, body) C.count(status) end
