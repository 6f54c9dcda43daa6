// Bad arguments give INVALID_ARGUMENT NowggErrors (thrown by the constructor, rejected by
// the calls), never a crash, and never a request.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'

import { Client, NowggError } from 'nowgg-payments'
import { startWithClient } from './sandbox.mjs'

const apiKey = 'arguments-test-key'
let sandbox
let client
before(async () => ({ sandbox, client } = await startWithClient(apiKey)))
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
  // What has no Rust value is refused here...
  [{ apiKey, timeoutMs: -1 }, /options\.timeoutMs must be a number from 0/],
  [{ apiKey, timeoutMs: '5000' }, /options\.timeoutMs must be a number/],
  [{ apiKey, connectTimeoutMs: Number.NaN }, /options\.connectTimeoutMs must be a number/],
  [{ apiKey, deadlineMs: Infinity }, /options\.deadlineMs must be a number/],
  [{ apiKey, maxRetries: 1.5 }, /options\.maxRetries must be a whole number/],
  [{ apiKey, maxInFlight: 2.5 }, /options\.maxInFlight must be a whole number/],
  [{ apiKey, maxResponseBytes: 2 ** 53 }, /options\.maxResponseBytes must be a number from 0 to 2\^53-1/],
  // ...and ranges by the core, the same limits in every language.
  [{ apiKey, timeoutMs: 0 }, /timeout must be greater than zero and at most one day/],
  [{ apiKey, deadlineMs: 86_400_001 }, /deadline must be greater than zero and at most one day/],
  [{ apiKey, maxRetries: 101 }, /max_retries/],
  [{ apiKey, maxRetries: 2 ** 40 }, /max_retries/],
  [{ apiKey, maxInFlight: 0 }, /max_in_flight/],
  [{ apiKey, maxInFlight: 65_537 }, /max_in_flight/],
  [{ apiKey, maxResponseBytes: 0 }, /max_response_bytes/],
  [{ apiKey, proxy: 'socks5://127.0.0.1:1080' }, /SOCKS/i],
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

const badGrants = [
  [[7], /token must be a string/],
  [['-nowgg-x', 'com.example.game'], /policy must be an object/],
  [['-nowgg-x', { packageName: 7 }], /policy\.packageName must be a string/],
  [['-nowgg-x', { productIds: 'gems_100' }], /policy\.productIds must be an array of strings/],
  [['-nowgg-x', { productIds: ['gems_100', 7] }], /policy\.productIds must be an array of strings/],
  [['-nowgg-x', { allowTestOrders: 'yes' }], /policy\.allowTestOrders must be a boolean/],
  [['-nowgg-x', { productId: 'gems_100' }], /unknown key "productId"/],
]

for (const [args, mentions] of badGrants) {
  test(`verifyForGrant(${args.map((a) => JSON.stringify(a)).join(', ')}) rejects`, async () => {
    await assert.rejects(client.verifyForGrant(...args), (error) => {
      assertInvalid(error, mentions)
      return true
    })
  })
}

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
