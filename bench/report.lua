-- wrk script for the benchmark harness (bench/run.py).
-- Arguments after "--" are session keys: each request carries the next one as its
-- sessionid cookie. With no argument, requests go out without a cookie.
-- done() prints one line, "BENCH_RESULT {json}", with the p95 wrk's own report lacks.

local requests_ready = {}
local next_index = 0

function init(args)
  for _, key in ipairs(args) do
    table.insert(requests_ready, wrk.format(nil, nil, { ["Cookie"] = "sessionid=" .. key }))
  end
  if #requests_ready == 0 then
    table.insert(requests_ready, wrk.format())
  end
end

function request()
  next_index = next_index % #requests_ready + 1
  return requests_ready[next_index]
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
      .. '"latency_us": {"mean": %.1f, "max": %d, "p50": %d, "p90": %d, "p95": %d, "p99": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency.mean, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99)
  ))
end
