#!/usr/bin/env python3
"""Regenerates docs/console.png: the sandbox console with a few purchases, requests and
a queued fault, as Debian's Chromium (driven by Playwright) renders it.

    cargo build --release -p nowgg-sandbox
    pip install playwright==1.65.2 && apt-get install -y chromium
    python3 scripts/console-screenshot.py [OUT.png]

Needs no Python package of this repository: it talks HTTP to the sandbox binary
($NOWGG_SANDBOX_BIN, else target/release/nowgg-sandbox) itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from playwright.sync_api import expect, sync_playwright

REPO = Path(__file__).resolve().parents[1]
KEY = "screenshot-key"
CHROMIUM = os.environ.get("NOWGG_CHROMIUM", "/usr/bin/chromium")
VERIFY = "/v2/seller/order/verifyPurchase"
CONSUME = "/v2/order/consumePurchase"
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def call(url: str, body: bytes | None, headers: dict[str, str], method: str = "POST") -> Any:
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with OPENER.open(request, timeout=10) as response:
            text = response.read()
    except urllib.error.HTTPError as e:  # a fault's answer: shown in the log, fine here
        text = e.read()
    try:
        return json.loads(text)
    except ValueError:
        return None


def control(base: str, path: str, body: Any) -> Any:
    data = json.dumps(body).encode()
    return call(base + "/_sandbox/" + path, data, {"Content-Type": "application/json"})


def api(base: str, path: str, token: str, key: str = KEY) -> None:
    form = urllib.parse.urlencode({"purchaseToken": token}).encode()
    call(base + path, form, {"Authorization": key})


def purchase(base: str, product: str, paid: bool, consumed: bool, store: str = "nowgg") -> str:
    data = {
        "productId": product,
        "packageName": "com.example.game",
        "purchaseState": int(paid),
        "consumptionState": int(consumed),
        "isTestOrder": product.startswith("test"),
        "orderAmount": "0.99",
        "currency": "USD",
    }
    token: str = control(base, "purchases", {"store": store, "data": data})["token"]
    return token


def stage(base: str) -> None:
    """A few purchases, a short history of calls, and faults still queued."""
    gems = purchase(base, "gems_100", paid=True, consumed=False)
    coins = purchase(base, "coins_500", paid=True, consumed=False)
    pending = purchase(base, "gems_1000", paid=False, consumed=False)
    purchase(base, "test_pack", paid=True, consumed=True)
    api(base, VERIFY, gems)
    api(base, CONSUME, gems)
    api(base, CONSUME, gems)
    api(base, VERIFY, pending)
    api(base, VERIFY, "-nowgg-forged-token-0000")
    api(base, VERIFY, coins, key="wrong-key")
    control(base, "faults", {"action": "status", "status": 503, "body": "<h1>busy</h1>"})
    api(base, VERIFY, coins)
    api(base, VERIFY, coins)
    control(
        base,
        "faults",
        [
            {"match": "consume", "action": "drop_after", "count": 1},
            {"action": "api_code", "code": 5014, "count": 2, "delay_ms": 200},
        ],
    )


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs/console.png"
    binary = os.environ.get("NOWGG_SANDBOX_BIN") or str(REPO / "target/release/nowgg-sandbox")
    with tempfile.TemporaryDirectory() as tmp:
        fixtures = Path(tmp) / "fixtures.json"
        fixtures.write_text("[]")
        process = subprocess.Popen(
            # A nearby data centre's round trip, so the durations look like real ones.
            [binary, "--port", "0", "--api-key", KEY, "--fixtures", str(fixtures)]
            + ["--latency-ms", "20"],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert process.stdout is not None
            base = process.stdout.readline().removeprefix("listening on ").strip()
            console = process.stdout.readline().removeprefix("console on ").strip()
            stage(base)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox", "--no-proxy-server"]
                )
                page = browser.new_page(viewport={"width": 1180, "height": 900})
                page.goto(console)
                expect(page.locator("#requests tbody tr")).to_have_count(8)
                expect(page.locator("#faults tbody tr")).to_have_count(2)
                out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(out), full_page=True)
                browser.close()
        finally:
            process.kill()
            process.wait()
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
