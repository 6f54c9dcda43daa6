// Calls/s of verifyPurchase against the sandbox: nowgg-payments next to the hand-written
// request a Node backend would otherwise make, with global fetch and with
// undici.request, each doing the same work (POST the form with the key, read the JSON,
// check `success`). Sequential and 8 in flight; the three alternate in short slices so
// that drift on the machine hits them alike; the median slice is reported.
// A benchmark, not a test: it asserts nothing.
//
//   cd bench/node && npm install && node bench.mjs [--seconds 1] [--rounds 5]

import { parseArgs } from 'node:util'
import { request } from 'undici'

import { Client } from 'nowgg-payments'
import { startSandbox } from '../../node/test/sandbox.mjs'

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '1' }, rounds: { type: 'string', default: '5' } },
})
const sliceMs = Number(values.seconds) * 1000
const rounds = Number(values.rounds)
const apiKey = 'bench-key'
const token = '-nowgg-sample-paid'
process.env.NOWGG_SANDBOX_BIN ??= new URL('../../target/release/nowgg-sandbox', import.meta.url).pathname

const sandbox = await startSandbox(apiKey)
const verifyUrl = `${sandbox.url}/v2/seller/order/verifyPurchase`
const form = new URLSearchParams({ purchaseToken: token }).toString()
const headers = { authorization: apiKey, 'content-type': 'application/x-www-form-urlencoded' }

function check(envelope) {
  if (!envelope.success || envelope.data?.purchaseToken !== token) throw new Error('unexpected answer')
}

const client = new Client({ apiKey, baseUrl: sandbox.url, maxRetries: 0 })
const contenders = {
  'nowgg-payments': async () => {
    const purchase = await client.verifyPurchase(token)
    if (!purchase.isPaid) throw new Error('unexpected answer')
  },
  fetch: async () => {
    const response = await fetch(verifyUrl, { method: 'POST', headers, body: form })
    check(await response.json())
  },
  'undici.request': async () => {
    const { body } = await request(verifyUrl, { method: 'POST', headers, body: form })
    check(await body.json())
  },
}

/** Calls/s of `call` with `inFlight` callers for one slice. */
async function slice(call, inFlight) {
  let calls = 0
  const end = performance.now() + sliceMs
  const started = performance.now()
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < end) {
        await call()
        calls++
      }
    }),
  )
  return calls / ((performance.now() - started) / 1000)
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

const names = Object.keys(contenders)
const results = {}
for (const inFlight of [1, 8]) {
  for (const name of names) await slice(contenders[name], inFlight) // warm-up: connections, JIT
  const samples = Object.fromEntries(names.map((n) => [n, []]))
  for (let round = 0; round < rounds; round++) {
    // Rotate who goes first, so no contender always follows the same one.
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length]
      samples[name].push(await slice(contenders[name], inFlight))
    }
  }
  results[inFlight] = Object.fromEntries(names.map((n) => [n, median(samples[n])]))
}
await sandbox.stop()

const pool = process.env.UV_THREADPOOL_SIZE ?? '4 (default)'
console.log(`verifyPurchase against the sandbox, calls/s (median of ${rounds} slices of ${sliceMs} ms;`)
console.log(`node ${process.version}, UV_THREADPOOL_SIZE ${pool})\n`)
const column = (text) => String(text).padStart(16)
console.log(`${'in flight'.padEnd(10)}${names.map(column).join('')}${column('vs fetch')}${column('vs undici')}`)
for (const [inFlight, row] of Object.entries(results)) {
  const ours = row['nowgg-payments']
  const cells = names.map((n) => column(Math.round(row[n])))
  const ratios = [row.fetch, row['undici.request']].map((other) => column(`${(ours / other).toFixed(2)}x`))
  console.log(`${String(inFlight).padEnd(10)}${cells.join('')}${ratios.join('')}`)
}
