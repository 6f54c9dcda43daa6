// Neither the API key nor a whole purchase token shows in an error, an inspected or
// serialised client, or an inspected error: for every kind of error of the core's table
// (errorKinds()), each triggered against the sandbox, whose faults echo the key and the
// token back. The ErrorCode union of index.d.ts is held to the same table.

import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { after, before, test } from 'node:test'
import { inspect } from 'node:util'

import { Client, errorKinds } from 'nowgg-payments'
import { startSandbox } from './sandbox.mjs'

const apiKey = 'sk-live-9f3c2e7a41d84b6c'
const wrongKey = 'sk-live-wrong-0a1b2c3d4e5f'
const token = '-nowgg-Zq8xTn4LwP2mVb7rKc1sYd6h'
let sandbox
before(async () => {
  sandbox = await startSandbox(apiKey)
})
after(() => sandbox.stop())

function assertHidden(text, ...secrets) {
  for (const secret of secrets) assert.ok(!text.includes(secret), `${JSON.stringify(secret)} leaked in: ${text}`)
}

function everythingAbout(error) {
  return [error.message, error.stack, inspect(error), JSON.stringify(error), String(error)].join('\n')
}

test('inspecting or serialising a client shows its base URL, never the key', () => {
  const client = new Client({ apiKey, baseUrl: sandbox.url })
  const views = [
    inspect(client),
    inspect(client, { showHidden: true, depth: Infinity }),
    JSON.stringify(client),
    JSON.stringify({ client }),
    String(Object.keys(client)),
    String(Object.getOwnPropertyNames(client)),
  ]
  for (const view of views) assertHidden(view, apiKey)
  assert.match(inspect(client), /baseUrl/)
  assert.deepEqual(JSON.parse(JSON.stringify(client)), { baseUrl: sandbox.url })
})

test('a refused key is not in the error', async () => {
  const client = new Client({ apiKey: wrongKey, baseUrl: sandbox.url })
  const error = await client.verifyPurchase(token).catch((e) => e)
  assert.equal(error.code, 'INVALID_AUTHORIZATION_KEY')
  assertHidden(everythingAbout(error), wrongKey, apiKey, token)
})

test('an unknown token is shortened in the error', async () => {
  const client = new Client({ apiKey, baseUrl: sandbox.url })
  const error = await client.verifyPurchase(token).catch((e) => e)
  assert.equal(error.code, 'INVALID_PURCHASE_TOKEN')
  assertHidden(everythingAbout(error), apiKey, token)
})

test('a key that is refused before any I/O is not echoed', () => {
  const injected = `${apiKey}\r\nX-Evil: 1`
  const error = (() => {
    try {
      return new Client({ apiKey: injected, baseUrl: sandbox.url })
    } catch (e) {
      return e
    }
  })()
  assert.equal(error.code, 'INVALID_ARGUMENT')
  assertHidden(everythingAbout(error), apiKey)
})

test('a transport failure does not carry the key or the token', async () => {
  const client = new Client({ apiKey, baseUrl: 'http://127.0.0.1:9', maxRetries: 0 })
  const error = await client.consumePurchase(token).catch((e) => e)
  assert.equal(error.code, 'CONNECTION')
  assertHidden(everythingAbout(error), apiKey, token)
})

// A gateway that echoes the request into its answer.
const echo = `Authorization: ${apiKey} purchaseToken=${token}`
const verify = (options = {}) => () =>
  new Client({ apiKey, baseUrl: sandbox.url, maxRetries: 0, ...options }).verifyPurchase(token)
const consume = () => new Client({ apiKey, baseUrl: sandbox.url }).consumePurchase(token)
const grant = (policy, data = {}) => async () => {
  await sandbox.addPurchase({ token, data: { orderId: 'GPA.secret', purchaseState: 1, ...data } })
  return new Client({ apiKey, baseUrl: sandbox.url }).verifyForGrant(token, policy)
}
const apiCode = (code) => [{ action: 'api_code', code, msg: echo }]

// Each kind: the faults queued, and the call that then fails with it.
const everyKind = {
  INVALID_ARGUMENT: [[], () => new Client({ apiKey: `${apiKey}\n`, baseUrl: sandbox.url })],
  TIMEOUT: [[{ action: 'hang' }], verify({ timeoutMs: 300 })],
  CONNECTION: [[{ action: 'drop_before' }], verify()],
  HTTP_STATUS: [[{ action: 'status', status: 502, body: echo }], verify()],
  DECODE: [[{ action: 'oversized', bytes: 10000 }], verify({ maxResponseBytes: 4096 })],
  API_ERROR: [apiCode(4242), verify()],
  ERROR_CONSUMING_PRODUCT: [apiCode(3800), consume],
  INVALID_AUTHORIZATION_KEY: [[], verify({ apiKey: wrongKey })],
  INVALID_PURCHASE_TOKEN: [apiCode(3901), verify()],
  MULTISTORE_UNKNOWN_ERROR: [apiCode(5014), verify()],
  MULTISTORE_AUTH_ERROR: [apiCode(5015), verify()],
  NOT_PAID: [[], grant({}, { purchaseState: 0 })],
  ALREADY_CONSUMED: [[], grant({}, { consumptionState: 1 })],
  PACKAGE_MISMATCH: [[], grant({ packageName: 'com.example.game' }, { packageName: 'com.other' })],
  PRODUCT_MISMATCH: [[], grant({ productIds: ['gems_100'] }, { productId: 'gems_500' })],
  TEST_ORDER: [[], grant({}, { isTestOrder: true })],
}
// A caught panic: nothing outside the library can cause one (src/error.rs tests the
// guard that makes it INTERNAL with a fixed message).
const untriggerable = ['INTERNAL']

test("index.d.ts's ErrorCode is the core's kind table", () => {
  const declarations = join(dirname(createRequire(import.meta.url).resolve('nowgg-payments')), 'index.d.ts')
  const union = /export type ErrorCode =([^=]*?)\n\n/.exec(readFileSync(declarations, 'utf8'))[1]
  const kinds = [...union.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1])
  assert.deepEqual(kinds.sort(), [...errorKinds()].sort())
})

test('every kind of the core but a caught panic is triggered below', () => {
  assert.deepEqual([...Object.keys(everyKind), ...untriggerable].sort(), [...errorKinds()].sort())
})

for (const [code, [faults, call]] of Object.entries(everyKind)) {
  test(`${code}: neither the key nor the whole token shows`, async () => {
    await sandbox.reset()
    if (faults.length > 0) await sandbox.addFaults(faults)
    const error = await Promise.resolve().then(call).catch((e) => e)
    assert.equal(error.code, code, `${inspect(error)}`)
    assertHidden(everythingAbout(error), apiKey, wrongKey, token)
  })
}
