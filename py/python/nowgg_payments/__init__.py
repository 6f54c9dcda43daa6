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

from . import exceptions
from ._native import Client, Purchase, __version__, is_nowgg_token
from .async_client import AsyncClient
from .exceptions import *  # NowggError and one class per error kind, as exceptions.pyi lists
from .states import ConsumptionState, PurchaseState

__all__ = [
    "AsyncClient",
    "Client",
    "ConsumptionState",
    "Purchase",
    "PurchaseState",
    "__version__",
    "is_nowgg_token",
]
__all__ += exceptions.__all__
