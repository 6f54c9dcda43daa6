// The blocking core calls run on libuv's pool: the event loop keeps turning meanwhile.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'

import { Client } from 'nowgg-payments'
import { startSandbox } from './sandbox.mjs'

const apiKey = 'event-loop-test-key'
let sandbox
before(async () => {
  sandbox = await startSandbox(apiKey)
})
after(() => sandbox.stop())

test('8 verifies delayed 1 s each run in parallel while a 10 ms interval keeps firing', async () => {
  const client = new Client({ apiKey, baseUrl: sandbox.url, maxRetries: 0 })
  await sandbox.addFaults({ match: 'verify', delay_ms: 1000, count: 8 })
  let ticks = 0
  const interval = setInterval(() => ticks++, 10)
  const started = performance.now()
  try {
    const purchases = await Promise.all(
      Array.from({ length: 8 }, () => client.verifyPurchase('-nowgg-sample-paid')),
    )
    assert.ok(purchases.every((p) => p.isPaid))
  } finally {
    clearInterval(interval)
  }
  const elapsed = performance.now() - started
  // Run one after the other on the event loop they would take 8 s with no tick at all.
  // Four pool threads take about 2 s; the bounds are generous.
  assert.ok(elapsed < 5000, `8 calls took ${Math.round(elapsed)} ms`)
  assert.ok(elapsed >= 1000, `the delay fault did not apply (${Math.round(elapsed)} ms)`)
  assert.ok(ticks >= 25, `the interval fired only ${ticks} times in ${Math.round(elapsed)} ms`)
})
