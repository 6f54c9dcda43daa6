"""Verify and consume now.gg in-app purchases from a Python game backend.

    client = nowgg_payments.Client(api_key)         # once per process; thread-safe
    purchase = client.verify_purchase(token)
    if purchase.is_paid and not purchase.is_consumed:
        client.consume_purchase(token)              # the lock: consume first,
        grant(purchase.product_id, purchase.order_id)   # then grant

``AsyncClient`` offers the same calls as coroutines. Errors are subclasses of
``NowggError``, one per kind (``nowgg_payments.exceptions``). The core logs retries and
fallbacks to the ``logging`` logger ``nowgg_payments``, never with the key or a whole
token.
"""

from ._native import Client, Purchase, __version__, is_nowgg_token
from .async_client import AsyncClient
from .exceptions import (
    ApiError,
    ConnectionFailed,
    DecodeError,
    ErrorConsumingProduct,
    HttpStatusError,
    InvalidArgument,
    InvalidAuthorizationKey,
    InvalidPurchaseToken,
    MultistoreAuthError,
    MultistoreUnknownError,
    NowggError,
    Timeout,
)
from .states import ConsumptionState, PurchaseState

__all__ = [
    "ApiError",
    "AsyncClient",
    "Client",
    "ConnectionFailed",
    "ConsumptionState",
    "DecodeError",
    "ErrorConsumingProduct",
    "HttpStatusError",
    "InvalidArgument",
    "InvalidAuthorizationKey",
    "InvalidPurchaseToken",
    "MultistoreAuthError",
    "MultistoreUnknownError",
    "NowggError",
    "Purchase",
    "PurchaseState",
    "Timeout",
    "__version__",
    "is_nowgg_token",
]
