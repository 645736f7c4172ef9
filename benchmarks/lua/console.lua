package.path = package.path .. ";" .. os.getenv("BENCH_LUA_DIR") .. "/?.lua"
require("common")

-- A signed-in owner's browser: the same page each time, with the session cookie
-- (BENCH_COOKIE), from a rotating set of addresses (formatted once per thread).
local prepared = {}
local next_request = 0
request = function()
  if #prepared == 0 then
    for i = 1, 1024 do
      local headers = guest_headers()
      headers["Cookie"] = os.getenv("BENCH_COOKIE")
      prepared[i] = wrk.format(nil, nil, headers)
    end
  end
  next_request = next_request % #prepared + 1
  return prepared[next_request]
end

-- A page is a 200: a redirect to sign-in (an expired or unknown session) counts as an error.
response = function(status, headers, body)
  if status >= 500 then server_err = server_err + 1
  elseif status ~= 200 then client_err = client_err + 1 end
end
