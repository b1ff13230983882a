-- wrk: PUT one annual report per request, each to a (firm, fiscal year) not used before.
-- BENCH_IDS names a file of firm ids (one a line); BENCH_BODY a file with the JSON body;
-- BENCH_FIRST_YEAR the first fiscal year; BENCH_THREADS wrk's -t.
local threads = tonumber(os.getenv("BENCH_THREADS"))
local first_year = tonumber(os.getenv("BENCH_FIRST_YEAR"))
local ids = {}
for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
local f = io.open(os.getenv("BENCH_BODY"))
local body = f:read("*a")
f:close()
wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/json"

local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

local n = 0
function request()
  local k = n * threads + tid
  n = n + 1
  local firm = ids[(k % #ids) + 1]
  local year = first_year + math.floor(k / #ids)
  return wrk.format("PUT", "/v1/firms/" .. firm .. "/reports/" .. year, nil, body)
end
