-- submit.lua - durable online submission: POST /api/v1/dossiers as the demo citizen, to the
-- commune counter 000.00.31.H99 (one receiving unit), or with BENCH_SPREAD=1 round-robin to
-- the receiving units of E.submit_bodies (up to 50).
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
local C = require("common")
local E = C.env()

setup = C.setup
done = C.done

function init(args)
  C.init_counters()
  local h = {
    ["Content-Type"] = "application/json",
    ["Cookie"] = E.citizen.cookie,
    ["X-CSRF-Token"] = E.citizen.csrf,
  }
  local bodies = os.getenv("BENCH_SPREAD") == "1" and E.submit_bodies or {E.submit_body}
  reqs = {}
  for k, b in ipairs(bodies) do reqs[k] = wrk.format("POST", "/api/v1/dossiers", h, b) end
  i = (id * 17) % #reqs
end

function request()
  i = i % #reqs + 1
  return reqs[i]
end

function response(status, headers, body) C.count(status) end
