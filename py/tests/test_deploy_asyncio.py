"""Issue 16 with AsyncClient: one used in the parent (one awaited verify, so it holds a
connection and a library thread; or a burst of 8 at once, so it holds 8 of each), then
os.fork(); the child runs 100 concurrent verifies on a new event loop while the parent
runs 100 of its own, each process through at most 8 of the library's threads
(max_in_flight). Every call must finish within the client's deadline (one unfinished
3 deadlines after it started counts as hung) and every answer must be for its token.
On asyncio's loop and on uvloop; then 200 concurrent verifies on uvloop without a fork."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from deploy.common import (
    API_KEY,
    FORK_WITH_THREADS,
    WARMUP,
    Tally,
    across_fork,
    assert_all_right,
    deploy_sandbox,
    tokens,
)
from nowgg_payments import AsyncClient, NowggError

pytestmark = pytest.mark.filterwarnings(FORK_WITH_THREADS)
T = TypeVar("T")
DEADLINE = 5.0
# A call unfinished this long after it started has outlived its deadline: it hangs.
HUNG_AFTER = 3 * DEADLINE
OPTIONS: dict[str, Any] = {"timeout": DEADLINE, "deadline": DEADLINE, "max_retries": 0}
# Across fork the 100 calls of each process go through 8 library threads, so they queue
# (their deadline counts the queue) and reuse a few connections: the one inherited is
# used again and again, by both processes at once if they share it, not once.
FORK_IN_FLIGHT = 8


def uvloop_or_skip() -> Any:
    """uvloop, which scripts/test-py.sh installs (and requires, with NOWGG_DEPLOY_REQUIRED)."""
    if os.environ.get("NOWGG_DEPLOY_REQUIRED"):
        import uvloop

        return uvloop
    return pytest.importorskip("uvloop")


def run_on(loop_kind: str, main: Callable[[], Awaitable[T]]) -> T:
    """Runs ``main()`` on a new event loop of the given kind and closes it."""
    new_loop = uvloop_or_skip().new_event_loop if loop_kind == "uvloop" else asyncio.new_event_loop
    loop = new_loop()
    try:
        return loop.run_until_complete(main())
    finally:
        loop.close()


async def verify_all(client: AsyncClient, asked: list[str]) -> Tally:
    """Verifies every token at once; a call still running HUNG_AFTER seconds on counts as
    an error ("hung")."""

    async def one(token: str) -> tuple[str, str | None, str | None]:
        try:
            return token, (await client.verify_purchase(token)).purchase_token, None
        except NowggError as e:
            return token, None, f"{e.kind}: {e}"

    tasks = [asyncio.ensure_future(one(token)) for token in asked]
    _, hung = await asyncio.wait(tasks, timeout=HUNG_AFTER)
    tally = Tally()
    for task in hung:
        task.cancel()
    if hung:
        await asyncio.wait(hung)
    for token, task in zip(asked, tasks):
        if task in hung:
            tally.error(token, f"hung: unfinished {HUNG_AFTER} s after it started")
            continue
        tally.add(*task.result())
    return tally


@pytest.mark.parametrize("warm_up_calls", [1, FORK_IN_FLIGHT], ids=["one-call", "a-burst"])
@pytest.mark.parametrize("loop_kind", ["asyncio", "uvloop"])
def test_fork_after_awaited_verifies_child_loop_runs_100_concurrent_verifies(
    loop_kind: str, warm_up_calls: int, tmp_path: Path
) -> None:
    with deploy_sandbox(tmp_path) as (sandbox, _):
        client = AsyncClient(API_KEY, base_url=sandbox.url, max_in_flight=FORK_IN_FLIGHT, **OPTIONS)

        async def warm_up() -> list[str | None]:
            calls = [client.verify_purchase(WARMUP) for _ in range(warm_up_calls)]
            return [purchase.purchase_token for purchase in await asyncio.gather(*calls)]

        assert run_on(loop_kind, warm_up) == [WARMUP] * warm_up_calls

        parent, child = across_fork(
            lambda: run_on(loop_kind, lambda: verify_all(client, tokens(0, 100))),
            lambda: run_on(loop_kind, lambda: verify_all(client, tokens(100, 200))),
            timeout=HUNG_AFTER + 60,
        )

    shape = f"AsyncClient fork on {loop_kind} after {warm_up_calls} calls"
    assert_all_right(shape, parent=parent, child=child)
    assert parent.asked == child.asked == 100


def test_uvloop_runs_200_concurrent_verifies_each_answered_for_its_token(tmp_path: Path) -> None:
    uvloop_or_skip()
    with deploy_sandbox(tmp_path) as (sandbox, _):
        client = AsyncClient(API_KEY, base_url=sandbox.url, **OPTIONS)
        tally = run_on("uvloop", lambda: verify_all(client, tokens(0, 200)))

    assert_all_right("AsyncClient on uvloop", client=tally)
    assert tally.asked == 200
