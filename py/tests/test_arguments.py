"""Bad arguments raise TypeError (wrong type) or InvalidArgument (bad value) before any
I/O, and never crash the interpreter. The ranges are the core's, the same in every face:
this face only refuses what Python values cannot be (negative counts, NaN seconds)."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from conftest import API_KEY
from nowgg_payments import Client, InvalidArgument, Purchase, is_nowgg_token

from sandbox import Sandbox

BAD_OPTIONS = {
    "empty key": ("", {}),
    "key with a newline": (API_KEY + "\n", {}),
    "unknown region": (API_KEY, {"region": "mars"}),
    "negative timeout": (API_KEY, {"timeout": -1.0}),
    "zero timeout": (API_KEY, {"timeout": 0}),
    "nan connect timeout": (API_KEY, {"connect_timeout": float("nan")}),
    "negative retries": (API_KEY, {"max_retries": -1}),
    "zero max_response_bytes": (API_KEY, {"max_response_bytes": 0}),
    "negative max_response_bytes": (API_KEY, {"max_response_bytes": -5}),
    "plain http to a remote host": (API_KEY, {"base_url": "http://payments.example.com"}),
    "not a url": (API_KEY, {"base_url": "payments"}),
    "bad proxy": (API_KEY, {"proxy": "::not a proxy::"}),
    "ca_certs without a certificate": (API_KEY, {"ca_certs": "not PEM"}),
    "user agent with a newline": (API_KEY, {"user_agent": "game\r\nX-Evil: 1"}),
    "zero deadline": (API_KEY, {"deadline": 0}),
    "negative deadline": (API_KEY, {"deadline": -0.5}),
    "deadline over a day": (API_KEY, {"deadline": 86_400.001}),
    "timeout over a day": (API_KEY, {"timeout": 86_401}),
    "infinite timeout": (API_KEY, {"timeout": float("inf")}),
    "zero max_in_flight": (API_KEY, {"max_in_flight": 0}),
    "negative max_in_flight": (API_KEY, {"max_in_flight": -8}),
    "max_in_flight over the limit": (API_KEY, {"max_in_flight": 65_537}),
    "max_retries over the limit": (API_KEY, {"max_retries": 101}),
    "max_retries past u32": (API_KEY, {"max_retries": 2**32}),
    "max_response_bytes past 2^53-1": (API_KEY, {"max_response_bytes": 2**53}),
}


@pytest.mark.parametrize("key, options", BAD_OPTIONS.values(), ids=list(BAD_OPTIONS))
def test_bad_options_raise_invalid_argument(key: str, options: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgument) as caught:
        Client(key, **options)
    assert caught.value.kind == "INVALID_ARGUMENT" and caught.value.retryable is False


WRONG_TYPES = {
    "key is bytes": (b"key", {}),
    "key is None": (None, {}),
    "region is an int": (API_KEY, {"region": 1}),
    "timeout is a string": (API_KEY, {"timeout": "10"}),
    "retries is a float": (API_KEY, {"max_retries": 1.5}),
    "ca_certs is a list": (API_KEY, {"ca_certs": ["pem"]}),
    "unknown option": (API_KEY, {"verify": False}),
    "max_in_flight is a float": (API_KEY, {"max_in_flight": 8.0}),
    "deadline is a string": (API_KEY, {"deadline": "30"}),
    "executor is gone": (API_KEY, {"executor": None}),
}


@pytest.mark.parametrize("key, options", WRONG_TYPES.values(), ids=list(WRONG_TYPES))
def test_wrong_types_raise_type_error(key: Any, options: dict[str, Any]) -> None:
    with pytest.raises(TypeError):
        Client(key, **options)


def test_positional_options_are_refused() -> None:
    with pytest.raises(TypeError):
        Client(API_KEY, "global")  # type: ignore[misc]


CALLS: dict[str, Callable[[Client], object]] = {
    "verify empty token": lambda c: c.verify_purchase(""),
    "verify token with NUL": lambda c: c.verify_purchase("-nowgg-\x00"),
    "verify 5000-byte token": lambda c: c.verify_purchase("t" * 5000),
    "consume empty token": lambda c: c.consume_purchase(""),
    "consume empty store": lambda c: c.consume_purchase("t", store=""),
    "consume unknown store": lambda c: c.consume_purchase("t", store="steam"),
    "consume xiaomi without product": lambda c: c.consume_purchase("t", store="xiaomi"),
    "consume amazon": lambda c: c.consume_purchase("t", store="amazon"),
    "grant empty token": lambda c: c.verify_for_grant("", product_ids=["gems"]),
}


CALL_TYPES: dict[str, Callable[[Client], object]] = {
    "verify None": lambda c: c.verify_purchase(None),  # type: ignore[arg-type]
    "verify bytes": lambda c: c.verify_purchase(b"-nowgg-x"),  # type: ignore[arg-type]
    "verify int": lambda c: c.verify_purchase(42),  # type: ignore[arg-type]
    "verify no argument": lambda c: c.verify_purchase(),  # type: ignore[call-arg]
    "consume store int": lambda c: c.consume_purchase("t", store=3),  # type: ignore[arg-type]
    "consume product_id int": lambda c: c.consume_purchase("t", product_id=3),  # type: ignore[arg-type]
    "consume positional store": lambda c: c.consume_purchase("t", "nowgg"),  # type: ignore[misc]
    "is_nowgg_token None": lambda c: is_nowgg_token(None),  # type: ignore[arg-type]
    "grant product_ids str": lambda c: c.verify_for_grant("t", product_ids="gems"),
    "grant product_ids int": lambda c: c.verify_for_grant("t", product_ids=[1]),  # type: ignore[list-item]
    "grant positional policy": lambda c: c.verify_for_grant("t", "com.game"),  # type: ignore[misc]
    "check product_ids str": lambda c: Purchase.from_json("{}").check(product_ids="gems"),
}


# Bad values raise InvalidArgument, wrong types TypeError; neither sends a request.
BAD_CALLS: list[tuple[type[Exception], Callable[[Client], object]]]
BAD_CALLS = [(InvalidArgument, call) for call in CALLS.values()]
BAD_CALLS += [(TypeError, call) for call in CALL_TYPES.values()]


@pytest.mark.parametrize(("error", "make_call"), BAD_CALLS, ids=[*CALLS, *CALL_TYPES])
def test_bad_calls_raise_without_io(
    error: type[Exception], make_call: Callable[[Client], object], sandbox: Sandbox
) -> None:
    client = Client(API_KEY, base_url=sandbox.url)
    with pytest.raises(error):
        make_call(client)
    assert sandbox.requests() == []


def test_a_lone_surrogate_is_a_value_error_not_a_crash(sandbox: Sandbox) -> None:
    client = Client(API_KEY, base_url=sandbox.url)
    with pytest.raises(ValueError):
        client.verify_purchase("-nowgg-\ud800")


def test_is_nowgg_token() -> None:
    assert is_nowgg_token("-nowgg-4f1c")
    assert not is_nowgg_token("GPA.3345-1234")
    assert not is_nowgg_token("")


def test_good_options_are_accepted_and_shown_without_the_key() -> None:
    client = Client(
        API_KEY,
        region="China",
        timeout=2.5,
        connect_timeout=1,
        max_retries=0,
        user_agent="my-game/1.2",
        proxy="http://proxy.internal:3128",
        max_response_bytes=4096,
        deadline=86_400,
        max_in_flight=65_536,
    )
    assert client.base_url == "https://cloud-api.bluestacks.cn"
    assert repr(client) == (
        "Client(base_url='https://cloud-api.bluestacks.cn', timeout=2.5, max_retries=0)"
    )
