// The purchase object against the core's field table (stringFields(), exported by the
// addon) and against its declaration in native.d.ts: a field added to the core and not
// reaching the object or the typings, or declared with other docs, fails here. No list
// of fields is written in this file.

import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { after, before, test } from 'node:test'

import { stringFields } from 'nowgg-payments'
import { startWithClient } from './sandbox.mjs'

const apiKey = 'shape-key'
let sandbox
let client
before(async () => ({ sandbox, client } = await startWithClient(apiKey)))
after(() => sandbox.stop())

/** The `Purchase` interface of native.d.ts: each member's name and doc text. */
function declaredPurchase() {
  const dir = dirname(createRequire(import.meta.url).resolve('nowgg-payments'))
  const text = readFileSync(join(dir, 'native.d.ts'), 'utf8')
  const body = /export interface Purchase \{\n([\s\S]*?)\n\}/.exec(text)[1]
  const members = new Map()
  for (const [, comment, name] of body.matchAll(/\/\*\*([\s\S]*?)\*\/\s*(\w+):/g)) {
    const doc = comment.replace(/^\s*\* ?/gm, '').replace(/\s+/g, ' ').trim()
    members.set(name, doc)
  }
  return members
}

test('every string field of the core is on the purchase, read from its own key', async () => {
  const fields = stringFields()
  assert.ok(fields.length > 0)
  // Each field carries its own name, so a field read from the wrong key shows.
  const data = Object.fromEntries(fields.map(({ name }) => [name, name]))
  const token = (await sandbox.addPurchase({ data: { ...data, purchaseToken: undefined } })).token
  const purchase = await client.verifyPurchase(token)
  for (const { name } of fields) {
    if (name === 'purchaseToken') assert.equal(purchase[name], token)
    else assert.equal(purchase[name], name, name)
  }
})

test('native.d.ts declares every key of the purchase object, and nothing else', async () => {
  const purchase = await client.verifyPurchase('-nowgg-sample-paid')
  assert.deepEqual(Object.keys(purchase).sort(), [...declaredPurchase().keys()].sort())
})

test("each string field is declared with the core's doc text", () => {
  const declared = declaredPurchase()
  for (const { name, doc } of stringFields()) {
    assert.equal(declared.get(name), doc.replace(/\s+/g, ' '), name)
  }
})

test('a purchase is a plain object: null where absent, raw as sent', async () => {
  const data = {
    orderId: 'GPA.shape',
    purchaseState: 1,
    newVendorField: { list: [1, 2.5, null, 'text', true], nested: { deep: {} } },
  }
  await sandbox.addPurchase({ token: '-nowgg-shape', data })
  const purchase = await client.verifyPurchase('-nowgg-shape')

  assert.equal(Object.getPrototypeOf(purchase), Object.prototype)
  assert.equal(purchase.orderId, 'GPA.shape')
  assert.equal(purchase.purchaseState, 1)
  assert.equal(purchase.isPaid, true)
  for (const { name } of stringFields()) {
    if (!(name in data) && name !== 'purchaseToken') assert.equal(purchase[name], null, name)
  }
  for (const absent of ['consumptionState', 'purchaseTimeMs']) assert.equal(purchase[absent], null, absent)
  assert.equal(Object.getPrototypeOf(purchase.raw), Object.prototype)
  assert.deepEqual(purchase.raw, { ...data, purchaseToken: '-nowgg-shape' })
})
