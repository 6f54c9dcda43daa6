"""Neither the API key (right or wrong) nor a whole purchase token appears in any
exception's message, args or repr, nor in any log record, for every error kind; and the
core's log records reach `logging` under `nowgg_payments`."""

from __future__ import annotations

import json
import logging
from typing import Any, Callable, NamedTuple

import nowgg_payments
import pytest
from conftest import API_KEY
from nowgg_payments import Client, NowggError, Purchase

from sandbox import Sandbox

WRONG_KEY = "wrong-secret-KEY-0123456789"
TOKEN = "-nowgg-sample-unpaid"
ECHO = f"Authorization: {API_KEY} purchaseToken={TOKEN}"  # a gateway echoing the request


class Scenario(NamedTuple):
    faults: list[dict[str, Any]]
    call: Callable[[str], object]


def verify(key: str = API_KEY, **options: Any) -> Callable[[str], object]:
    options = {"timeout": 2, **options}
    return lambda url: Client(key, base_url=url, **options).verify_purchase(TOKEN)


def check(data: dict[str, Any], **policy: Any) -> Callable[[str], object]:
    """The grant check of a paid, unconsumed purchase of TOKEN, with ``data`` on top."""
    paid = {"purchaseState": 1, "consumptionState": 0, "purchaseToken": TOKEN, **data}
    return lambda _url: Purchase.from_json(json.dumps(paid)).check(**policy)


SCENARIOS: dict[str, Scenario] = {
    "INVALID_ARGUMENT": Scenario([], lambda url: Client(API_KEY + "\n", base_url=url)),
    "TIMEOUT": Scenario([{"action": "hang", "count": 2}], verify(timeout=0.3, max_retries=1)),
    "CONNECTION": Scenario([{"action": "drop_before", "count": 2}], verify(max_retries=1)),
    "HTTP_STATUS": Scenario(
        [{"action": "status", "status": 502, "body": ECHO, "count": 2}], verify(max_retries=1)
    ),
    "DECODE": Scenario([{"action": "malformed"}], verify()),
    "API_ERROR": Scenario([{"action": "api_code", "code": 77, "msg": ECHO}], verify()),
    "ERROR_CONSUMING_PRODUCT": Scenario(
        [], lambda url: Client(API_KEY, base_url=url).consume_purchase(TOKEN)
    ),
    "INVALID_AUTHORIZATION_KEY": Scenario([], verify(WRONG_KEY)),
    "INVALID_PURCHASE_TOKEN": Scenario(
        [], lambda url: Client(API_KEY, base_url=url).verify_purchase(TOKEN + "-unknown")
    ),
    "MULTISTORE_UNKNOWN_ERROR": Scenario(
        [{"action": "api_code", "code": 5014, "msg": ECHO, "count": 2}], verify(max_retries=1)
    ),
    "MULTISTORE_AUTH_ERROR": Scenario(
        [{"action": "api_code", "code": 5015, "msg": ECHO}], verify()
    ),
    "NOT_PAID": Scenario([], lambda url: Client(API_KEY, base_url=url).verify_for_grant(TOKEN)),
    "ALREADY_CONSUMED": Scenario([], check({"consumptionState": 1})),
    "PACKAGE_MISMATCH": Scenario([], check({"packageName": "com.b"}, package_name="com.a")),
    "PRODUCT_MISMATCH": Scenario([], check({"productId": "gems"}, product_ids=["coins"])),
    "TEST_ORDER": Scenario([], check({"isTestOrder": True})),
}
# INTERNAL is a caught panic, which nothing outside the library can cause; its message is
# one fixed sentence (the core's Error::internal), never the panic's text.
UNREACHABLE = {"INTERNAL"}


def test_every_kind_has_a_scenario() -> None:
    kinds = {kind for kind, _, _ in nowgg_payments._native.KINDS}
    assert set(SCENARIOS) == kinds - UNREACHABLE


@pytest.mark.parametrize("kind", list(SCENARIOS))
def test_no_secret_in_errors_or_logs(
    kind: str, sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    scenario = SCENARIOS[kind]
    if scenario.faults:
        sandbox.add_faults(*scenario.faults)
    with caplog.at_level(logging.DEBUG), pytest.raises(NowggError) as caught:
        scenario.call(sandbox.url)
    error = caught.value
    assert error.kind == kind
    texts = [str(error), repr(error), *map(str, error.args), error.message]
    texts += [record.getMessage() for record in caplog.records]
    for secret in (API_KEY, WRONG_KEY, TOKEN):
        leaks = [text for text in texts if secret in text]
        assert not leaks, f"{secret!r} leaked: {leaks}"


def test_retries_and_fallbacks_are_logged_under_nowgg_payments(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client(API_KEY, base_url=sandbox.url, max_retries=1)
    sandbox.add_faults(
        {"action": "status", "status": 503},
        {"match": "/v2/seller/order/verifyPurchase", "action": "api_code", "code": 150},
    )
    with caplog.at_level(logging.DEBUG, logger="nowgg_payments"):
        assert client.verify_purchase(TOKEN).purchase_token == TOKEN
    records = [r for r in caplog.records if r.name.startswith("nowgg_payments")]
    levels = {r.levelno for r in records}
    assert {logging.WARNING, logging.INFO} <= levels, [r.getMessage() for r in records]
    assert any("retry 1 of 1" in r.getMessage() for r in records)
    # Only the core publishes: the HTTP stack underneath logs nothing into Python.
    assert all(r.name.startswith("nowgg_payments") for r in caplog.records)


def test_nothing_is_logged_when_the_logger_is_quiet(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client(API_KEY, base_url=sandbox.url, max_retries=1)
    sandbox.add_faults({"action": "status", "status": 503})
    with caplog.at_level(logging.ERROR, logger="nowgg_payments"):
        client.verify_purchase(TOKEN)
    assert caplog.records == []
