"""Shared by the test_deploy*.py tests (issue 16): a sandbox that knows a few thousand
distinct paid purchases, a tally of answers that came back for another token, and a
forked child that reports its tally through a pipe.

Every request of a test asks for a token of its own, and the sandbox answers each with
the purchase stored under that token (its ``purchaseToken`` field), so an answer whose
``purchase_token`` is not the one asked for is an answer read off a connection that
another process shares: the bug these tests count.
"""

from __future__ import annotations

import json
import os
import select
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parents[1]
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from sandbox import Sandbox

API_KEY = "deploy-test-key"
TOKEN_COUNT = 2000
WARMUP = "-nowgg-deploy-warmup"
# A bound on every call, so that a process waiting for an answer another process read
# still finishes (the buggy client is measured in seconds, not hung); no retry, so that
# such a wait counts as an error instead of passing unseen on a fresh connection.
CLIENT_OPTIONS: dict[str, Any] = {"timeout": 5.0, "deadline": 10.0, "max_retries": 0}
# The sandbox holds every answer this long, as a network's round trip would: requests of
# two processes are then in flight together on a shared connection, as in production. On
# bare loopback a call takes ~70 us and a shared connection is caught only now and then.
LATENCY_MS = 2


# Python 3.12+ warns on fork() in a process with threads (the library's): the shape tested.
FORK_WITH_THREADS = "ignore:.*use of fork\\(\\) may lead to deadlocks:DeprecationWarning"


def token(i: int) -> str:
    return f"-nowgg-deploy-{i:05d}"


def tokens(start: int, stop: int) -> list[str]:
    assert 0 <= start <= stop <= TOKEN_COUNT
    return [token(i) for i in range(start, stop)]


def purchase(tok: str, i: int) -> dict[str, Any]:
    return {
        "token": tok,
        "store": "nowgg",
        "data": {
            "kind": "nowgg#productPurchase",
            "orderId": f"GPA.deploy-{i:05d}",
            "packageName": "com.example.game",
            "productId": "gems_100",
            "purchaseState": 1,
            "consumptionState": 0,
            "purchaseTime": "1630529397",
            "orderAmount": "0.99",
            "currency": "USD",
            "isTestOrder": False,
            "purchaseToken": tok,
        },
    }


@contextmanager
def deploy_sandbox(
    directory: Path, *, tls: bool = False, latency_ms: int = LATENCY_MS
) -> Iterator[tuple[Sandbox, str | None]]:
    """A sandbox whose fixtures are WARMUP and token(0) .. token(TOKEN_COUNT - 1); yields it
    with the PEM text of its CA when ``tls`` (None otherwise)."""
    fixtures = directory / "deploy-fixtures.json"
    entries = [purchase(WARMUP, -1)] + [purchase(token(i), i) for i in range(TOKEN_COUNT)]
    fixtures.write_text(json.dumps(entries))
    args = ["--fixtures", str(fixtures), "--latency-ms", str(latency_ms)]
    ca = directory / "deploy-ca.pem"
    if tls:
        args += ["--tls", "--ca-out", str(ca)]
    with Sandbox(API_KEY, *args) as sandbox:
        yield sandbox, ca.read_text() if tls else None


@dataclass
class Tally:
    """What came back for the tokens asked: ``wrong`` answers were another token's."""

    asked: int = 0
    right: int = 0
    wrong: int = 0
    errors: int = 0
    examples: list[str] = field(default_factory=list)

    def answer(self, asked: str, answered: str | None) -> None:
        self.asked += 1
        if answered == asked:
            self.right += 1
        else:
            self.wrong += 1
            self.note(f"asked {asked}, answered {answered}")

    def error(self, asked: str, what: str) -> None:
        self.asked += 1
        self.errors += 1
        self.note(f"asked {asked}: {what}")

    def add(self, asked: str, answered: str | None, error: str | None) -> None:
        """One call's result: the token answered, or what failed."""
        if error is None:
            self.answer(asked, answered)
        else:
            self.error(asked, error)

    def note(self, line: str) -> None:
        if len(self.examples) < 5:
            self.examples.append(line)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Tally:
        return cls(**d)

    def __str__(self) -> str:
        return (
            f"{self.wrong} wrong answers and {self.errors} errors of {self.asked} "
            f"(first: {self.examples})"
        )


def verify_each(client: Any, asked: list[str]) -> Tally:
    """Verifies the tokens one after another with a blocking Client."""
    from nowgg_payments import NowggError

    tally = Tally()
    for tok in asked:
        try:
            tally.answer(tok, client.verify_purchase(tok).purchase_token)
        except NowggError as e:
            tally.error(tok, f"{e.kind}: {e}")
    return tally


def across_fork(
    parent: Callable[[], Tally], child: Callable[[], Tally], timeout: float
) -> tuple[Tally, Tally]:
    """Forks, then runs ``child`` in the child while ``parent`` runs here, both let go
    together; returns their tallies (the child's within ``timeout`` seconds)."""
    forked = Child(lambda: child().to_dict())
    forked.go()
    tally = parent()
    return tally, Tally.from_dict(forked.result(timeout=timeout))


def assert_all_right(shape: str, **tallies: Tally) -> None:
    """Prints each tally under its name; fails unless every answer was for the token
    asked and no call failed."""
    seen = "; ".join(f"{name} {tally}" for name, tally in tallies.items())
    print(f"{shape}: {seen}")
    assert all(tally.wrong == 0 for tally in tallies.values()), seen
    assert all(tally.errors == 0 for tally in tallies.values()), seen


class Child:
    """A forked child that runs ``body`` once the parent calls ``go()`` (so that parent and
    child start their calls together) and writes its JSON result, or its traceback, to a
    pipe; it leaves with os._exit, never returning into pytest."""

    def __init__(self, body: Callable[[], dict[str, Any]]) -> None:
        go_read, self._go = os.pipe()
        self._read, result_write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            status = 70
            try:
                os.close(self._go)
                os.close(self._read)
                try:
                    os.read(go_read, 1)
                    report: dict[str, Any] = {"ok": body()}
                    status = 0
                except Exception:  # noqa: BLE001 - any failure goes to the parent
                    report = {"crash": traceback.format_exc()}
                data = json.dumps(report).encode()
                while data:
                    data = data[os.write(result_write, data) :]
            finally:
                os._exit(status)
        os.close(go_read)
        os.close(result_write)

    def go(self) -> None:
        os.write(self._go, b"g")
        os.close(self._go)

    def result(self, timeout: float) -> dict[str, Any]:
        """The child's result; kills it and fails if it has not written and closed its
        end of the pipe within ``timeout`` seconds (a hung child)."""
        chunks: list[bytes] = []
        end = time.monotonic() + timeout
        try:
            while True:
                ready, _, _ = select.select([self._read], [], [], max(end - time.monotonic(), 0))
                if not ready:
                    os.kill(self.pid, signal.SIGKILL)
                    os.waitpid(self.pid, 0)
                    raise AssertionError(f"the forked child did not finish within {timeout} s")
                chunk = os.read(self._read, 65536)
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            os.close(self._read)
        _, status = os.waitpid(self.pid, 0)
        if not chunks:
            raise AssertionError(f"the forked child reported nothing (wait status {status})")
        report: dict[str, Any] = json.loads(b"".join(chunks))
        if "crash" in report:
            raise AssertionError(f"the forked child failed:\n{report['crash']}")
        ok: dict[str, Any] = report["ok"]
        return ok
