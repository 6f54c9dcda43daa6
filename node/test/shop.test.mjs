// The fulfillment example (examples/node/shop.js, copied beside this folder by the test
// script) against the sandbox: one grant per purchase whatever is replayed, lost or
// raced; the record in SQLite is the lock, the consume only finishes the job.

import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, beforeEach, test } from 'node:test'

import { startWithClient } from './sandbox.mjs'

const { Shop } = createRequire(import.meta.url)('../examples/shop.js')

const apiKey = 'shop-test-key'
const packageName = 'com.example.game'
const dir = mkdtempSync(join(tmpdir(), 'nowgg-shop-'))
let sandbox
let client
let rounds = 0
before(async () => ({ sandbox, client } = await startWithClient(apiKey, { maxRetries: 0 })))
beforeEach(() => sandbox.reset())
after(async () => {
  await sandbox.stop()
  rmSync(dir, { recursive: true, force: true })
})

/** A shop on a ledger of its own; `servers` shops share it, as servers share a database. */
function shops(servers = 1) {
  const dbPath = join(dir, `ledger-${++rounds}.db`)
  return Array.from({ length: servers }, () => new Shop({ client, dbPath, packageName, catalogue: { gems_100: 'gems' } }))
}

/** A paid, unconsumed purchase of gems_100 in the sandbox; its token. */
async function paidPurchase(orderId) {
  const data = { orderId, packageName, productId: 'gems_100', purchaseState: 1, consumptionState: 0 }
  return (await sandbox.addPurchase({ data })).token
}

async function consumedAtNowgg(token) {
  return (await client.verifyPurchase(token)).isConsumed
}

function ledger(shop) {
  return {
    grants: shop.db.prepare('SELECT order_id, player_id, consumed FROM grants').all(),
    inventory: shop.db.prepare('SELECT player_id, item, quantity FROM inventory').all(),
  }
}

test('a purchase is granted once and consumed; a replay is answered from the record', async () => {
  const [shop] = shops()
  const token = await paidPurchase('GPA.1')
  assert.deepEqual(await shop.redeem('player-1', token), { status: 200, body: { granted: 'gems', orderId: 'GPA.1' } })
  assert.equal(await consumedAtNowgg(token), true)
  const replay = await shop.redeem('player-2', token)
  assert.deepEqual(replay, { status: 200, body: { alreadyDelivered: true, orderId: 'GPA.1' } })
  assert.deepEqual(ledger(shop), {
    grants: [{ order_id: 'GPA.1', player_id: 'player-1', consumed: 1 }],
    inventory: [{ player_id: 'player-1', item: 'gems', quantity: 1 }],
  })
})

test('a forged token, an unpaid purchase and another game are refused, and nothing is granted', async () => {
  const [shop] = shops()
  assert.equal((await shop.redeem('player-1', '-nowgg-forged-token')).status, 400)
  const unpaid = await shop.redeem('player-1', '-nowgg-sample-unpaid')
  assert.deepEqual(unpaid, { status: 402, body: { error: 'not grantable', code: 'NOT_PAID' } })
  const other = await sandbox.addPurchase({ data: { orderId: 'GPA.other', packageName: 'com.other', productId: 'gems_100', purchaseState: 1 } })
  assert.equal((await shop.redeem('player-1', other.token)).body.code, 'PACKAGE_MISMATCH')
  assert.deepEqual(ledger(shop), { grants: [], inventory: [] })
})

test('a consume whose answer is lost leaves the row to the sweep, which finishes it', async () => {
  const [shop] = shops()
  const token = await paidPurchase('GPA.lost')
  // The connection drops before the consume reaches now.gg, and the reconciling verify
  // shows it unconsumed: a retryable error, after the grant was recorded.
  await sandbox.addFaults({ match: 'consume', action: 'drop_before' })
  assert.equal((await shop.redeem('player-1', token)).body.granted, 'gems')
  assert.equal(await consumedAtNowgg(token), false)
  assert.equal(ledger(shop).grants[0].consumed, 0)
  // The replay before the sweep: verifyForGrant passes, the record says delivered.
  assert.equal((await shop.redeem('player-1', token)).body.alreadyDelivered, true)
  assert.equal(await shop.sweep(), 0)
  assert.equal(await consumedAtNowgg(token), true)
  assert.deepEqual(ledger(shop).inventory, [{ player_id: 'player-1', item: 'gems', quantity: 1 }])
})

test('two servers racing on one token, one consume answer lost after it applied: one grant', async () => {
  for (let round = 0; round < 20; round++) {
    const [a, b] = shops(2)
    const token = await paidPurchase(`GPA.race-${round}`)
    await sandbox.addFaults({ match: 'consume', action: 'drop_after' })
    const replies = await Promise.all([a.redeem('player-a', token), b.redeem('player-b', token)])
    const granted = replies.filter((r) => r.body.granted === 'gems')
    assert.equal(granted.length, 1, `round ${round}: ${JSON.stringify(replies)}`)
    const { grants, inventory } = ledger(a)
    assert.equal(grants.length, 1)
    assert.equal(inventory.reduce((sum, row) => sum + row.quantity, 0), 1)
    await a.sweep()
    assert.equal(await consumedAtNowgg(token), true)
    for (const shop of [a, b]) shop.db.close()
  }
})
