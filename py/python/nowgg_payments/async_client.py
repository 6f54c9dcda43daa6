"""``AsyncClient``: the same calls as coroutines, for asyncio servers (FastAPI, aiohttp)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Callable

from ._native import Client, Purchase, _Inbox
from .outcome import ConsumeOutcome

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._native import _ClientOptions, _ConsumeOptions, _GrantCheck

__all__ = ["AsyncClient"]


class AsyncClient:
    """A ``Client`` whose calls are coroutines.

    Each call runs on a thread of the library's own, never on the event loop and never in
    asyncio's default executor: threads are started on demand up to ``max_in_flight``,
    further calls wait in order, and idle threads exit. When calls end,
    their results reach the event loop with one ``call_soon_threadsafe`` for all those
    that ended together.
    Cancelling the awaiting task stops the wait, not the call: it finishes in the
    background and its result is dropped.

    Takes the same arguments as ``Client``, whose defaults are the core's
    (``_native.DEFAULTS``). Build one per process and share it between tasks and event
    loops. ``on_report`` is called with each call's ``CallReport`` on the event loop's
    thread, before the awaiting coroutine resumes; OpenTelemetry spans are parented to
    the span current where the coroutine was called.
    """

    __slots__ = ("_client", "_inbox")

    def __init__(self, api_key: str, **options: Unpack[_ClientOptions]) -> None:
        self._client = Client(api_key, **options)
        # The event loop of the last call and where its calls' results are left.
        self._inbox: tuple[asyncio.AbstractEventLoop, _Inbox] | None = None

    @property
    def client(self) -> Client:
        """The blocking ``Client`` underneath (same connection pool), for sync code."""
        return self._client

    async def verify_purchase(self, token: str) -> Purchase:
        """Verifies a purchase token; see ``Client.verify_purchase``."""
        purchase: Purchase = await self._run(self._client._verify_purchase_async, token)
        return purchase

    async def verify_for_grant(self, token: str, **check: Unpack[_GrantCheck]) -> Purchase:
        """Verifies a purchase token and checks it may be granted; see
        ``Client.verify_for_grant``, whose keyword options (``package_name``,
        ``product_ids``, ``allow_test_orders``) and defaults it takes. Next: record the
        grant under its ``order_id``, grant, then ``consume_purchase``."""
        start = self._client._verify_for_grant_async
        purchase: Purchase = await self._run(start, token, **check)
        return purchase

    async def consume_purchase(
        self, token: str, **options: Unpack[_ConsumeOptions]
    ) -> ConsumeOutcome:
        """Makes sure a purchase is consumed, once its grant is recorded and delivered;
        see ``Client.consume_purchase``, whose keyword options (``store``,
        ``product_id``, ``currency``, ``developer_payload``) and defaults it takes."""
        start = self._client._consume_purchase_async
        outcome: ConsumeOutcome = await self._run(start, token, **options)
        return outcome

    async def _run(self, start: Callable[..., None], *args: Any, **kwargs: Any) -> Any:
        """Starts a call of the native client on the library's threads and awaits the
        future it settles through this loop's inbox."""
        loop = asyncio.get_running_loop()
        # One read of the pair: another thread may be replacing it for its own loop.
        last = self._inbox
        if last is None or last[0] is not loop:
            last = self._inbox = (loop, _Inbox(loop))
        future = loop.create_future()
        start(last[1], future, *args, **kwargs)
        return await future

    def __repr__(self) -> str:
        return f"Async{self._client!r}"
