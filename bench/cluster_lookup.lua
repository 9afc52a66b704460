-- wrk script of bench/cluster_bench.py: the public status lookup (no sign-in) over a list of
-- dossier codes. Environment: TS_CODES (comma-separated), TS_PHONE.
local codes = {}
for c in string.gmatch(os.getenv("TS_CODES"), "[^,]+") do
   codes[#codes + 1] = c
end
local n = 0
request = function()
   n = n + 1
   local code = codes[(n % #codes) + 1]
   return wrk.format("GET", "/api/v1/public/dossiers/" .. code .. "?phone=" .. os.getenv("TS_PHONE"))
end
