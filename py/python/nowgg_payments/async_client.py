"""``AsyncClient``: the same calls as coroutines, for asyncio servers (FastAPI, aiohttp)."""

from __future__ import annotations

import asyncio
import contextvars
import functools
from concurrent.futures import Executor
from typing import Callable, TypeVar

from ._native import Client, Purchase

__all__ = ["AsyncClient"]

_T = TypeVar("_T")


class AsyncClient:
    """A ``Client`` whose calls are coroutines. Each call runs the blocking ``Client``
    call in a worker thread (``executor``, by default the loop's default executor); the
    call releases the GIL while it waits on the network, so the event loop never stalls.

    Takes the same arguments as ``Client``, plus ``executor``. Build one per process and
    share it between tasks.
    """

    __slots__ = ("_client", "_executor")

    def __init__(
        self,
        api_key: str,
        *,
        region: str = "global",
        base_url: str | None = None,
        timeout: float = 10.0,
        connect_timeout: float = 3.0,
        max_retries: int = 2,
        user_agent: str | None = None,
        proxy: str | None = None,
        ca_certs: str | bytes | None = None,
        max_response_bytes: int | None = None,
        executor: Executor | None = None,
    ) -> None:
        self._client = Client(
            api_key,
            region=region,
            base_url=base_url,
            timeout=timeout,
            connect_timeout=connect_timeout,
            max_retries=max_retries,
            user_agent=user_agent,
            proxy=proxy,
            ca_certs=ca_certs,
            max_response_bytes=max_response_bytes,
        )
        self._executor = executor

    @property
    def client(self) -> Client:
        """The blocking ``Client`` underneath (same connection pool), for sync code."""
        return self._client

    async def verify_purchase(self, token: str) -> Purchase:
        """Verifies a purchase token; see ``Client.verify_purchase``."""
        return await self._run(functools.partial(self._client.verify_purchase, token))

    async def consume_purchase(
        self,
        token: str,
        *,
        store: str = "nowgg",
        product_id: str | None = None,
        currency: str | None = None,
        developer_payload: str | None = None,
    ) -> None:
        """Consumes a purchase once its product is granted; see ``Client.consume_purchase``."""
        await self._run(
            functools.partial(
                self._client.consume_purchase,
                token,
                store=store,
                product_id=product_id,
                currency=currency,
                developer_payload=developer_payload,
            )
        )

    async def _run(self, call: Callable[[], _T]) -> _T:
        # As asyncio.to_thread does, but on the chosen executor: the context goes along,
        # so contextvars (request ids in log records) reach the core's log lines.
        context = contextvars.copy_context()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, context.run, call)

    def __repr__(self) -> str:
        return f"Async{self._client!r}"
