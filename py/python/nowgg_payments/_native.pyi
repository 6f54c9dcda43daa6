# Types of the Rust extension module (py/src/); checked against it by mypy.stubtest.
import datetime
from typing import Any, Dict, Optional, Tuple, Union, final

from .states import ConsumptionState, PurchaseState

__all__ = ["Client", "Purchase", "is_nowgg_token", "KINDS", "__version__"]

__version__: str
KINDS: Tuple[Tuple[str, int, bool], ...]
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
        base_url: Optional[str] = None,
        timeout: float = 10.0,
        connect_timeout: float = 3.0,
        max_retries: int = 2,
        user_agent: Optional[str] = None,
        proxy: Optional[str] = None,
        ca_certs: Union[str, bytes, None] = None,
        max_response_bytes: Optional[int] = None,
    ) -> Client: ...
    def verify_purchase(self, token: str) -> Purchase:
        """Verifies a purchase token (retried when that is safe) and returns the purchase."""
    def consume_purchase(
        self,
        token: str,
        *,
        store: str = "nowgg",
        product_id: Optional[str] = None,
        currency: Optional[str] = None,
        developer_payload: Optional[str] = None,
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
    def app_id(self) -> Optional[str]: ...
    @property
    def country_code(self) -> Optional[str]: ...
    @property
    def currency(self) -> Optional[str]: ...
    @property
    def developer_payload(self) -> Optional[str]: ...
    @property
    def environment(self) -> Optional[str]: ...
    @property
    def kind(self) -> Optional[str]: ...
    @property
    def order_amount(self) -> Optional[str]: ...
    @property
    def order_id(self) -> Optional[str]: ...
    @property
    def package_name(self) -> Optional[str]: ...
    @property
    def pay_status_txt(self) -> Optional[str]: ...
    @property
    def pay_time_txt(self) -> Optional[str]: ...
    @property
    def product_id(self) -> Optional[str]: ...
    @property
    def product_name(self) -> Optional[str]: ...
    @property
    def purchase_time_raw(self) -> Optional[str]: ...
    @property
    def purchase_time_millis(self) -> Optional[str]: ...
    @property
    def purchase_token(self) -> Optional[str]: ...
    @property
    def region_code(self) -> Optional[str]: ...
    @property
    def seller_goods_id(self) -> Optional[str]: ...
    @property
    def purchase_state(self) -> Union[PurchaseState, int, None]: ...
    @property
    def consumption_state(self) -> Union[ConsumptionState, int, None]: ...
    @property
    def purchase_time_ms(self) -> Optional[int]: ...
    @property
    def purchase_time(self) -> Optional[datetime.datetime]: ...
    @property
    def is_paid(self) -> bool: ...
    @property
    def is_consumed(self) -> bool: ...
    @property
    def is_test_order(self) -> bool: ...
    @property
    def raw(self) -> Dict[str, Any]: ...
    def to_dict(self) -> Dict[str, Any]:
        """Every attribute but ``raw`` and ``purchase_time``, ready for ``json.dumps``."""
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> Tuple[Any, Tuple[str]]: ...
