"""Verify and consume now.gg in-app purchases from a Python game backend.

    client = nowgg_payments.Client(api_key)         # once per process; thread-safe
    purchase = client.verify_for_grant(             # 1. paid, unconsumed, this game's
        token, package_name="com.example.game", product_ids={"gems_100"}
    )
    with db:                                        # 2. record the grant under the
        db.execute("INSERT INTO grants ...", (purchase.order_id, ...))  # unique order id
        give(player, purchase.product_id)           # 3. grant, in the same transaction
    client.consume_purchase(token)                  # 4. consumed or already_consumed

The record, not the consume, is the lock: if the insert finds the order id already
there, the purchase was delivered before, and the handler stops. A consume that fails
with a retryable error is tried again later (a sweep over recorded, unconsumed orders);
calling it again is always safe.

``AsyncClient`` offers the same calls as coroutines, run on the library's own threads.
Errors are subclasses of ``NowggError``, one per kind (``nowgg_payments.exceptions``).
The core logs retries and fallbacks to the ``logging`` logger ``nowgg_payments``, never
with the key or a whole token. With ``opentelemetry-api`` installed (the ``otel`` extra)
and a tracer or meter provider set, each call becomes a span with a child span per HTTP
attempt, and two duration histograms; ``Client(on_report=...)`` gets each call's
``CallReport`` for anything else.
"""

from . import exceptions
from ._native import CallReport, Client, Purchase, __version__, is_nowgg_token
from .async_client import AsyncClient
from .exceptions import *  # NowggError and one class per error kind (generated from the core)
from .outcome import ConsumeOutcome
from .states import ConsumptionState, PurchaseState

__all__ = [
    "AsyncClient",
    "CallReport",
    "Client",
    "ConsumeOutcome",
    "ConsumptionState",
    "Purchase",
    "PurchaseState",
    "__version__",
    "is_nowgg_token",
]
__all__ += exceptions.__all__
