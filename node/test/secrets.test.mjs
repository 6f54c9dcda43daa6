// Neither the API key nor a whole purchase token shows in an error, an inspected or
// serialised client, or an inspected error.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { inspect } from 'node:util'

import { Client } from 'nowgg-payments'
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
