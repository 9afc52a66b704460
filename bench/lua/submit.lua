-- submit.lua - durable online submission: POST /api/v1/dossiers as the demo citizen.
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
local C = require("common")
local E = C.env()

setup = C.setup
done = C.done

function init(args)
  C.init_counters()
  req = wrk.format("POST", "/api/v1/dossiers", {
    ["Content-Type"] = "application/json",
    ["Cookie"] = E.citizen.cookie,
    ["X-CSRF-Token"] = E.citizen.csrf,
  }, E.submit_body)
end

function request() return req end

function response(status, headers, body) C.count(status) end
