// Each call's diagnostics_channel tracing channel: its messages and the report on them,
// against the sandbox; the OpenTelemetry subscription of examples/otel.js turning them
// into spans; and nothing published, nor any report recorded, while nobody listens.

import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { inspect } from 'node:util'
import { after, before, beforeEach, test } from 'node:test'

import { trace } from '@opentelemetry/api'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { Client, channels } from 'nowgg-payments'
import { startSandbox } from './sandbox.mjs'

const require = createRequire(import.meta.url)
const apiKey = 'diagnostics-test-key'
const events = ['start', 'end', 'asyncStart', 'asyncEnd', 'error']
let sandbox
let client
before(async () => {
  sandbox = await startSandbox(apiKey)
  client = new Client({ apiKey, baseUrl: sandbox.url, maxRetries: 1 })
})
beforeEach(() => sandbox.reset())
after(() => sandbox.stop())

/** Subscribes to every event of `channel`; the events seen, in order, and how to stop. */
function listen(channel) {
  const seen = []
  const handlers = Object.fromEntries(events.map((event) => [event, (message) => seen.push({ event, message })]))
  channel.subscribe(handlers)
  return { seen, stop: () => channel.unsubscribe(handlers) }
}

/** Every message seen so far, for the secrecy check at the end. */
const everything = []

/** Runs `call` with a listener on `channel`: what it answered or threw, and the events. */
async function traced(channel, call) {
  const { seen, stop } = listen(channel)
  try {
    const outcome = await call().then((value) => ({ value }), (error) => ({ error }))
    everything.push(...seen)
    return { ...outcome, seen }
  } finally {
    stop()
  }
}

// First, before anything subscribes: the channels are silent and the addon records nothing.
test('nothing is published nor recorded while nobody listens', async () => {
  for (const channel of Object.values(channels)) assert.equal(channel.hasSubscribers ?? false, false)
  // A subscriber added while a call is in flight sees only the calls made after it.
  const before = client.verifyPurchase('-nowgg-sample-paid')
  const { seen, stop } = listen(channels.verifyPurchase)
  try {
    assert.equal((await before).isPaid, true)
    assert.deepEqual(seen, [])
    await client.verifyPurchase('-nowgg-sample-nocode')
    assert.deepEqual(
      seen.map((s) => s.event),
      ['start', 'end', 'asyncStart', 'asyncEnd'],
    )
    assert.equal(seen[0].message.tokenStart, '-nowgg-sam…')
  } finally {
    stop()
  }
})

test('the addon records a report only for a call started with its flag', async () => {
  // The addon itself, as index.js drives it: settle(id, value, failure, report).
  const addon = require(join(dirname(require.resolve('nowgg-payments/package.json')), 'nowgg-payments.node'))
  const answers = new Map()
  const waiting = new Map()
  const native = new addon.NativeClient({ apiKey, baseUrl: sandbox.url }, (id, value, failure, report) => {
    answers.set(id, { value, failure, report })
    waiting.get(id)()
  })
  const call = (id, report) =>
    new Promise((resolve) => {
      waiting.set(id, resolve)
      native.hold(true)
      assert.equal(native.start('verifyPurchase', id, '-nowgg-sample-paid', undefined, false, report), null)
    }).finally(() => native.hold(false))
  await call(1, false)
  await call(2, true)
  assert.equal(answers.get(1).report, null)
  assert.equal(answers.get(2).report.outcome, 'ok')
  assert.equal(answers.get(2).report.attempts.length, 1)
})

let exporter
test('the OpenTelemetry subscription of examples/otel.js loads', () => {
  exporter = new InMemorySpanExporter()
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }))
  // The example as shipped beside the package's tests (the test script copies it).
  require('../examples/otel.js')
  for (const channel of Object.values(channels)) assert.equal(channel.asyncEnd.hasSubscribers, true)
})
beforeEach(() => exporter?.reset())

/** Every span finished so far, for the secrecy check at the end. */
const everySpan = []

/** The finished spans: the call's, and its attempts' by start. */
function spans() {
  const finished = exporter.getFinishedSpans()
  everySpan.push(...finished)
  const call = finished.filter((s) => s.name.startsWith('nowgg.'))
  assert.equal(call.length, 1, `one call span, got ${finished.map((s) => s.name)}`)
  const attempts = finished.filter((s) => s.name === 'POST').sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1])
  for (const a of attempts) assert.equal(a.parentSpanContext?.spanId ?? a.parentSpanId, call[0].spanContext().spanId)
  return { call: call[0], attempts }
}

test('a verify retried after a 503: two attempts and the wait between them', async () => {
  await sandbox.addFaults({ match: 'verify', action: 'status', status: 503, body: '<html>busy</html>' })
  const { value, seen } = await traced(channels.verifyPurchase, () => client.verifyPurchase('-nowgg-sample-paid'))
  assert.equal(value.isPaid, true)
  assert.deepEqual(
    seen.map((s) => s.event),
    ['start', 'end', 'asyncStart', 'asyncEnd'],
  )
  const message = seen[0].message
  assert.ok(seen.every((s) => s.message === message), 'one message object throughout')
  const { report } = message
  assert.equal(report.call, 'verify_purchase')
  assert.equal(report.tokenStart, '-nowgg-sa…')
  assert.equal(report.outcome, 'ok')
  assert.equal(report.reconciled, false)
  assert.ok(Math.abs(report.startedMs - Date.now()) < 60_000, `startedMs ${report.startedMs} is epoch ms`)
  assert.ok(report.durationMs >= 0)
  assert.equal(report.attempts.length, 2)
  const [first, second] = report.attempts
  assert.equal(first.endpoint, 'verify')
  assert.equal(first.httpStatus, 503)
  assert.equal(first.error, 'HTTP_STATUS')
  assert.equal(typeof first.reusedConnection, 'boolean')
  assert.equal(second.httpStatus, 200)
  assert.equal(second.apiCode, 0)
  assert.equal(second.error, null)
  assert.ok(second.offsetMs >= first.offsetMs + first.durationMs)
  assert.match(first.url, /^http:\/\/127\.0\.0\.1:\d+\//)
  assert.equal(report.waits.length, 1)
  assert.equal(report.waits[0].afterAttempt, 0)
  assert.equal(report.waits[0].reason, 'backoff')
  // asyncEnd's result is the purchase without its token.
  assert.equal(message.result.isPaid, true)
  assert.equal(message.result.purchaseToken, '-nowgg-sa…')
  assert.equal(value.purchaseToken, '-nowgg-sample-paid')

  const { call, attempts } = spans()
  assert.equal(call.name, 'nowgg.verify_purchase')
  assert.equal(call.attributes['nowgg.outcome'], 'ok')
  assert.deepEqual(
    attempts.map((a) => a.attributes['http.response.status_code']),
    [503, 200],
  )
  assert.equal(attempts[0].attributes['error.type'], 'HTTP_STATUS')
})

test('a consume whose answer was dropped after applying: already_consumed, reconciled', async () => {
  await sandbox.addFaults({ match: 'consume', action: 'drop_after' })
  const { value, seen } = await traced(channels.consumePurchase, () =>
    client.consumePurchase('-nowgg-sample-paid', { store: 'nowgg' }),
  )
  assert.equal(value, 'already_consumed')
  const { message } = seen.at(-1)
  assert.equal(seen.at(-1).event, 'asyncEnd')
  assert.deepEqual(message.options, { store: 'nowgg' })
  assert.equal(message.result, 'already_consumed')
  assert.equal(message.report.call, 'consume_purchase')
  assert.equal(message.report.outcome, 'already_consumed')
  assert.equal(message.report.reconciled, true)
  assert.deepEqual(
    message.report.attempts.map((a) => a.endpoint),
    ['consume', 'verify'],
  )
  assert.equal(message.report.attempts[0].error, 'CONNECTION')

  const { call, attempts } = spans()
  assert.equal(call.name, 'nowgg.consume_purchase')
  assert.equal(call.attributes['nowgg.reconciled'], true)
  assert.equal(attempts.length, 2)
})

test('a refusal: the error message carries the report', async () => {
  const controller = new AbortController()
  const { error, seen } = await traced(channels.verifyForGrant, () =>
    client.verifyForGrant('-nowgg-sample-unpaid', { packageName: 'com.example.game', signal: controller.signal }),
  )
  assert.equal(error.code, 'NOT_PAID')
  assert.deepEqual(
    seen.map((s) => s.event),
    ['start', 'end', 'error', 'asyncStart', 'asyncEnd'],
  )
  const { message } = seen.find((s) => s.event === 'error')
  assert.equal(message.error, error)
  assert.deepEqual(message.policy, { packageName: 'com.example.game' }, 'no signal in the message')
  assert.equal(message.report.call, 'verify_for_grant')
  assert.equal(message.report.outcome, 'NOT_PAID')
  assert.equal(message.report.attempts.length, 1)
  assert.equal(message.report.attempts[0].error, null, 'the answer came; the grant check refused it')

  const { call } = spans()
  assert.equal(call.name, 'nowgg.verify_for_grant')
  assert.equal(call.status.message, 'NOT_PAID')
})

test('a call the core refuses before sending: a report without attempts', async () => {
  const { error, seen } = await traced(channels.verifyPurchase, () => client.verifyPurchase(''))
  assert.equal(error.code, 'INVALID_ARGUMENT')
  const { message } = seen.find((s) => s.event === 'error')
  assert.equal(message.error, error)
  assert.equal(message.report.outcome, 'INVALID_ARGUMENT')
  assert.deepEqual(message.report.attempts, [])
  assert.equal(spans().attempts.length, 0)
})

test('an argument of the wrong type: published without a report', async () => {
  const { error, seen } = await traced(channels.verifyPurchase, () => client.verifyPurchase(42))
  assert.equal(error.code, 'INVALID_ARGUMENT')
  const { message } = seen.find((s) => s.event === 'error')
  assert.equal(message.error, error)
  assert.equal(message.tokenStart, null)
  assert.equal(message.report, undefined)
  assert.equal(exporter.getFinishedSpans().length, 0)
})

test('no message nor span holds a token beyond its start', () => {
  assert.ok(everything.length > 0)
  const tokens = ['-nowgg-sample-paid', '-nowgg-sample-unpaid', '-nowgg-sample-nocode']
  const shown = inspect(everything, { depth: Infinity, customInspect: false, showHidden: true })
  const json = JSON.stringify(everything.map(({ message }) => ({ ...message, error: message.error?.message })))
  for (const token of tokens) {
    assert.ok(!shown.includes(token), `${token} in an inspected message`)
    assert.ok(!json.includes(token), `${token} in a message as JSON`)
  }
  assert.ok(json.includes('-nowgg-sa…'), 'the token start is there')
  assert.ok(everySpan.length > 0)
  const spanText = JSON.stringify(everySpan.map((s) => ({ name: s.name, attributes: s.attributes, status: s.status })))
  for (const token of tokens) assert.ok(!spanText.includes(token), `${token} in a span`)
})
