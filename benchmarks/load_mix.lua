-- wrk script for benchmarks/load.py: replays request paths from a file and counts non-2xx.
--
--   wrk -t2 -c8 -d60s --latency -s benchmarks/load_mix.lua http://127.0.0.1:PORT -- PATHS_FILE
--
-- PATHS_FILE holds one request path a line (/search?q=...). Each wrk thread starts at a
-- different place in the list and cycles through it. done() prints one line
-- "load-json {...}" with the totals that benchmarks/load.py reads.

local threads = {}
local next_id = 0

function setup(thread)
   thread:set("id", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

local paths = {}
local position = 1
non2xx = 0
codes = {}

function init(args)
   local file = assert(io.open(args[1], "r"), "cannot read the paths file " .. tostring(args[1]))
   for line in file:lines() do
      if #line > 0 then table.insert(paths, line) end
   end
   file:close()
   assert(#paths > 0, "the paths file is empty")
   position = (id * 7919) % #paths + 1
end

function request()
   local path = paths[position]
   position = position % #paths + 1
   return wrk.format("GET", path)
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
      local key = tostring(status)
      codes[key] = (codes[key] or 0) + 1
   end
end

local function codes_json(all)
   local parts = {}
   for code, count in pairs(all) do
      table.insert(parts, string.format('"%s": %d', code, count))
   end
   return "{" .. table.concat(parts, ", ") .. "}"
end

function done(summary, latency, requests)
   local total_non2xx, all_codes = 0, {}
   for _, thread in ipairs(threads) do
      total_non2xx = total_non2xx + thread:get("non2xx")
      for code, count in pairs(thread:get("codes")) do
         all_codes[code] = (all_codes[code] or 0) + count
      end
   end
   local e = summary.errors
   io.write(string.format(
      'load-json {"duration_us": %d, "requests": %d, "bytes": %d, "connect": %d, "read": %d, '
         .. '"write": %d, "status": %d, "timeout": %d, "non2xx": %d, "codes": %s, '
         .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "mean_us": %.1f, "max_us": %d}\n',
      summary.duration, summary.requests, summary.bytes, e.connect, e.read, e.write, e.status,
      e.timeout, total_non2xx, codes_json(all_codes), latency:percentile(50),
      latency:percentile(90), latency:percentile(99), latency.mean, latency.max))
end
