"""Every case of tests/conformance/cases.json, run through the Python face against the
sandbox, one test per case (execution rules: tests/conformance/README.md)."""

from __future__ import annotations

import re
import time
from typing import Any

import nowgg_payments
import pytest
from conftest import API_KEY, CONFORMANCE
from nowgg_payments import Client, ConsumeOutcome, NowggError, Purchase

from sandbox import Sandbox

# The conformance file's camelCase keys whose attribute is not their snake_case:
# `purchase_time` is the datetime, the text as sent is `purchase_time_raw`.
ATTRIBUTES = {"purchaseTime": "purchase_time_raw"}


def attribute(key: str) -> str:
    return ATTRIBUTES.get(key) or re.sub(r"[A-Z]", lambda m: "_" + m.group().lower(), key)


def client_for(sandbox: Sandbox, options: dict[str, Any]) -> Client:
    deadline_ms = options.get("deadline_ms")
    return Client(
        options.get("api_key", API_KEY),
        base_url=sandbox.url + options.get("base_url_suffix", ""),
        timeout=options.get("timeout_ms", 5000) / 1000,
        connect_timeout=options.get("connect_timeout_ms", 5000) / 1000,
        max_retries=options.get("max_retries", 0),
        max_response_bytes=options.get("max_response_bytes"),
        **({} if deadline_ms is None else {"deadline": deadline_ms / 1000}),
    )


def call(client: Client, call: dict[str, Any]) -> Purchase | ConsumeOutcome:
    if call["op"] == "verify":
        return client.verify_purchase(call["token"])
    if call["op"] == "verify_for_grant":
        return client.verify_for_grant(call["token"], **call["policy"])
    assert call["op"] == "consume", call
    options = {
        k: call[k] for k in ("store", "product_id", "currency", "developer_payload") if k in call
    }
    return client.consume_purchase(call["token"], **options)


def check_purchase(purchase: Purchase, expected: dict[str, Any]) -> None:
    for key, want in expected.items():
        if key == "raw":
            raw = purchase.raw
            for name, value in want.items():
                assert raw.get(name, KeyError) == value, f"raw[{name!r}]"
            continue
        got = getattr(purchase, attribute(key))
        if key in ("purchaseState", "consumptionState") and got is not None:
            got = int(got)
        assert got == want, f"{key} ({attribute(key)}): expected {want!r}, got {got!r}"


def check(client: Client, call_spec: dict[str, Any], expect: dict[str, Any]) -> None:
    """Makes the call and checks its ``expect`` (tests/conformance/README.md)."""
    if "error" in expect:
        with pytest.raises(NowggError) as caught:
            call(client, call_spec)
        error = caught.value
        want = expect["error"]
        assert error.kind == want["kind"], f"{error!r}"
        assert type(error) is nowgg_payments.exceptions._BY_KIND[want["kind"]]
        for name in ("api_code", "http_status", "retryable"):
            if name in want:
                assert getattr(error, name) == want[name], f"{name} of {error!r}"
        return
    result = call(client, call_spec)
    if "outcome" in expect:
        assert isinstance(result, ConsumeOutcome) and result == expect["outcome"], result
    if "purchase" in expect:
        assert isinstance(result, Purchase), result
        check_purchase(result, expect["purchase"])


@pytest.mark.parametrize("case", CONFORMANCE["cases"], ids=lambda case: case["name"])
def test_case(case: dict[str, Any], sandbox: Sandbox) -> None:
    if "python" in case.get("skip", []):
        pytest.skip(case.get("why", "not expressible in Python"))
    setup = case.get("setup", {})
    for purchase in setup.get("purchases", []):
        sandbox.add_purchase(purchase)
    client = client_for(sandbox, case.get("client", {}))
    for step in case.get("steps", []):
        call(client, step)
    before = len(sandbox.requests())
    if "faults" in setup:
        sandbox.add_faults(*setup["faults"])

    started = time.monotonic()
    check(client, case["call"], case["expect"])
    elapsed_ms = (time.monotonic() - started) * 1000

    if "max_elapsed_ms" in case:
        assert elapsed_ms <= case["max_elapsed_ms"], f"took {elapsed_ms:.0f} ms"
    logged = sandbox.requests()[before:]
    if "expect_paths" in case:
        assert [request["path"] for request in logged] == case["expect_paths"]
    if "expect_forms" in case:
        assert [request["form"] for request in logged] == case["expect_forms"]
    for then in case.get("then", []):
        check(client, then["call"], then["expect"])
