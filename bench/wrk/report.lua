-- wrk script of bench/run.sh.
--
-- BENCH_AUTHORIZATION in the environment becomes the Authorization header (a bearer token
-- stays out of wrk's command line). done() prints one line "BENCH_JSON {...}" with the
-- totals, the errors and the latency distribution in microseconds, and one line
-- "BENCH_SUMMARY ..." for people. wrk counts every answer with a status above 399 in
-- errors.status.

local authorization = os.getenv("BENCH_AUTHORIZATION")
if authorization and authorization ~= "" then
    wrk.headers["Authorization"] = authorization
end

done = function(summary, latency, requests)
    local e = summary.errors
    local parts = {}
    for _, p in ipairs({ 50, 75, 90, 99, 99.9 }) do
        local name = tostring(p):gsub("%.", "")
        parts[#parts + 1] = string.format('"p%s":%d', name, latency:percentile(p))
    end
    io.write(string.format(
        'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,'
            .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
            .. '"latency_us":{"min":%d,"mean":%.1f,"stdev":%.1f,"max":%d,%s}}\n',
        summary.requests, summary.duration, summary.bytes,
        e.connect, e.read, e.write, e.status, e.timeout,
        latency.min, latency.mean, latency.stdev, latency.max, table.concat(parts, ",")
    ))
    local seconds = summary.duration / 1e6
    io.write(string.format(
        "BENCH_SUMMARY %.0f req/s, p50 %.2f ms, p99 %.2f ms, %d errors\n",
        (summary.requests - e.status) / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
        e.connect + e.read + e.write + e.status + e.timeout
    ))
end
