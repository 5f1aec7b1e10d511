-- Logging in with the login form: email, password and the form's csrf_token, which
-- before login is bound to the anonymous csrftoken cookie (BENCH_COOKIE). Measures
-- argon2id mostly.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

wrk.method = "POST"
wrk.path = "/login"
wrk.headers["Cookie"] = bench.env("BENCH_COOKIE")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "email=" .. bench.urlencode(bench.env("BENCH_EMAIL"))
  .. "&password=" .. bench.urlencode(bench.env("BENCH_PASSWORD"))
  .. "&csrf_token=" .. bench.env("BENCH_CSRF")
