// Calls run on the library's own threads, not libuv's pool: while many are held by a
// slow server, the pool (fs, dns.lookup, crypto, zlib) stays free, at most maxInFlight
// reach the server at once, and the event loop stays open exactly while a call waits.
// The tests look at the order of events and at what the sandbox saw, not at the clock:
// how long a read takes under load is the benchmark's to measure (bench/node).

import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { after, before, beforeEach, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

import { Client } from 'nowgg-payments'
import { startSandbox } from './sandbox.mjs'

const apiKey = 'event-loop-test-key'
const token = '-nowgg-sample-paid'
const holdMs = 1000
let sandbox
before(async () => {
  // Every API answer is held this long: a far-away server, for every call.
  sandbox = await startSandbox(apiKey, '--latency-ms', String(holdMs))
})
beforeEach(() => sandbox.reset())
after(() => sandbox.stop())

test('while 64 calls are held 1 s each, fs.readFile completes before any of them', async () => {
  const client = new Client({ apiKey, baseUrl: sandbox.url, maxRetries: 0 })
  let ended = 0
  const calls = Promise.all(
    Array.from({ length: 64 }, () => client.verifyPurchase(token).finally(() => ended++)),
  )
  // On libuv's 4 pool threads the read would wait behind 60 of these calls; on the
  // library's own threads it ends while every call is still held at the sandbox.
  const text = await readFile(fileURLToPath(import.meta.url), 'utf8')
  const endedBeforeTheRead = ended
  assert.match(text, /fs\.readFile/)
  const purchases = await calls
  assert.ok(purchases.every((p) => p.isPaid))
  assert.equal(endedBeforeTheRead, 0, `${endedBeforeTheRead} calls ended before the read`)
  // All at once at the sandbox, not 4 at a time.
  const inFlight = (await sandbox.requests()).map((r) => r.in_flight)
  assert.ok(Math.max(...inFlight) > 32, `at most ${Math.max(...inFlight)} calls at the sandbox at once`)
})

test('maxInFlight: 8 keeps 32 slow calls to at most 8 at the server at once', async () => {
  const client = new Client({ apiKey, baseUrl: sandbox.url, maxRetries: 0, maxInFlight: 8 })
  const purchases = await Promise.all(Array.from({ length: 32 }, () => client.verifyPurchase(token)))
  assert.equal(purchases.length, 32)
  const inFlight = (await sandbox.requests()).map((r) => r.in_flight)
  assert.equal(inFlight.length, 32)
  // Never more than 8, and 8 reached: the calls did overlap up to the bound.
  assert.equal(Math.max(...inFlight), 8)
})

/** Runs `code` in a fresh node (the package resolved as here); its stdout, or a timeout. */
async function child(code) {
  const entry = createRequire(import.meta.url).resolve('nowgg-payments')
  const script = `const { Client } = require(${JSON.stringify(entry)})\n${code}`
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
    env: { ...process.env, SANDBOX_URL: sandbox.url, API_KEY: apiKey },
    timeout: 10_000,
  })
  return stdout.trim()
}

test('an idle client does not keep the process alive', async () => {
  const out = await child(`
    new Client({ apiKey: process.env.API_KEY, baseUrl: process.env.SANDBOX_URL })
    console.log('built')`)
  assert.equal(out, 'built')
})

test('a pending call keeps the process alive until it settles, then lets it end', async () => {
  const out = await child(`
    const client = new Client({ apiKey: process.env.API_KEY, baseUrl: process.env.SANDBOX_URL })
    client.verifyPurchase(${JSON.stringify(token)}).then((p) => console.log('paid', p.isPaid))`)
  assert.equal(out, 'paid true')
})
