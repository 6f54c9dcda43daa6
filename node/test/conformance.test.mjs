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
    ...(options.max_response_bytes === undefined ? {} : { maxResponseBytes: options.max_response_bytes }),
  })
}

function run(client, call) {
  if (call.op === 'verify') return client.verifyPurchase(call.token)
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

      const { expect } = c
      if (expect.ok) {
        assert.equal(outcome.error, undefined, `expected success, got ${outcome.error?.code}: ${outcome.error?.message}`)
        if (c.call.op === 'consume') assert.equal(outcome.value, undefined)
        if (expect.purchase) checkPurchase(outcome.value, expect.purchase)
      } else {
        const { error } = outcome
        assert.ok(error instanceof NowggError, `expected a NowggError, got ${error ?? 'success'}`)
        assert.equal(error.code, expect.error.kind, error.message)
        if ('api_code' in expect.error) assert.equal(error.apiCode, expect.error.api_code, 'apiCode')
        if ('http_status' in expect.error) assert.equal(error.httpStatus, expect.error.http_status, 'httpStatus')
        if ('retryable' in expect.error) assert.equal(error.retryable, expect.error.retryable, 'retryable')
      }
      if (c.max_elapsed_ms !== undefined) {
        assert.ok(elapsed <= c.max_elapsed_ms, `took ${Math.round(elapsed)} ms, limit ${c.max_elapsed_ms}`)
      }
      if (c.expect_paths) {
        const paths = (await sandbox.requests()).slice(seen).map((r) => r.path)
        assert.deepEqual(paths, c.expect_paths)
      }
    })
  }
})
