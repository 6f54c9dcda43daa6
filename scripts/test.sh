#!/usr/bin/env bash
# Every test suite of the repository, as a fresh machine runs it (this is what CI runs).
# Artifacts are built once, in release mode, into one shared target dir.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
export CARGO_TERM_COLOR=never
export NOWGG_SANDBOX_BIN="$CARGO_TARGET_DIR/release/nowgg-sandbox"

step() { printf '\n==> %s\n' "$*"; }

step "rust: format and lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets --release -- -D warnings

step "rust: build the sandbox and the CLI"
cargo build --release -p nowgg-sandbox -p nowgg-cli

step "rust: unit, conformance and integration tests"
cargo test --workspace --release
bash scripts/test-py.sh
bash scripts/test-c.sh
bash scripts/test-node.sh
bash scripts/test-fuzz.sh

step "release: build dist/ (glibc 2.17 artifacts) and install it without a Rust toolchain"
bash scripts/release.sh
bash scripts/test-release.sh
