-- The profile playback over HTTP, for wrk: a recorded session of the run page (read the climate, build it in the request,
-- queue a build job), replayed without think time by every connection at once across a few runs.
--
--   wrk -s playback.lua http://127.0.0.1:5080 -- <runs>
--
-- Every answer names the step it answered (X-Playback-Op: read, build, job); response() counts the 2xx answers of each
-- step and every other status, per thread, and done() adds the threads up and prints lines starting with "playback ",
-- which load.sh reads. Latencies are in microseconds.

-- The recorded session: four reads, four builds, two queued jobs.
local session = { "read", "build", "read", "job", "build", "read", "build", "job", "read", "build" }

local paths = {
  read = { "GET", "/climate" },
  build = { "POST", "/climate/build" },
  job = { "POST", "/jobs/build-climate" },
}

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  runs = tonumber(args[1]) or 4
  step = id * 3 -- each thread starts at another point of the session
  requests = {}
  for _, kind in ipairs(session) do
    requests[kind] = {}
    for run = 1, runs do
      local method, path = paths[kind][1], paths[kind][2]
      requests[kind][run] = wrk.format(method, "/runs/run-" .. run .. path, nil, method == "POST" and "" or nil)
    end
  end
  reads, builds, jobs, other, non2xx, last_status = 0, 0, 0, 0, 0, 0
end

function request()
  step = step + 1
  local kind = session[step % #session + 1]
  -- Runs are visited in an order that differs from thread to thread, so that several connections meet on each run.
  local run = (step + id * 7) % runs + 1
  return requests[kind][run]
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    local op = headers["X-Playback-Op"] or headers["x-playback-op"]
    if op == "read" then
      reads = reads + 1
    elseif op == "build" then
      builds = builds + 1
    elseif op == "job" then
      jobs = jobs + 1
    else
      other = other + 1
    end
  else
    non2xx = non2xx + 1
    last_status = status
  end
end

function done(summary, latency, _)
  local total = { reads = 0, builds = 0, jobs = 0, other = 0, non2xx = 0 }
  local last = 0
  for _, thread in ipairs(threads) do
    for key, _ in pairs(total) do
      total[key] = total[key] + thread:get(key)
    end
    if thread:get("last_status") ~= 0 then
      last = thread:get("last_status")
    end
  end
  local e = summary.errors
  io.write(string.format("playback totals requests %d duration_us %d\n", summary.requests, summary.duration))
  io.write(string.format("playback acknowledged reads %d builds %d jobs %d other %d\n", total.reads, total.builds, total.jobs, total.other))
  io.write(string.format("playback errors connect %d read %d write %d timeout %d non2xx %d last_status %d\n",
    e.connect, e.read, e.write, e.timeout, total.non2xx, last))
  io.write(string.format("playback latency_us p50 %d p90 %d p99 %d max %d mean %d\n",
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
