// The shape of the purchase object: the addon hands it over as JSON text that index.js
// parses (src/purchase.rs), and users must still get what index.d.ts declares: a plain
// object with every field, null where the API sent nothing, and `raw` as a plain object.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'

import { Client } from 'nowgg-payments'
import { startSandbox } from './sandbox.mjs'

const apiKey = 'shape-key'
const fields = [
  'appId', 'countryCode', 'currency', 'developerPayload', 'environment', 'kind', 'orderAmount',
  'orderId', 'packageName', 'payStatusTxt', 'payTimeTxt', 'productId', 'productName',
  'purchaseTime', 'purchaseTimeMillis', 'purchaseToken', 'regionCode', 'sellerGoodsId',
  'purchaseState', 'consumptionState', 'purchaseTimeMs', 'isPaid', 'isConsumed', 'isTestOrder',
  'raw',
]

let sandbox
before(async () => {
  sandbox = await startSandbox(apiKey)
})
after(() => sandbox.stop())

test('a purchase is a plain object with every declared field and raw as sent', async () => {
  const data = {
    orderId: 'GPA.shape',
    purchaseState: 1,
    newVendorField: { list: [1, 2.5, null, 'text', true], nested: { deep: {} } },
  }
  await sandbox.addPurchase({ token: '-nowgg-shape', data })
  const client = new Client({ apiKey, baseUrl: sandbox.url })
  const purchase = await client.verifyPurchase('-nowgg-shape')

  assert.equal(Object.getPrototypeOf(purchase), Object.prototype)
  assert.deepEqual(Object.keys(purchase), fields)
  assert.equal(purchase.orderId, 'GPA.shape')
  assert.equal(purchase.purchaseState, 1)
  assert.equal(purchase.isPaid, true)
  for (const absent of ['appId', 'currency', 'consumptionState', 'purchaseTimeMs']) {
    assert.equal(purchase[absent], null, absent)
  }
  assert.equal(Object.getPrototypeOf(purchase.raw), Object.prototype)
  assert.deepEqual(purchase.raw, { ...data, purchaseToken: '-nowgg-shape' })
})
