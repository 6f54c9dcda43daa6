#!/usr/bin/env bash
# Builds and runs bench/c/bench.c: calls/s of the C face against the sandbox, next to a
# libcurl loop reusing one handle. Needs cargo, a C compiler and libcurl's headers
# (libcurl4-openssl-dev). usage: bash bench/c/run.sh [CALLS_PER_ROUND]
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build --release -q -p nowgg-payments-ffi -p nowgg-sandbox
lib="$CARGO_TARGET_DIR/release"
out="$CARGO_TARGET_DIR/bench-c"
# shellcheck disable=SC2046  # the flags are words
cc -std=c99 -O2 -Wall -Wextra -Werror -pedantic -Iinclude -Itests/c \
    bench/c/bench.c tests/c/support/sandbox.c -o "$out" \
    -L"$lib" -Wl,-rpath,"$lib" -lnowgg_payments $(pkg-config --cflags --libs libcurl)
"$out" "$lib/nowgg-sandbox" "$@"
