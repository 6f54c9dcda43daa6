# Types of the Rust extension module (py/src/); checked against it by mypy.stubtest.
import asyncio
import datetime
from collections.abc import Iterable
from typing import Any, Callable, TypedDict, final

from typing_extensions import Unpack

from .outcome import ConsumeOutcome
from .states import ConsumptionState, PurchaseState

__all__ = [
    "DEFAULTS",
    "GRANT_REFUSALS",
    "KINDS",
    "STRING_FIELDS",
    "Attempt",
    "CallReport",
    "Client",
    "Purchase",
    "Wait",
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

class _ClientOptions(TypedDict, total=False):
    """The keyword options of ``Client`` and ``AsyncClient``."""

    # generated: options (by `cargo xtask codegen` from the core's option table; do not edit)
    region: str
    base_url: str | None
    timeout: float
    connect_timeout: float
    max_retries: int
    deadline: float
    max_in_flight: int
    user_agent: str | None
    proxy: str | None
    ca_certs: str | bytes | None
    max_response_bytes: int | None
    # /generated: options
    on_report: Callable[[CallReport], object] | None

DEFAULTS: _ClientOptions
"""The core's default of every option that has one (times in seconds)."""

class _GrantCheck(TypedDict, total=False):
    """The keyword options of a grant check (``Client.verify_for_grant``,
    ``Purchase.check``) as ``AsyncClient.verify_for_grant`` takes them: ``package_name``
    (default ``None``: any), ``product_ids`` (default none: any), ``allow_test_orders``
    (default ``False``)."""

    package_name: str | None
    product_ids: Iterable[str]
    allow_test_orders: bool

class _ConsumeOptions(TypedDict, total=False):
    """The keyword options of ``Client.consume_purchase`` as
    ``AsyncClient.consume_purchase`` takes them: ``store`` (default ``"nowgg"``),
    ``product_id``, ``currency`` and ``developer_payload`` (default ``None`` each)."""

    store: str
    product_id: str | None
    currency: str | None
    developer_payload: str | None

def is_nowgg_token(token: str) -> bool:
    """Whether ``token`` comes from now.gg's No Code Payment flow (starts with ``-nowgg-``)."""

@final
class Client:
    """A thread-safe client of now.gg's Payments API; build one and share it."""

    def __new__(
        cls,
        api_key: str,
        *,
        # generated: constructor options (by `cargo xtask codegen` from the core's table)
        region: str = ...,
        base_url: str | None = None,
        timeout: float = ...,
        connect_timeout: float = ...,
        max_retries: int = ...,
        deadline: float = ...,
        max_in_flight: int = ...,
        user_agent: str | None = None,
        proxy: str | None = None,
        ca_certs: str | bytes | None = None,
        max_response_bytes: int | None = ...,
        # /generated: constructor options
        on_report: Callable[[CallReport], object] | None = None,
    ) -> Client:
        """Checks every option and builds the client; bad ones raise ``InvalidArgument``.

        .. generated: constructor docs (by `cargo xtask codegen` from the core's option table)
        - ``region`` (default "global"): The region whose API to call: `global` or `china` (case is
          ignored); ignored when a base URL is set.
        - ``base_url``: A base URL instead of the region's: `https://...`, or `http://` to a
          loopback host only (the sandbox). A path prefix is kept.
        - ``timeout`` (seconds; default 10.0; more than 0, at most 86400.0): The deadline of one
          attempt, connect and response body included.
        - ``connect_timeout`` (seconds; default 3.0; more than 0, at most 86400.0): The deadline to
          connect, TLS included.
        - ``max_retries`` (default 2; 0 to 100): How many times a verify is retried after a
          retryable failure. A consume's request is never sent twice in one call.
        - ``deadline`` (seconds; default 30.0; more than 0, at most 86400.0): The bound on
          everything one call does: attempts, backoff, `Retry-After` waits and a consume's
          reconciling verify. Past it the call ends with `TIMEOUT`; each attempt also keeps its own
          timeout.
        - ``max_in_flight`` (default 512; 1 to 65536): How many async calls run at once, each on a
          thread of the library's own (started on demand, ended when idle); further calls wait in
          order. Blocking calls are not counted: they run on the caller's thread.
        - ``user_agent``: Text appended to the `User-Agent`, e.g. your game's name and version.
        - ``proxy``: An HTTP(S) proxy URL, e.g. `http://proxy.internal:3128`. A SOCKS proxy is
          refused, and so is a proxy with a plain-http base URL (the API key would cross it in
          cleartext).
        - ``ca_certs``: Extra root certificates (PEM), trusted besides the built-in Mozilla roots:
          for a TLS-inspecting proxy or the sandbox's `--tls` mode.
        - ``max_response_bytes`` (bytes; default 1048576; 1 to 9007199254740991): The largest
          response body accepted; a larger one is `DECODE`.
        .. /generated: constructor docs
        """
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
        **check: Unpack[_GrantCheck],
    ) -> None: ...
    def _consume_purchase_async(
        self,
        inbox: _Inbox,
        future: asyncio.Future[ConsumeOutcome],
        token: str,
        **options: Unpack[_ConsumeOptions],
    ) -> None: ...
    @property
    def base_url(self) -> str:
        """The base URL calls go to."""

@final
class CallReport:
    """What one call did: its HTTP attempts, the waits between them, how it ended.

    ``Client(on_report=...)`` and ``AsyncClient(on_report=...)`` are called with one per
    call. Times are wall-clock nanoseconds since the epoch, durations seconds.
    ``str(report)`` is a few lines for a person.
    """

    @property
    def call(self) -> str:
        """``verify_purchase``, ``verify_for_grant`` or ``consume_purchase``."""
    @property
    def token_start(self) -> str:
        """The start of the purchase token, never the whole token."""
    @property
    def start_time(self) -> int:
        """When the call was made (an async call's queue time included), in ns."""
    @property
    def end_time(self) -> int:
        """When its answer came, in ns."""
    @property
    def duration(self) -> float:
        """How long it took, in seconds."""
    @property
    def outcome(self) -> str:
        """``ok``, ``consumed``, ``already_consumed``, or the error kind (``TIMEOUT``, ...)."""
    @property
    def reconciled(self) -> bool:
        """True when a consume's answer was lost (or was 3800) and a verify settled it."""
    @property
    def attempts(self) -> tuple[Attempt, ...]:
        """Its HTTP exchanges, in order."""
    @property
    def waits(self) -> tuple[Wait, ...]:
        """The waits between attempts."""

@final
class Attempt:
    """One HTTP exchange of a call."""

    @property
    def endpoint(self) -> str:
        """``verify`` or ``consume``."""
    @property
    def url(self) -> str:
        """The URL called, which holds no secret."""
    @property
    def start_time(self) -> int:
        """When it started, in ns since the epoch."""
    @property
    def end_time(self) -> int:
        """When it ended, in ns since the epoch."""
    @property
    def offset(self) -> float:
        """When it started, in seconds from the call's start."""
    @property
    def duration(self) -> float:
        """How long it took, in seconds."""
    @property
    def http_status(self) -> int | None:
        """The HTTP status of the answer, if one came."""
    @property
    def api_code(self) -> int | None:
        """The envelope's API code, if one came (0 on success)."""
    @property
    def error(self) -> str | None:
        """The error kind it failed with, if it did."""
    @property
    def reused_connection(self) -> bool | None:
        """Pooled connection, new one, or ``None`` when it failed before it knew."""
    @property
    def resend_count(self) -> int:
        """How many attempts before it went to the same endpoint."""

@final
class Wait:
    """A wait between two attempts."""

    @property
    def after_attempt(self) -> int:
        """The index in ``CallReport.attempts`` of the attempt it followed."""
    @property
    def duration(self) -> float:
        """How long it lasted, in seconds."""
    @property
    def reason(self) -> str:
        """``backoff`` or ``retry_after``."""

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
    # generated: fields (by `cargo xtask codegen` from the core's field table; do not edit)
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
    # /generated: fields
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
        self, spec_json: str, store: str = "nowgg", token: str | None = None
    ) -> str: ...
    def add_fault(self, fault_json: str) -> None: ...
    def faults(self) -> str: ...
    def clear_faults(self) -> None: ...
    def purchase(self, token: str) -> str | None: ...
    def requests(self) -> str: ...
    def reset(self) -> None: ...
    def close(self) -> None: ...
