-- hello.lua - GET / against bench/ref_hello (the same RESULT line as the other scripts).
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
local C = require("common")
setup = C.setup
done = C.done
function init(args) C.init_counters() end
function response(status, headers, body) C.count(status) end
