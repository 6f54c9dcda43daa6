"""The exceptions of ``nowgg_payments``: ``NowggError`` and one subclass per error kind.

The classes are built from the core's own kind table (``_native.KINDS``: name, code,
default retryability), so they cannot drift from the Rust, C and Node faces. Their names
are the kinds' names in CamelCase, except ``HttpStatusError``, ``ConnectionFailed`` and
``DecodeError``, which read better and do not shadow builtins. ``Timeout`` is also a
``TimeoutError``, ``ConnectionFailed`` a ``ConnectionError`` and ``InvalidArgument`` a
``ValueError``, so code that already catches those keeps working. The grant check's
refusals (``_native.GRANT_REFUSALS``: ``NotPaid``, ``AlreadyConsumed``,
``PackageMismatch``, ``ProductMismatch``, ``TestOrder``) are also ``NotGrantable``.
"""

from __future__ import annotations

from . import _native

__all__ = ["NotGrantable", "NowggError"]


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


# Where the CamelCase of a kind's name is not its class name.
_CLASS_NAMES = {
    "HTTP_STATUS": "HttpStatusError",
    "CONNECTION": "ConnectionFailed",
    "DECODE": "DecodeError",
}
# The builtin exception each of these kinds also is.
_BUILTIN_BASES: dict[str, type[Exception]] = {
    "TIMEOUT": TimeoutError,
    "CONNECTION": ConnectionError,
    "INVALID_ARGUMENT": ValueError,
}


def _exception_class(kind: str, code: int, retryable: bool) -> type[NowggError]:
    name = _CLASS_NAMES.get(kind) or "".join(w.capitalize() for w in kind.split("_"))
    bases: tuple[type, ...] = (NotGrantable if kind in _native.GRANT_REFUSALS else NowggError,)
    if kind in _BUILTIN_BASES:
        bases += (_BUILTIN_BASES[kind],)
    namespace = {
        "__module__": __name__,
        "__qualname__": name,
        "__doc__": f"Errors of kind {kind} (code {code}); "
        f"{'retryable' if retryable else 'not retryable'} by default.",
        "kind": kind,
        "code": code,
        "default_retryable": retryable,
    }
    return type(name, bases, namespace)


_BY_KIND: dict[str, type[NowggError]] = {
    kind: _exception_class(kind, code, retryable) for kind, code, retryable in _native.KINDS
}
"""The class of each kind name; the native module raises through it."""

globals().update({cls.__name__: cls for cls in _BY_KIND.values()})
__all__ += [cls.__name__ for cls in _BY_KIND.values()]
