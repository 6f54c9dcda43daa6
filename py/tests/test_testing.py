"""nowgg_payments.testing: the sandbox in-process, and the pytest fixture ``nowgg_sandbox``
its plugin gives (active because the package is installed); the example handler tested
through that fixture."""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path
from typing import Any

import nowgg_payments
import pytest
from example_handler import CATALOGUE, PACKAGE, handler
from nowgg_payments import ConsumeOutcome
from nowgg_payments.testing import FAULT_ACTIONS, Sandbox

pytest_plugins = ["pytester"]


def test_starts_serves_and_closes() -> None:
    began = time.perf_counter()
    sb = Sandbox(api_key="test-key", latency_ms=0)
    started_ms = (time.perf_counter() - began) * 1000
    print(f"sandbox start: {started_ms:.2f} ms")  # reported, not asserted
    with sb:
        assert sb.url.startswith("http://127.0.0.1:")
        assert sb.console_url == sb.url + "/_sandbox/"
        assert sb.api_key == "test-key"
        assert not sb.closed
        purchase = sb.client().verify_purchase("-nowgg-sample-paid")
        assert purchase.purchase_state == 1
        port = int(sb.url.rsplit(":", 1)[1])
    assert sb.closed
    sb.close()  # again: nothing happens
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    # The port is free: a new server can listen on it.
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen()
    with pytest.raises(nowgg_payments.InvalidArgument, match="closed"):
        sb.requests()


def test_the_readme_test(nowgg_sandbox: Sandbox) -> None:
    token = nowgg_sandbox.add_purchase(product_id="gems_100")
    nowgg_sandbox.client().verify_for_grant(token, product_ids={"gems_100"})  # or raises


def test_a_wrong_key_is_refused(nowgg_sandbox: Sandbox) -> None:
    client = nowgg_payments.Client("not-the-key", base_url=nowgg_sandbox.url)
    with pytest.raises(nowgg_payments.InvalidAuthorizationKey):
        client.verify_purchase("-nowgg-sample-paid")


def test_add_purchase_keywords_round_trip(nowgg_sandbox: Sandbox) -> None:
    sb = nowgg_sandbox
    client = sb.client()
    token = sb.add_purchase(product_id="gems_100", package_name=PACKAGE)
    assert token.startswith("-nowgg-")
    purchase = client.verify_for_grant(token, package_name=PACKAGE, product_ids={"gems_100"})
    assert purchase.product_id == "gems_100"
    assert purchase.seller_goods_id == "gems_100"
    assert purchase.package_name == PACKAGE
    assert purchase.purchase_token == token
    assert purchase.kind == "nowgg#productPurchase"
    assert purchase.order_id and purchase.order_id.startswith("NOWGG.")
    assert purchase.purchase_state == 1 and purchase.consumption_state == 0
    assert not purchase.is_test_order

    given = sb.add_purchase(
        token="-nowgg-mine",
        order_id="GPA.1",
        paid=False,
        consumed=True,
        test_order=True,
        data={"currency": "EUR", "developerPayload": "player-7", "extra": None},
    )
    assert given == "-nowgg-mine"
    purchase = client.verify_purchase(given)
    assert purchase.order_id == "GPA.1"
    assert purchase.purchase_state == 0 and purchase.consumption_state == 1
    assert purchase.is_test_order
    assert purchase.currency == "EUR" and purchase.developer_payload == "player-7"
    stored = sb.purchase(given)
    assert stored is not None
    assert stored["payStatusTxt"] == "Unpaid" and stored["extra"] is None
    assert stored["productId"] == "11223343"  # the vendor's sample product by default
    assert sb.purchase("-nowgg-unknown") is None

    with pytest.raises(nowgg_payments.NotPaid):
        client.verify_for_grant(given)

    xiaomi = sb.add_purchase(store="xiaomi", product_id="gems_100")
    assert not nowgg_payments.is_nowgg_token(xiaomi)
    outcome = client.consume_purchase(xiaomi, store="xiaomi", product_id="gems_100")
    assert outcome == ConsumeOutcome.CONSUMED
    assert sb.purchase(xiaomi)["consumptionState"] == 1  # type: ignore[index]


def test_bad_purchases_raise_invalid_argument(nowgg_sandbox: Sandbox) -> None:
    with pytest.raises(nowgg_payments.InvalidArgument, match="store must be"):
        nowgg_sandbox.add_purchase(store="steam")
    with pytest.raises(ValueError, match="token is empty"):
        nowgg_sandbox.add_purchase(token="")
    with pytest.raises(ValueError, match="not JSON"):
        nowgg_sandbox.add_purchase(data={"when": object()})


def verify_error(sb: Sandbox, **options: Any) -> nowgg_payments.NowggError:
    with pytest.raises(nowgg_payments.NowggError) as caught:
        sb.client(max_retries=0, **options).verify_purchase("-nowgg-sample-paid")
    return caught.value


def test_every_fault_action(nowgg_sandbox: Sandbox) -> None:
    sb = nowgg_sandbox
    client = sb.client(max_retries=0)

    sb.add_fault("none", delay_ms=50)
    began = time.perf_counter()
    assert client.verify_purchase("-nowgg-sample-paid").purchase_state == 1
    assert time.perf_counter() - began >= 0.05

    sb.add_fault("hang", match="verify")
    assert isinstance(verify_error(sb, timeout=0.3), nowgg_payments.Timeout)

    sb.add_fault("drop_before")
    assert isinstance(verify_error(sb), nowgg_payments.ConnectionFailed)

    sb.add_fault("status", status=503, headers={"Retry-After": "1"}, body="down")
    error = verify_error(sb)
    assert isinstance(error, nowgg_payments.HttpStatusError)
    assert error.http_status == 503 and error.retryable

    sb.add_fault("json", status=200, body={"success": False, "code": 0, "data": {}})
    assert isinstance(verify_error(sb), nowgg_payments.ApiError)

    sb.add_fault("api_code", code=3901)
    assert isinstance(verify_error(sb), nowgg_payments.InvalidPurchaseToken)

    for action in ("malformed", "empty"):
        sb.add_fault(action)
        assert isinstance(verify_error(sb), nowgg_payments.DecodeError)

    sb.add_fault("oversized", bytes=300_000)
    assert isinstance(verify_error(sb, max_response_bytes=65_536), nowgg_payments.DecodeError)

    # drop_after: the consume takes effect, its answer is lost; the client reconciles.
    sb.add_fault("drop_after", match="consume")
    outcome = sb.client().consume_purchase("-nowgg-sample-paid")
    assert outcome == ConsumeOutcome.ALREADY_CONSUMED
    assert sb.purchase("-nowgg-sample-paid")["consumptionState"] == 1  # type: ignore[index]

    assert {r["fault"] for r in sb.requests()} >= set(FAULT_ACTIONS)


def test_fault_times_match_and_listing(nowgg_sandbox: Sandbox) -> None:
    sb = nowgg_sandbox
    sb.add_fault("status", match="consume", times=2, status=500)
    sb.add_fault("api_code", match="/v2/seller/order/verifyPurchase", code=3901, times=0)
    assert sb.faults() == [
        {
            "match": "consume",
            "count": 2,
            "delay_ms": 0,
            "action": "status",
            "status": 500,
            "body": "",
            "headers": {},
            "content_type": "text/html",
        }
    ]
    client = sb.client(max_retries=0)
    assert client.verify_purchase("-nowgg-sample-paid").purchase_state == 1
    sb.clear_faults()
    assert sb.faults() == []


@pytest.mark.parametrize(
    ("action", "fields", "message"),
    [
        ("explode", {}, "unknown fault action 'explode'"),
        ("status", {}, 'needs "status"'),
        ("hang", {"status": 503}, "does not apply to action"),
        ("status", {"status": 5000}, "three-digit"),
        ("json", {"body": {}, "colour": "red"}, "unknown field"),
    ],
)
def test_bad_faults_raise_invalid_argument(
    nowgg_sandbox: Sandbox, action: str, fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(nowgg_payments.InvalidArgument, match=message):
        nowgg_sandbox.add_fault(action, **fields)
    with pytest.raises(ValueError, match="match must be"):
        nowgg_sandbox.add_fault("hang", match="verifies")
    with pytest.raises(ValueError, match="times must be"):
        nowgg_sandbox.add_fault("hang", times=-1)
    assert nowgg_sandbox.faults() == []


def test_requests_and_reset(nowgg_sandbox: Sandbox) -> None:
    sb = nowgg_sandbox
    assert sb.requests() == []
    token = sb.add_purchase()
    client = sb.client()
    client.verify_purchase(token)
    client.consume_purchase(token)
    log = sb.requests()
    assert [(r["method"], r["call"], r["status"], r["code"]) for r in log] == [
        ("POST", "verify", 200, 0),
        ("POST", "consume", 200, 0),
    ]
    assert log[0]["form"]["purchaseToken"] == token
    assert log[0]["authorized"]
    assert "test-key" not in str(log)

    sb.add_fault("hang")
    sb.reset()
    assert sb.requests() == []
    assert sb.faults() == []
    assert sb.purchase(token) is None
    assert sb.purchase("-nowgg-sample-paid") is not None


def test_async_client(nowgg_sandbox: Sandbox) -> None:
    token = nowgg_sandbox.add_purchase(product_id="gems_100")

    async def main() -> str | None:
        client = nowgg_sandbox.async_client(timeout=5.0)
        purchase = await client.verify_purchase(token)
        return purchase.product_id

    assert asyncio.run(main()) == "gems_100"


def test_the_fixture_is_fresh_per_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        seen = []

        def test_one(nowgg_sandbox):
            seen.append(nowgg_sandbox)
            nowgg_sandbox.add_purchase(token="-nowgg-left-over")
            assert nowgg_sandbox.client().verify_purchase("-nowgg-left-over")

        def test_two(nowgg_sandbox):
            assert seen[0].closed
            assert nowgg_sandbox is not seen[0] and not nowgg_sandbox.closed
            assert nowgg_sandbox.purchase("-nowgg-left-over") is None
        """
    )
    pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=2)


# The example handler (examples/python/handler.py), tested as a game team would test its
# own, through the fixture.


@pytest.fixture
def shop(nowgg_sandbox: Sandbox, tmp_path: Path) -> Any:
    return handler.Shop(nowgg_sandbox.client(), tmp_path / "shop.db", PACKAGE, CATALOGUE)


def test_handler_replay_is_refused(nowgg_sandbox: Sandbox, shop: Any) -> None:
    token = nowgg_sandbox.add_purchase(product_id="gems_100", package_name=PACKAGE)
    status, body = shop.redeem("player-1", token)
    assert (status, body["granted"]) == (200, "100 gems")
    assert shop.redeem("player-2", token) == (409, {"error": "already redeemed"})


def test_handler_replay_of_an_unconsumed_grant(nowgg_sandbox: Sandbox, shop: Any) -> None:
    token = nowgg_sandbox.add_purchase(product_id="gems_100", package_name=PACKAGE)
    # The consume never reaches now.gg: the grant stands, unconsumed.
    nowgg_sandbox.add_fault("status", match="consume", status=503, times=10)
    assert shop.redeem("player-1", token)[0] == 200
    order_id = nowgg_sandbox.purchase(token)["orderId"]  # type: ignore[index]
    assert shop.redeem("player-1", token) == (
        200,
        {"already_delivered": True, "order_id": order_id},
    )


def test_handler_lost_consume_answer(nowgg_sandbox: Sandbox, shop: Any) -> None:
    token = nowgg_sandbox.add_purchase(product_id="gems_100", package_name=PACKAGE)
    nowgg_sandbox.add_fault("drop_after", match="consume")
    assert shop.redeem("player-1", token)[0] == 200
    assert nowgg_sandbox.purchase(token)["consumptionState"] == 1  # type: ignore[index]
    assert shop.sweep() == 0  # reconciled: nothing left for the sweep
    assert shop.redeem("player-1", token) == (409, {"error": "already redeemed"})


def test_handler_nowgg_down(nowgg_sandbox: Sandbox, shop: Any) -> None:
    token = nowgg_sandbox.add_purchase(product_id="gems_100", package_name=PACKAGE)
    nowgg_sandbox.add_fault("status", status=503, times=10)
    status, body = shop.redeem("player-1", token)
    assert (status, body["error"], body["kind"]) == (503, "try again later", "HTTP_STATUS")
    nowgg_sandbox.clear_faults()
    assert shop.redeem("player-1", token)[0] == 200


def test_handler_forged_token(nowgg_sandbox: Sandbox, shop: Any) -> None:
    assert shop.redeem("player-1", "-nowgg-forged") == (400, {"error": "invalid purchase token"})
    assert [r["code"] for r in nowgg_sandbox.requests()] == [3901]


def test_handler_refuses_other_products_and_test_orders(nowgg_sandbox: Sandbox, shop: Any) -> None:
    other = nowgg_sandbox.add_purchase(product_id="gems_999", package_name=PACKAGE)
    status, body = shop.redeem("player-1", other)
    assert (status, body["kind"]) == (402, "PRODUCT_MISMATCH")
    test_order = nowgg_sandbox.add_purchase(
        product_id="gems_100", package_name=PACKAGE, test_order=True
    )
    assert shop.redeem("player-1", test_order)[0] == 402
