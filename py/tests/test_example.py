"""examples/python/handler.py runs against the sandbox and answers as its comments say."""

from __future__ import annotations

import subprocess
import sys

from conftest import API_KEY

from sandbox import REPO, Sandbox


def test_the_handler_example_runs(sandbox: Sandbox) -> None:
    example = REPO / "examples/python/handler.py"
    result = subprocess.run(
        [sys.executable, str(example), "--base-url", sandbox.url, "--api-key", API_KEY],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == "200 {'granted': '11223343', 'order_id': '<orderId>'}"
    assert API_KEY not in result.stdout + result.stderr
