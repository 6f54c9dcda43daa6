// Bad arguments give INVALID_ARGUMENT NowggErrors (thrown by the constructor, rejected by
// the calls), never a crash, and never a request.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'

import { Client, NowggError } from 'nowgg-payments'
import { startSandbox } from './sandbox.mjs'

const apiKey = 'arguments-test-key'
let sandbox
let client
before(async () => {
  sandbox = await startSandbox(apiKey)
  client = new Client({ apiKey, baseUrl: sandbox.url })
})
after(() => sandbox.stop())

function assertInvalid(error, mentions) {
  assert.ok(error instanceof NowggError, `expected a NowggError, got ${error}`)
  assert.equal(error.code, 'INVALID_ARGUMENT')
  assert.equal(error.retryable, false)
  assert.equal(error.apiCode, null)
  assert.equal(error.httpStatus, null)
  assert.match(error.message, mentions)
}

const badOptions = [
  [undefined, /options\.apiKey is required/],
  [{}, /options\.apiKey is required/],
  ['the-key', /options must be an object/],
  [{ apiKey: 42 }, /options\.apiKey must be a string/],
  [{ apiKey: '' }, /key/i],
  [{ apiKey, region: 'mars' }, /unknown region/],
  [{ apiKey, baseUrl: 'http://example.com' }, /loopback|https/i],
  [{ apiKey, timeoutMs: -1 }, /options\.timeoutMs must be a number/],
  [{ apiKey, timeoutMs: '5000' }, /options\.timeoutMs must be a number/],
  [{ apiKey, connectTimeoutMs: Number.NaN }, /options\.connectTimeoutMs must be a number/],
  [{ apiKey, maxRetries: 1.5 }, /options\.maxRetries must be a whole number/],
  [{ apiKey, maxResponseBytes: 0 }, /max_response_bytes/],
  [{ apiKey, timeout: 5000 }, /unknown key "timeout"/],
  [{ apiKey, caCerts: 'not a certificate' }, /PEM/],
]

for (const [options, mentions] of badOptions) {
  test(`new Client(${JSON.stringify(options)}) throws INVALID_ARGUMENT`, () => {
    assert.throws(() => new Client(options), (error) => {
      assertInvalid(error, mentions)
      return true
    })
  })
}

const badVerifies = [
  [[42], /token must be a string/],
  [[undefined], /token must be a string/],
  [[{ token: '-nowgg-x' }], /token must be a string/],
  [[''], /token/],
  [['-nowgg-x', 'fast'], /options must be an object/],
  [['-nowgg-x', { signal: 'stop' }], /options\.signal must be an AbortSignal/],
  [['-nowgg-x', { store: 'nowgg' }], /unknown key "store"/],
]

for (const [args, mentions] of badVerifies) {
  test(`verifyPurchase(${args.map((a) => JSON.stringify(a)).join(', ')}) rejects`, async () => {
    const call = client.verifyPurchase(...args)
    assert.ok(call instanceof Promise, 'bad arguments reject, they do not throw')
    await assert.rejects(call, (error) => {
      assertInvalid(error, mentions)
      return true
    })
  })
}

const badConsumes = [
  [[42], /token must be a string/],
  [['-nowgg-x', { store: 'steam' }], /unknown store "steam"/],
  [['-nowgg-x', { store: 7 }], /options\.store must be a string/],
  [['-nowgg-x', { store: 'xiaomi' }], /product_id is required/],
  [['-nowgg-x', { store: 'amazon' }], /on the client/],
  [['-nowgg-x', { productId: 11223343 }], /options\.productId must be a string/],
  [['-nowgg-x', { product: 'gems' }], /unknown key "product"/],
]

for (const [args, mentions] of badConsumes) {
  test(`consumePurchase(${args.map((a) => JSON.stringify(a)).join(', ')}) rejects`, async () => {
    await assert.rejects(client.consumePurchase(...args), (error) => {
      assertInvalid(error, mentions)
      return true
    })
  })
}

test('no bad argument reached the sandbox', async () => {
  assert.deepEqual(await sandbox.requests(), [])
})
