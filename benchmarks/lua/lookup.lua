package.path = package.path .. ";" .. os.getenv("BENCH_LUA_DIR") .. "/?.lua"
require("common")

-- A guest looking a booking up: codes of existing bookings, one per line in BENCH_CODES_FILE.
local codes = {}
for line in io.lines(os.getenv("BENCH_CODES_FILE")) do
  if #line > 0 then codes[#codes + 1] = line end
end

request = function()
  local path = "/api/v1/reservations/" .. codes[math.random(1, #codes)]
  return wrk.format("GET", path, guest_headers())
end
