// Every case of tests/conformance/cases.json, one test each, against the sandbox binary
// over real HTTP (the rules are in tests/conformance/README.md).

import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'

import { Client, NowggError } from 'nowgg-payments'
import { startSandbox } from './sandbox.mjs'

const casesFile = process.env.NOWGG_CONFORMANCE_CASES
if (!casesFile) throw new Error('NOWGG_CONFORMANCE_CASES must name tests/conformance/cases.json')
const file = JSON.parse(readFileSync(casesFile, 'utf8'))

function clientFor(sandbox, options = {}) {
  return new Client({
    apiKey: options.api_key ?? file.api_key,
    baseUrl: sandbox.url + (options.base_url_suffix ?? ''),
    timeoutMs: options.timeout_ms ?? 5000,
    connectTimeoutMs: options.connect_timeout_ms ?? 5000,
    maxRetries: options.max_retries ?? 0,
    ...(options.deadline_ms === undefined ? {} : { deadlineMs: options.deadline_ms }),
    ...(options.max_response_bytes === undefined ? {} : { maxResponseBytes: options.max_response_bytes }),
  })
}

function run(client, call) {
  if (call.op === 'verify') return client.verifyPurchase(call.token)
  if (call.op === 'verify_for_grant') {
    const { package_name: packageName, product_ids: productIds, allow_test_orders: allowTestOrders } = call.policy ?? {}
    return client.verifyForGrant(call.token, { packageName, productIds, allowTestOrders })
  }
  if (call.op !== 'consume') throw new Error(`unknown op ${call.op}`)
  const options = {}
  if (call.store !== undefined) options.store = call.store
  if (call.product_id !== undefined) options.productId = call.product_id
  if (call.currency !== undefined) options.currency = call.currency
  if (call.developer_payload !== undefined) options.developerPayload = call.developer_payload
  return client.consumePurchase(call.token, options)
}

function checkPurchase(purchase, expected) {
  for (const [key, value] of Object.entries(expected)) {
    if (key === 'raw') {
      for (const [field, json] of Object.entries(value)) {
        assert.deepEqual(purchase.raw[field], json, `raw.${field}`)
      }
    } else {
      assert.ok(key in purchase, `the purchase has no key ${key}`)
      assert.deepEqual(purchase[key], value, key)
    }
  }
}

/** Checks a call's outcome ({ value } or { error }) against an `expect` of the file. */
function check(call, expect, { value, error }, where = '') {
  if (expect.error === undefined) {
    assert.equal(error, undefined, `${where}expected success, got ${error?.code}: ${error?.message}`)
    if (call.op === 'consume') {
      assert.ok(['consumed', 'already_consumed'].includes(value), `${where}outcome ${value}`)
      if (expect.outcome !== undefined) assert.equal(value, expect.outcome, `${where}outcome`)
    }
    if (expect.purchase) checkPurchase(value, expect.purchase)
    return
  }
  assert.ok(error instanceof NowggError, `${where}expected a NowggError, got ${error ?? 'success'}`)
  assert.equal(error.code, expect.error.kind, `${where}${error.message}`)
  if ('api_code' in expect.error) assert.equal(error.apiCode, expect.error.api_code, `${where}apiCode`)
  if ('http_status' in expect.error) assert.equal(error.httpStatus, expect.error.http_status, `${where}httpStatus`)
  if ('retryable' in expect.error) assert.equal(error.retryable, expect.error.retryable, `${where}retryable`)
}

describe('conformance', () => {
  let sandbox
  before(async () => {
    sandbox = await startSandbox(file.api_key)
  })
  after(() => sandbox.stop())

  for (const c of file.cases) {
    const skip = c.skip?.includes('node') ? c.why ?? true : false
    test(c.name, { skip }, async () => {
      await sandbox.reset()
      for (const purchase of c.setup?.purchases ?? []) await sandbox.addPurchase(purchase)
      const client = clientFor(sandbox, c.client)
      for (const step of c.steps ?? []) await run(client, step)
      const seen = (await sandbox.requests()).length
      if (c.setup?.faults) await sandbox.addFaults(c.setup.faults)

      const started = performance.now()
      const outcome = await run(client, c.call).then(
        (value) => ({ value }),
        (error) => ({ error }),
      )
      const elapsed = performance.now() - started

      check(c.call, c.expect, outcome)
      if (c.max_elapsed_ms !== undefined) {
        assert.ok(elapsed <= c.max_elapsed_ms, `took ${Math.round(elapsed)} ms, limit ${c.max_elapsed_ms}`)
      }
      const logged = (await sandbox.requests()).slice(seen)
      if (c.expect_paths) assert.deepEqual(logged.map((r) => r.path), c.expect_paths, 'paths')
      if (c.expect_forms) assert.deepEqual(logged.map((r) => r.form), c.expect_forms, 'forms')
      for (const [i, then] of (c.then ?? []).entries()) {
        const answer = await run(client, then.call).then((value) => ({ value }), (error) => ({ error }))
        check(then.call, then.expect, answer, `then[${i}]: `)
      }
    })
  }
})
