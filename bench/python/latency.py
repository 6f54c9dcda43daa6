"""One asyncio contender at network latency, alone in this process: N verifies kept in
flight against a sandbox that delays every answer (``--latency-ms``), for ``--seconds``
after a warm-up. Prints one JSON line (``"kind": "latency"``): calls/s, p50/p99, this
process's CPU time per call, its RSS before the first call and at its peak, its most
threads, and the event loop's worst lag, measured by a ticker task that asks for a 5 ms
sleep and notes how late it wakes.

bench.py starts it once per contender and in-flight count, so that each one's memory and
threads are its own and only its own library is imported.

    python bench/python/latency.py --url URL --contender aiohttp.ClientSession --in-flight 64
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, Callable

API_KEY = "bench-key"
TOKEN = "-nowgg-sample-paid"
VENDOR_PATH = "/v2/sellers/order/verifyPurchase"
FACE = "nowgg_payments.AsyncClient"
TICK_S = 0.005

Call = Callable[[], Awaitable[bool]]
Close = Callable[[], Awaitable[Any]]


async def nowgg_async_client(url: str, in_flight: int) -> tuple[Call, Close]:
    import nowgg_payments

    client = nowgg_payments.AsyncClient(API_KEY, base_url=url, max_in_flight=in_flight)

    async def call() -> bool:
        return (await client.verify_purchase(TOKEN)).is_paid

    async def close() -> None:
        pass

    return call, close


async def aiohttp_session(url: str, in_flight: int) -> tuple[Call, Close]:
    import aiohttp

    connector = aiohttp.TCPConnector(limit=in_flight)
    session = aiohttp.ClientSession(connector=connector, headers={"Authorization": API_KEY})

    async def call() -> bool:
        async with session.post(url + VENDOR_PATH, data={"purchaseToken": TOKEN}) as response:
            return bool((await response.json())["data"]["purchaseState"] == 1)

    return call, session.close


async def httpx_async_client(url: str, in_flight: int) -> tuple[Call, Close]:
    import httpx

    limits = httpx.Limits(max_connections=in_flight, max_keepalive_connections=in_flight)
    client = httpx.AsyncClient(headers={"Authorization": API_KEY}, limits=limits)

    async def call() -> bool:
        response = await client.post(url + VENDOR_PATH, data={"purchaseToken": TOKEN})
        return bool(response.json()["data"]["purchaseState"] == 1)

    return call, client.aclose


CONTENDERS: dict[str, Callable[[str, int], Awaitable[tuple[Call, Close]]]] = {
    FACE: nowgg_async_client,
    "aiohttp.ClientSession": aiohttp_session,
    "httpx.AsyncClient": httpx_async_client,
}


def status(field: str) -> int:
    """A number of /proc/self/status (VmHWM: peak RSS in KiB; Threads)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


async def load(contender: str, url: str, in_flight: int, seconds: float) -> dict[str, Any]:
    call, close = await CONTENDERS[contender](url, in_flight)
    idle_rss_kib = status("VmRSS")
    try:
        # Warm-up: every connection opened, every thread started.
        if not all(await asyncio.gather(*(call() for _ in range(in_flight)))):
            raise RuntimeError("a warm-up call did not return the paid purchase")
        loop = asyncio.get_running_loop()
        latencies: list[int] = []
        worst = {"lag": 0.0, "threads": status("Threads")}
        clock = time.perf_counter_ns
        end = clock() + int(seconds * 1e9)

        async def task() -> None:
            while (started := clock()) < end:
                if not await call():
                    raise RuntimeError("a call did not return the paid purchase")
                latencies.append(clock() - started)

        async def ticker() -> None:
            ticks = 0
            while clock() < end:
                asked = loop.time()
                await asyncio.sleep(TICK_S)
                worst["lag"] = max(worst["lag"], loop.time() - asked - TICK_S)
                ticks += 1
                if ticks % 20 == 0:
                    worst["threads"] = max(worst["threads"], status("Threads"))

        began, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(ticker(), *(task() for _ in range(in_flight)))
        elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    finally:
        await close()
    latencies.sort()
    return {
        "calls_per_s": len(latencies) / elapsed,
        "p50_us": percentile(latencies, 0.50) / 1000,
        "p99_us": percentile(latencies, 0.99) / 1000,
        "cpu_us_per_call": cpu * 1e6 / max(len(latencies), 1),
        "peak_rss_kib": status("VmHWM"),
        "idle_rss_kib": idle_rss_kib,
        "threads": worst["threads"],
        "loop_lag_max_ms": worst["lag"] * 1000,
        "calls": len(latencies),
    }


def percentile(sorted_values: list[int], p: float) -> float:
    if not sorted_values:
        return float("nan")
    return float(sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p))])


def main() -> None:
    parser = argparse.ArgumentParser(description="one asyncio contender at network latency")
    parser.add_argument("--url", required=True, help="a sandbox started with --latency-ms")
    parser.add_argument("--latency-ms", type=float, default=20, help="the sandbox's, to label")
    parser.add_argument("--contender", choices=list(CONTENDERS), required=True)
    parser.add_argument("--in-flight", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    measured = asyncio.run(load(args.contender, args.url, args.in_flight, args.seconds))
    record = {
        "kind": "latency",
        "face": "python",
        "contender": args.contender,
        "role": "face" if args.contender == FACE else "peer",
        "in_flight": args.in_flight,
        "latency_ms": args.latency_ms,
        **measured,
    }
    print(json.dumps(record))


if __name__ == "__main__":
    main()
