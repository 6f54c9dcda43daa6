"""Calls as OpenTelemetry spans and metrics (the SDK's in-memory exporter and reader), and
``on_report``, against the in-process sandbox: retries, a reconciled consume, a refusal,
the caller's parent span from threads and from asyncio, and no token past its start."""

from __future__ import annotations

import asyncio
import gc
import logging
import subprocess
import sys
import threading
import weakref
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import nowgg_payments
import pytest
from nowgg_payments import CallReport, ConsumeOutcome
from nowgg_payments.testing import Sandbox
from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

EXPORTER = InMemorySpanExporter()
READER = InMemoryMetricReader()


@pytest.fixture(scope="module", autouse=True)
def _providers() -> None:
    """The global providers, set once per process as an application sets them."""
    tracing = TracerProvider()
    tracing.add_span_processor(SimpleSpanProcessor(EXPORTER))
    trace.set_tracer_provider(tracing)
    metrics.set_meter_provider(MeterProvider(metric_readers=[READER]))


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    EXPORTER.clear()
    yield EXPORTER
    EXPORTER.clear()


def named(exporter: InMemorySpanExporter, name: str) -> list[ReadableSpan]:
    return [s for s in exporter.get_finished_spans() if s.name == name]


def children(exporter: InMemorySpanExporter, parent: ReadableSpan) -> list[ReadableSpan]:
    """The spans under ``parent``, by start time."""
    found = [
        s
        for s in exporter.get_finished_spans()
        if s.parent is not None and s.parent.span_id == parent.context.span_id
    ]
    return sorted(found, key=lambda s: s.start_time or 0)


def points(name: str) -> list[tuple[dict[str, Any], int]]:
    """Every data point of the histogram ``name``: its attributes and count."""
    data = READER.get_metrics_data()
    found = []
    for resource in data.resource_metrics if data else ():
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                if metric.name == name:
                    for point in metric.data.data_points:
                        found.append((dict(point.attributes or {}), getattr(point, "count", 0)))
    return found


def count(name: str, **attributes: Any) -> int:
    return sum(n for attrs, n in points(name) if attributes.items() <= attrs.items())


class Handlers:
    """Request handlers, each calling with a fresh token of its own under a span of its
    own; ``calls`` checks that each call's span is the child of its handler's."""

    def __init__(self, sandbox: Sandbox, count: int) -> None:
        self.tokens = [sandbox.add_purchase() for _ in range(count)]
        # token start -> the span id of the handler that called with that token
        self._spans: dict[str, int] = {}
        self._lock = threading.Lock()

    @contextmanager
    def span(self, token: str) -> Iterator[None]:
        """The span of the handler calling with ``token``, current inside."""
        with trace.get_tracer("test").start_as_current_span("handler") as handler:
            with self._lock:
                self._spans[token[:10] + "…"] = handler.get_span_context().span_id
            yield

    def calls(self, exporter: InMemorySpanExporter) -> list[ReadableSpan]:
        """The verify spans, after checking each is the child of the span its token's
        handler had current."""
        calls = named(exporter, "nowgg.verify_purchase")
        assert len(calls) == len(self.tokens)
        for call in calls:
            assert call.attributes is not None and call.parent is not None
            token_start = str(call.attributes["nowgg.token_start"])
            assert call.parent.span_id == self._spans[token_start]
        return calls


def port(sandbox: Sandbox) -> int:
    return int(sandbox.url.rsplit(":", 1)[1])


def test_a_verify_retried_after_a_503_has_two_attempt_spans(
    nowgg_sandbox: Sandbox, spans: InMemorySpanExporter
) -> None:
    token = nowgg_sandbox.add_purchase()
    nowgg_sandbox.add_fault("status", match="verify", status=503)
    calls_before = count("nowgg.client.call.duration", **{"nowgg.outcome": "ok"})
    tracer = trace.get_tracer("test")
    with tracer.start_as_current_span("handler") as handler:
        nowgg_sandbox.client().verify_purchase(token)

    (call,) = named(spans, "nowgg.verify_purchase")
    assert call.kind is SpanKind.INTERNAL
    assert call.parent is not None and call.parent.span_id == handler.get_span_context().span_id
    assert call.attributes is not None
    assert call.attributes["nowgg.outcome"] == "ok"
    assert call.attributes["nowgg.reconciled"] is False
    assert "error.type" not in call.attributes
    assert call.status.status_code is not StatusCode.ERROR

    first, second = children(spans, call)
    for attempt in (first, second):
        assert attempt.name == "POST" and attempt.kind is SpanKind.CLIENT
        assert attempt.attributes is not None
        assert attempt.attributes["http.request.method"] == "POST"
        assert attempt.attributes["server.address"] == "127.0.0.1"
        assert attempt.attributes["server.port"] == port(nowgg_sandbox)
        assert str(attempt.attributes["url.full"]).startswith(nowgg_sandbox.url + "/")
    assert first.attributes is not None and second.attributes is not None
    assert first.attributes["http.response.status_code"] == 503
    assert first.attributes["error.type"] == "HTTP_STATUS"
    assert first.status.status_code is StatusCode.ERROR
    assert "http.request.resend_count" not in first.attributes
    assert second.attributes["http.request.resend_count"] == 1
    assert second.attributes["http.response.status_code"] == 200
    assert second.attributes["nowgg.api_code"] == 0
    assert "error.type" not in second.attributes

    # The real times: the attempts inside the call, one after the other, the wait between.
    assert call.start_time is not None and call.end_time is not None
    assert first.start_time is not None and first.end_time is not None
    assert second.start_time is not None and second.end_time is not None
    assert call.start_time <= first.start_time < first.end_time <= second.start_time
    assert second.start_time < second.end_time <= call.end_time
    (wait,) = call.events
    assert wait.name == "nowgg.wait"
    assert wait.attributes is not None and wait.attributes["nowgg.wait.reason"] == "backoff"

    by_status = {
        attrs.get("http.response.status_code"): n
        for attrs, n in points("http.client.request.duration")
        if attrs.get("server.port") == port(nowgg_sandbox)
    }
    assert by_status == {503: 1, 200: 1}
    assert count("nowgg.client.call.duration", **{"nowgg.outcome": "ok"}) == calls_before + 1


def test_a_consume_whose_answer_was_dropped_is_reconciled(
    nowgg_sandbox: Sandbox, spans: InMemorySpanExporter
) -> None:
    token = nowgg_sandbox.add_purchase()
    nowgg_sandbox.add_fault("drop_after", match="consume")
    before = count(
        "nowgg.client.call.duration",
        **{"nowgg.call": "consume_purchase", "nowgg.outcome": "already_consumed"},
    )
    outcome = nowgg_sandbox.client().consume_purchase(token)

    assert outcome is ConsumeOutcome.ALREADY_CONSUMED
    (call,) = named(spans, "nowgg.consume_purchase")
    assert call.attributes is not None
    assert call.attributes["nowgg.outcome"] == "already_consumed"
    assert call.attributes["nowgg.reconciled"] is True
    attempts = children(spans, call)
    assert len(attempts) >= 2
    consume = attempts[0]
    assert consume.attributes is not None and "error.type" in consume.attributes
    assert "http.response.status_code" not in consume.attributes  # no answer came
    verify = attempts[-1]
    assert verify.attributes is not None and verify.attributes["http.response.status_code"] == 200
    after = count(
        "nowgg.client.call.duration",
        **{"nowgg.call": "consume_purchase", "nowgg.outcome": "already_consumed"},
    )
    assert after == before + 1


def test_a_refusal_is_the_call_spans_error_type(
    nowgg_sandbox: Sandbox, spans: InMemorySpanExporter
) -> None:
    token = nowgg_sandbox.add_purchase(paid=False)
    with pytest.raises(nowgg_payments.NotPaid):
        nowgg_sandbox.client().verify_for_grant(token)

    (call,) = named(spans, "nowgg.verify_for_grant")
    assert call.attributes is not None
    assert call.attributes["error.type"] == "NOT_PAID"
    assert call.attributes["nowgg.outcome"] == "NOT_PAID"
    assert call.status.status_code is StatusCode.ERROR
    (attempt,) = children(spans, call)  # the exchange itself went well
    assert attempt.attributes is not None
    assert attempt.attributes["http.response.status_code"] == 200
    assert "error.type" not in attempt.attributes


def test_no_span_holds_a_token_beyond_its_start(
    nowgg_sandbox: Sandbox, spans: InMemorySpanExporter
) -> None:
    client = nowgg_sandbox.client()
    paid = nowgg_sandbox.add_purchase()
    unpaid = nowgg_sandbox.add_purchase(paid=False)
    nowgg_sandbox.add_fault("status", match="verify", status=503)
    client.verify_purchase(paid)
    with pytest.raises(nowgg_payments.NotPaid):
        client.verify_for_grant(unpaid)
    nowgg_sandbox.add_fault("drop_after", match="consume")
    client.consume_purchase(paid)

    texts = []
    for span in spans.get_finished_spans():
        texts.append(span.name)
        texts += [f"{k}={v!r}" for k, v in (span.attributes or {}).items()]
        for event in span.events:
            texts.append(event.name)
            texts += [f"{k}={v!r}" for k, v in (event.attributes or {}).items()]
    assert len(spans.get_finished_spans()) >= 8
    for token in (paid, unpaid):
        beyond = token[10:]  # short_token shows at most the first 10 characters
        assert len(beyond) >= 10
        assert not [text for text in texts if beyond in text]
    starts = {
        s.attributes["nowgg.token_start"]
        for s in spans.get_finished_spans()
        if s.attributes and "nowgg.token_start" in s.attributes
    }
    assert starts == {paid[:10] + "…", unpaid[:10] + "…"}


def test_client_calls_in_threads_are_under_each_threads_span(
    nowgg_sandbox: Sandbox, spans: InMemorySpanExporter
) -> None:
    client = nowgg_sandbox.client()
    handlers = Handlers(nowgg_sandbox, 4)

    def handle(token: str) -> None:
        with handlers.span(token):
            client.verify_purchase(token)

    with ThreadPoolExecutor(len(handlers.tokens)) as pool:
        list(pool.map(handle, handlers.tokens))

    handlers.calls(spans)


def test_async_calls_are_under_the_span_current_where_the_coroutine_was_called(
    nowgg_sandbox: Sandbox, spans: InMemorySpanExporter
) -> None:
    client = nowgg_sandbox.async_client()
    handlers = Handlers(nowgg_sandbox, 4)

    async def handle(token: str) -> None:
        with handlers.span(token):
            await client.verify_purchase(token)

    async def main() -> None:
        await asyncio.gather(*(handle(token) for token in handlers.tokens))

    asyncio.run(main())
    for call in handlers.calls(spans):
        (attempt,) = children(spans, call)
        assert attempt.kind is SpanKind.CLIENT


def test_on_report_gets_each_call_of_the_client(nowgg_sandbox: Sandbox) -> None:
    reports: list[CallReport] = []
    client = nowgg_sandbox.client(on_report=reports.append)
    token = nowgg_sandbox.add_purchase()
    client.verify_purchase(token)
    assert client.consume_purchase(token) is ConsumeOutcome.CONSUMED

    verify, consume = reports
    assert (verify.call, verify.outcome, verify.reconciled) == ("verify_purchase", "ok", False)
    assert verify.token_start == token[:10] + "…"
    (attempt,) = verify.attempts
    assert (attempt.endpoint, attempt.http_status, attempt.api_code) == ("verify", 200, 0)
    assert attempt.error is None and attempt.resend_count == 0
    assert verify.start_time <= attempt.start_time < attempt.end_time <= verify.end_time
    assert verify.duration > 0 and not verify.waits
    assert (consume.call, consume.outcome) == ("consume_purchase", "consumed")
    assert consume.attempts[0].endpoint == "consume"
    assert "verify_purchase" in str(verify) and token not in str(verify)
    assert token not in repr(verify)


def test_on_report_sees_failures_and_what_it_raises_is_only_logged(
    nowgg_sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    reports: list[CallReport] = []

    def listener(report: CallReport) -> None:
        reports.append(report)
        raise RuntimeError("a listener's bug")

    client = nowgg_sandbox.client(on_report=listener)
    token = nowgg_sandbox.add_purchase(paid=False)
    with caplog.at_level(logging.ERROR, logger="nowgg_payments"):
        with pytest.raises(nowgg_payments.NotPaid):
            client.verify_for_grant(token)
        assert client.verify_purchase(token).purchase_token == token
    assert [r.outcome for r in reports] == ["NOT_PAID", "ok"]
    assert [r.message for r in caplog.records].count(
        "the on_report callable raised (the call was not affected)"
    ) == 2


def test_on_report_of_the_async_client_runs_before_the_coroutine_resumes(
    nowgg_sandbox: Sandbox,
) -> None:
    reports: list[CallReport] = []
    client = nowgg_sandbox.async_client(on_report=reports.append)
    token = nowgg_sandbox.add_purchase()
    nowgg_sandbox.add_fault("status", match="verify", status=503)

    async def main() -> None:
        await client.verify_purchase(token)
        assert len(reports) == 1
        assert await client.consume_purchase(token) is ConsumeOutcome.CONSUMED
        assert len(reports) == 2

    asyncio.run(main())
    verify, consume = reports
    assert [a.http_status for a in verify.attempts] == [503, 200]
    assert [a.resend_count for a in verify.attempts] == [0, 1]
    (wait,) = verify.waits
    assert (wait.after_attempt, wait.reason) == (0, "backoff") and wait.duration > 0
    assert consume.outcome == "consumed"


def test_nothing_is_recorded_when_nobody_listens() -> None:
    # A fresh process: this one has providers set. There, with OpenTelemetry importable
    # but no provider set, a call without on_report gets no reporter (nothing captured).
    code = (
        "from nowgg_payments import _otel\n"
        "assert _otel._trace is not None\n"
        "assert _otel._reporter(None) is None\n"
        "assert _otel._reporter(print) is not None\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_listener_that_holds_its_client_is_collected(nowgg_sandbox: Sandbox) -> None:
    class Service:
        def __init__(self) -> None:
            self.client = nowgg_sandbox.client(on_report=self.record)
            self.reports: list[CallReport] = []

        def record(self, report: CallReport) -> None:
            self.reports.append(report)

    service = Service()
    service.client.verify_purchase(nowgg_sandbox.add_purchase())
    assert len(service.reports) == 1
    gone = weakref.ref(service)
    del service
    gc.collect()
    assert gone() is None
