"""Issue 16 under pre-forking WSGI servers: gunicorn --preload -w 4, and uWSGI in its
default (not lazy-apps) mode with 4 processes. The app (deploy/wsgi_app.py) builds its
Client at import and verifies once there, in the master, which then forks the workers.
400 requests, 32 at a time, each with a token of its own; every answer must be for the
token asked. (uWSGI's default also skips Python's os.register_at_fork hooks in workers.)

gunicorn and uWSGI come from scripts/test-py.sh, which sets NOWGG_DEPLOY_REQUIRED=1: there
a missing server fails the test; elsewhere it is skipped. NOWGG_UWSGI overrides the uWSGI
command (e.g. "uwsgi --plugin python3", Debian's build, when pip's cannot be compiled).
"""

from __future__ import annotations

import importlib.util
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from deploy.common import API_KEY, WARMUP, Tally, deploy_sandbox, tokens

APP_DIR = Path(__file__).resolve().parent / "deploy"
WORKERS = 4
REQUESTS = 400
AT_ONCE = 32
READY_WITHIN = 60.0


def missing(what: str) -> None:
    if os.environ.get("NOWGG_DEPLOY_REQUIRED"):
        pytest.fail(f"{what} is not installed (scripts/test-py.sh installs it)")
    pytest.skip(f"{what} is not installed (scripts/test-py.sh installs it)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def gunicorn_command(port: int) -> list[str]:
    if importlib.util.find_spec("gunicorn") is None:
        missing("gunicorn")
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--preload",
        "--workers",
        str(WORKERS),
        "--bind",
        f"127.0.0.1:{port}",
        "--chdir",
        str(APP_DIR),
        "--graceful-timeout",
        "5",
        "wsgi_app:application",
    ]


def uwsgi_command(port: int) -> list[str]:
    if os.environ.get("NOWGG_UWSGI"):
        uwsgi = shlex.split(os.environ["NOWGG_UWSGI"])
    else:
        here = Path(sys.executable).parent / "uwsgi"
        found = str(here) if here.exists() else shutil.which("uwsgi")
        if found is None:
            missing("uWSGI")
        uwsgi = [str(found)]
    return uwsgi + [
        "--master",
        "--processes",
        str(WORKERS),
        "--http-socket",
        f"127.0.0.1:{port}",
        "--wsgi-file",
        str(APP_DIR / "wsgi_app.py"),
        "--virtualenv",
        sys.prefix,
        "--need-app",
        "--die-on-term",
        "--disable-logging",
    ]


def get(url: str) -> tuple[int, str, str]:
    """(status, body, worker pid) of a GET that bypasses any proxy."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=30) as response:
            return response.status, response.read().decode(), response.headers["X-Worker-Pid"]
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), e.headers.get("X-Worker-Pid", "")


def wait_until_ready(server: subprocess.Popen[bytes], base: str, log: Path) -> None:
    """Polls /health until it answers; fails at once if the server exits, or after
    READY_WITHIN seconds. Between polls it waits on the server's exit, not a sleep."""
    end = time.monotonic() + READY_WITHIN
    while time.monotonic() < end:
        try:
            if get(base + "/health")[0] == 200:
                return
        except OSError:
            pass
        try:
            server.wait(timeout=0.1)
            pytest.fail(f"the server exited ({server.returncode}):\n{log.read_text()[-3000:]}")
        except subprocess.TimeoutExpired:
            pass
    pytest.fail(f"the server did not answer within {READY_WITHIN} s:\n{log.read_text()[-3000:]}")


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


@pytest.mark.parametrize("server_kind", ["gunicorn-preload", "uwsgi"])
def test_a_preforking_server_answers_every_request_for_its_own_token(
    server_kind: str, tmp_path: Path
) -> None:
    port = free_port()
    command = gunicorn_command(port) if server_kind == "gunicorn-preload" else uwsgi_command(port)
    with deploy_sandbox(tmp_path) as (sandbox, _):
        env = dict(
            os.environ,
            NOWGG_DEPLOY_BASE_URL=sandbox.url,
            NOWGG_DEPLOY_API_KEY=API_KEY,
            NOWGG_DEPLOY_WARMUP=WARMUP,
        )
        log = tmp_path / "server.log"
        with log.open("wb") as out:
            server = subprocess.Popen(
                command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_ready(server, base, log)
            asked = tokens(0, REQUESTS)
            with ThreadPoolExecutor(AT_ONCE) as pool:
                answers = list(pool.map(lambda t: (t, *get(f"{base}/verify?token={t}")), asked))
        finally:
            stop(server)

    tally, pids = Tally(), set()
    for token, status, body, pid in answers:
        pids.add(pid)
        if status == 200:
            tally.answer(token, body)
        else:
            tally.error(token, f"HTTP {status}: {body}")
    print(f"{server_kind}: {tally}; {len(pids)} workers answered")
    assert tally.wrong == 0, str(tally)
    assert tally.errors == 0, str(tally)
    assert tally.asked == REQUESTS
    assert len(pids) > 1, f"one worker answered every request: not the pre-forked shape ({pids})"
