"""The exceptions of ``nowgg_payments``: ``NowggError`` and one subclass per error kind.

The classes below the marker are generated from the core's kind table (name, number,
default retryability, doc, class name) by ``cargo xtask codegen``, so they cannot drift
from the Rust, C and Node faces. ``Timeout`` is also a ``TimeoutError``,
``ConnectionFailed`` a ``ConnectionError`` and ``InvalidArgument`` a ``ValueError``, so
code that already catches those keeps working. The grant check's refusals (``NotPaid``,
``AlreadyConsumed``, ``PackageMismatch``, ``ProductMismatch``, ``TestOrder``) are also
``NotGrantable``.
"""

from __future__ import annotations


class NowggError(Exception):
    """Base class of every error this package raises.

    Attributes: ``kind`` (the kind's name, e.g. ``"INVALID_PURCHASE_TOKEN"``), ``code``
    (its stable number), ``message``, ``api_code`` (the vendor's code, or ``None``),
    ``http_status`` (or ``None``) and ``retryable`` (whether the same call may succeed
    later). No message ever holds the API key, nor a whole purchase token.
    """

    kind: str = ""
    code: int = 0
    default_retryable: bool = False

    def __init__(
        self,
        message: str,
        api_code: int | None = None,
        http_status: int | None = None,
        retryable: bool | None = None,
    ) -> None:
        # One positional argument only: OSError (the base of TimeoutError and
        # ConnectionError) reads a second one as errno/strerror. The rest lives in
        # __dict__, which pickling keeps.
        super().__init__(message)
        self.message = message
        self.api_code = api_code
        self.http_status = http_status
        self.retryable = self.default_retryable if retryable is None else retryable

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, api_code={self.api_code!r}, "
            f"http_status={self.http_status!r}, retryable={self.retryable!r})"
        )


class NotGrantable(NowggError):
    """The purchase is genuine but must not be granted: the base of the grant check's
    refusals (``Purchase.check``, ``verify_for_grant``). Not retryable: asking again
    gives the same answer."""


# generated: classes (by `cargo xtask codegen` from the core's kind table; do not edit)


class InvalidArgument(NowggError, ValueError):
    """INVALID_ARGUMENT (1): Bad input or configuration, found before any I/O: a missing or
    non-UTF-8 argument, an empty token, an unknown store or region, an option out of its range.
    Nothing was sent; fix the call."""

    kind = "INVALID_ARGUMENT"
    code = 1
    default_retryable = False


class Timeout(NowggError, TimeoutError):
    """TIMEOUT (100): A deadline passed: the connect timeout, one attempt's timeout, or the whole
    call's deadline (in Node, also an `AbortSignal` that fired). A consume that ends so may still
    have taken effect: consuming again later is safe."""

    kind = "TIMEOUT"
    code = 100
    default_retryable = True


class ConnectionFailed(NowggError, ConnectionError):
    """CONNECTION (101): The connection failed: DNS, refused, reset. A failed TLS handshake (an
    untrusted certificate, no protocol in common) is this kind too, but is not retryable: nothing
    was sent, and trying again would fail the same way."""

    kind = "CONNECTION"
    code = 101
    default_retryable = True


class HttpStatusError(NowggError):
    """HTTP_STATUS (102): A non-2xx answer without the vendor's JSON envelope (a proxy's HTML page,
    a gateway's own JSON, a 404). Retryable for 429 and 5xx only."""

    kind = "HTTP_STATUS"
    code = 102
    default_retryable = False


class DecodeError(NowggError):
    """DECODE (103): An answer that could not be understood: not JSON, a malformed envelope, or a
    body over `max_response_bytes`."""

    kind = "DECODE"
    code = 103
    default_retryable = False


class ApiError(NowggError):
    """API_ERROR (200): An API code the vendor does not document, or `success: false` with code
    0."""

    kind = "API_ERROR"
    code = 200
    default_retryable = False


class NotPaid(NotGrantable):
    """NOT_PAID (300): Grant check: the purchase is not paid (`purchaseState` is not 1)."""

    kind = "NOT_PAID"
    code = 300
    default_retryable = False


class AlreadyConsumed(NotGrantable):
    """ALREADY_CONSUMED (301): Grant check: the purchase is already consumed (`consumptionState` is
    1)."""

    kind = "ALREADY_CONSUMED"
    code = 301
    default_retryable = False


class PackageMismatch(NotGrantable):
    """PACKAGE_MISMATCH (302): Grant check: the purchase's `packageName` is not the policy's."""

    kind = "PACKAGE_MISMATCH"
    code = 302
    default_retryable = False


class ProductMismatch(NotGrantable):
    """PRODUCT_MISMATCH (303): Grant check: the purchase's product (`productId`, else
    `sellerGoodsId`) is not one of the policy's."""

    kind = "PRODUCT_MISMATCH"
    code = 303
    default_retryable = False


class TestOrder(NotGrantable):
    """TEST_ORDER (304): Grant check: a test order, and the policy does not allow them."""

    kind = "TEST_ORDER"
    code = 304
    default_retryable = False


class Internal(NowggError):
    """INTERNAL (900): A bug in this library (a caught panic); please report it. The message is a
    fixed sentence, never the panic's text."""

    kind = "INTERNAL"
    code = 900
    default_retryable = False


class ErrorConsumingProduct(NowggError):
    """ERROR_CONSUMING_PRODUCT (3800): API code 3800: now.gg refused the consume, and the purchase
    is not consumed (not paid). A consume that finds it consumed before does not fail: it ends with
    the outcome `already_consumed`."""

    kind = "ERROR_CONSUMING_PRODUCT"
    code = 3800
    default_retryable = False


class InvalidAuthorizationKey(NowggError):
    """INVALID_AUTHORIZATION_KEY (3900): API code 3900: the Payments API key was refused."""

    kind = "INVALID_AUTHORIZATION_KEY"
    code = 3900
    default_retryable = False


class InvalidPurchaseToken(NowggError):
    """INVALID_PURCHASE_TOKEN (3901): API code 3901: the purchase token is unknown (forged, or from
    another app)."""

    kind = "INVALID_PURCHASE_TOKEN"
    code = 3901
    default_retryable = False


class MultistoreUnknownError(NowggError):
    """MULTISTORE_UNKNOWN_ERROR (5014): API code 5014: a generic error of the multi-store backend;
    worth retrying."""

    kind = "MULTISTORE_UNKNOWN_ERROR"
    code = 5014
    default_retryable = True


class MultistoreAuthError(NowggError):
    """MULTISTORE_AUTH_ERROR (5015): API code 5015: the multi-store backend could not
    authenticate."""

    kind = "MULTISTORE_AUTH_ERROR"
    code = 5015
    default_retryable = False


_CLASSES: tuple[type[NowggError], ...] = (
    InvalidArgument,
    Timeout,
    ConnectionFailed,
    HttpStatusError,
    DecodeError,
    ApiError,
    NotPaid,
    AlreadyConsumed,
    PackageMismatch,
    ProductMismatch,
    TestOrder,
    Internal,
    ErrorConsumingProduct,
    InvalidAuthorizationKey,
    InvalidPurchaseToken,
    MultistoreUnknownError,
    MultistoreAuthError,
)

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
# /generated: classes


_BY_KIND: dict[str, type[NowggError]] = {cls.kind: cls for cls in _CLASSES}
"""The class of each kind name; the native module raises through it."""
