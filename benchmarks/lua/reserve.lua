package.path = package.path .. ";" .. os.getenv("BENCH_LUA_DIR") .. "/?.lua"
require("common")

local n = 0
-- Cabins 1 … BENCH_BOOK_CABINS (49 of the default 50: the last one is the hot spot's).
local cabins = tonumber(os.getenv("BENCH_BOOK_CABINS") or "49")
-- Phone numbers of their own per thread and per wrk process (BENCH_SEED): holds count against
-- their phone (MAX_LIVE_HOLDS_PER_PHONE), and two load generators must not share guests.
local phone_base = 2 * tonumber(os.getenv("BENCH_SEED") or "0")
request = function()
  n = n + 1
  -- A night that starts free in the seeded data (see benchmarks/seed.py).
  local offset = 5 + 9 * math.random(0, 59) + math.random(2, 8)
  local body = string.format(
    '{"accommodation_id":%d,"check_in":"%s","check_out":"%s","guests":2,' ..
    '"guest_name":"Bench %d","guest_phone":"+54911%08d"}',
    math.random(1, cabins), day(offset), day(offset + 1), n, ((phone_base + id) * 1000000 + n) % 100000000)
  return wrk.format("POST", "/api/v1/reservations", guest_headers({["Content-Type"] = "application/json"}), body)
end
