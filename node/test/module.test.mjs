// The package works through `import` and `require`, with one set of classes.

import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'

import nowgg, { Client, ConsumptionState, NowggError, PurchaseState, errorKinds, isNowggToken } from 'nowgg-payments'

const require = createRequire(import.meta.url)

test('require and import give the same objects', () => {
  const cjs = require('nowgg-payments')
  assert.equal(cjs.Client, Client)
  assert.equal(cjs.NowggError, NowggError)
  assert.equal(nowgg.Client, Client)
  assert.deepEqual(Object.keys(cjs).sort(), [
    'Client',
    'ConsumptionState',
    'NowggError',
    'PurchaseState',
    'channels',
    'errorKinds',
    'isNowggToken',
    'stringFields',
  ])
})

test('NowggError is an Error with its own name and fields', () => {
  const error = new NowggError('boom', { code: 'TIMEOUT', retryable: true })
  assert.ok(error instanceof Error)
  assert.equal(error.name, 'NowggError')
  assert.equal(error.code, 'TIMEOUT')
  assert.equal(error.apiCode, null)
  assert.equal(error.httpStatus, null)
  assert.equal(error.retryable, true)
  assert.match(String(error), /^NowggError: boom/)
})

test('errors thrown by the addon are instances for both module systems', () => {
  assert.throws(() => new Client({}), require('nowgg-payments').NowggError)
})

test('the state constants are the API values', () => {
  assert.deepEqual({ ...PurchaseState }, { Unpaid: 0, Paid: 1, Failed: 2 })
  assert.deepEqual({ ...ConsumptionState }, { NotConsumed: 0, Consumed: 1 })
})

test('isNowggToken tells No Code tokens apart', () => {
  assert.equal(isNowggToken('-nowgg-4f1c'), true)
  assert.equal(isNowggToken('GPA.3345-1234'), false)
  assert.equal(isNowggToken(42), false)
})

test("errorKinds lists the core's kinds, in the order of their numbers", () => {
  const kinds = errorKinds()
  assert.equal(kinds[0], 'INVALID_ARGUMENT')
  assert.equal(kinds.at(-1), 'MULTISTORE_AUTH_ERROR')
  assert.ok(kinds.includes('NOT_PAID') && kinds.includes('ALREADY_CONSUMED'))
  assert.equal(new Set(kinds).size, kinds.length)
})
