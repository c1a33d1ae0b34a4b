-- wrk script: send the session cookie and print one JSON line with the figures the benchmark table needs.
local cookie = os.getenv("BENCH_COOKIE") or ""
wrk.headers["Cookie"] = cookie
wrk.headers["Accept"] = "text/html,application/json"

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format('{"requests": %d, "rps": %.1f, "p50_ms": %.2f, "p95_ms": %.2f, "errors": %d, "non2xx": %d}\n',
    summary.requests, summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.errors.status))
end
