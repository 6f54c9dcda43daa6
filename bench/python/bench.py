"""verifyPurchase against the sandbox: nowgg_payments next to what a Python backend would
write instead. A benchmark, not a test: it asserts nothing.

Contenders, each sending the same form and reading the purchase state out of the answer:
the vendor's own sample (`requests.post`, a new connection per call), `requests.Session`
(one per thread: requests does not promise a Session is thread-safe), `httpx.Client` and
`urllib3.PoolManager` (shared), and `nowgg_payments.Client` (shared); for asyncio,
`aiohttp.ClientSession` next to `nowgg_payments.AsyncClient`, 8 calls in flight.

Each group (transport x mode) runs its contenders in slices of `--seconds`, alternating
slice by slice for `--rounds` rounds, so that drift on the machine hits them alike. For each
contender: the median slice's calls/s, p50 and p99 latency over all its calls, and process
CPU time per call. Then RSS and open descriptors after 1k and 100k calls of the face, import
times, and the wheel's size.

At network latency (a sandbox adding `--latency-ms` to every answer, `--latency-url`):
`nowgg_payments.AsyncClient` against `aiohttp` and `httpx.AsyncClient` at 64 and 256 calls
in flight, each contender in a process of its own (latency.py), so that its peak RSS and
threads are its own; the event loop's worst lag during the load is reported too.

    bench/run.sh                  # every face, with the setup (see bench/README.md)
    python bench/python/bench.py  # alone: ./py and bench/python/requirements.txt installed

`--json` prints one JSON object a line on stdout (for bench/report.py) and the table on
stderr; `--url`, `--tls-url`, `--ca` and `--latency-url` use running sandboxes instead of
starting three; `--latency-only` runs the latency phase alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, TextIO

import aiohttp
import httpx
import latency
import nowgg_payments
import requests
import urllib3

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "py/tests"))
from sandbox import Sandbox

API_KEY = "bench-key"
TOKEN = "-nowgg-sample-paid"
VENDOR_PATH = "/v2/sellers/order/verifyPurchase"  # the path of the vendor's sample
FACE = "nowgg_payments.Client"
ASYNC_FACE = "nowgg_payments.AsyncClient"


@dataclass(frozen=True)
class Target:
    """Where calls go: a base URL, and for HTTPS the CA file its certificate chains to."""

    transport: str
    url: str
    ca: str | None = None

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca)


# A contender is built once per group (its shared pool, if any) and gives each thread the
# function that makes one call; an async contender gives the coroutine function instead.
Call = Callable[[], bool]
Contender = Callable[[Target, int], Callable[[], Call]]
AsyncCall = Callable[[], Awaitable[bool]]
AsyncContender = Callable[[Target, int], Awaitable[tuple[AsyncCall, Callable[[], Awaitable[Any]]]]]


def paid(envelope: Any) -> bool:
    return bool(envelope["data"]["purchaseState"] == 1)


def vendor_sample(target: Target, _threads: int) -> Callable[[], Call]:
    url = target.url + VENDOR_PATH
    # Over HTTPS the sample needs the sandbox's CA; nothing else differs from the docs.
    tls = {"verify": target.ca} if target.ca else {}

    def per_thread() -> Call:
        def call() -> bool:
            headers = {
                "Authorization": API_KEY,
                "Content-Type": "application/x-www-form-urlencoded",
            }
            data = {"purchaseToken": TOKEN}
            response = requests.post(url, headers=headers, data=data, **tls)
            return paid(response.json())

        return call

    return per_thread


def requests_session(target: Target, _threads: int) -> Callable[[], Call]:
    url = target.url + VENDOR_PATH

    # Passed per call: REQUESTS_CA_BUNDLE in the environment would override session.verify.
    tls = {"verify": target.ca} if target.ca else {}

    def per_thread() -> Call:
        session = requests.Session()
        session.headers["Authorization"] = API_KEY
        return lambda: paid(session.post(url, data={"purchaseToken": TOKEN}, **tls).json())

    return per_thread


def httpx_client(target: Target, threads: int) -> Callable[[], Call]:
    url = target.url + VENDOR_PATH
    verify = target.ssl_context() if target.ca else True
    client = httpx.Client(headers={"Authorization": API_KEY}, verify=verify)
    return lambda: lambda: paid(client.post(url, data={"purchaseToken": TOKEN}).json())


def urllib3_pool(target: Target, threads: int) -> Callable[[], Call]:
    url = target.url + VENDOR_PATH
    pool = urllib3.PoolManager(maxsize=threads, ca_certs=target.ca)

    def call() -> bool:
        response = pool.request(
            "POST",
            url,
            fields={"purchaseToken": TOKEN},
            encode_multipart=False,
            headers={"Authorization": API_KEY},
        )
        return paid(response.json())

    return lambda: call


def ca_text(target: Target) -> str | None:
    return Path(target.ca).read_text() if target.ca else None


def nowgg_client(target: Target, _threads: int) -> Callable[[], Call]:
    client = nowgg_payments.Client(API_KEY, base_url=target.url, ca_certs=ca_text(target))
    return lambda: lambda: client.verify_purchase(TOKEN).is_paid


async def aiohttp_session(target: Target, in_flight: int) -> tuple[AsyncCall, Any]:
    url = target.url + VENDOR_PATH
    connector = aiohttp.TCPConnector(
        limit=in_flight, ssl=target.ssl_context() if target.ca else True
    )
    session = aiohttp.ClientSession(connector=connector, headers={"Authorization": API_KEY})

    async def call() -> bool:
        async with session.post(url, data={"purchaseToken": TOKEN}) as response:
            return paid(await response.json())

    return call, session.close


async def nowgg_async_client(target: Target, _in_flight: int) -> tuple[AsyncCall, Any]:
    client = nowgg_payments.AsyncClient(API_KEY, base_url=target.url, ca_certs=ca_text(target))

    async def call() -> bool:
        return (await client.verify_purchase(TOKEN)).is_paid

    async def close() -> None:
        pass

    return call, close


THREADED: dict[str, Contender] = {
    "requests.post (vendor sample)": vendor_sample,
    "requests.Session": requests_session,
    "httpx.Client": httpx_client,
    "urllib3.PoolManager": urllib3_pool,
    FACE: nowgg_client,
}
ASYNC: dict[str, AsyncContender] = {
    "aiohttp.ClientSession": aiohttp_session,
    ASYNC_FACE: nowgg_async_client,
}


@dataclass
class Slice:
    """What one contender did in one slice."""

    calls: int
    seconds: float
    cpu_seconds: float
    latencies_ns: list[int]

    @property
    def rate(self) -> float:
        return self.calls / self.seconds


def run_threads(per_thread: Callable[[], Call], threads: int, seconds: float) -> Slice:
    """`threads` threads calling as fast as they can for `seconds`, once all are warm."""
    latencies: list[list[int]] = [[] for _ in range(threads)]
    ready = threading.Barrier(threads + 1)
    go = threading.Barrier(threads + 1)
    deadline = 0.0
    finished = [False] * threads

    def worker(index: int) -> None:
        mine = latencies[index]
        try:
            call = per_thread()
            if not call():  # warm-up: the connection, the pool
                raise RuntimeError("the warm-up call did not return the paid purchase")
        except BaseException:
            ready.abort()  # the main thread stops waiting; the error is printed
            raise
        ready.wait()
        go.wait()
        clock = time.perf_counter_ns
        end = int(deadline * 1e9)
        while True:
            started = clock()
            if started >= end:
                break
            if not call():
                raise RuntimeError("a call did not return the paid purchase")
            mine.append(clock() - started)
        finished[index] = True

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    try:
        ready.wait()
    except threading.BrokenBarrierError:
        for w in workers:
            w.join()
        raise RuntimeError("a worker failed to warm up (its error is above)") from None
    cpu = time.process_time()
    began = time.perf_counter()
    deadline = began + seconds
    go.wait()
    for w in workers:
        w.join()
    if not all(finished):
        raise RuntimeError("a worker failed (its error is above)")
    elapsed = time.perf_counter() - began
    all_latencies = [ns for mine in latencies for ns in mine]
    return Slice(len(all_latencies), elapsed, time.process_time() - cpu, all_latencies)


def run_async(
    make: Callable[[], Awaitable[tuple[AsyncCall, Any]]], in_flight: int, seconds: float
) -> Slice:
    """`in_flight` tasks on one event loop calling as fast as they can for `seconds`."""

    async def main() -> Slice:
        call, close = await make()
        try:
            if not all(await asyncio.gather(*(call() for _ in range(in_flight)))):
                raise RuntimeError("a warm-up call did not return the paid purchase")
            latencies: list[int] = []
            clock = time.perf_counter_ns
            end = clock() + int(seconds * 1e9)

            async def task() -> None:
                while True:
                    started = clock()
                    if started >= end:
                        return
                    if not await call():
                        raise RuntimeError("a call did not return the paid purchase")
                    latencies.append(clock() - started)

            cpu = time.process_time()
            began = time.perf_counter()
            await asyncio.gather(*(task() for _ in range(in_flight)))
            elapsed = time.perf_counter() - began
            return Slice(len(latencies), elapsed, time.process_time() - cpu, latencies)
        finally:
            await close()

    return asyncio.run(main())


@dataclass
class Group:
    """One transport x mode: its contenders' slices, round after round."""

    transport: str
    mode: str
    concurrency: int
    face: str
    slices: dict[str, list[Slice]] = field(default_factory=dict)

    def records(self) -> list[dict[str, Any]]:
        out = []
        for name, slices in self.slices.items():
            latencies = sorted(ns for s in slices for ns in s.latencies_ns)
            calls = sum(s.calls for s in slices)
            out.append(
                {
                    "kind": "throughput",
                    "face": "python",
                    "contender": name,
                    "role": "face" if name == self.face else "peer",
                    "transport": self.transport,
                    "mode": self.mode,
                    "concurrency": self.concurrency,
                    "calls_per_s": statistics.median(s.rate for s in slices),
                    "rounds_calls_per_s": [round(s.rate) for s in slices],
                    "p50_us": percentile(latencies, 0.50) / 1000,
                    "p99_us": percentile(latencies, 0.99) / 1000,
                    "cpu_us_per_call": sum(s.cpu_seconds for s in slices) * 1e6 / calls,
                    "calls": calls,
                }
            )
        return out


def percentile(sorted_values: list[int], p: float) -> float:
    if not sorted_values:
        return float("nan")
    return float(sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p))])


def alternate(
    group: Group, runs: dict[str, Callable[[], Slice]], rounds: int, log: TextIO
) -> Group:
    """Runs every contender once a round, starting each round one contender further on."""
    names = list(runs)
    for name in names:
        group.slices[name] = []
    for r in range(rounds):
        for i in range(len(names)):
            name = names[(r + i) % len(names)]
            group.slices[name].append(runs[name]())
        print(f"  {group.transport} {group.mode}: round {r + 1} of {rounds} done", file=log)
    return group


def throughput(targets: list[Target], args: argparse.Namespace, log: TextIO) -> list[Group]:
    groups = []
    for target in targets:
        modes = [("sequential", 1), (f"{args.threads} threads", args.threads)]
        if target.transport == "https":
            modes = modes[:1]  # HTTPS: sequential is enough to show the handshake and TLS cost
        for mode, threads in modes:
            runs = {
                name: _threaded_run(contender(target, threads), threads, args.seconds)
                for name, contender in THREADED.items()
            }
            group = Group(target.transport, mode, threads, FACE)
            groups.append(alternate(group, runs, args.rounds, log))
        if target.transport == "http":
            runs = {
                name: _async_run(contender, target, args.threads, args.seconds)
                for name, contender in ASYNC.items()
            }
            group = Group(
                target.transport, f"{args.threads} in flight (asyncio)", args.threads, ASYNC_FACE
            )
            groups.append(alternate(group, runs, args.rounds, log))
    return groups


def _threaded_run(
    per_thread: Callable[[], Call], threads: int, seconds: float
) -> Callable[[], Slice]:
    return lambda: run_threads(per_thread, threads, seconds)


def _async_run(
    contender: AsyncContender, target: Target, in_flight: int, seconds: float
) -> Callable[[], Slice]:
    return lambda: run_async(lambda: contender(target, in_flight), in_flight, seconds)


def memory(target: Target, calls: int) -> dict[str, Any]:
    """RSS and open descriptors of this process after 1k calls of the face and after `calls`."""
    client = nowgg_payments.Client(API_KEY, base_url=target.url)
    first = 1000
    for _ in range(first):
        client.verify_purchase(TOKEN)
    rss_first, fds_first = rss_kib(), open_fds()
    for _ in range(calls - first):
        client.verify_purchase(TOKEN)
    return {
        "kind": "memory",
        "face": "python",
        "contender": FACE,
        "calls_first": first,
        "rss_kib_first": rss_first,
        "fds_first": fds_first,
        "calls_last": calls,
        "rss_kib_last": rss_kib(),
        "fds_last": open_fds(),
    }


def at_latency(url: str, args: argparse.Namespace, log: TextIO) -> list[dict[str, Any]]:
    """Each asyncio contender at 64, 256 and 1,024 in flight, each run in a process of its
    own; httpx only up to 256 (a few dozen calls/s there: its warm-up alone would take
    minutes at 1,024)."""
    records = []
    for in_flight in (64, 256, 1024):
        for contender in latency.CONTENDERS:
            if contender == "httpx.AsyncClient" and in_flight > 256:
                continue
            command = [sys.executable, latency.__file__, "--url", url]
            command += ["--latency-ms", str(args.latency_ms), "--contender", contender]
            command += ["--in-flight", str(in_flight), "--seconds", str(args.seconds)]
            out = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
            records.append(json.loads(out))
        print(f"  {args.latency_ms:g} ms latency, {in_flight} in flight: done", file=log)
    return records


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def import_times(runs: int) -> list[dict[str, Any]]:
    """Median wall time of `import MODULE` in a fresh interpreter (bytecode cached)."""
    code = "import time; t = time.perf_counter(); import {}; print(time.perf_counter() - t)"
    out = []
    for module in ["nowgg_payments", "requests", "httpx", "urllib3", "aiohttp"]:
        samples = [
            float(subprocess.check_output([sys.executable, "-c", code.format(module)], text=True))
            for _ in range(runs)
        ]
        out.append(
            {
                "kind": "startup",
                "face": "python",
                "what": f"import {module}",
                "role": "face" if module == "nowgg_payments" else "peer",
                "ms": statistics.median(samples) * 1000,
            }
        )
    return out


def sizes(wheel: str | None) -> list[dict[str, Any]]:
    package = Path(nowgg_payments.__file__).parent
    files = [p for p in package.iterdir() if p.name.startswith("_native") and p.suffix == ".so"]
    if wheel:
        files.append(Path(wheel))
    return [
        {"kind": "size", "face": "python", "file": p.name, "bytes": p.stat().st_size} for p in files
    ]


def print_table(groups: list[Group], out: TextIO) -> None:
    if not groups:
        return
    print(
        f"\nverifyPurchase against the sandbox (Python {sys.version.split()[0]}, nowgg_payments "
        f"{nowgg_payments.__version__}, requests {requests.__version__}, httpx {httpx.__version__}, "
        f"urllib3 {urllib3.__version__}, aiohttp {aiohttp.__version__})",
        file=out,
    )
    for group in groups:
        records = group.records()
        face = next(r for r in records if r["role"] == "face")
        print(f"\n{group.transport}, {group.mode}", file=out)
        print(
            f"  {'':32}{'calls/s':>10}{'p50 us':>9}{'p99 us':>9}{'CPU us':>9}{'face/this':>11}",
            file=out,
        )
        for r in records:
            ratio = face["calls_per_s"] / r["calls_per_s"]
            print(
                f"  {r['contender']:32}{r['calls_per_s']:>10,.0f}{r['p50_us']:>9.0f}"
                f"{r['p99_us']:>9.0f}{r['cpu_us_per_call']:>9.0f}{ratio:>10.2f}x",
                file=out,
            )


def print_latency(records: list[dict[str, Any]], out: TextIO) -> None:
    rows = [r for r in records if r["kind"] == "latency"]
    if not rows:
        return
    print(
        f"\nat {rows[0]['latency_ms']:g} ms latency (each contender in its own process)", file=out
    )
    print(
        f"  {'':28}{'in flight':>10}{'calls/s':>9}{'ceiling':>8}{'p50 ms':>8}{'p99 ms':>8}"
        f"{'CPU us':>8}{'RSS MiB':>8}{'threads':>8}{'loop lag ms':>12}",
        file=out,
    )
    for r in rows:
        ceiling = r["in_flight"] / (r["latency_ms"] / 1000)
        print(
            f"  {r['contender']:28}{r['in_flight']:>10}{r['calls_per_s']:>9,.0f}"
            f"{r['calls_per_s'] / ceiling:>8.0%}{r['p50_us'] / 1000:>8.1f}{r['p99_us'] / 1000:>8.1f}"
            f"{r['cpu_us_per_call']:>8.0f}{r['peak_rss_kib'] / 1024:>8.1f}{r['threads']:>8}{r['loop_lag_max_ms']:>12.1f}",
            file=out,
        )


def print_extras(records: list[dict[str, Any]], out: TextIO) -> None:
    for r in records:
        if r["kind"] == "memory":
            print(
                f"\n{r['contender']}: after {r['calls_first']:,} calls {r['rss_kib_first']:,} KiB RSS, "
                f"{r['fds_first']} fds; after {r['calls_last']:,} calls {r['rss_kib_last']:,} KiB RSS, "
                f"{r['fds_last']} fds",
                file=out,
            )
        elif r["kind"] == "startup":
            print(f"{r['what']}: {r['ms']:.1f} ms", file=out)
        elif r["kind"] == "size":
            print(f"{r['file']}: {r['bytes']:,} bytes", file=out)


def main() -> None:
    parser = argparse.ArgumentParser(description="verifyPurchase: nowgg_payments vs its peers")
    parser.add_argument("--seconds", type=float, default=2.0, help="length of one slice")
    parser.add_argument("--rounds", type=int, default=3, help="slices per contender")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--memory-calls", type=int, default=100_000)
    parser.add_argument("--url", help="a running sandbox (HTTP); default: start one")
    parser.add_argument("--tls-url", help="a running sandbox (HTTPS); needs --ca")
    parser.add_argument("--ca", help="the CA certificate (PEM) of the --tls-url sandbox")
    parser.add_argument("--latency-url", help="a running sandbox started with --latency-ms")
    parser.add_argument("--latency-ms", type=float, default=20, help="that sandbox's latency")
    parser.add_argument("--latency-only", action="store_true", help="only the latency phase")
    parser.add_argument("--wheel", help="the wheel that was installed, to report its size")
    parser.add_argument("--json", action="store_true", help="JSON lines on stdout, table on stderr")
    args = parser.parse_args()
    log = sys.stderr

    groups: list[Group] = []
    records: list[dict[str, Any]] = []
    with ExitStack() as stack:
        latency_url = args.latency_url
        if not latency_url:
            delay = ["--latency-ms", f"{args.latency_ms:g}"]
            latency_url = stack.enter_context(Sandbox(API_KEY, *delay)).url
        records += at_latency(latency_url, args, log)
        if not args.latency_only:
            url = args.url or stack.enter_context(Sandbox(API_KEY)).url
            tls_url, ca = args.tls_url, args.ca
            if not tls_url:
                ca = os.path.join(stack.enter_context(tempfile.TemporaryDirectory()), "ca.pem")
                tls_url = stack.enter_context(Sandbox(API_KEY, "--tls", "--ca-out", ca)).url
            targets = [Target("http", url), Target("https", tls_url, ca)]
            groups = throughput(targets, args, log)
            records += [r for g in groups for r in g.records()]
            records.append(memory(targets[0], args.memory_calls))
    if not args.latency_only:
        records += import_times(runs=5)
        records += sizes(args.wheel)

    print_table(groups, log if args.json else sys.stdout)
    print_latency(records, log if args.json else sys.stdout)
    print_extras(records, log if args.json else sys.stdout)
    if args.json:
        for record in records:
            print(json.dumps(record))


if __name__ == "__main__":
    main()
