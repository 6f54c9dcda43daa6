#!/usr/bin/env bash
# Every benchmark in one run (bench/README.md): builds what it needs in release, installs
# the pinned peers, starts the sandbox over HTTP and over HTTPS, runs each face against
# what users would write instead (Python, Node, C), the Rust core, and wrk as the server's
# own limit; then bench/report.py writes bench/results/results.md and chart.png and prints
# the tables. Not a test: nothing here fails on a slow number.
#
# usage: bench/run.sh [--seconds S] [--rounds N] [--memory-calls N] [--results DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
seconds=2 rounds=3 memory_calls=100000 results=bench/results
while (($#)); do
    case "$1" in
        --seconds) seconds=$2 ;;
        --rounds) rounds=$2 ;;
        --memory-calls) memory_calls=$2 ;;
        --results) results=$2 ;;
        *) sed -n 's/^# usage: //p' "$0" >&2; exit 2 ;;
    esac
    shift 2
done
work="$CARGO_TARGET_DIR/bench"
raw="$results/raw"
mkdir -p "$work" "$raw"
rm -f "$raw"/*.jsonl
step() { printf '\n==> %s\n' "$*" >&2; }

step "tools (apt-get only for what is missing)"
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v cc >/dev/null || missing+=(gcc)
command -v pkg-config >/dev/null || missing+=(pkg-config)
for pkg in libcurl4-openssl-dev libcjson-dev; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
{ command -v node && command -v npm; } >/dev/null || missing+=(nodejs npm)
if ((${#missing[@]})); then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' \
    || { echo "bench: Node 20+ is required, found $(node --version)" >&2; exit 1; }

step "build (release): sandbox, Rust bench, C library"
cargo build --release -q -p nowgg-sandbox -p nowgg-bench -p nowgg-payments-ffi

step "python: a venv with the pinned peers, and the face's wheel"
venv="$work/venv"
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
py="$venv/bin/python"
pip=("$py" -m pip --disable-pip-version-check --quiet)
"${pip[@]}" install -r bench/python/requirements.txt
rm -rf "$work/wheels"
"${pip[@]}" wheel --no-deps --wheel-dir "$work/wheels" ./py
wheel="$(ls "$work"/wheels/nowgg_payments-*.whl)"
"${pip[@]}" install --force-reinstall --no-deps "$wheel"

step "node: the face (built from ./node) and undici (pinned in bench/node/package.json)"
(cd bench/node && npm install --no-audit --no-fund --loglevel=error)
node node/scripts/build.js # the addon from this checkout, whatever npm decided to skip

"$py" bench/report.py --describe-machine "slices of ${seconds} s, ${rounds} rounds" >"$raw/machine.jsonl"
if awk '{ exit !($1 > 1.0) }' /proc/loadavg; then
    echo "bench: the load average is $(cut -d' ' -f1-3 /proc/loadavg): numbers will be noisy" >&2
fi

# shellcheck source=bench/sandbox.sh
source bench/sandbox.sh
start_sandboxes "$work"
common=(--seconds "$seconds" --rounds "$rounds" --memory-calls "$memory_calls" --json)
urls=(--url "$BENCH_URL" --tls-url "$BENCH_TLS_URL" --ca "$BENCH_CA" --latency-url "$BENCH_LATENCY_URL")

step "wrk: the sandbox's own limit, 1 connection and 8"
# wrk_slice THREADS CONNECTIONS TRANSPORT MODE URL: one JSON line, labelled. wrk takes
# whole seconds only.
wrk_seconds=$(( ${seconds%.*} > 0 ? ${seconds%.*} : 1 ))
wrk_slice() {
    wrk -t"$1" -c"$2" -d"${wrk_seconds}s" -s bench/wrk/verify.lua "$5" | tail -n 1 |
        sed "s/^{/{\"face\":\"wrk\",\"transport\":\"$3\",\"mode\":\"$4\",\"concurrency\":$2,/"
}
for ((round = 1; round <= rounds; round++)); do
    wrk_slice 1 1 http "1 connection" "$BENCH_URL"
    wrk_slice 2 8 http "8 connections" "$BENCH_URL"
    wrk_slice 1 1 https "1 connection" "$BENCH_TLS_URL"
done >"$raw/wrk.jsonl"

step "rust: the core, sequential and 8 threads, HTTP and HTTPS"
rust_bench="$CARGO_TARGET_DIR/release/nowgg-bench"
"$rust_bench" --url "$BENCH_URL" --threads 1 --calls "$memory_calls" --report-every 1000 --json >>"$raw/rust.jsonl"
"$rust_bench" --url "$BENCH_URL" --threads 8 --calls $((memory_calls / 8)) --report-every 1000 --json >>"$raw/rust.jsonl"
"$rust_bench" --url "$BENCH_TLS_URL" --ca "$BENCH_CA" --threads 1 --calls "$memory_calls" --report-every 1000 --json |
    grep '"throughput"' >>"$raw/rust.jsonl"

step "rust: the core's dispatcher vs tokio's blocking pool, at 20 ms and on loopback"
dispatch_bench="$CARGO_TARGET_DIR/release/nowgg-dispatch-bench"
for in_flight in 64 256 1024; do
    for contender in core tokio; do
        "$dispatch_bench" --url "$BENCH_LATENCY_URL" --in-flight "$in_flight" --seconds "$seconds" \
            --contender "$contender" --label "20 ms"
    done
done >"$raw/dispatch.jsonl"
for in_flight in 8 64; do
    for contender in core tokio; do
        "$dispatch_bench" --url "$BENCH_URL" --in-flight "$in_flight" --seconds "$seconds" \
            --contender "$contender" --label loopback
    done
done >>"$raw/dispatch.jsonl"

step "rust: what a call in flight and a pooled connection cost the core (20 ms)"
for in_flight in 256 1024; do
    "$CARGO_TARGET_DIR/release/nowgg-memory-bench" --url "$BENCH_LATENCY_URL" --in-flight "$in_flight" \
        --seconds "$seconds"
done >"$raw/call_cost.jsonl"

step "c: the C face vs libcurl (loopback), the C async calls vs libcurl multi (20 ms)"
bash bench/c/run.sh "${common[@]}" --latency-url "$BENCH_LATENCY_URL" >"$raw/c.jsonl"

step "node: the Node face vs fetch and undici.request"
(cd bench/node && node bench.mjs "${common[@]}" "${urls[@]}") >"$raw/node.jsonl"

step "python: the Python face vs requests, httpx, urllib3 and aiohttp"
"$py" bench/python/bench.py "${common[@]}" "${urls[@]}" --wheel "$wheel" >"$raw/python.jsonl"

step "report"
"$py" bench/report.py "$results"
