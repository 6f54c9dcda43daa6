# Sourced by bench/run.sh and bench/c/run.sh. `start_sandboxes DIR` starts the release
# sandbox three times on loopback: over HTTP, over HTTPS (its CA written to DIR/ca.pem),
# and over HTTP adding 20 ms to every answer (a nearby data centre's round trip); sets
# BENCH_URL, BENCH_TLS_URL, BENCH_CA and BENCH_LATENCY_URL, and kills all three when the
# calling shell exits.

start_sandboxes() {
    local dir=$1 bin=${NOWGG_SANDBOX_BIN:-$CARGO_TARGET_DIR/release/nowgg-sandbox} pids=()
    "$bin" --port 0 --api-key bench-key >"$dir/http.out" &
    pids+=($!)
    "$bin" --port 0 --api-key bench-key --tls --ca-out "$dir/ca.pem" >"$dir/https.out" &
    pids+=($!)
    "$bin" --port 0 --api-key bench-key --latency-ms 20 >"$dir/latency.out" &
    pids+=($!)
    # shellcheck disable=SC2064  # the pids are meant to be expanded now
    trap "kill ${pids[*]} 2>/dev/null || true" EXIT
    for _ in $(seq 100); do
        grep -qs '^listening on ' "$dir/http.out" && grep -qs '^listening on ' "$dir/https.out" &&
            grep -qs '^listening on ' "$dir/latency.out" && break
        sleep 0.1
    done
    BENCH_URL="$(sed -n 's/^listening on //p' "$dir/http.out")"
    BENCH_TLS_URL="$(sed -n 's/^listening on //p' "$dir/https.out")"
    BENCH_CA="$dir/ca.pem"
    BENCH_LATENCY_URL="$(sed -n 's/^listening on //p' "$dir/latency.out")"
    if [[ -z "$BENCH_URL" || -z "$BENCH_TLS_URL" || -z "$BENCH_LATENCY_URL" ]]; then
        echo "bench: the sandbox did not start ($bin)" >&2
        return 1
    fi
    export BENCH_URL BENCH_TLS_URL BENCH_CA BENCH_LATENCY_URL
}
