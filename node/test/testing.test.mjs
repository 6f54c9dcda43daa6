// nowgg-payments/testing: the sandbox inside the addon, as a game team's own tests use
// it. Also run under Bun and Deno (scripts/test-node.sh); the example's tests at the end
// only under Node, whose ledger (better-sqlite3) is a V8 addon, not napi.

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, test } from 'node:test'

import { NowggError } from 'nowgg-payments'
import { startSandbox, Sandbox } from 'nowgg-payments/testing'

const require = createRequire(import.meta.url)
const isNode = !process.versions.bun && !process.versions.deno

/** Whether `port` on 127.0.0.1 can be bound again. */
function portIsFree(port) {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

test('the CommonJS and ES module entries are the same objects', () => {
  const cjs = require('nowgg-payments/testing')
  assert.equal(cjs.startSandbox, startSandbox)
  assert.equal(cjs.Sandbox, Sandbox)
})

test('start time, and close frees the port (twice is fine)', async () => {
  const times = []
  for (let i = 0; i < 20; i++) {
    const started = performance.now()
    const sb = await startSandbox({ apiKey: 'k' })
    times.push(performance.now() - started)
    await sb.close()
  }
  times.sort((a, b) => a - b)
  console.log(`startSandbox: median ${times[10].toFixed(3)} ms, max ${times[19].toFixed(3)} ms over 20`)

  const sb = await startSandbox({ apiKey: 'my-key', latencyMs: 0 })
  assert.match(sb.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  assert.equal(sb.consoleUrl, `${sb.url}/_sandbox/`)
  assert.equal(sb.apiKey, 'my-key')
  const port = Number(new URL(sb.url).port)
  assert.equal(await portIsFree(port), false)
  assert.equal(sb.closed, false)
  await sb.close()
  await sb.close()
  assert.equal(sb.closed, true)
  assert.equal(await portIsFree(port), true)
  await assert.rejects(sb.requests(), /the sandbox is closed/)
})

// `await using sb = await startSandbox()` where the syntax exists (Node 24, TypeScript
// 5.2+); Node 20 has the symbol but not the syntax.
test('Symbol.asyncDispose closes it', { skip: typeof Symbol.asyncDispose !== 'symbol' && 'no Symbol.asyncDispose' }, async () => {
  const sb = await startSandbox()
  await sb[Symbol.asyncDispose]()
  assert.equal(sb.closed, true)
})

test('startSandbox rejects bad options', async () => {
  await assert.rejects(startSandbox({ apikey: 'x' }), { name: 'TypeError', message: /unknown option "apikey"/ })
  await assert.rejects(startSandbox({ apiKey: '' }), /apiKey must not be empty/)
  await assert.rejects(startSandbox({ latencyMs: -1 }), /latencyMs must be an integer/)
  await assert.rejects(startSandbox('key'), /options must be an object/)
})

test('latencyMs delays each API answer', async () => {
  const sb = await startSandbox({ latencyMs: 50 })
  const client = sb.client()
  const started = performance.now()
  await client.verifyPurchase('-nowgg-sample-paid')
  assert.ok(performance.now() - started >= 45)
  await sb.close()
})

test('addPurchase options round-trip through verifyPurchase', async () => {
  const sb = await startSandbox({ apiKey: 'k' })
  const client = sb.client({ maxRetries: 0 })

  const fresh = await sb.addPurchase()
  assert.match(fresh, /^-nowgg-[A-Za-z0-9]{24}$/)
  const defaults = await client.verifyPurchase(fresh)
  assert.equal(defaults.isPaid, true)
  assert.equal(defaults.isConsumed, false)
  assert.equal(defaults.isTestOrder, false)
  assert.equal(defaults.productId, 'gems_100')
  assert.equal(defaults.packageName, 'com.example.game')
  assert.match(defaults.orderId, /^NOWGG\.\d{20}$/)
  assert.equal(defaults.purchaseToken, fresh)
  assert.ok(Math.abs(defaults.purchaseTimeMs - Date.now()) < 60_000)
  assert.equal(defaults.raw.kind, 'nowgg#productPurchase')
  assert.equal(defaults.raw.payStatusTxt, 'Paid')

  const token = await sb.addPurchase({
    productId: 'coins_5', packageName: 'com.my.game', paid: false, consumed: true, testOrder: true,
    token: '-nowgg-my-token', orderId: 'GPA.42', data: { currency: 'EUR', developerPayload: 'player-7' },
  })
  assert.equal(token, '-nowgg-my-token')
  const p = await client.verifyPurchase(token)
  assert.deepEqual(
    [p.productId, p.packageName, p.isPaid, p.isConsumed, p.isTestOrder, p.orderId, p.currency, p.developerPayload],
    ['coins_5', 'com.my.game', false, true, true, 'GPA.42', 'EUR', 'player-7'],
  )
  assert.equal(p.raw.payStatusTxt, 'Unpaid')
  assert.deepEqual(await sb.purchase(token), p.raw)
  await assert.rejects(client.verifyForGrant(token), { code: 'NOT_PAID' })

  // A store decides how the purchase is consumed: Xiaomi's with type=xiaomi.
  const xiaomi = await sb.addPurchase({ store: 'xiaomi' })
  assert.equal(await client.consumePurchase(xiaomi, { store: 'xiaomi', productId: 'gems_100' }), 'consumed')
  assert.equal((await sb.purchase(xiaomi)).consumptionState, 1)
  assert.equal(await sb.purchase('-nowgg-unknown'), null)

  await assert.rejects(sb.addPurchase({ store: 'steam' }), { name: 'TypeError', message: /store must be one of/ })
  await assert.rejects(sb.addPurchase({ paid: 'yes' }), /paid must be a boolean/)
  await assert.rejects(sb.addPurchase({ product: 'x' }), /unknown option "product"/)
  await assert.rejects(sb.addPurchase({ data: [1] }), /data must be an object/)
  await assert.rejects(sb.addPurchase({ token: '' }), /token must not be empty/)
  await sb.close()
})

test('faults: status 503, drop_after on consume, times, and every action with its fields', async () => {
  const sb = await startSandbox({ apiKey: 'k' })
  const client = sb.client({ maxRetries: 0 })
  const token = await sb.addPurchase()

  await sb.addFault('status', { status: 503, match: 'verify' })
  const down = await client.verifyPurchase(token).catch((e) => e)
  assert.ok(down instanceof NowggError)
  assert.equal(down.code, 'HTTP_STATUS')
  assert.equal(down.httpStatus, 503)
  assert.equal(down.retryable, true)

  // The consume takes effect and its answer is lost: the reconciling verify sees it done.
  await sb.addFault('drop_after', { match: 'consume' })
  assert.equal(await client.consumePurchase(token), 'already_consumed')
  assert.equal((await sb.purchase(token)).consumptionState, 1)

  await sb.addFault('api_code', { code: 3900, times: 2 })
  await assert.rejects(client.verifyPurchase(token), { code: 'INVALID_AUTHORIZATION_KEY' })
  await assert.rejects(client.verifyPurchase(token), { code: 'INVALID_AUTHORIZATION_KEY' })
  assert.equal((await client.verifyPurchase(token)).isConsumed, true)

  await sb.addFault('json', { status: 200, body: { success: false, code: 5014, codeMsg: 'x', data: {} } })
  await assert.rejects(client.verifyPurchase(token), { code: 'MULTISTORE_UNKNOWN_ERROR' })
  await sb.addFault('malformed')
  await assert.rejects(client.verifyPurchase(token), { code: 'DECODE' })

  const every = [
    ['none', { delayMs: 5 }],
    ['hang', { match: 'consume' }],
    ['drop_before', { match: '/v2/order/consumePurchase' }],
    ['drop_after', {}],
    ['status', { status: 429, body: 'slow down', headers: { 'Retry-After': '1' }, contentType: 'text/plain' }],
    ['json', { status: 500, body: { error: true } }],
    ['api_code', { code: 3800, msg: 'no', status: 200 }],
    ['malformed', {}],
    ['empty', {}],
    ['oversized', { bytes: 4096 }],
  ]
  for (const [action, options] of every) await sb.addFault(action, { times: 3, ...options })
  const queued = await sb.faults()
  assert.deepEqual(queued.map((f) => f.action), every.map(([action]) => action))
  assert.ok(queued.every((f) => f.count === 3))
  assert.equal(queued[0].delay_ms, 5)
  assert.deepEqual(queued[4].headers, { 'Retry-After': '1' })
  assert.equal(queued[4].content_type, 'text/plain')
  assert.equal(queued[9].bytes, 4096)
  await sb.reset()

  const bad = [
    [['explode'], /action must be one of/],
    [[undefined], /action must be one of/],
    [['status'], /a status fault needs "status"/],
    [['status', { status: 42 }], /not a three-digit HTTP status/],
    [['none', { status: 500 }], /field "status" does not apply to action "none"/],
    [['api_code'], /an api_code fault needs "code"/],
    [['status', { status: 500, body: 1 }], /body must be a string/],
    [['none', { match: 'verfy' }], /match must be "verify", "consume", "any" or a path/],
    [['none', { times: -1 }], /times must be an integer/],
    [['none', { delayMs: 1.5 }], /delayMs must be an integer/],
    [['none', { count: 2 }], /unknown option "count"/],
    [['status', { status: 500, headers: { 'Content-Length': '1' } }], /set by the sandbox/],
  ]
  for (const [args, message] of bad) {
    await assert.rejects(sb.addFault(...args), { name: 'TypeError', message }, JSON.stringify(args))
  }
  assert.deepEqual(await sb.faults(), [])
  await sb.close()
})

test('requests() lists what the sandbox received, without the key', async () => {
  const sb = await startSandbox({ apiKey: 'secret-key' })
  const token = await sb.addPurchase({ token: '-nowgg-0123456789abcdef' })
  await sb.client().verifyPurchase(token)
  await assert.rejects(sb.client({ apiKey: 'wrong', maxRetries: 0 }).consumePurchase(token), { code: 'INVALID_AUTHORIZATION_KEY' })
  const [verify, consume] = await sb.requests()
  assert.equal(verify.method, 'POST')
  assert.equal(verify.call, 'verify')
  assert.equal(verify.authorized, true)
  assert.equal(verify.code, 0)
  assert.equal(verify.codeName, 'success')
  assert.equal(verify.status, 200)
  assert.equal(verify.tokenStart, '-nowgg-012…')
  assert.equal(verify.form.purchaseToken, token)
  assert.equal(typeof verify.durationMs, 'number')
  assert.equal(verify.inFlight, 1)
  assert.match(verify.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  assert.equal(consume.call, 'consume')
  assert.equal(consume.authorized, false)
  assert.equal(consume.codeName, 'INVALID_AUTHORIZATION_KEY')
  assert.ok(!JSON.stringify(await sb.requests()).includes('secret-key'))
  await sb.close()
})

test('reset returns to the samples, with no faults and an empty log', async () => {
  const sb = await startSandbox()
  const client = sb.client({ maxRetries: 0 })
  const token = await sb.addPurchase()
  await client.consumePurchase('-nowgg-sample-paid')
  await sb.addFault('empty', { times: 5 })
  await sb.reset()
  assert.equal(await sb.purchase(token), null)
  assert.deepEqual(await sb.faults(), [])
  assert.deepEqual(await sb.requests(), [])
  assert.equal((await client.verifyPurchase('-nowgg-sample-paid')).isConsumed, false)
  await sb.close()
})

test('an unclosed sandbox does not keep the process alive', { skip: !isNode && 'spawns node itself' }, () => {
  const script = "import('nowgg-payments/testing').then(async ({ startSandbox }) => { const sb = await startSandbox(); await sb.client().verifyPurchase('-nowgg-sample-paid'); console.log('open', sb.url) })"
  const started = performance.now()
  const run = spawnSync(process.execPath, ['-e', script], { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8', timeout: 20_000 })
  assert.equal(run.status, 0, run.stderr)
  assert.match(run.stdout, /^open http:/)
  assert.ok(performance.now() - started < 10_000)
})

// The fulfillment example (examples/node/shop.js, beside this folder in the test
// script's project) against an in-process sandbox, as a game team would test theirs.
if (isNode) {
  const { Shop } = require('../examples/shop.js')
  const packageName = 'com.example.game'
  const dir = mkdtempSync(join(tmpdir(), 'nowgg-testing-'))
  const sb = await startSandbox({ apiKey: 'shop-key' })
  const client = sb.client({ maxRetries: 0 })
  let rounds = 0
  const shop = () => new Shop({ client, dbPath: join(dir, `ledger-${++rounds}.db`), packageName, catalogue: { gems_100: 'gems' } })
  after(async () => {
    await sb.close()
    rmSync(dir, { recursive: true, force: true })
  })

  test('shop: granted once; a replay is answered from the record', async () => {
    await sb.reset()
    const s = shop()
    const token = await sb.addPurchase({ productId: 'gems_100', packageName, orderId: 'GPA.1' })
    assert.deepEqual(await s.redeem('player-1', token), { status: 200, body: { granted: 'gems', orderId: 'GPA.1' } })
    assert.equal((await sb.purchase(token)).consumptionState, 1)
    assert.deepEqual(await s.redeem('player-2', token), { status: 200, body: { alreadyDelivered: true, orderId: 'GPA.1' } })
    assert.equal(s.db.prepare('SELECT count(*) AS n FROM grants').get().n, 1)
  })

  test('shop: a lost consume answer (drop_after) is still one grant, consumed', async () => {
    await sb.reset()
    const s = shop()
    const token = await sb.addPurchase({ packageName, orderId: 'GPA.lost' })
    await sb.addFault('drop_after', { match: 'consume' })
    assert.equal((await s.redeem('player-1', token)).body.granted, 'gems')
    assert.equal((await sb.purchase(token)).consumptionState, 1)
    assert.equal(s.db.prepare('SELECT consumed FROM grants').get().consumed, 1)
    assert.deepEqual((await sb.requests()).map((r) => [r.call, r.fault]), [
      ['verify', null], ['consume', 'drop_after'], ['verify', null],
    ])
  })

  test('shop: now.gg down (503) asks the player to retry, grants nothing, then works', async () => {
    await sb.reset()
    const s = shop()
    const token = await sb.addPurchase({ packageName, orderId: 'GPA.down' })
    await sb.addFault('status', { status: 503, body: 'unavailable', times: 2 })
    assert.deepEqual(await s.redeem('player-1', token), { status: 503, body: { error: 'try again later', code: 'HTTP_STATUS' } })
    assert.equal(s.db.prepare('SELECT count(*) AS n FROM grants').get().n, 0)
    // Down again for the consume: granted, the row left for the sweep.
    await sb.reset()
    await sb.addPurchase({ packageName, orderId: 'GPA.down', token })
    await sb.addFault('status', { status: 503, match: 'consume' })
    assert.equal((await s.redeem('player-1', token)).body.granted, 'gems')
    assert.equal((await sb.purchase(token)).consumptionState, 0)
    assert.equal(await s.sweep(), 0)
    assert.equal((await sb.purchase(token)).consumptionState, 1)
  })

  test('shop: a forged token is refused and nothing is granted', async () => {
    await sb.reset()
    const s = shop()
    assert.equal((await s.redeem('player-1', '-nowgg-forged-token')).status, 400)
    assert.equal(s.db.prepare('SELECT count(*) AS n FROM grants').get().n, 0)
    assert.equal((await sb.requests())[0].codeName, 'INVALID_PURCHASE_TOKEN')
  })
}
