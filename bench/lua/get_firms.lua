-- wrk: GET one firm (with its facts) per request, chosen at random from BENCH_IDS.
local ids = {}
for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
math.randomseed(os.time())

function request()
  return wrk.format("GET", "/v1/firms/" .. ids[math.random(#ids)])
end
