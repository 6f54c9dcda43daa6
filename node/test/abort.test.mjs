// An AbortSignal stops the wait at once, though a request on the wire cannot be
// interrupted; a call still queued behind maxInFlight is never sent.

import assert from 'node:assert/strict'
import { after, before, beforeEach, test } from 'node:test'

import { Client, NowggError } from 'nowgg-payments'
import { startSandbox } from './sandbox.mjs'

const apiKey = 'abort-test-key'
let sandbox
let client
before(async () => {
  sandbox = await startSandbox(apiKey)
  // The hung calls below end by this deadline in the background; four run at once.
  client = new Client({ apiKey, baseUrl: sandbox.url, timeoutMs: 1500, maxRetries: 0, maxInFlight: 4 })
})
beforeEach(() => sandbox.reset())
after(() => sandbox.stop())

async function rejection(promise) {
  const outcome = await promise.then((value) => ({ value }), (error) => ({ error }))
  assert.ok(outcome.error, `expected a rejection, got ${JSON.stringify(outcome.value)}`)
  return outcome.error
}

// First, while the client's threads are idle: the hung calls of the tests below keep some busy.
test('a call still queued behind maxInFlight is cancelled and never sent', async () => {
  // Four hung calls fill the client's four threads; the fifth waits in the queue.
  await sandbox.addFaults({ match: 'verify', action: 'hang', count: 4 })
  const busy = Array.from({ length: 4 }, () => rejection(client.verifyPurchase('-nowgg-sample-paid')))
  await sandbox.waitForRequests(4)
  const controller = new AbortController()
  const queued = client.verifyPurchase('-nowgg-sample-unpaid', { signal: controller.signal })
  controller.abort()
  assert.equal((await rejection(queued)).code, 'TIMEOUT')
  for (const error of await Promise.all(busy)) assert.equal(error.code, 'TIMEOUT')
  // The queued call took a thread once the hung ones ended, and returned unsent.
  const after = await client.verifyPurchase('-nowgg-sample-paid')
  assert.equal(after.isPaid, true)
  const tokens = (await sandbox.requests()).map((r) => r.form.purchaseToken)
  assert.deepEqual(tokens, Array(5).fill('-nowgg-sample-paid'))
})

test('a signal aborted mid-call rejects promptly with a TIMEOUT NowggError', async () => {
  await sandbox.addFaults({ match: 'verify', action: 'hang' })
  const controller = new AbortController()
  const call = client.verifyPurchase('-nowgg-sample-paid', { signal: controller.signal })
  await sandbox.waitForRequests(1)
  const reason = new Error('the player left')
  const abortedAt = performance.now()
  controller.abort(reason)
  const error = await rejection(call)
  const waited = performance.now() - abortedAt
  assert.ok(error instanceof NowggError)
  assert.equal(error.code, 'TIMEOUT')
  assert.equal(error.retryable, true)
  assert.equal(error.cause, reason)
  assert.match(error.message, /aborted/)
  // The call itself would only end at its 1.5 s deadline.
  assert.ok(waited < 500, `rejected ${Math.round(waited)} ms after the abort`)
})

test('an aborted consume rejects promptly too', async () => {
  await sandbox.addFaults({ match: 'consume', action: 'hang' })
  const call = client.consumePurchase('-nowgg-sample-paid', { signal: AbortSignal.timeout(200) })
  const started = performance.now()
  const error = await rejection(call)
  assert.equal(error.code, 'TIMEOUT')
  assert.equal(error.cause?.name, 'TimeoutError')
  assert.ok(performance.now() - started < 1200)
})

test('a signal aborted already sends nothing', async () => {
  const error = await rejection(
    client.verifyPurchase('-nowgg-sample-paid', { signal: AbortSignal.abort() }),
  )
  assert.equal(error.code, 'TIMEOUT')
  assert.deepEqual(await sandbox.requests(), [])
})

test("the caller's signal keeps its own onabort handler", async () => {
  const controller = new AbortController()
  const mine = () => {}
  controller.signal.onabort = mine
  await client.verifyPurchase('-nowgg-sample-paid', { signal: controller.signal })
  assert.equal(controller.signal.onabort, mine)
})

test('an aborted verifyForGrant rejects promptly too', async () => {
  await sandbox.addFaults({ match: 'verify', action: 'hang' })
  const call = client.verifyForGrant('-nowgg-sample-paid', { signal: AbortSignal.timeout(200) })
  const error = await rejection(call)
  assert.equal(error.code, 'TIMEOUT')
  assert.equal(error.cause?.name, 'TimeoutError')
})

test('a call that ends first is not affected by a later abort', async () => {
  const controller = new AbortController()
  const purchase = await client.verifyPurchase('-nowgg-sample-paid', { signal: controller.signal })
  controller.abort()
  assert.equal(purchase.isPaid, true)
})
