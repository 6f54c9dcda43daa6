"""The GIL is released while a call waits on the network, and AsyncClient never blocks
the event loop. Timing bounds are deliberately generous."""

from __future__ import annotations

import asyncio
import threading
import time

from conftest import API_KEY
from nowgg_payments import AsyncClient, Client, ConsumptionState, PurchaseState

from sandbox import Sandbox

PAID = "-nowgg-sample-paid"


def test_four_threads_wait_on_the_sandbox_at_once(sandbox: Sandbox) -> None:
    # Each of the 4 verifies is held 1 s by the sandbox: holding the GIL while waiting
    # would serialise them (>= 4 s).
    sandbox.add_faults({"match": "verify", "count": 4, "delay_ms": 1000})
    client = Client(API_KEY, base_url=sandbox.url, max_retries=0)
    states: list[object] = []

    def verify() -> None:
        states.append(client.verify_purchase(PAID).purchase_state)

    threads = [threading.Thread(target=verify) for _ in range(4)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started

    assert states == [PurchaseState.PAID] * 4
    assert elapsed < 2.5, f"4 delayed verifies took {elapsed:.2f} s: the GIL was held"


def test_asyncio_calls_run_concurrently_while_the_loop_ticks(sandbox: Sandbox) -> None:
    sandbox.add_faults({"match": "verify", "count": 20, "delay_ms": 500})
    client = AsyncClient(API_KEY, base_url=sandbox.url, max_retries=0)

    async def main() -> None:
        ticks: list[float] = []
        done = asyncio.Event()

        async def ticker() -> None:
            while not done.is_set():
                ticks.append(time.monotonic())
                await asyncio.sleep(0.01)

        ticking = asyncio.ensure_future(ticker())
        started = time.monotonic()
        purchases = await asyncio.gather(*(client.verify_purchase(PAID) for _ in range(20)))
        elapsed = time.monotonic() - started
        done.set()
        await ticking

        assert [p.consumption_state for p in purchases] == [ConsumptionState.NOT_CONSUMED] * 20
        # One at a time would take 10 s; the default executor runs several at once.
        assert elapsed < 5, f"20 calls took {elapsed:.2f} s"
        gaps = [b - a for a, b in zip(ticks, ticks[1:])]
        assert len(ticks) > 20 and max(gaps) < 0.25, f"the loop stalled for {max(gaps):.2f} s"

    asyncio.run(main())


def test_async_consume_and_errors(sandbox: Sandbox) -> None:
    from nowgg_payments import ErrorConsumingProduct

    client = AsyncClient(API_KEY, base_url=sandbox.url)

    async def main() -> None:
        await client.consume_purchase(PAID)
        try:
            await client.consume_purchase(PAID)
        except ErrorConsumingProduct as e:
            assert e.api_code == 3800
        else:
            raise AssertionError("a second consume must be refused")
        assert (await client.verify_purchase(PAID)).is_consumed

    asyncio.run(main())
    assert "Client(" in repr(client) and API_KEY not in repr(client)
