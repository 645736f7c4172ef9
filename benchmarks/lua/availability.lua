package.path = package.path .. ";" .. os.getenv("BENCH_LUA_DIR") .. "/?.lua"
require("common")

request = function()
  local start = math.random(5, 500)
  local path = string.format("/api/v1/availability?check_in=%s&check_out=%s&guests=2",
    day(start), day(start + math.random(2, 4)))
  return wrk.format("GET", path, guest_headers())
end
