'use strict'
// nowgg-payments' calls as OpenTelemetry spans: one span per call (`nowgg.verify_purchase`,
// ...), with its real start and end, and one CLIENT child span `POST` per HTTP attempt.
// Require this once at startup, after registering your tracer provider.
const { context, trace, SpanKind, SpanStatusCode } = require('@opentelemetry/api')
const { channels } = require('nowgg-payments')

const tracer = trace.getTracer('nowgg-payments')
for (const channel of Object.values(channels)) {
  channel.subscribe({
    asyncEnd({ report: r, error }) {
      if (!r) return // refused before it began: no report
      const span = tracer.startSpan(`nowgg.${r.call}`, { startTime: r.startedMs, attributes: { 'nowgg.token_start': r.tokenStart, 'nowgg.outcome': r.outcome, 'nowgg.reconciled': r.reconciled } })
      for (const a of r.attempts) {
        const attrs = { 'http.request.method': 'POST', 'url.full': a.url, 'http.response.status_code': a.httpStatus ?? undefined, 'error.type': a.error ?? undefined }
        tracer.startSpan('POST', { kind: SpanKind.CLIENT, startTime: r.startedMs + a.offsetMs, attributes: attrs }, trace.setSpan(context.active(), span)).end(r.startedMs + a.offsetMs + a.durationMs)
      }
      if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error.code })
      span.end(r.startedMs + r.durationMs)
    },
  })
}
