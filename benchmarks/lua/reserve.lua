package.path = package.path .. ";" .. os.getenv("BENCH_LUA_DIR") .. "/?.lua"
require("common")

local n = 0
-- Cabins 1 … BENCH_BOOK_CABINS (49 of the default 50: the last one is the hot spot's).
local cabins = tonumber(os.getenv("BENCH_BOOK_CABINS") or "49")
-- A random phone number per request: holds count against their phone
-- (MAX_LIVE_HOLDS_PER_PHONE, 2 live holds), and numbered phones repeated from one wrk run to the
-- next (warm-up, then the measured runs, on the same data) had the later runs refused 429 by the
-- hold limit where the reference app answers 201. The generator is seeded per thread, run and
-- BENCH_SEED (common.lua), so two load generators do not share guests either.
request = function()
  n = n + 1
  -- A night that starts free in the seeded data (see benchmarks/seed.py); with TAKEN set
  -- (taken.lua), one the seed has booked: every answer a 409.
  local offset = 5 + 9 * math.random(0, 59)
  if not TAKEN then offset = offset + math.random(2, 8) end
  local body = string.format(
    '{"accommodation_id":%d,"check_in":"%s","check_out":"%s","guests":2,' ..
    '"guest_name":"Bench %d","guest_phone":"+54911%08d"}',
    math.random(1, cabins), day(offset), day(offset + 1), n, math.random(0, 99999999))
  return wrk.format("POST", "/api/v1/reservations", guest_headers({["Content-Type"] = "application/json"}), body)
end
