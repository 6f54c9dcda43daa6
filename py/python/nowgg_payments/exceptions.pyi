# Types of the classes exceptions.py builds at import time from the core's kind table
# (stubtest checks that the two agree).
from typing import ClassVar

__all__ = [
    "AlreadyConsumed",
    "ApiError",
    "ConnectionFailed",
    "DecodeError",
    "ErrorConsumingProduct",
    "HttpStatusError",
    "Internal",
    "InvalidArgument",
    "InvalidAuthorizationKey",
    "InvalidPurchaseToken",
    "MultistoreAuthError",
    "MultistoreUnknownError",
    "NotGrantable",
    "NotPaid",
    "NowggError",
    "PackageMismatch",
    "ProductMismatch",
    "TestOrder",
    "Timeout",
]

class NowggError(Exception):
    """Base class of every error this package raises."""

    kind: ClassVar[str]
    code: ClassVar[int]
    default_retryable: ClassVar[bool]
    message: str
    api_code: int | None
    http_status: int | None
    retryable: bool
    def __init__(
        self,
        message: str,
        api_code: int | None = None,
        http_status: int | None = None,
        retryable: bool | None = None,
    ) -> None: ...

class InvalidArgument(NowggError, ValueError):
    """INVALID_ARGUMENT: bad input or configuration, found before any I/O."""

class Timeout(NowggError, TimeoutError):
    """TIMEOUT: the connect or per-attempt deadline passed (retryable)."""

class ConnectionFailed(NowggError, ConnectionError):
    """CONNECTION: DNS failure, refused or reset connection, TLS failure (retryable)."""

class HttpStatusError(NowggError):
    """HTTP_STATUS: a non-2xx answer without a JSON envelope (retryable for 429, 5xx)."""

class DecodeError(NowggError):
    """DECODE: a body that is not JSON, a malformed envelope, a body over the cap."""

class ApiError(NowggError):
    """API_ERROR: an API code the vendor does not document, or success=false."""

class ErrorConsumingProduct(NowggError):
    """ERROR_CONSUMING_PRODUCT (3800): now.gg refuses the consume and the purchase is not
    consumed (not paid, or not consumable server-side)."""

class InvalidAuthorizationKey(NowggError):
    """INVALID_AUTHORIZATION_KEY (3900): the Payments API key was refused."""

class InvalidPurchaseToken(NowggError):
    """INVALID_PURCHASE_TOKEN (3901): the purchase token is unknown."""

class MultistoreUnknownError(NowggError):
    """MULTISTORE_UNKNOWN_ERROR (5014): a multi-store backend error (retryable)."""

class MultistoreAuthError(NowggError):
    """MULTISTORE_AUTH_ERROR (5015): the multi-store backend could not authenticate."""

class NotGrantable(NowggError):
    """The purchase is genuine but must not be granted: the grant check's refusals."""

class NotPaid(NotGrantable):
    """NOT_PAID: the purchase is not paid (``purchaseState`` is not 1)."""

class AlreadyConsumed(NotGrantable):
    """ALREADY_CONSUMED: the purchase is consumed (``consumptionState`` is 1)."""

class PackageMismatch(NotGrantable):
    """PACKAGE_MISMATCH: the purchase's ``packageName`` is not the policy's."""

class ProductMismatch(NotGrantable):
    """PRODUCT_MISMATCH: the purchase's product is not among the policy's ids."""

class TestOrder(NotGrantable):
    """TEST_ORDER: a test order, and the policy does not allow them."""

class Internal(NowggError):
    """INTERNAL: a bug in this library (a caught panic); please report it."""

_BY_KIND: dict[str, type[NowggError]]
