-- GET BENCH_PATH (the list page /, or /today) as a logged-in browser: the app's
-- cookies (BENCH_COOKIE, the whole Cookie header), nothing else.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

wrk.method = "GET"
wrk.path = bench.env("BENCH_PATH")
wrk.headers["Cookie"] = bench.env("BENCH_COOKIE")
wrk.headers["Accept"] = "text/html"
