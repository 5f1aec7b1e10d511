-- Adding a todo through the htmx new-todo form: title (escaping and non-ASCII
-- included), an empty description, the hidden csrf_token field and the CSRF header.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local csrf = bench.env("BENCH_CSRF")
local headers = {
  ["Cookie"] = bench.env("BENCH_COOKIE"),
  ["HX-Request"] = "true",
  ["HX-Request-Type"] = "partial",
  ["X-CSRF-Token"] = csrf,
  ["Content-Type"] = "application/x-www-form-urlencoded",
}
local prefix = "csrf_token=" .. bench.urlencode(csrf) .. "&title="
  .. bench.urlencode("Added <i>new</i> & 'q' \"dq\" — café ✓ #")
local n = 0

function request()
  n = n + 1
  return wrk.format("POST", "/todos", headers, prefix .. n .. "&description=")
end
