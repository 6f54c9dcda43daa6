#!/usr/bin/env bash
# The Python package, as a user gets it: build the abi3 wheel (pip fetches maturin itself),
# install it into a fresh virtualenv, then run pytest (every conformance case, threads,
# asyncio on the library's threads, errors, secrecy, the fields against the core's table,
# the example and its race on one token, the client across fork() under gunicorn, uWSGI,
# multiprocessing and uvloop) against the sandbox binary, mypy.stubtest on the
# hand-written stubs, mypy --strict on the example, and ruff.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
build_sandbox

python="${PYTHON:-python3}"
"$python" -c 'import ensurepip, venv' 2>/dev/null || apt_install python3-venv

work="$(mktemp -d)"
on_exit "rm -rf '$work'"
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
# The OpenTelemetry test (py/tests/test_otel.py) uses the SDK's in-memory exporter and reader.
"${pip[@]}" install "$wheel" pytest==9.2.0 mypy==2.4.1 ruff==0.17.6 \
    opentelemetry-api==1.45.2 opentelemetry-sdk==1.45.2

# The deployment tests (py/tests/test_deploy*.py) run the client under
# gunicorn --preload, uWSGI and uvloop. uWSGI is compiled by pip (about a minute on 2
# cores) against the interpreter's headers; where it cannot be, Debian's uwsgi and its
# python3 plugin serve the virtualenv instead. NOWGG_DEPLOY_REQUIRED: a missing one fails.
echo "python: the deployment tests' servers (gunicorn, uWSGI, uvloop)"
"${pip[@]}" install gunicorn==27.0.1 uvloop==0.23.0
include="$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')"
case "$include" in
    /usr/include/*) [ -e "$include/Python.h" ] || apt_install python3-dev ;;
esac
if ! "${pip[@]}" install uwsgi==2.0.31; then
    echo "python: pip could not build uWSGI; using Debian's uwsgi-core and uwsgi-plugin-python3"
    apt_install uwsgi-core uwsgi-plugin-python3
    export NOWGG_UWSGI="/usr/bin/uwsgi-core --plugin python3"
fi
export NOWGG_DEPLOY_REQUIRED=1

# The sandbox console's browser test (py/tests/test_console.py): Playwright
# drives Debian's Chromium, since Playwright cannot download its own browsers here. An
# install that fails does not stop the script: the test then fails, saying why.
echo "python: the console test's browser (Playwright, Debian's Chromium)"
if [ ! -x /usr/bin/chromium ]; then
    apt_install chromium ||
        echo "python: could not install chromium; test_console.py will fail" >&2
fi
"${pip[@]}" install playwright==1.65.2 ||
    echo "python: could not install playwright; test_console.py will fail" >&2

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
