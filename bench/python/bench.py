"""Calls per second of a verifyPurchase against the sandbox: nowgg_payments next to what a
Python backend would write instead. A benchmark, not a test: it asserts nothing.

Contenders: the vendor's own sample (`requests.post`, a new connection per call),
`requests.Session` (one per thread: requests does not promise a Session is thread-safe),
`urllib3.PoolManager` (shared), and `nowgg_payments.Client` (shared). Every call sends
the same form, reads the JSON answer and checks the purchase is paid. Each is run
sequentially and from 8 threads, for `--seconds` per run, alternating contenders run by
run for `--rounds` rounds; the table shows the median.

    python -m venv /tmp/bench && /tmp/bench/bin/pip install ./py -r bench/python/requirements.txt
    cargo build --release -p nowgg-sandbox
    /tmp/bench/bin/python bench/python/bench.py
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Callable

import nowgg_payments
import requests
import urllib3

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "py/tests"))
from sandbox import Sandbox

API_KEY = "bench-key"
TOKEN = "-nowgg-sample-paid"
VERIFY_PATH = "/v2/sellers/order/verifyPurchase"  # the path of the vendor's sample

# A contender builds, for one thread, the function that makes one call.
Contender = Callable[[str], Callable[[], bool]]


def vendor_sample(url: str) -> Callable[[], bool]:
    headers = {"Authorization": API_KEY, "Content-Type": "application/x-www-form-urlencoded"}
    data = {"purchaseToken": TOKEN}

    def call() -> bool:
        response = requests.post(url + VERIFY_PATH, headers=headers, data=data)
        return bool(response.json()["data"]["purchaseState"] == 1)

    return call


def requests_session(url: str) -> Callable[[], bool]:
    session = requests.Session()
    session.headers["Authorization"] = API_KEY

    def call() -> bool:
        response = session.post(url + VERIFY_PATH, data={"purchaseToken": TOKEN})
        return bool(response.json()["data"]["purchaseState"] == 1)

    return call


def urllib3_pool(pool: urllib3.PoolManager) -> Contender:
    def per_thread(url: str) -> Callable[[], bool]:
        def call() -> bool:
            response = pool.request(
                "POST",
                url + VERIFY_PATH,
                fields={"purchaseToken": TOKEN},
                encode_multipart=False,
                headers={"Authorization": API_KEY},
            )
            return bool(response.json()["data"]["purchaseState"] == 1)

        return call

    return per_thread


def nowgg(client: nowgg_payments.Client) -> Contender:
    return lambda _url: lambda: client.verify_purchase(TOKEN).is_paid


def run(contender: Contender, url: str, threads: int, seconds: float) -> float:
    """Calls per second of `threads` threads calling as fast as they can for `seconds`."""
    counts = [0] * threads
    start = threading.Barrier(threads + 1)
    deadline = 0.0

    def worker(index: int) -> None:
        call = contender(url)
        assert call(), "warm-up call failed"
        start.wait()
        n = 0
        while time.perf_counter() < deadline:
            if not call():
                raise RuntimeError("a call did not return the paid purchase")
            n += 1
        counts[index] = n

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    deadline = time.perf_counter() + 1e9  # until every worker is warm
    start.wait()
    began = time.perf_counter()
    deadline = began + seconds
    for w in workers:
        w.join()
    return sum(counts) / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description="calls/s of verifyPurchase against the sandbox")
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()

    with Sandbox(API_KEY) as sandbox:
        url = sandbox.url
        contenders: dict[str, Contender] = {
            "requests.post (vendor sample)": vendor_sample,
            "requests.Session": requests_session,
            "urllib3.PoolManager": urllib3_pool(urllib3.PoolManager(maxsize=args.threads)),
            "nowgg_payments.Client": nowgg(nowgg_payments.Client(API_KEY, base_url=url)),
        }
        modes = {"sequential": 1, f"{args.threads} threads": args.threads}
        results: dict[str, dict[str, list[float]]] = {
            name: {mode: [] for mode in modes} for name in contenders
        }
        for _ in range(args.rounds):
            for mode, threads in modes.items():
                for name, contender in contenders.items():
                    sandbox.reset()  # keeps the sandbox's request log small
                    results[name][mode].append(run(contender, url, threads, args.seconds))

    medians = {
        n: {m: statistics.median(r) for m, r in modes_.items()} for n, modes_ in results.items()
    }
    baseline = medians["requests.post (vendor sample)"]
    print(
        f"\nverifyPurchase calls/s against the sandbox, median of {args.rounds} alternating "
        f"{args.seconds:g} s runs (Python {sys.version.split()[0]}, nowgg_payments "
        f"{nowgg_payments.__version__}, requests {requests.__version__}, urllib3 {urllib3.__version__})\n"
    )
    header = f"{'':32}" + "".join(f"{mode:>14}{'vs vendor':>11}" for mode in modes)
    print(header)
    for name, by_mode in medians.items():
        cells = "".join(
            f"{by_mode[mode]:>14,.0f}{by_mode[mode] / baseline[mode]:>10.2f}x" for mode in modes
        )
        print(f"{name:32}{cells}")


if __name__ == "__main__":
    main()
