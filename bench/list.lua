-- GET / as a logged-in browser: the session cookie, nothing else.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

wrk.method = "GET"
wrk.path = "/"
wrk.headers["Cookie"] = "session=" .. bench.env("BENCH_SESSION")
wrk.headers["Accept"] = "text/html"
