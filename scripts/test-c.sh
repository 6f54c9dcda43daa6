#!/usr/bin/env bash
# The C and C++ suites (ffi-c/, include/, tests/c/, tests/cpp/, examples/cpp/): builds the
# library through CMake (which runs cargo), then runs the suites with ctest three times:
# plain, under valgrind, and with ASan/UBSan. The header's drift is checked once, by
# `cargo xtask codegen --check` in scripts/test.sh.
# Called by scripts/test.sh; runs alone from the repo root too.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
build="${NOWGG_CMAKE_DIR:-$CARGO_TARGET_DIR/cmake}"

# Tools and the test-only libraries (the library itself needs none of them; the example
# keeps its ledger in SQLite, and its script adds purchases to the sandbox with curl).
apt_install cmake make g++ pkg-config valgrind curl libcurl4-openssl-dev libcjson-dev \
    nlohmann-json3-dev libsqlite3-dev
build_sandbox

# configure NAME CMAKE_ARGS...: a build tree of the suites under $build/NAME (its output is
# shown only when it fails).
configure() {
    local name=$1 log="$build/$1.log"
    shift
    mkdir -p "$build"
    if ! { cmake -S ffi-c -B "$build/$name" -DNOWGG_PAYMENTS_BUILD_TESTS=ON -DCMAKE_BUILD_TYPE=Debug \
        -DNOWGG_SANDBOX_BIN="$NOWGG_SANDBOX_BIN" "$@" && cmake --build "$build/$name" -j2; } >"$log" 2>&1; then
        cat "$log"
        echo "c: building the $name suites failed" >&2
        exit 1
    fi
}

step "c: build and run the C and C++ suites"
configure plain
ctest --test-dir "$build/plain" --output-on-failure

step "c: the suites under valgrind"
logs="$build/valgrind-logs"
rm -rf "$logs" && mkdir -p "$logs"
configure valgrind -DNOWGG_TEST_PACKAGE=OFF \
    "-DNOWGG_TEST_LAUNCHER=valgrind;--error-exitcode=1;--leak-check=full;--errors-for-leak-kinds=definite;--log-file=$logs/%p.log"
valgrind_status=0
ctest --test-dir "$build/valgrind" --output-on-failure || valgrind_status=$?
# One log per process; the forks that exec the sandbox (not traced) have no summary.
echo "valgrind summaries:"
for log in "$logs"/*.log; do
    awk '/ Command: / { split($0, words, " "); n = split(words[3], path, "/"); program = path[n] }
         /ERROR SUMMARY|definitely lost|no leaks are possible/ { sub(/^==[0-9]+== +/, ""); line = line "; " $0 }
         END { if (line != "") print "  " program line }' "$log"
done | sort
if ((valgrind_status)); then exit "$valgrind_status"; fi

step "c: the suites with AddressSanitizer and UndefinedBehaviorSanitizer (static library)"
sanitize="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
configure sanitize -DNOWGG_TEST_PACKAGE=OFF -DNOWGG_TEST_STATIC=ON \
    -DCMAKE_C_FLAGS="$sanitize" -DCMAKE_CXX_FLAGS="$sanitize" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir "$build/sanitize" --output-on-failure
