#!/usr/bin/env bash
# The Python package, as a user gets it: build the abi3 wheel (pip fetches maturin itself),
# install it into a fresh virtualenv, then run pytest (every conformance case, threads,
# asyncio on the library's threads, errors, secrecy, the fields against the core's table,
# the example and its race on one token) against the sandbox binary, mypy.stubtest on the
# hand-written stubs, mypy --strict on the example, and ruff.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
export NOWGG_SANDBOX_BIN="${NOWGG_SANDBOX_BIN:-$CARGO_TARGET_DIR/release/nowgg-sandbox}"
[ -x "$NOWGG_SANDBOX_BIN" ] || cargo build --release -p nowgg-sandbox

python="${PYTHON:-python3}"
if ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
    apt-get update && apt-get install -y python3-venv
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$python" -m venv "$work/venv"
py="$work/venv/bin/python"
pip=("$py" -m pip --disable-pip-version-check --quiet)

echo "python: building the wheel (maturin, release, abi3)"
"${pip[@]}" wheel --no-deps --wheel-dir "$work/wheels" ./py
wheel="$(ls "$work"/wheels/nowgg_payments-*.whl)"
case "$wheel" in
    *-cp39-abi3-*.whl) echo "python: $(basename "$wheel")" ;;
    *) echo "python: expected an abi3 wheel for CPython 3.9+, got $(basename "$wheel")" >&2; exit 1 ;;
esac
"${pip[@]}" install "$wheel" pytest==9.2.0 mypy==2.4.1 ruff==0.17.6

echo "python: ruff"
sources=(py/python py/tests examples/python bench/python)
"$work/venv/bin/ruff" check --config py/pyproject.toml "${sources[@]}"
"$work/venv/bin/ruff" format --check --config py/pyproject.toml "${sources[@]}"

echo "python: pytest"
"$py" -m pytest -p no:cacheprovider py/tests

echo "python: stubtest"
"$py" -m mypy.stubtest nowgg_payments._native nowgg_payments.exceptions

echo "python: mypy --strict on the example"
"$py" -m mypy --strict --no-incremental examples/python/handler.py
