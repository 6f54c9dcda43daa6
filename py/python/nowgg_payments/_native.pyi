# Types of the Rust extension module (py/src/); checked against it by mypy.stubtest.
import datetime
from typing import Any, final

from .states import ConsumptionState, PurchaseState

__all__ = ["KINDS", "Client", "Purchase", "__version__", "is_nowgg_token"]

__version__: str
KINDS: tuple[tuple[str, int, bool], ...]
"""The core's error kinds: ``(name, code, retryable by default)`` each."""

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
        user_agent: str | None = None,
        proxy: str | None = None,
        ca_certs: str | bytes | None = None,
        max_response_bytes: int | None = None,
    ) -> Client: ...
    def verify_purchase(self, token: str) -> Purchase:
        """Verifies a purchase token (retried when that is safe) and returns the purchase."""
    def consume_purchase(
        self,
        token: str,
        *,
        store: str = "nowgg",
        product_id: str | None = None,
        currency: str | None = None,
        developer_payload: str | None = None,
    ) -> None:
        """Consumes a purchase once its product is granted; never re-sent blindly."""
    @property
    def base_url(self) -> str:
        """The base URL calls go to."""

@final
class Purchase:
    """A verified purchase: immutable, comparable, picklable."""

    @classmethod
    def from_json(cls, text: str) -> Purchase:
        """A purchase from the JSON text of a verifyPurchase ``data`` object."""
    @property
    def app_id(self) -> str | None: ...
    @property
    def country_code(self) -> str | None: ...
    @property
    def currency(self) -> str | None: ...
    @property
    def developer_payload(self) -> str | None: ...
    @property
    def environment(self) -> str | None: ...
    @property
    def kind(self) -> str | None: ...
    @property
    def order_amount(self) -> str | None: ...
    @property
    def order_id(self) -> str | None: ...
    @property
    def package_name(self) -> str | None: ...
    @property
    def pay_status_txt(self) -> str | None: ...
    @property
    def pay_time_txt(self) -> str | None: ...
    @property
    def product_id(self) -> str | None: ...
    @property
    def product_name(self) -> str | None: ...
    @property
    def purchase_time_raw(self) -> str | None: ...
    @property
    def purchase_time_millis(self) -> str | None: ...
    @property
    def purchase_token(self) -> str | None: ...
    @property
    def region_code(self) -> str | None: ...
    @property
    def seller_goods_id(self) -> str | None: ...
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
