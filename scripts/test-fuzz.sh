#!/usr/bin/env bash
# Fuzz smoke run: each cargo-fuzz target of fuzz/ for FUZZ_SECONDS (default 20), starting
# from the committed seeds; fails on any crash. The long run is this same script with
# FUZZ_SECONDS=600 (see fuzz/README.md).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
# A target dir of its own: sanitizer flags would otherwise invalidate the release build.
fuzz_target_dir="$CARGO_TARGET_DIR/fuzz"
seconds="${FUZZ_SECONDS:-20}"
targets=(decode_purchase consume_request)

if ! cargo +nightly --version >/dev/null 2>&1; then
  rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

# New inputs go to a scratch corpus so the committed seeds stay as they are.
work="$(mktemp -d)"
on_exit "rm -rf '$work'"

cd fuzz
# Its own workspace, so `cargo fmt --all` at the root does not reach it.
cargo fmt --check
CARGO_TARGET_DIR="$fuzz_target_dir" cargo +nightly fuzz build --debug-assertions

stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -1; }
passed=0
failed=0
for target in "${targets[@]}"; do
  mkdir -p "$work/$target"
  log="$work/$target.log"
  status=0
  CARGO_TARGET_DIR="$fuzz_target_dir" cargo +nightly fuzz run --debug-assertions "$target" \
    "$work/$target" "corpus/$target" -- \
    -dict="dict/$target.dict" -max_len=8192 -timeout=10 \
    -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1 || status=$?
  crashes="$(grep -c 'Test unit written to' "$log" || true)"
  # libFuzzer's own count: the inputs it keeps, seeds included ("corp: 120/10Kb").
  corpus="$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' "$log" | tail -1 | sed 's/corp: //' || true)"
  echo "fuzz: $target: $(stat number_of_executed_units "$log") execs," \
    "$(stat average_exec_per_sec "$log") execs/s, corpus ${corpus:-?} (inputs/bytes), $crashes crashes," \
    "peak RSS $(stat peak_rss_mb "$log") MB"
  if [ "$status" -eq 0 ] && [ "$crashes" -eq 0 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "fuzz: $target FAILED (exit $status):"
    # The panic, the failing input and the command that reproduces it; else the log's end.
    sed -n '/panicked at/,/^stack backtrace/p; /^Failing input:/,/^Minimize/p' "$log" |
      grep . || tail -n 40 "$log"
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
