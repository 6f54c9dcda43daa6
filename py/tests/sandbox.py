"""The nowgg-sandbox binary as a test fixture: started on a free port, driven over HTTP
through its /_sandbox/ control API (contract: sandbox/README.md), killed at the end.

Used by the tests and by bench/python/bench.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from pathlib import Path
from typing import Any, final

REPO = Path(__file__).resolve().parents[2]


def sandbox_binary() -> str:
    """The sandbox binary: $NOWGG_SANDBOX_BIN, else the workspace's release build."""
    binary = os.environ.get("NOWGG_SANDBOX_BIN") or str(REPO / "target/release/nowgg-sandbox")
    if not os.access(binary, os.X_OK):
        raise RuntimeError(
            f"no sandbox binary at {binary}: run `cargo build --release -p nowgg-sandbox` "
            "or set NOWGG_SANDBOX_BIN"
        )
    return binary


@final
class Sandbox:
    """A running sandbox that accepts ``api_key``; ``url`` is its base URL."""

    def __init__(self, api_key: str, *extra_args: str) -> None:
        self.api_key = api_key
        self._process = subprocess.Popen(
            [sandbox_binary(), "--port", "0", "--api-key", api_key, *extra_args],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        prefix = "listening on "
        if not line.startswith(prefix):
            self.stop()
            raise RuntimeError(f"the sandbox did not start: {line!r}")
        self.url = line[len(prefix) :].strip()
        # Control calls go straight to loopback, whatever proxy the environment names.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def control(self, method: str, path: str, body: Any | None = None) -> Any:
        """Calls a /_sandbox/ endpoint and returns its JSON answer."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with self._opener.open(request, timeout=10) as response:
            return json.load(response)

    def reset(self) -> None:
        """Back to the default fixtures, no faults, an empty request log."""
        self.control("POST", "/_sandbox/reset", {})

    def add_purchase(self, purchase: dict[str, Any]) -> str:
        """Stores ``{"token"?, "store"?, "data"}``; returns its token."""
        token: str = self.control("POST", "/_sandbox/purchases", purchase)["token"]
        return token

    def add_faults(self, *faults: dict[str, Any]) -> None:
        """Queues faults for the next API requests (sandbox/README.md, "Fault object")."""
        self.control("POST", "/_sandbox/faults", list(faults))

    def requests(self) -> list[dict[str, Any]]:
        """Every API request received since the last reset."""
        log: list[dict[str, Any]] = self.control("GET", "/_sandbox/requests")
        return log

    def stop(self) -> None:
        """Kills the sandbox and waits for it."""
        self._process.kill()
        self._process.wait()
        if self._process.stdout:
            self._process.stdout.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()
