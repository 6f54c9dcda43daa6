// A purchase prints (util.inspect, console.log, util.format) only the start of its
// token, on the purchase and on its `raw`, by the core's rule (short_token in
// core/src/redact.rs: at most 10 characters and never more than half, then `…`, as
// Rust's Debug and Python's repr print it); JSON.stringify and property access keep
// the whole token. Against the sandbox, so the purchase is the one the addon makes.

import assert from 'node:assert/strict'
import { Console } from 'node:console'
import { Writable } from 'node:stream'
import { after, before, test } from 'node:test'
import { format, inspect } from 'node:util'

import { Client } from 'nowgg-payments'
import { runProgram } from './deploy/run.mjs'
import { startSandbox } from './sandbox.mjs'

const apiKey = 'inspect-test-key'
const token = '-nowgg-Zq8xTn4LwP2mVb7rKc1sYd6h'
// The core's own examples of short_token (its doc and unit tests).
const examples = {
  '-nowgg-sample-paid': '-nowgg-sa…',
  '-nowgg-0123456789abcdef': '-nowgg-012…',
  abcd: 'ab…',
  a: '…',
  'ünïcödé': 'ünï…',
}

let sandbox
let client
before(async () => {
  sandbox = await startSandbox(apiKey)
  client = new Client({ apiKey, baseUrl: sandbox.url })
  const data = { orderId: 'GPA.inspect', packageName: 'com.example.game', productId: 'gems_100', purchaseState: 1 }
  for (const t of [token, ...Object.keys(examples)]) {
    await sandbox.addPurchase({ token: t, data: { ...data, vendorExtra: { nested: [{ deep: 'value' }] } } })
  }
})
after(() => sandbox.stop())

/** Every way a server may print a purchase, each as text. */
function views(purchase) {
  let printed = ''
  const sink = new Writable({
    write(chunk, _encoding, done) {
      printed += chunk
      done()
    },
  })
  const console = new Console({ stdout: sink, stderr: sink })
  console.log(purchase)
  console.log('purchase %o', purchase)
  console.error('verified', purchase)
  // Not console.dir: Node's passes `customInspect: false` (it shows the object as it
  // is), and so shows the whole token, as console.table does.
  return {
    console: printed,
    inspect: inspect(purchase),
    deep: inspect(purchase, { depth: Infinity, showHidden: true }),
    colors: inspect(purchase, { colors: true }),
    oneLine: inspect(purchase, { breakLength: Infinity, compact: true }),
    expanded: inspect(purchase, { compact: false }),
    raw: inspect(purchase.raw),
    nested: inspect({ order: { purchases: [purchase] }, byToken: new Map([['p', purchase]]) }, { depth: 6 }),
    formatO: format('%O', purchase),
    formatS: format('%s', purchase),
    formatJoined: format('verified', purchase),
  }
}

test("inspecting a purchase shows the start of its token, by the core's rule, never the whole", async () => {
  const purchase = await client.verifyPurchase(token)
  assert.equal(purchase.purchaseToken, token)
  for (const [name, text] of Object.entries(views(purchase))) {
    assert.ok(!text.includes(token), `${name} shows the whole token:\n${text}`)
    assert.ok(!text.includes('Zq8xTn4L'), `${name} shows the token past its start:\n${text}`)
    assert.ok(text.includes('-nowgg-Zq8…'), `${name} does not show the start of the token:\n${text}`)
  }
  // Both the purchase's token and raw's are shortened, the rest is printed as it is.
  const text = inspect(purchase, { depth: Infinity })
  assert.equal(text.match(/purchaseToken: '-nowgg-Zq8…'/g)?.length, 2, text)
  assert.match(text, /orderId: 'GPA\.inspect'/)
  assert.match(text, /vendorExtra: \{ nested: \[ \{ deep: 'value' \} \] \}/)
  assert.match(inspect(purchase, { depth: 0 }), /raw: \[Object\]/)
})

test('the shortened token is the one Rust and Python print', async () => {
  for (const [full, short] of Object.entries(examples)) {
    const purchase = await client.verifyPurchase(full)
    assert.equal(purchase.purchaseToken, full)
    const text = inspect(purchase)
    assert.equal(text.split(`purchaseToken: '${short}'`).length - 1, 2, `${full}:\n${text}`)
    assert.ok(!text.includes(`'${full}'`), `${full} shown whole:\n${text}`)
  }
})

test('JSON.stringify, property access, spreading and cloning keep the whole token', async () => {
  const purchase = await client.verifyPurchase(token)
  const json = JSON.stringify(purchase)
  assert.equal(json.split(token).length - 1, 2, json)
  assert.deepEqual(JSON.parse(json), purchase)
  assert.deepEqual(JSON.parse(JSON.stringify({ purchase })).purchase.raw.purchaseToken, token)
  assert.equal(purchase.raw.purchaseToken, token)
  assert.equal({ ...purchase }.purchaseToken, token)
  assert.equal(structuredClone(purchase).raw.purchaseToken, token)
  // Still a plain object: the printing rule is neither a key nor a prototype.
  assert.equal(Object.getPrototypeOf(purchase), Object.prototype)
  assert.equal(Object.getPrototypeOf(purchase.raw), Object.prototype)
  assert.ok(!Object.keys(purchase).some((key) => typeof key !== 'string'))
  assert.ok(Object.keys(purchase).includes('purchaseToken'))
})

test("verifyForGrant's purchase prints the same way", async () => {
  const purchase = await client.verifyForGrant(token, { packageName: 'com.example.game', productIds: ['gems_100'] })
  assert.equal(purchase.purchaseToken, token)
  const text = inspect(purchase)
  assert.ok(!text.includes(token), text)
  assert.equal(text.match(/purchaseToken: '-nowgg-Zq8…'/g)?.length, 2, text)
})

test('a token the API sent as a number is shortened as its text', async () => {
  const number = 98765432109876
  await sandbox.addPurchase({ token: 'numeric-token', data: { purchaseToken: number, purchaseState: 1 } })
  const purchase = await client.verifyPurchase('numeric-token')
  assert.equal(purchase.purchaseToken, String(number))
  assert.equal(purchase.raw.purchaseToken, number)
  const text = inspect(purchase)
  assert.ok(!text.includes(String(number)), text)
  assert.equal(text.split("purchaseToken: '9876543…'").length - 1, 2, text)
  assert.ok(JSON.stringify(purchase).includes(String(number)))
})

test("the runtime's own console.log of a purchase shows only the start of the token", async () => {
  const { code, stdout, stderr } = await runProgram('print.mjs', [sandbox.url, apiKey, token], { timeout: 30_000 })
  assert.equal(code, 0, stderr)
  const [printed, json] = stdout.split('\njson ')
  assert.ok(!printed.includes(token), printed)
  assert.ok(printed.includes('-nowgg-Zq8…'), printed)
  assert.equal(JSON.parse(json).purchaseToken, token)
})
