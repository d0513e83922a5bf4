-- One run of `make bench` (scripts/bench.py): the request to send comes from the
-- environment, and done() prints the run's figures as one JSON line for the harness.
-- Responses are counted by status class in response(): wrk's own summary counts only
-- status >= 400 as errors, but a GET that answers 3xx (a redirect to the sign-in page)
-- is a failure too.

local method = os.getenv("BENCH_METHOD")
if method and method ~= "" then
  wrk.method = method
end
local body = os.getenv("BENCH_BODY")
if body and body ~= "" then
  wrk.body = body
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

-- BENCH_BODIES: a file of request bodies, one per line, each to be sent once (a public
-- form's proof of work and token are good for one sending). Thread k sends lines k,
-- k + threads, ...; a thread that runs out stops, and done() reports it.
ran_out = 0
local listed = os.getenv("BENCH_BODIES")
if listed and listed ~= "" then
  local stride = tonumber(os.getenv("BENCH_THREADS"))
  local bodies = {}
  for line in io.lines(listed) do
    bodies[#bodies + 1] = line
  end
  local next_body

  function init(args)
    next_body = id
  end

  function request()
    local body = bodies[next_body]
    if body == nil then
      ran_out = 1
      wrk.thread:stop()
      return wrk.format("GET", "/healthz")
    end
    next_body = next_body + stride
    return wrk.format(nil, nil, nil, body)
  end
end

-- Globals of each thread's own Lua state, read back with thread:get() in done().
s1, s2, s3, s4, s5 = 0, 0, 0, 0, 0

function response(status, headers, body)
  local class = math.floor(status / 100)
  if class == 1 then
    s1 = s1 + 1
  elseif class == 2 then
    s2 = s2 + 1
  elseif class == 3 then
    s3 = s3 + 1
  elseif class == 4 then
    s4 = s4 + 1
  else
    s5 = s5 + 1
  end
end

function done(summary, latency, requests)
  local c = { 0, 0, 0, 0, 0 }
  local out = 0
  for _, thread in ipairs(threads) do
    for i = 1, 5 do
      c[i] = c[i] + thread:get("s" .. i)
    end
    out = out + (thread:get("ran_out") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, '
      .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, '
      .. '"status": {"1xx": %d, "2xx": %d, "3xx": %d, "4xx": %d, "5xx": %d}, '
      .. '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, '
      .. '"ran_out": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    c[1], c[2], c[3], c[4], c[5],
    e.connect, e.read, e.write, e.timeout, out
  ))
end
