"""``AsyncClient``: the same calls as coroutines, for asyncio servers (FastAPI, aiohttp)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any, Callable

from ._native import Client, Purchase
from .outcome import ConsumeOutcome

__all__ = ["AsyncClient"]


class AsyncClient:
    """A ``Client`` whose calls are coroutines.

    Each call runs on a thread of the library's own, never on the event loop and never in
    asyncio's default executor: threads are started on demand up to ``max_in_flight``
    (default 512), further calls wait in order, and idle threads exit. When a call ends,
    its thread hands the result to the event loop with one ``call_soon_threadsafe``.
    Cancelling the awaiting task stops the wait, not the call: it finishes in the
    background and its result is dropped.

    Takes the same arguments as ``Client``. Build one per process and share it between
    tasks and event loops.
    """

    __slots__ = ("_client",)

    def __init__(
        self,
        api_key: str,
        *,
        region: str = "global",
        base_url: str | None = None,
        timeout: float = 10.0,
        connect_timeout: float = 3.0,
        max_retries: int = 2,
        deadline: float = 30.0,
        max_in_flight: int = 512,
        user_agent: str | None = None,
        proxy: str | None = None,
        ca_certs: str | bytes | None = None,
        max_response_bytes: int | None = None,
    ) -> None:
        self._client = Client(
            api_key,
            region=region,
            base_url=base_url,
            timeout=timeout,
            connect_timeout=connect_timeout,
            max_retries=max_retries,
            deadline=deadline,
            max_in_flight=max_in_flight,
            user_agent=user_agent,
            proxy=proxy,
            ca_certs=ca_certs,
            max_response_bytes=max_response_bytes,
        )

    @property
    def client(self) -> Client:
        """The blocking ``Client`` underneath (same connection pool), for sync code."""
        return self._client

    async def verify_purchase(self, token: str) -> Purchase:
        """Verifies a purchase token; see ``Client.verify_purchase``."""
        purchase: Purchase = await _run(self._client._verify_purchase_async, token)
        return purchase

    async def verify_for_grant(
        self,
        token: str,
        *,
        package_name: str | None = None,
        product_ids: Iterable[str] = (),
        allow_test_orders: bool = False,
    ) -> Purchase:
        """Verifies a purchase token and checks it may be granted; see
        ``Client.verify_for_grant``. Next: record the grant under its ``order_id``,
        grant, then ``consume_purchase``."""
        purchase: Purchase = await _run(
            self._client._verify_for_grant_async,
            token,
            package_name=package_name,
            product_ids=product_ids,
            allow_test_orders=allow_test_orders,
        )
        return purchase

    async def consume_purchase(
        self,
        token: str,
        *,
        store: str = "nowgg",
        product_id: str | None = None,
        currency: str | None = None,
        developer_payload: str | None = None,
    ) -> ConsumeOutcome:
        """Makes sure a purchase is consumed, once its grant is recorded and delivered;
        see ``Client.consume_purchase``."""
        outcome: ConsumeOutcome = await _run(
            self._client._consume_purchase_async,
            token,
            store=store,
            product_id=product_id,
            currency=currency,
            developer_payload=developer_payload,
        )
        return outcome

    def __repr__(self) -> str:
        return f"Async{self._client!r}"


async def _run(start: Callable[..., None], *args: Any, **kwargs: Any) -> Any:
    """Starts a call of the native client on the library's threads and awaits it: the
    call settles the future it is given through ``_settle``."""
    future = asyncio.get_running_loop().create_future()
    start(future, *args, **kwargs)
    return await future


def _settle(future: asyncio.Future[Any], error: BaseException | None, value: Any) -> None:
    """Completes ``future`` on its loop's thread: the library's thread that ran the call
    schedules this with ``call_soon_threadsafe``."""
    if future.done():
        return  # the awaiting task was cancelled: nobody wants the result
    if error is None:
        future.set_result(value)
    else:
        future.set_exception(error)
