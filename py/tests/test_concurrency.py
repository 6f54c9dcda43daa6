"""Where calls run: the blocking Client releases the GIL while it waits; AsyncClient runs
its calls on the library's own threads (never the event loop, never asyncio's default
executor), bounded by max_in_flight, and settles each future on its loop. The tests wait
for events (a request reaching the sandbox, the library waking the loop), never for a
fixed time; the one time bound, the event loop's longest stall, has ample margin."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import nowgg_payments
import pytest
from conftest import API_KEY
from nowgg_payments import AsyncClient, Client, ConsumeOutcome, ConsumptionState, PurchaseState
from nowgg_payments._native import _Inbox

from sandbox import Sandbox

PAID = "-nowgg-sample-paid"
# How long a test waits for an event before it fails: far beyond any healthy run.
WITHIN = 10.0


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Polls ``condition`` until it holds; fails the test after WITHIN seconds."""
    end = time.monotonic() + WITHIN
    while not condition():
        assert time.monotonic() < end, f"not within {WITHIN} s: {what}"
        time.sleep(0.01)


def received(sandbox: Sandbox, n: int) -> Callable[[], bool]:
    """Whether ``n`` API requests have reached the sandbox."""
    return lambda: len(sandbox.requests()) >= n


class Wakeups:
    """Watches the library wake the running loop to settle the calls that ended: it asks
    the loop, with ``call_soon_threadsafe``, to run an inbox's drain. The library looks
    that method up on the loop object at each wake-up, so one set on the instance sees
    every one. Made inside the loop (``drained`` belongs to it)."""

    def __init__(self) -> None:
        loop = asyncio.get_running_loop()
        self.drained = asyncio.Event()  # a drain ran, on the loop's thread
        self.refused = threading.Event()  # a wake-up came after the loop closed
        schedule = loop.call_soon_threadsafe

        def spy(callback: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
            if not isinstance(getattr(callback, "__self__", None), _Inbox):
                return schedule(callback, *args, **kwargs)  # asyncio's own, at shutdown

            def drain_then_tell() -> None:
                try:
                    callback(*args)
                finally:
                    self.drained.set()

            try:
                return schedule(drain_then_tell, **kwargs)
            except RuntimeError:  # the loop is closed: the results stay unclaimed
                self.refused.set()
                raise

        loop.call_soon_threadsafe = spy  # type: ignore[method-assign]


def test_four_threads_wait_on_the_sandbox_at_once(sandbox: Sandbox) -> None:
    # Each of the 4 verifies is held 1 s by the sandbox. A thread holding the GIL while
    # it waits would keep the others from sending theirs: one at a time at the sandbox.
    sandbox.add_faults({"match": "verify", "count": 4, "delay_ms": 1000})
    client = Client(API_KEY, base_url=sandbox.url, max_retries=0)
    states: list[object] = []

    def verify() -> None:
        states.append(client.verify_purchase(PAID).purchase_state)

    threads = [threading.Thread(target=verify) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert states == [PurchaseState.PAID] * 4
    in_flight = [r["in_flight"] for r in sandbox.requests()]
    assert max(in_flight) == 4, f"at most {max(in_flight)} verifies at the sandbox at once"


class NoExecutor(ThreadPoolExecutor):
    """A default executor that fails the test if anything runs in it."""

    def submit(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("AsyncClient used the loop's default executor")


def run(main: Any) -> Any:
    """``asyncio.run(main())`` with the default executor forbidden and every error the
    loop would only log (an exception never retrieved, a callback that failed) raised."""
    errors: list[dict[str, Any]] = []

    async def checked() -> Any:
        loop = asyncio.get_running_loop()
        loop.set_default_executor(NoExecutor())
        loop.set_exception_handler(lambda _loop, context: errors.append(context))
        return await main()

    result = asyncio.run(checked())
    assert not errors, errors
    return result


def test_64_calls_held_200_ms_each_all_run_at_once_while_the_loop_ticks(
    sandbox: Sandbox,
) -> None:
    sandbox.add_faults({"match": "verify", "count": 64, "delay_ms": 200})
    client = AsyncClient(API_KEY, base_url=sandbox.url, max_retries=0)

    async def main() -> None:
        ticks: list[float] = []
        done = asyncio.Event()

        async def ticker() -> None:
            while not done.is_set():
                ticks.append(time.monotonic())
                await asyncio.sleep(0.01)

        ticking = asyncio.ensure_future(ticker())
        purchases = await asyncio.gather(*(client.verify_purchase(PAID) for _ in range(64)))
        done.set()
        await ticking

        assert [p.consumption_state for p in purchases] == [ConsumptionState.NOT_CONSUMED] * 64
        # Calls run on the loop's thread would stall it 64 x 200 ms = 12.8 s; a stall of
        # a few scheduler slices on a busy machine is not that.
        gaps = [b - a for a, b in zip(ticks, ticks[1:])]
        assert len(ticks) > 2 and max(gaps) < 2.0, f"the loop stalled for {max(gaps):.2f} s"

    run(main)
    # asyncio's default executor (forbidden by run(), and 6 threads here) could not have
    # more than 6 at the sandbox at once.
    in_flight = [r["in_flight"] for r in sandbox.requests()]
    assert max(in_flight) > 32, f"at most {max(in_flight)} calls reached the sandbox at once"


def test_max_in_flight_bounds_the_requests_at_the_sandbox(sandbox: Sandbox) -> None:
    sandbox.add_faults({"match": "verify", "count": 32, "delay_ms": 100})
    client = AsyncClient(API_KEY, base_url=sandbox.url, max_in_flight=8)

    async def main() -> list[nowgg_payments.Purchase]:
        return await asyncio.gather(*(client.verify_purchase(PAID) for _ in range(32)))

    assert all(p.is_paid for p in run(main))
    log = sandbox.requests()
    assert len(log) == 32
    # Each logged request counts those in flight at its arrival, itself included.
    assert max(r["in_flight"] for r in log) == 8


def test_a_cancelled_call_finishes_in_the_background_and_is_dropped(sandbox: Sandbox) -> None:
    sandbox.add_faults({"match": "consume", "delay_ms": 300})
    client = AsyncClient(API_KEY, base_url=sandbox.url)

    async def main() -> None:
        wakeups = Wakeups()
        task = asyncio.ensure_future(client.consume_purchase(PAID))
        await asyncio.sleep(0)  # the task starts the call
        # The consume is on the wire (the sandbox holds it 300 ms) when it is cancelled.
        wait_until(received(sandbox, 1), "the consume reaches the sandbox")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # The call ends and the library wakes this loop, whose drain finds the future
        # cancelled: its result has nowhere to go, and run() sees no error logged.
        await asyncio.wait_for(wakeups.drained.wait(), WITHIN)
        assert (await client.verify_purchase(PAID)).is_consumed

    run(main)


def test_a_call_outliving_its_loop_is_dropped_quietly(
    sandbox: Sandbox, capfd: pytest.CaptureFixture[str]
) -> None:
    sandbox.add_faults({"match": "verify", "delay_ms": 300})
    client = AsyncClient(API_KEY, base_url=sandbox.url)

    async def main() -> Wakeups:
        wakeups = Wakeups()
        asyncio.ensure_future(client.verify_purchase(PAID))
        await asyncio.sleep(0)  # the task starts the call
        # On the wire (held 300 ms): asyncio.run then cancels the task, closes the loop.
        wait_until(received(sandbox, 1), "the verify reaches the sandbox")
        return wakeups

    wakeups = run(main)
    # The call ends after the loop closed: the library's wake-up is refused. The library
    # thread holds the GIL from the wake-up to the end of its few steps after the refusal,
    # so whatever it would print about it is written before this thread runs again.
    assert wakeups.refused.wait(WITHIN), "the library never tried to wake the closed loop"
    assert not wakeups.drained.is_set()
    assert len(sandbox.requests()) == 1
    assert capfd.readouterr().err == ""


def test_calls_outlive_the_client_object(sandbox: Sandbox) -> None:
    sandbox.add_faults({"match": "verify", "count": 4, "delay_ms": 200})

    async def main() -> list[nowgg_payments.Purchase]:
        client = AsyncClient(API_KEY, base_url=sandbox.url)
        calls = [asyncio.ensure_future(client.verify_purchase(PAID)) for _ in range(4)]
        await asyncio.sleep(0)  # the tasks start their calls
        wait_until(received(sandbox, 4), "the 4 verifies reach the sandbox")
        del client
        gc.collect()
        return await asyncio.gather(*calls)

    assert all(p.is_paid for p in run(main))


def test_one_client_serves_two_loops_in_two_threads(sandbox: Sandbox) -> None:
    sandbox.add_faults({"match": "verify", "count": 16, "delay_ms": 100})
    client = AsyncClient(API_KEY, base_url=sandbox.url)
    results: list[bool] = []

    def serve() -> None:
        async def main() -> list[nowgg_payments.Purchase]:
            return await asyncio.gather(*(client.verify_purchase(PAID) for _ in range(8)))

        results.extend(p.is_paid for p in run(main))

    threads = [threading.Thread(target=serve) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True] * 16


def test_async_grant_consume_and_errors(sandbox: Sandbox) -> None:
    client = AsyncClient(API_KEY, base_url=sandbox.url)

    async def main() -> None:
        purchase = await client.verify_for_grant(PAID, product_ids=["11223343"])
        assert purchase.purchase_token == PAID
        with pytest.raises(nowgg_payments.ProductMismatch):
            await client.verify_for_grant(PAID, product_ids=("gems",))
        assert await client.consume_purchase(PAID) is ConsumeOutcome.CONSUMED
        assert await client.consume_purchase(PAID) is ConsumeOutcome.ALREADY_CONSUMED
        with pytest.raises(nowgg_payments.AlreadyConsumed) as consumed:
            await client.verify_for_grant(PAID)
        assert isinstance(consumed.value, nowgg_payments.NotGrantable)
        with pytest.raises(nowgg_payments.InvalidPurchaseToken) as forged:
            await client.verify_purchase("-nowgg-forged")
        assert (forged.value.api_code, forged.value.retryable) == (3901, False)
        with pytest.raises(nowgg_payments.InvalidArgument):
            await client.consume_purchase(PAID, store="steam")
        with pytest.raises(nowgg_payments.InvalidArgument):
            await client.verify_purchase("")
        with pytest.raises(TypeError):
            await client.verify_for_grant(PAID, product_ids="11223343")

    run(main)
    assert "Client(" in repr(client) and API_KEY not in repr(client)
