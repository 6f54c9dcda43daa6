#!/usr/bin/env bash
# Every test suite of the repository, as a fresh machine runs it (this is what CI runs).
# Artifacts are built once, in release mode, into one shared target dir.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

step "rust: format and lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets --release -- -D warnings

step "generated code and docs match the core's tables (cargo xtask codegen --check)"
cargo run --release -p xtask -- codegen --check

step "docs: nothing pasted between the Markdown docs"
python3 scripts/check-docs.py

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
