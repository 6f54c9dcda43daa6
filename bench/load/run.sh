#!/usr/bin/env bash
# The long load runs: 8 threads x 50,000 verifies through one client, on the Rust core and
# on the C face, each against the release sandbox in a process of its own, with the open
# descriptors and the RSS every 10,000 calls. Each run fails unless every call succeeded
# and neither grew from the first report to the last (RSS by at most 1 MiB). They are the
# suites' load tests at full length: core/tests/load.rs and tests/c/load.c (5,000 calls
# in the test command). Last results: bench/results/load.md.
#
# usage: bench/load/run.sh          (about a minute on 2 cores, builds included)
# The C run builds tests/c with CMake: it needs the tools scripts/test-c.sh installs.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
export CARGO_TERM_COLOR=never
export NOWGG_SANDBOX_BIN="${NOWGG_SANDBOX_BIN:-$CARGO_TARGET_DIR/release/nowgg-sandbox}"
threads=8 calls_per_thread=50000

echo "load: $(date -u +%FT%TZ), $(nproc) cores, $(uname -srm), load average $(cut -d' ' -f1-3 /proc/loadavg)"
cargo build --release -q -p nowgg-sandbox

echo "== rust core: $threads x $calls_per_thread verifies (core/tests/load.rs)"
NOWGG_LOAD_CALLS=$((threads * calls_per_thread)) \
    cargo test --release -q -p nowgg-payments --test load -- --nocapture 2>&1 | grep -v '^$'

echo "== c face: $threads x $calls_per_thread verifies (tests/c/load.c)"
build="$CARGO_TARGET_DIR/cmake/load"
mkdir -p "$build"
if ! { cmake -S ffi-c -B "$build" -DNOWGG_PAYMENTS_BUILD_TESTS=ON -DNOWGG_TEST_PACKAGE=OFF \
    -DCMAKE_BUILD_TYPE=Release -DNOWGG_SANDBOX_BIN="$NOWGG_SANDBOX_BIN" &&
    cmake --build "$build" -j2 --target c_load; } >"$build.log" 2>&1; then
    cat "$build.log"
    echo "load: building c_load failed (scripts/test-c.sh installs what it needs)" >&2
    exit 1
fi
"$build/tests/c/c_load" "$NOWGG_SANDBOX_BIN" "$threads" "$calls_per_thread"
