"""The exception hierarchy: one class per kind of the core's table, as DESIGN.md names
them, with the builtin bases callers already catch, the grant refusals under
NotGrantable, and picklable. A kind the core adds fails the first test until it is named
here (the classes themselves are generated from the core's table)."""

from __future__ import annotations

import pickle

import nowgg_payments
import pytest
from conftest import API_KEY
from nowgg_payments import exceptions

from sandbox import Sandbox

DESIGN_NAMES = {
    "INVALID_AUTHORIZATION_KEY": "InvalidAuthorizationKey",
    "INVALID_PURCHASE_TOKEN": "InvalidPurchaseToken",
    "ERROR_CONSUMING_PRODUCT": "ErrorConsumingProduct",
    "MULTISTORE_UNKNOWN_ERROR": "MultistoreUnknownError",
    "MULTISTORE_AUTH_ERROR": "MultistoreAuthError",
    "API_ERROR": "ApiError",
    "HTTP_STATUS": "HttpStatusError",
    "TIMEOUT": "Timeout",
    "CONNECTION": "ConnectionFailed",
    "DECODE": "DecodeError",
    "INVALID_ARGUMENT": "InvalidArgument",
    "NOT_PAID": "NotPaid",
    "ALREADY_CONSUMED": "AlreadyConsumed",
    "PACKAGE_MISMATCH": "PackageMismatch",
    "PRODUCT_MISMATCH": "ProductMismatch",
    "TEST_ORDER": "TestOrder",
    "INTERNAL": "Internal",
}


def test_one_class_per_kind_named_as_design_md_says() -> None:
    kinds = {kind: (code, retryable) for kind, code, retryable in nowgg_payments._native.KINDS}
    assert set(kinds) == set(DESIGN_NAMES)
    for kind, name in DESIGN_NAMES.items():
        cls = getattr(nowgg_payments, name)
        assert cls is exceptions._BY_KIND[kind]
        assert issubclass(cls, nowgg_payments.NowggError)
        assert (cls.kind, cls.code, cls.default_retryable) == (kind, *kinds[kind])
        assert cls.__module__ == "nowgg_payments.exceptions" and cls.__name__ == name
    assert set(nowgg_payments.__all__) >= set(DESIGN_NAMES.values()) | {"NowggError"}


def test_the_grant_refusals_are_not_grantable_and_nothing_else_is() -> None:
    refusals = {"NOT_PAID", "ALREADY_CONSUMED", "PACKAGE_MISMATCH", "PRODUCT_MISMATCH"}
    refusals |= {"TEST_ORDER"}
    assert set(nowgg_payments._native.GRANT_REFUSALS) == refusals
    for kind, cls in exceptions._BY_KIND.items():
        assert issubclass(cls, nowgg_payments.NotGrantable) == (kind in refusals), kind
        assert issubclass(cls, nowgg_payments.NowggError)
    assert "NotGrantable" in nowgg_payments.__all__
    assert not nowgg_payments.NotGrantable("x").retryable


@pytest.mark.parametrize(
    "cls, builtin",
    [
        (nowgg_payments.Timeout, TimeoutError),
        (nowgg_payments.ConnectionFailed, ConnectionError),
        (nowgg_payments.InvalidArgument, ValueError),
    ],
)
def test_builtin_bases(cls: type, builtin: type) -> None:
    assert issubclass(cls, builtin)
    error = cls("boom")
    assert isinstance(error, builtin) and str(error) == "boom"
    with pytest.raises(builtin):
        raise error


def test_a_raised_error_carries_its_attributes(sandbox: Sandbox) -> None:
    client = nowgg_payments.Client(API_KEY, base_url=sandbox.url)
    with pytest.raises(nowgg_payments.InvalidPurchaseToken) as caught:
        client.verify_purchase("-nowgg-no-such-token")
    error = caught.value
    assert isinstance(error, nowgg_payments.NowggError)
    assert (error.kind, error.api_code, error.http_status, error.retryable) == (
        "INVALID_PURCHASE_TOKEN",
        3901,
        200,
        False,
    )
    assert "-nowgg-no-such-token" not in str(error)


@pytest.mark.parametrize("cls", list(exceptions._BY_KIND.values()), ids=lambda c: c.__name__)
def test_every_class_pickles_with_its_attributes(cls: type) -> None:
    error = cls("went wrong", 3800, 503, True)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is cls
    assert (str(copy), copy.api_code, copy.http_status, copy.retryable) == (
        "went wrong",
        3800,
        503,
        True,
    )
    assert repr(copy) == repr(error)


def test_retryable_follows_the_instance_not_only_the_kind(sandbox: Sandbox) -> None:
    client = nowgg_payments.Client(API_KEY, base_url=sandbox.url, max_retries=0)
    sandbox.add_faults({"action": "status", "status": 404}, {"action": "status", "status": 503})
    with pytest.raises(nowgg_payments.HttpStatusError) as not_found:
        client.verify_purchase("-nowgg-sample-paid")
    with pytest.raises(nowgg_payments.HttpStatusError) as unavailable:
        client.verify_purchase("-nowgg-sample-paid")
    assert not_found.value.retryable is False and not_found.value.http_status == 404
    assert unavailable.value.retryable is True and unavailable.value.http_status == 503
