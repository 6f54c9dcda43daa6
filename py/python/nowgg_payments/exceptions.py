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

from typing import Any

_BY_KIND: dict[str, type[NowggError]] = {}
"""The class of each kind name; the native module raises through it."""


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

    def __init_subclass__(
        cls,
        *,
        kind: str | None = None,
        code: int = 0,
        default_retryable: bool = False,
        **options: Any,
    ) -> None:
        """Makes a class the one of error kind ``kind`` (number ``code``): the generated
        classes below name their kind here. A subclass that names none keeps its base's."""
        super().__init_subclass__(**options)
        if kind is not None:
            cls.kind, cls.code, cls.default_retryable = kind, code, default_retryable
            _BY_KIND[kind] = cls

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


class InvalidArgument(NowggError, ValueError, kind="INVALID_ARGUMENT", code=1):
    """INVALID_ARGUMENT (1): Bad input or configuration, found before any I/O: a missing or
    non-UTF-8 argument, an empty token, an unknown store or region, an option out of its range.
    Nothing was sent; fix the call."""


class Timeout(NowggError, TimeoutError, kind="TIMEOUT", code=100, default_retryable=True):
    """TIMEOUT (100): A deadline passed: the connect timeout, one attempt's timeout, or the whole
    call's deadline (in Node, also an `AbortSignal` that fired). A consume that ends so may still
    have taken effect: consuming again later is safe."""


class ConnectionFailed(
    NowggError, ConnectionError, kind="CONNECTION", code=101, default_retryable=True
):
    """CONNECTION (101): The connection failed: DNS, refused, reset. A failed TLS handshake (an
    untrusted certificate, no protocol in common) is this kind too, but is not retryable: nothing
    was sent, and trying again would fail the same way."""


class HttpStatusError(NowggError, kind="HTTP_STATUS", code=102):
    """HTTP_STATUS (102): A non-2xx answer without the vendor's JSON envelope (a proxy's HTML page,
    a gateway's own JSON, a 404). Retryable for 429 and 5xx only."""


class DecodeError(NowggError, kind="DECODE", code=103):
    """DECODE (103): An answer that could not be understood: not JSON, a malformed envelope, or a
    body over `max_response_bytes`."""


class ApiError(NowggError, kind="API_ERROR", code=200):
    """API_ERROR (200): An API code the vendor does not document, or `success: false` with code
    0."""


class NotPaid(NotGrantable, kind="NOT_PAID", code=300):
    """NOT_PAID (300): Grant check: the purchase is not paid (`purchaseState` is not 1)."""


class AlreadyConsumed(NotGrantable, kind="ALREADY_CONSUMED", code=301):
    """ALREADY_CONSUMED (301): Grant check: the purchase is already consumed (`consumptionState` is
    1)."""


class PackageMismatch(NotGrantable, kind="PACKAGE_MISMATCH", code=302):
    """PACKAGE_MISMATCH (302): Grant check: the purchase's `packageName` is not the policy's."""


class ProductMismatch(NotGrantable, kind="PRODUCT_MISMATCH", code=303):
    """PRODUCT_MISMATCH (303): Grant check: the purchase's product (`productId`, else
    `sellerGoodsId`) is not one of the policy's."""


class TestOrder(NotGrantable, kind="TEST_ORDER", code=304):
    """TEST_ORDER (304): Grant check: a test order, and the policy does not allow them."""


class Internal(NowggError, kind="INTERNAL", code=900):
    """INTERNAL (900): A bug in this library (a caught panic); please report it. The message is a
    fixed sentence, never the panic's text."""


class ErrorConsumingProduct(NowggError, kind="ERROR_CONSUMING_PRODUCT", code=3800):
    """ERROR_CONSUMING_PRODUCT (3800): API code 3800: now.gg refused the consume, and the purchase
    is not consumed (not paid). A consume that finds it consumed before does not fail: it ends with
    the outcome `already_consumed`."""


class InvalidAuthorizationKey(NowggError, kind="INVALID_AUTHORIZATION_KEY", code=3900):
    """INVALID_AUTHORIZATION_KEY (3900): API code 3900: the Payments API key was refused."""


class InvalidPurchaseToken(NowggError, kind="INVALID_PURCHASE_TOKEN", code=3901):
    """INVALID_PURCHASE_TOKEN (3901): API code 3901: the purchase token is unknown (forged, or from
    another app)."""


class MultistoreUnknownError(
    NowggError, kind="MULTISTORE_UNKNOWN_ERROR", code=5014, default_retryable=True
):
    """MULTISTORE_UNKNOWN_ERROR (5014): API code 5014: a generic error of the multi-store backend;
    worth retrying."""


class MultistoreAuthError(NowggError, kind="MULTISTORE_AUTH_ERROR", code=5015):
    """MULTISTORE_AUTH_ERROR (5015): API code 5015: the multi-store backend could not
    authenticate."""


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
