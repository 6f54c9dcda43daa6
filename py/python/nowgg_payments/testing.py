"""An offline now.gg for a game backend's own tests: the sandbox, in-process.

    from nowgg_payments.testing import Sandbox

    with Sandbox() as sb:
        token = sb.add_purchase(product_id="gems_100", package_name="com.example.game")
        purchase = sb.client().verify_for_grant(token, package_name="com.example.game")

It serves now.gg's verifyPurchase and consumePurchase on 127.0.0.1 and a free port until
closed, with no binary and no network. With pytest, the fixture ``nowgg_sandbox`` gives a
fresh one to each test (the plugin is installed with the package).
"""

from __future__ import annotations

import json
from types import TracebackType
from typing import Any, final

from ._native import Client, _Sandbox
from .async_client import AsyncClient
from .exceptions import InvalidArgument

__all__ = ["FAULT_ACTIONS", "Sandbox"]

FAULT_ACTIONS = (
    "none",
    "hang",
    "drop_before",
    "drop_after",
    "status",
    "json",
    "api_code",
    "malformed",
    "empty",
    "oversized",
)
"""The fault actions ``Sandbox.add_fault`` takes (the sandbox's control API's)."""

# The vendor's sample product and package, which the default purchases carry too.
SAMPLE_PRODUCT_ID = "11223343"
SAMPLE_PACKAGE_NAME = "<package_name>"


@final
class Sandbox:
    """A running sandbox that accepts ``api_key``; a context manager that closes it.

    ``url`` is its base URL (``http://127.0.0.1:PORT``), ``console_url`` its console page.
    It starts with the vendor's sample purchases (``-nowgg-sample-paid``, ...) and returns
    to them on ``reset()``. ``latency_ms`` delays every API answer, as a network would.
    """

    def __init__(self, api_key: str = "test-key", *, latency_ms: int = 0) -> None:
        self.api_key = api_key
        self._native = _Sandbox(api_key, latency_ms)
        self.url = self._native.url
        self.console_url = self._native.console_url

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else self.url
        return f"<nowgg_payments.testing.Sandbox {state}>"

    @property
    def closed(self) -> bool:
        """Whether ``close()`` was called."""
        return self._native.closed

    def client(self, **options: Any) -> Client:
        """A ``Client`` of this sandbox with its key; ``options`` as ``Client`` takes them."""
        options.setdefault("base_url", self.url)
        return Client(self.api_key, **options)

    def async_client(self, **options: Any) -> AsyncClient:
        """An ``AsyncClient`` of this sandbox with its key."""
        options.setdefault("base_url", self.url)
        return AsyncClient(self.api_key, **options)

    def add_purchase(
        self,
        *,
        product_id: str | None = None,
        package_name: str | None = None,
        paid: bool = True,
        consumed: bool = False,
        test_order: bool = False,
        store: str = "nowgg",
        token: str | None = None,
        order_id: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> str:
        """Stores a purchase shaped as now.gg answers it and returns its token.

        By default it is paid and unconsumed, of the vendor's sample product
        (``11223343``) and package (``<package_name>``), with a fresh order id and token
        (``-nowgg-`` and 24 characters for now.gg's own store). ``data`` adds or overrides
        raw fields of the answer's ``data`` object (``None`` values included). A purchase
        with the same token is replaced. Bad input raises ``InvalidArgument``.
        """
        if data is not None and not isinstance(data, dict):
            raise _invalid(f"data must be a dict, not {type(data).__name__}")
        # The sandbox makes the purchase's data from these fields.
        spec: dict[str, Any] = {
            "productId": SAMPLE_PRODUCT_ID if product_id is None else product_id,
            "packageName": SAMPLE_PACKAGE_NAME if package_name is None else package_name,
            "paid": bool(paid),
            "consumed": bool(consumed),
            "testOrder": bool(test_order),
            "orderId": order_id,
            "data": data or {},
        }
        return self._native.add_purchase(_dumps(spec), store, token)

    def add_fault(
        self,
        action: str,
        *,
        match: str = "any",
        times: int = 1,
        delay_ms: int = 0,
        **fields: Any,
    ) -> None:
        """Queues a fault for the next ``times`` API requests that ``match`` fits
        (``"any"``, ``"verify"``, ``"consume"`` or a path), after ``delay_ms``.

        ``action`` is one of ``FAULT_ACTIONS``; ``fields`` are that action's:
        ``status(status, body="", headers={}, content_type="text/html")``,
        ``json(body, status=200)``, ``api_code(code, msg=None, status=200)``,
        ``oversized(bytes=2 MiB)``. A field the action does not take, a missing one, or
        an unknown action raises ``InvalidArgument`` (a ``ValueError``).
        """
        if action not in FAULT_ACTIONS:
            raise _invalid(f"unknown fault action {action!r}; one of {', '.join(FAULT_ACTIONS)}")
        for name, value in (("times", times), ("delay_ms", delay_ms)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise _invalid(f"{name} must be an int >= 0, not {value!r}")
        fault = {"action": action, "match": match, "count": times, "delay_ms": delay_ms}
        fault.update(fields)
        self._native.add_fault(_dumps(fault))

    def faults(self) -> list[dict[str, Any]]:
        """The faults still queued, in the control API's form (``count`` is what is left)."""
        listed: list[dict[str, Any]] = json.loads(self._native.faults())
        return listed

    def clear_faults(self) -> None:
        """Drops every queued fault."""
        self._native.clear_faults()

    def purchase(self, token: str) -> dict[str, Any] | None:
        """The stored ``data`` of a purchase (as verifyPurchase answers it), or None."""
        text = self._native.purchase(token)
        if text is None:
            return None
        data: dict[str, Any] = json.loads(text)
        return data

    def requests(self) -> list[dict[str, Any]]:
        """The API requests received since the last reset, oldest first: ``method``,
        ``path``, ``call`` (verify, consume), ``form``, ``headers`` (never the key),
        ``authorized``, ``status``, ``code``, ``fault``, ``duration_ms``, ..."""
        log: list[dict[str, Any]] = json.loads(self._native.requests())
        return log

    def reset(self) -> None:
        """Back to the sample purchases, with no faults and an empty request log."""
        self._native.reset()

    def close(self) -> None:
        """Stops the sandbox and frees its port. Calling it again does nothing."""
        self._native.close()


def _dumps(value: Any) -> str:
    try:
        return json.dumps(value)
    except (TypeError, ValueError) as e:
        raise _invalid(f"not JSON: {e}") from None


def _invalid(message: str) -> InvalidArgument:
    return InvalidArgument(message)
