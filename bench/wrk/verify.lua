-- wrk against the sandbox: the verify request every face sends (POST the form with the
-- key), so wrk's rate is the server's own limit for it. done() prints one JSON line
-- (bench/run.sh adds the mode; bench/report.py reads it).
--   wrk -t1 -c1 -d2s -s bench/wrk/verify.lua http://127.0.0.1:PORT

wrk.method = "POST"
wrk.path = "/v2/seller/order/verifyPurchase"
wrk.headers["Authorization"] = "bench-key"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "purchaseToken=-nowgg-sample-paid"

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"kind":"wrk_slice","calls":%d,"seconds":%.6f,"p50_us":%d,"p99_us":%d,"errors":%d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
