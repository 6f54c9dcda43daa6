#!/usr/bin/env bash
# Builds bench/c/ (bench.c, latency.c, cpp_face.cpp) against the release C library and
# runs it: the C face and the C++ wrapper next to libcurl reusing one handle and, given
# --latency-url (a sandbox with --latency-ms 20), the C async calls next to libcurl's
# multi interface (see bench.c). Needs cargo, C and C++ compilers, libcurl's and cJSON's
# headers (libcurl4-openssl-dev, libcjson-dev; bench/run.sh installs them). Uses the
# sandboxes in BENCH_URL, BENCH_TLS_URL and BENCH_CA (bench/run.sh sets them), else starts
# its own. usage: bash bench/c/run.sh [--seconds S] [--rounds N] [--latency-url URL] [--json] ...
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build --release -q -p nowgg-payments-ffi -p nowgg-sandbox
lib="$CARGO_TARGET_DIR/release"
out="$CARGO_TARGET_DIR/bench/c-bench"
mkdir -p "$(dirname "$out")"
# shellcheck disable=SC2046  # the flags are words
cc -std=c99 -O2 -Wall -Wextra -Werror -pedantic -pthread -Iinclude -c bench/c/bench.c -o "$out-bench.o" \
    $(pkg-config --cflags libcurl libcjson)
# shellcheck disable=SC2046
cc -std=c99 -O2 -Wall -Wextra -Werror -pedantic -pthread -Iinclude -c bench/c/latency.c -o "$out-latency.o" \
    $(pkg-config --cflags libcurl libcjson)
c++ -std=c++17 -O2 -Wall -Wextra -Werror -pedantic -Iinclude -c bench/c/cpp_face.cpp -o "$out-cpp.o"
# shellcheck disable=SC2046
c++ -pthread "$out-bench.o" "$out-latency.o" "$out-cpp.o" -o "$out" \
    -L"$lib" -Wl,-rpath,"$lib" -lnowgg_payments $(pkg-config --libs libcurl libcjson)
if [[ -z "${BENCH_URL:-}" ]]; then
    # shellcheck source=bench/sandbox.sh
    source bench/sandbox.sh
    start_sandboxes "$(mktemp -d)"
fi
"$out" --url "$BENCH_URL" --tls-url "$BENCH_TLS_URL" --ca "$BENCH_CA" "$@"
if [[ " $* " == *" --json "* ]]; then
    for file in "$lib/libnowgg_payments.so" "$lib/libnowgg_payments.a"; do
        printf '{"kind":"size","face":"c","file":"%s","bytes":%d}\n' "$(basename "$file")" "$(stat -c %s "$file")"
    done
fi
