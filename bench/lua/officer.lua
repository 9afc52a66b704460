-- officer.lua - officer actions under concurrent load. Run with as many threads as
-- connections (-t N -c N): request and response then alternate on each thread. Thread t
-- works the codes k with k % (N/2) == t % (N/2), so every dossier is raced by TWO threads:
-- accept (counter officer), forward (specialist), finish (leader), each with the version
-- read from the previous answer. A 409 (the other thread was first) moves on to the next
-- dossier; exactly one of the two may win each step (checked afterwards by prep.py check).
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
local C = require("common")
local E = C.env()
local codes = C.lines(os.getenv("BENCH_CODES"))
local steps = {
  {action = "accept", who = "counter"},
  {action = "forward", who = "specialist"},
  {action = "finish", who = "leader"},
}

setup = C.setup
done = C.done

function init(args)
  C.init_counters()
  local n = tonumber(os.getenv("BENCH_CONNS"))
  local half = math.max(1, math.floor(n / 2))
  mine = {}
  for k, code in ipairs(codes) do
    if k % half == id % half then mine[#mine + 1] = code end
  end
  pos, step, version = 1, 1, 1
end

function request()
  if pos > #mine then pos = 1 end -- out of work: repeats end in 409s (counted, not 5xx)
  local s = steps[step]
  local who = E[s.who]
  return wrk.format("POST", "/api/v1/dossiers/" .. mine[pos] .. "/actions/" .. s.action, {
    ["Content-Type"] = "application/json",
    ["Cookie"] = who.cookie,
    ["X-CSRF-Token"] = who.csrf,
  }, '{"version":' .. version .. '}')
end

function response(status, headers, body)
  C.count(status)
  if status == 200 and step < #steps then
    version = tonumber(string.match(body, '"version":(%d+)')) or version
    step = step + 1
  else
    pos, step, version = pos + 1, 1, 1
  end
end
