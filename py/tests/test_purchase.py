"""Purchase: every field as an attribute, states as IntEnums (unknown ones as ints), an
aware datetime, a raw dict, immutability, equality, hashing, pickling, a safe repr."""

from __future__ import annotations

import datetime
import json
import pickle

import nowgg_payments
import pytest
from conftest import API_KEY
from nowgg_payments import Client, ConsumptionState, InvalidArgument, Purchase, PurchaseState

from sandbox import Sandbox

PAID = "-nowgg-sample-paid"


@pytest.fixture
def client(sandbox: Sandbox) -> Client:
    return Client(API_KEY, base_url=sandbox.url)


def test_the_paid_sample(client: Client) -> None:
    p = client.verify_purchase(PAID)
    assert p.purchase_state is PurchaseState.PAID
    assert p.consumption_state is ConsumptionState.NOT_CONSUMED
    assert (p.is_paid, p.is_consumed, p.is_test_order) == (True, False, False)
    assert (p.order_amount, p.currency, p.product_id) == ("25.15", "USD", "11223343")
    assert p.purchase_token == PAID
    assert p.purchase_time_raw == "1630529397"
    assert p.purchase_time_ms == 1630529397000
    assert p.purchase_time == datetime.datetime(
        2021, 9, 1, 20, 49, 57, tzinfo=datetime.timezone.utc
    )
    assert p.purchase_time.utcoffset() == datetime.timedelta(0)
    assert p.country_code is None


def test_unknown_states_stay_ints_and_new_fields_reach_raw(
    sandbox: Sandbox, client: Client
) -> None:
    token = sandbox.add_purchase(
        {"data": {"purchaseState": 7, "consumptionState": "1", "brandNew": {"a": [1, 2.5, None]}}}
    )
    p = client.verify_purchase(token)
    assert type(p.purchase_state) is int and p.purchase_state == 7
    assert p.consumption_state is ConsumptionState.CONSUMED
    assert p.raw["brandNew"] == {"a": [1, 2.5, None]}
    assert not p.is_paid and p.is_consumed


def test_millisecond_times_are_exact(sandbox: Sandbox, client: Client) -> None:
    token = sandbox.add_purchase({"data": {"purchaseTime": "1763642919123"}})
    p = client.verify_purchase(token)
    assert p.purchase_time == datetime.datetime(
        2025, 11, 20, 12, 48, 39, 123000, tzinfo=datetime.timezone.utc
    )


def test_times_out_of_datetime_range_are_none_not_errors() -> None:
    p = Purchase.from_json('{"purchaseTime": 9000000000000000000}')
    assert p.purchase_time_ms == 9000000000000000000
    assert p.purchase_time is None
    assert Purchase.from_json("{}").purchase_time is None


def test_it_is_immutable_and_raw_is_a_copy(client: Client) -> None:
    p = client.verify_purchase(PAID)
    with pytest.raises(AttributeError):
        p.order_id = "forged"  # type: ignore[misc]
    raw = p.raw
    raw["purchaseState"] = 0
    assert p.raw["purchaseState"] == 1 and p.is_paid


def test_equality_hash_and_pickle(client: Client) -> None:
    a = client.verify_purchase(PAID)
    b = client.verify_purchase(PAID)
    other = client.verify_purchase("-nowgg-sample-unpaid")
    assert a == b and hash(a) == hash(b) and a != other
    assert len({a, b, other}) == 2
    copy = pickle.loads(pickle.dumps(a))
    assert copy == a and copy.raw == a.raw and copy.purchase_state is PurchaseState.PAID
    assert a != "a purchase"


def test_to_dict_is_json_ready_and_complete(client: Client) -> None:
    p = client.verify_purchase(PAID)
    d = p.to_dict()
    assert d["order_amount"] == "25.15" and d["purchase_state"] == 1 and d["is_paid"] is True
    assert d["purchase_time_raw"] == "1630529397" and d["purchase_time_ms"] == 1630529397000
    for name, value in d.items():
        assert getattr(p, name) == value, name
    json.dumps(d)


def test_repr_is_useful_and_shortens_the_token(client: Client) -> None:
    text = repr(client.verify_purchase(PAID))
    assert text.startswith("Purchase(order_id='<orderId>', product_id='11223343'")
    assert "purchase_state=<PurchaseState.PAID: 1>" in text
    assert "purchase_token='-nowgg-sa…'" in text
    assert PAID not in text


def test_from_json_refuses_what_is_not_an_object() -> None:
    for text in ("[]", "not json", '"x"'):
        with pytest.raises(InvalidArgument):
            Purchase.from_json(text)
    with pytest.raises(TypeError):
        Purchase()  # type: ignore[call-arg]


def paid(**data: object) -> Purchase:
    base = {"purchaseState": 1, "consumptionState": 0, "packageName": "com.game"}
    base |= {"productId": "gems", "orderId": "o-1", "purchaseToken": "-nowgg-0123456789"}
    return Purchase.from_json(json.dumps({**base, **data}))


def test_check_passes_a_paid_unconsumed_purchase_of_the_policy() -> None:
    assert paid().check() is None
    assert paid().check(package_name="com.game", product_ids=frozenset({"gems", "coins"})) is None
    assert paid(isTestOrder=True).check(allow_test_orders=True) is None
    # No Code purchases carry only sellerGoodsId: it stands in for the absent productId.
    assert paid(productId=None, sellerGoodsId="coins").check(product_ids=["coins"]) is None


@pytest.mark.parametrize(
    "data, policy, refusal",
    [
        ({"purchaseState": 0}, {}, nowgg_payments.NotPaid),
        ({"consumptionState": 1}, {}, nowgg_payments.AlreadyConsumed),
        ({}, {"package_name": "com.other"}, nowgg_payments.PackageMismatch),
        ({}, {"product_ids": ("coins",)}, nowgg_payments.ProductMismatch),
        (
            {"productId": "coins", "sellerGoodsId": "gems"},
            {"product_ids": ["gems"]},
            nowgg_payments.ProductMismatch,
        ),
        ({"isTestOrder": True}, {}, nowgg_payments.TestOrder),
    ],
)
def test_check_refuses_with_the_kind_of_the_first_failed_rule(
    data: dict[str, object], policy: dict[str, object], refusal: type[Exception]
) -> None:
    with pytest.raises(refusal) as caught:
        paid(**data).check(**policy)  # type: ignore[arg-type]
    error = caught.value
    assert isinstance(error, nowgg_payments.NotGrantable)
    assert (error.api_code, error.http_status, error.retryable) == (None, None, False)
    assert "o-1" in str(error) and "-nowgg-0123456789" not in str(error)
