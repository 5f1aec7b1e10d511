-- Shared by every workload script: settings from the environment, and one
-- machine-readable result line that the driver parses (wrk's own text is for people).
-- Each app gets its own BENCH_COOKIE (the whole Cookie header) and BENCH_CSRF (the
-- X-CSRF-Token header's value, also sent as the form's csrf_token field).

bench = {}

function bench.env(name)
  local value = os.getenv(name)
  if value == nil or value == "" then
    error("missing environment variable " .. name)
  end
  return value
end

-- application/x-www-form-urlencoded, as browsers encode form fields.
function bench.urlencode(s)
  s = string.gsub(s, "([^%w%-%.%_%~ ])", function(c)
    return string.format("%%%02X", string.byte(c))
  end)
  return (string.gsub(s, " ", "+"))
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors_connect": %d, "errors_read": %d, "errors_write": %d, ' ..
    '"errors_status": %d, "errors_timeout": %d, ' ..
    '"latency_p50_us": %d, "latency_p75_us": %d, "latency_p90_us": %d, ' ..
    '"latency_p99_us": %d, "latency_mean_us": %.1f, "latency_max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(75), latency:percentile(90),
    latency:percentile(99), latency.mean, latency.max))
end
