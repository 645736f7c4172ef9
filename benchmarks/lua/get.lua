package.path = package.path .. ";" .. os.getenv("BENCH_LUA_DIR") .. "/?.lua"
require("common")

-- The same path each time, from a rotating set of guest addresses (formatted once per thread).
local prepared = {}
local next_request = 0
request = function()
  if #prepared == 0 then
    for i = 1, 4096 do prepared[i] = wrk.format(nil, nil, guest_headers()) end
  end
  next_request = next_request % #prepared + 1
  return prepared[next_request]
end
