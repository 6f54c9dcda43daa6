"""Each call's ``CallReport``, handed to OpenTelemetry (spans and metrics) and to the
client's ``on_report``.

The native client asks ``_reporter`` before each call, on the caller's thread. It answers
``None`` when nobody listens (no ``on_report``, and OpenTelemetry absent or with neither a
tracer nor a meter provider set): the call then records nothing. Otherwise it answers a
callable holding ``on_report`` and the caller's OpenTelemetry context, which the client
calls with the report once the call is over and the GIL is back (for ``AsyncClient``, on
the event loop's thread, before the awaiting coroutine resumes). Spans are made then,
with the real start and end times the report holds.
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache, partial
from typing import Any, Callable
from urllib.parse import urlsplit

from ._native import CallReport, __version__

__all__: list[str] = []

_logger = logging.getLogger("nowgg_payments")

# What a call's outcome is when it did not fail.
_SUCCESSES = frozenset({"ok", "consumed", "already_consumed"})

try:
    from opentelemetry import context as _context
    from opentelemetry import metrics as _metrics
    from opentelemetry import trace as _trace
except ImportError:  # the `otel` extra is not installed: only on_report is served
    _trace = None  # type: ignore[assignment]

if _trace is not None:
    from opentelemetry.metrics import _internal as _metrics_internal

    # The providers in place while the application has set none: no span or metric
    # would be kept, so no report is captured for them.
    _IDLE = (
        _trace.ProxyTracerProvider,
        _trace.NoOpTracerProvider,
        _metrics.NoOpMeterProvider,
        type(_metrics_internal._PROXY_METER_PROVIDER),
    )
    # `get_tracer_provider()` and `get_meter_provider()` cost about 2.5 us each (they look
    # up an environment variable): asked before every call, that would be a third of a
    # loopback call's CPU. The API's globals, `None` until a provider is set, say it for
    # less than 0.1 us; an API without them gets the public, slower question.
    _GLOBALS = hasattr(_trace, "_TRACER_PROVIDER") and hasattr(_metrics_internal, "_METER_PROVIDER")
    # Providers named by environment variables are set on first use: ask the API.
    _FROM_ENVIRONMENT = bool(
        {"OTEL_PYTHON_TRACER_PROVIDER", "OTEL_PYTHON_METER_PROVIDER"} & os.environ.keys()
    )
    # Got from the global providers once: while none is set they are proxies, which
    # follow the provider the application sets later.
    _tracer = _trace.get_tracer("nowgg_payments", __version__)
    _meter = _metrics.get_meter("nowgg_payments", __version__)
    _request_duration = _meter.create_histogram(
        "http.client.request.duration", unit="s", description="Duration of HTTP client requests."
    )
    _call_duration = _meter.create_histogram(
        "nowgg.client.call.duration",
        unit="s",
        description="Duration of now.gg payment calls, retries and reconciliation included.",
    )


def _tracing() -> bool:
    """Whether the application set an OpenTelemetry tracer or meter provider."""
    if _trace is None:
        return False
    if _GLOBALS and not _FROM_ENVIRONMENT:
        return _trace._TRACER_PROVIDER is not None or _metrics_internal._METER_PROVIDER is not None
    return not (
        isinstance(_trace.get_tracer_provider(), _IDLE)
        and isinstance(_metrics.get_meter_provider(), _IDLE)
    )


def _reporter(on_report: Callable[[CallReport], Any] | None) -> Callable[..., None] | None:
    """Where the report of the call about to be made goes, or ``None`` when nowhere.
    Called by the native client on the caller's thread, in the caller's context."""
    if _tracing():
        return partial(_deliver, on_report, _context.get_current())
    if on_report is None:
        return None
    return partial(_deliver, on_report, None)


def _deliver(
    on_report: Callable[[CallReport], Any] | None, context: Any, report: CallReport
) -> None:
    """Records the report as spans and metrics under the caller's ``context`` (unless it
    is ``None``), then calls ``on_report``. Neither may change the call's result: what
    they raise is logged."""
    if context is not None:
        try:
            _record(report, context)
        except Exception:
            _logger.exception("bug: a call's OpenTelemetry spans could not be made")
    if on_report is not None:
        try:
            on_report(report)
        except Exception:
            _logger.exception("the on_report callable raised (the call was not affected)")


def _record(report: CallReport, context: Any) -> None:
    """The call's span, with a CLIENT span ``POST`` per attempt and an event per wait,
    and the two duration histograms."""
    failed = report.outcome not in _SUCCESSES
    attributes: dict[str, Any] = {
        "nowgg.token_start": report.token_start,
        "nowgg.outcome": report.outcome,
        "nowgg.reconciled": report.reconciled,
    }
    if failed:
        attributes["error.type"] = report.outcome
    call = _tracer.start_span(
        f"nowgg.{report.call}",
        context=context,
        kind=_trace.SpanKind.INTERNAL,
        attributes=attributes,
        start_time=report.start_time,
    )
    inside = _trace.set_span_in_context(call, context)
    for attempt in report.attempts:
        host, port = _server(attempt.url)
        measured: dict[str, Any] = {
            "http.request.method": "POST",
            "server.address": host,
            "server.port": port,
        }
        if attempt.http_status is not None:
            measured["http.response.status_code"] = attempt.http_status
        if attempt.error is not None:
            measured["error.type"] = attempt.error
        attributes = dict(measured, **{"url.full": attempt.url})
        if attempt.resend_count:
            attributes["http.request.resend_count"] = attempt.resend_count
        if attempt.api_code is not None:
            attributes["nowgg.api_code"] = attempt.api_code
        span = _tracer.start_span(
            "POST",
            context=inside,
            kind=_trace.SpanKind.CLIENT,
            attributes=attributes,
            start_time=attempt.start_time,
        )
        if attempt.error is not None:
            span.set_status(_trace.Status(_trace.StatusCode.ERROR))
        span.end(end_time=attempt.end_time)
        _request_duration.record(attempt.duration, measured)
    for wait in report.waits:
        call.add_event(
            "nowgg.wait",
            {"nowgg.wait.reason": wait.reason, "nowgg.wait.duration": wait.duration},
            timestamp=report.attempts[wait.after_attempt].end_time,
        )
    if failed:
        call.set_status(_trace.Status(_trace.StatusCode.ERROR))
    call.end(end_time=report.end_time)
    _call_duration.record(
        report.duration, {"nowgg.call": report.call, "nowgg.outcome": report.outcome}
    )


@lru_cache(maxsize=32)
def _server(url: str) -> tuple[str, int]:
    """``server.address`` and ``server.port`` of an attempt's URL."""
    parts = urlsplit(url)
    return parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)
