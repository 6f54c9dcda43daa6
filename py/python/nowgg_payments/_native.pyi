# Types of the Rust extension module (py/src/); checked against it by mypy.stubtest.
import asyncio
import datetime
from collections.abc import Iterable
from typing import Any, final

from .outcome import ConsumeOutcome
from .states import ConsumptionState, PurchaseState

__all__ = [
    "GRANT_REFUSALS",
    "KINDS",
    "STRING_FIELDS",
    "Client",
    "Purchase",
    "_Inbox",
    "_Sandbox",
    "__version__",
    "is_nowgg_token",
]

__version__: str
KINDS: tuple[tuple[str, int, bool], ...]
"""The core's error kinds: ``(name, code, retryable by default)`` each."""
GRANT_REFUSALS: tuple[str, ...]
"""The kinds a grant check refuses with: their classes are ``NotGrantable``."""
STRING_FIELDS: tuple[tuple[str, str, str], ...]
"""The purchase's string fields: ``(attribute, API name, doc)`` each, the core's table."""

def is_nowgg_token(token: str) -> bool:
    """Whether ``token`` comes from now.gg's No Code Payment flow (starts with ``-nowgg-``)."""

@final
class Client:
    """A thread-safe client of now.gg's Payments API; build one and share it."""

    def __new__(
        cls,
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
    ) -> Client: ...
    def verify_purchase(self, token: str) -> Purchase:
        """Verifies a purchase token (retried when that is safe) and returns the purchase."""
    def verify_for_grant(
        self,
        token: str,
        *,
        package_name: str | None = None,
        product_ids: Iterable[str] = ...,
        allow_test_orders: bool = False,
    ) -> Purchase:
        """Verifies a token and checks the purchase may be granted (``NotGrantable`` if
        not). Next: record the grant under its ``order_id``, grant, then consume."""
    def consume_purchase(
        self,
        token: str,
        *,
        store: str = "nowgg",
        product_id: str | None = None,
        currency: str | None = None,
        developer_payload: str | None = None,
    ) -> ConsumeOutcome:
        """Makes sure a purchase is consumed, once its grant is recorded and delivered;
        safe to call again."""
    def _verify_purchase_async(
        self, inbox: _Inbox, future: asyncio.Future[Purchase], token: str
    ) -> None: ...
    def _verify_for_grant_async(
        self,
        inbox: _Inbox,
        future: asyncio.Future[Purchase],
        token: str,
        *,
        package_name: str | None = None,
        product_ids: Iterable[str] = ...,
        allow_test_orders: bool = False,
    ) -> None: ...
    def _consume_purchase_async(
        self,
        inbox: _Inbox,
        future: asyncio.Future[ConsumeOutcome],
        token: str,
        *,
        store: str = "nowgg",
        product_id: str | None = None,
        currency: str | None = None,
        developer_payload: str | None = None,
    ) -> None: ...
    @property
    def base_url(self) -> str:
        """The base URL calls go to."""

@final
class _Inbox:
    """Where the library's threads leave the calls that ended for one event loop."""

    def __new__(cls, event_loop: asyncio.AbstractEventLoop) -> _Inbox: ...
    def drain(self) -> None:
        """Settles the futures of the calls that ended, on the loop's thread."""

@final
class Purchase:
    """A verified purchase: immutable, comparable, picklable."""

    @classmethod
    def from_json(cls, text: str) -> Purchase:
        """A purchase from the JSON text of a verifyPurchase ``data`` object."""
    def check(
        self,
        *,
        package_name: str | None = None,
        product_ids: Iterable[str] = ...,
        allow_test_orders: bool = False,
    ) -> None:
        """Raises ``NotGrantable`` (``NotPaid``, ``AlreadyConsumed``, ``PackageMismatch``,
        ``ProductMismatch``, ``TestOrder``) when the purchase must not be granted."""
    # string fields: generated from _native.STRING_FIELDS by py/tests/test_fields.py
    @property
    def app_id(self) -> str | None:
        """The app's id (the same as its Payment ID)."""
    @property
    def country_code(self) -> str | None:
        """The buyer's country at purchase time; some stores send null."""
    @property
    def currency(self) -> str | None:
        """The currency, e.g. `USD`."""
    @property
    def developer_payload(self) -> str | None:
        """The string the game attached to the order."""
    @property
    def environment(self) -> str | None:
        """`release` or `sandbox`."""
    @property
    def kind(self) -> str | None:
        """Always `nowgg#productPurchase` where sent."""
    @property
    def order_amount(self) -> str | None:
        """The amount, kept as text: money is never a float."""
    @property
    def order_id(self) -> str | None:
        """The unique transaction id: the key to record a grant under."""
    @property
    def package_name(self) -> str | None:
        """The app's package name."""
    @property
    def pay_status_txt(self) -> str | None:
        """`Paid` or `Unpaid`."""
    @property
    def pay_time_txt(self) -> str | None:
        """When the payment happened, as the vendor formats it."""
    @property
    def product_id(self) -> str | None:
        """The product bought (absent in No Code purchases: see `sellerGoodsId`)."""
    @property
    def product_name(self) -> str | None:
        """The product's name."""
    @property
    def purchase_time_raw(self) -> str | None:
        """The purchase time as sent: documented in seconds, sampled in milliseconds (the normalised
        value is `purchaseTimeMs`)."""
    @property
    def purchase_time_millis(self) -> str | None:
        """Deprecated by the vendor in favour of `purchaseTime`."""
    @property
    def purchase_token(self) -> str | None:
        """The purchase token."""
    @property
    def region_code(self) -> str | None:
        """The ISO 3166-1 alpha-2 billing region."""
    @property
    def seller_goods_id(self) -> str | None:
        """The product id as the seller set it up; No Code purchases carry only this."""
    # end of the string fields
    @property
    def purchase_state(self) -> PurchaseState | int | None: ...
    @property
    def consumption_state(self) -> ConsumptionState | int | None: ...
    @property
    def purchase_time_ms(self) -> int | None: ...
    @property
    def purchase_time(self) -> datetime.datetime | None: ...
    @property
    def is_paid(self) -> bool: ...
    @property
    def is_consumed(self) -> bool: ...
    @property
    def is_test_order(self) -> bool: ...
    @property
    def raw(self) -> dict[str, Any]: ...
    def to_dict(self) -> dict[str, Any]:
        """Every attribute but ``raw`` and ``purchase_time``, ready for ``json.dumps``."""
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...

@final
class _Sandbox:
    """The in-process sandbox behind ``nowgg_payments.testing.Sandbox``."""

    def __new__(cls, api_key: str, latency_ms: int = 0) -> _Sandbox: ...
    @property
    def url(self) -> str: ...
    @property
    def console_url(self) -> str: ...
    @property
    def closed(self) -> bool: ...
    def add_purchase(
        self, data_json: str, store: str = "nowgg", token: str | None = None
    ) -> str: ...
    def add_fault(self, fault_json: str) -> None: ...
    def faults(self) -> str: ...
    def clear_faults(self) -> None: ...
    def purchase(self, token: str) -> str | None: ...
    def requests(self) -> str: ...
    def reset(self) -> None: ...
    def close(self) -> None: ...
