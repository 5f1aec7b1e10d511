-- The htmx toggle on a random todo of the user, as htmx 4 sends it: a fragment
-- request with the CSRF header, posting the row form's hidden csrf_token field.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local ids = {}
for line in io.lines(bench.env("BENCH_IDS_FILE")) do
  ids[#ids + 1] = line
end
local csrf = bench.env("BENCH_CSRF")
local headers = {
  ["Cookie"] = bench.env("BENCH_COOKIE"),
  ["HX-Request"] = "true",
  ["HX-Request-Type"] = "partial",
  ["X-CSRF-Token"] = csrf,
  ["Content-Type"] = "application/x-www-form-urlencoded",
}
local body = "csrf_token=" .. bench.urlencode(csrf)

function init(args)
  -- The same sequence of ids for every run, so both apps toggle the same rows.
  math.randomseed(12345)
end

function request()
  return wrk.format("POST", "/todos/" .. ids[math.random(#ids)] .. "/toggle", headers, body)
end
