"""The sandbox console (GET /_sandbox/) in a real browser: Playwright drives Debian's
Chromium against the sandbox binary, and a ``nowgg_payments.Client`` plays the game
backend. Without Playwright or Chromium this test fails with the reason, never skips:
scripts/test-py.sh installs both."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from conftest import API_KEY
from nowgg_payments import Client, DecodeError, HttpStatusError

from sandbox import sandbox_binary

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = os.environ.get("NOWGG_CHROMIUM", "/usr/bin/chromium")
# As root (CI, containers) Chromium runs only without its own sandbox; loopback pages
# must not go through a proxy the environment names.
CHROMIUM_ARGS = ["--no-sandbox", "--no-proxy-server"]
CONTROL_KEY = "console-test-key"
# How long the page may take to show a change: it polls every 500 ms.
LIVE_MS = 2000


class Console:
    """A sandbox binary holding no purchases (so a reset empties every table), with the
    addresses it printed."""

    def __init__(self, tmp: Path, *extra_args: str) -> None:
        fixtures = tmp / "no-fixtures.json"
        fixtures.write_text("[]")
        self.process = subprocess.Popen(
            [sandbox_binary(), "--port", "0", "--api-key", API_KEY, "--fixtures", str(fixtures)]
            + list(extra_args),
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.lines = [self.process.stdout.readline(), self.process.stdout.readline()]
        self.url = self.lines[0].removeprefix("listening on ").strip()
        self.console_url = self.lines[1].removeprefix("console on ").strip()

    def client(self) -> Client:
        return Client(API_KEY, base_url=self.url, max_retries=0)

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
        assert self.process.stdout is not None
        self.process.stdout.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as e:
        pytest.fail(f"Playwright is not installed ({e}); scripts/test-py.sh installs it")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install -y chromium")
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Error as e:
            pytest.fail(f"Chromium at {CHROMIUM} did not launch: {e}")
        yield browser
        browser.close()


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    console = Console(tmp_path)
    yield console
    console.stop()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def rows(page: Page, table: str) -> Any:
    return page.locator(f"#{table} tbody tr")


def test_the_console_drives_the_sandbox(console: Console, page: Page) -> None:
    from playwright.sync_api import expect

    assert console.lines[0].startswith("listening on http://127.0.0.1:")
    assert console.console_url == console.url + "/_sandbox/"
    page.goto(console.console_url)
    expect(page.get_by_role("banner")).to_contain_text("test data")
    client = console.client()

    # A purchase made through the form is what the API serves.
    page.get_by_label("Product id").fill("gems_500")
    page.get_by_label("Package name").fill("com.example.console")
    page.get_by_label("Store").select_option("nowgg")
    page.get_by_label("Paid", exact=True).check()
    page.get_by_label("Consumed", exact=True).uncheck()
    page.get_by_role("button", name="Create purchase").click()
    expect(rows(page, "purchases")).to_have_count(1)
    token = rows(page, "purchases").first.get_attribute("data-token")
    assert token and token.startswith("-nowgg-")
    purchase = client.verify_purchase(token)
    assert (purchase.is_paid, purchase.is_consumed) == (True, False)
    assert (purchase.product_id, purchase.package_name) == ("gems_500", "com.example.console")

    # The verify shows in the live log within 2 s, with the token's start only.
    verified = rows(page, "requests").filter(has_text="verify")
    expect(verified).to_have_count(1, timeout=LIVE_MS)
    expect(verified).to_contain_text(token[:10] + "…")
    expect(verified).to_contain_text("success")
    assert token not in page.locator("#requests").inner_text()

    # The copy button puts the whole token on the clipboard.
    page.get_by_role("button", name=f"Copy token {token}").click()
    assert page.evaluate("navigator.clipboard.readText()") == token

    # Per-purchase actions change what the API answers.
    page.get_by_role("button", name=f"Mark unpaid {token}").click()
    expect(page.get_by_role("button", name=f"Mark paid {token}")).to_be_visible()
    assert not client.verify_purchase(token).is_paid
    page.get_by_role("button", name=f"Mark paid {token}").click()
    expect(page.get_by_role("button", name=f"Mark unpaid {token}")).to_be_visible()

    # A 503 queued through the form fails the next call with HTTP_STATUS.
    page.get_by_label("Action").select_option("status")
    page.get_by_label("HTTP status").fill("503")
    page.get_by_role("button", name="Add fault").click()
    expect(rows(page, "faults")).to_have_count(1)
    expect(rows(page, "faults")).to_contain_text("503")
    with pytest.raises(HttpStatusError) as failed:
        client.verify_purchase(token)
    assert (failed.value.kind, failed.value.http_status) == ("HTTP_STATUS", 503)
    faulted = rows(page, "requests").filter(has_text="status")
    expect(faulted).to_have_count(1, timeout=LIVE_MS)
    expect(faulted).to_contain_text("503")
    expect(rows(page, "faults")).to_have_count(0, timeout=LIVE_MS)
    assert client.verify_purchase(token).is_paid

    # Clear drops queued faults; reset empties every table.
    page.get_by_label("Action").select_option("api_code")
    page.get_by_label("API code").fill("5014")
    page.get_by_label("Count").fill("3")
    page.get_by_role("button", name="Add fault").click()
    expect(rows(page, "faults")).to_contain_text("5014")
    page.get_by_role("button", name="Clear faults").click()
    expect(rows(page, "faults")).to_have_count(0)
    page.get_by_label("Action").select_option("drop_before")
    page.get_by_role("button", name="Add fault").click()
    expect(rows(page, "faults")).to_have_count(1)
    page.get_by_role("button", name="Reset sandbox").click()
    for table in ("purchases", "requests", "faults"):
        expect(rows(page, table)).to_have_count(0)


def test_a_control_key_is_asked_for(tmp_path: Path, page: Page) -> None:
    from playwright.sync_api import expect

    console = Console(tmp_path, "--control-key", CONTROL_KEY)
    try:
        page.goto(console.console_url)
        key = page.get_by_label("Control key", exact=True)
        expect(key).to_be_visible()
        expect(page.locator("#purchases")).to_be_hidden()
        key.fill("wrong")
        key.press("Enter")
        expect(page.get_by_text("That key was refused")).to_be_visible()
        key.fill(CONTROL_KEY)
        page.get_by_role("button", name="Unlock").click()
        expect(page.locator("#purchases")).to_be_visible()
        page.get_by_label("Action").select_option("empty")
        page.get_by_role("button", name="Add fault").click()
        expect(rows(page, "faults")).to_have_count(1)
        # Remembered across a reload; a ?key= link works too and leaves the address bar.
        page.reload()
        expect(rows(page, "faults")).to_have_count(1)
        # The API itself needs no control key: the fault hits the client's call.
        with pytest.raises(DecodeError):
            console.client().verify_purchase("-nowgg-sample-paid")
        expect(rows(page, "faults")).to_have_count(0, timeout=LIVE_MS)
        # A ?key= link works too, in a fresh context, and leaves the address bar.
        browser = page.context.browser
        assert browser is not None
        other = browser.new_page()
        other.goto(console.console_url + "?key=" + CONTROL_KEY)
        expect(other.locator("#requests tbody tr")).to_have_count(1)
        assert "key=" not in other.url
        other.close()
    finally:
        console.stop()
