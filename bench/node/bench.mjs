// verifyPurchase against the sandbox: nowgg-payments next to the hand-written request a
// Node backend would otherwise make, with global fetch and with undici.request, each doing
// the same work (POST the form with the key, read the JSON, check the purchase state).
// A benchmark, not a test: it asserts nothing.
//
// Each group (transport x calls in flight) runs its contenders in slices of --seconds,
// alternating slice by slice for --rounds rounds, so that drift on the machine hits them
// alike. For each contender: the median slice's calls/s, p50 and p99 latency over all its
// calls, and process CPU time per call (every thread: libuv's pool does the face's work).
// Then RSS and open descriptors after 1k and 100k calls of the face, require() times, and
// the size of the .node addon. Over HTTPS the peer is undici.request with an Agent that
// trusts the sandbox's CA (global fetch takes no CA but from the environment at startup).
//
//   bench/run.sh                                  # every face, with the setup (bench/README.md)
//   cd bench/node && npm install && node bench.mjs  # alone
//
// Then the latency phase: a sandbox that holds every answer 20 ms (a nearby data
// centre's round trip), the face against undici.request and fetch at 64, 256 and 1,024
// calls in flight, each contender in a child process of its own (so that its peak RSS and
// thread count are its own): calls/s, p50 and p99, CPU per call, RSS before the first
// call and at its peak, threads, and fs.readFile of a small file timed every 5 ms during
// the load (p50, max) and before it (idle p50). On libuv's
// pool a call would hold one of its 4 threads for the whole round trip, and every read
// would wait behind the calls.
//
// --json prints one JSON object a line on stdout (for bench/report.py) and the table on
// stderr; --url, --tls-url and --ca use running sandboxes instead of starting two, and
// --latency-url one started with `--latency-ms 20` instead of starting it. --phases
// picks among loopback and latency (default both).

import { execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { Agent, request } from 'undici'

import { Client } from 'nowgg-payments'

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    'in-flight': { type: 'string', default: '8' },
    'memory-calls': { type: 'string', default: '100000' },
    url: { type: 'string' },
    'tls-url': { type: 'string' },
    ca: { type: 'string' },
    'latency-url': { type: 'string' },
    'latency-seconds': { type: 'string', default: '4' },
    phases: { type: 'string', default: 'loopback,latency' },
    // Internal: runs one contender of the latency phase, in its own process.
    'latency-child': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
})
const sliceMs = Number(args.seconds) * 1000
const rounds = Number(args.rounds)
const inFlight = Number(args['in-flight'])
const apiKey = 'bench-key'
const token = '-nowgg-sample-paid'
const face = 'nowgg-payments'
const log = args.json ? console.error : console.log
// A latency child runs one contender against the parent's sandbox, no phase of its own.
const phases = args['latency-child'] ? [] : args.phases.split(',')
const latencyInFlight = [64, 256, 1024]

/** Starts the sandbox binary with `extra` arguments; returns the child and its base URL. */
async function startSandbox(extra) {
  const bin = process.env.NOWGG_SANDBOX_BIN ?? new URL('../../target/release/nowgg-sandbox', import.meta.url).pathname
  const child = spawn(bin, ['--port', '0', '--api-key', apiKey, ...extra], { stdio: ['ignore', 'pipe', 'inherit'] })
  const [line] = await once(createInterface({ input: child.stdout }), 'line')
  const base = /^listening on (\S+)/.exec(line)?.[1]
  if (!base) throw new Error(`unexpected first line from the sandbox: ${line}`)
  return { child, base }
}

const sandboxes = []
let url = args.url
if (!url && phases.includes('loopback')) {
  const { child, base } = await startSandbox([])
  sandboxes.push(child)
  url = base
}
let latencyUrl = args['latency-url']
if (!latencyUrl && phases.includes('latency')) {
  const { child, base } = await startSandbox(['--latency-ms', '20'])
  sandboxes.push(child)
  latencyUrl = base
}
let tlsUrl = args['tls-url']
let caFile = args.ca
if (!tlsUrl && phases.includes('loopback')) {
  caFile = join(mkdtempSync(join(tmpdir(), 'nowgg-bench-')), 'ca.pem')
  const { child, base } = await startSandbox(['--tls', '--ca-out', caFile])
  sandboxes.push(child)
  tlsUrl = base
}
const ca = caFile === undefined ? undefined : readFileSync(caFile, 'utf8')

const form = new URLSearchParams({ purchaseToken: token }).toString()
const headers = { authorization: apiKey, 'content-type': 'application/x-www-form-urlencoded' }

function check(envelope) {
  if (envelope.data?.purchaseState !== 1) throw new Error('unexpected answer')
}

/** The contenders against one base URL; `tls` adds the CA each needs; `maxInFlight` the face's limit (its default when undefined). */
function contenders(base, tls, ca, maxInFlight) {
  const verifyUrl = `${base}/v2/seller/order/verifyPurchase`
  const client = new Client({ apiKey, baseUrl: base, caCerts: tls ? ca : undefined, maxInFlight })
  const dispatcher = tls ? new Agent({ connect: { ca } }) : undefined
  const all = {
    [face]: async () => {
      const purchase = await client.verifyPurchase(token)
      if (!purchase.isPaid) throw new Error('unexpected answer')
    },
    'undici.request': async () => {
      const { body } = await request(verifyUrl, { method: 'POST', headers, body: form, dispatcher })
      check(await body.json())
    },
    fetch: async () => {
      const response = await fetch(verifyUrl, { method: 'POST', headers, body: form })
      check(await response.json())
    },
  }
  if (tls) delete all.fetch
  return all
}

/** Runs `n` callers of `call` back to back until `end`, pushing each call's ms to `latencies`. */
function drive(call, n, end, latencies) {
  return Promise.all(
    Array.from({ length: n }, async () => {
      for (let t = performance.now(); t < end; t = performance.now()) {
        await call()
        latencies.push(performance.now() - t)
      }
    }),
  )
}

/** What `call` does with `n` callers in flight for one slice. */
async function slice(call, n) {
  await Promise.all(Array.from({ length: n }, call)) // warm: connections, JIT
  const latencies = []
  const cpu = process.cpuUsage()
  const started = performance.now()
  const end = started + sliceMs
  await drive(call, n, end, latencies)
  const seconds = (performance.now() - started) / 1000
  const used = process.cpuUsage(cpu)
  return { calls: latencies.length, seconds, cpuMicros: used.user + used.system, latencies }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]

/** Every contender once a round, each round starting one contender further on. */
async function group(transport, calls, n) {
  const names = Object.keys(calls)
  const slices = Object.fromEntries(names.map((name) => [name, []]))
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length]
      slices[name].push(await slice(calls[name], n))
    }
    console.error(`  ${transport}, ${n} in flight: round ${round + 1} of ${rounds} done`)
  }
  return names.map((name) => {
    const mine = slices[name]
    const latencies = mine.flatMap((s) => s.latencies).sort((a, b) => a - b)
    const total = mine.reduce((sum, s) => sum + s.calls, 0)
    return {
      kind: 'throughput',
      face: 'node',
      contender: name,
      role: name === face ? 'face' : 'peer',
      transport,
      mode: n === 1 ? 'sequential' : `${n} in flight`,
      concurrency: n,
      calls_per_s: median(mine.map((s) => s.calls / s.seconds)),
      rounds_calls_per_s: mine.map((s) => Math.round(s.calls / s.seconds)),
      p50_us: percentile(latencies, 0.5) * 1000,
      p99_us: percentile(latencies, 0.99) * 1000,
      cpu_us_per_call: mine.reduce((sum, s) => sum + s.cpuMicros, 0) / total,
      calls: total,
    }
  })
}

/** RSS and open descriptors after 1k calls of the face and after --memory-calls. */
async function memory() {
  const client = new Client({ apiKey, baseUrl: url })
  const run = async (calls) => {
    let left = calls
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (left-- > 0) await client.verifyPurchase(token)
      }),
    )
  }
  const snapshot = () => [Math.round(process.memoryUsage().rss / 1024), readdirSync('/proc/self/fd').length]
  const first = 1000
  const last = Number(args['memory-calls'])
  await run(first)
  const [rssFirst, fdsFirst] = snapshot()
  await run(last - first)
  const [rssLast, fdsLast] = snapshot()
  return {
    kind: 'memory',
    face: 'node',
    contender: face,
    mode: `${inFlight} in flight`,
    calls_first: first,
    rss_kib_first: rssFirst,
    fds_first: fdsFirst,
    calls_last: last,
    rss_kib_last: rssLast,
    fds_last: fdsLast,
  }
}

/** Median wall time of require(name) in a fresh node, from this folder. */
function requireTimes() {
  const here = dirname(new URL(import.meta.url).pathname)
  return [face, 'undici'].map((name) => {
    const code = `const t = performance.now(); require(${JSON.stringify(name)}); console.log(performance.now() - t)`
    const samples = Array.from({ length: 5 }, () =>
      Number(execFileSync(process.execPath, ['-e', code], { cwd: here, encoding: 'utf8' })),
    )
    return { kind: 'startup', face: 'node', what: `require('${name}')`, role: name === face ? 'face' : 'peer', ms: median(samples) }
  })
}

function sizes() {
  const dir = dirname(createRequire(import.meta.url).resolve(face))
  return readdirSync(dir)
    .filter((file) => file.endsWith('.node'))
    .map((file) => ({ kind: 'size', face: 'node', file, bytes: statSync(join(dir, file)).size }))
}

/**
 * One contender of the latency phase, in this (child) process: `n` callers in flight for
 * --latency-seconds, with fs.readFile of a small file timed back to back meanwhile.
 */
async function latencyChild(name, base, n) {
  const call = contenders(base, false, undefined, n)[name]
  const file = new URL('package.json', import.meta.url)
  const timeRead = async () => {
    const t = performance.now()
    await readFile(file)
    return performance.now() - t
  }
  const idleRssKib = Math.round(process.memoryUsage().rss / 1024)
  const idle = []
  for (let i = 0; i < 50; i++) idle.push(await timeRead())
  await Promise.all(Array.from({ length: n }, call)) // warm: connections, threads, JIT
  const latencies = []
  const reads = []
  let threads = 0
  const cpu = process.cpuUsage()
  const started = performance.now()
  const end = started + Number(args['latency-seconds']) * 1000
  const sampler = setInterval(() => (threads = Math.max(threads, threadCount())), 100)
  // One read every 5 ms rather than back to back: enough to see the pool stall, little
  // enough not to weigh on the CPU per call.
  const reader = (async () => {
    while (performance.now() < end) {
      reads.push(await timeRead())
      await sleep(5)
    }
  })()
  await drive(call, n, end, latencies)
  const seconds = (performance.now() - started) / 1000
  const used = process.cpuUsage(cpu)
  await reader
  clearInterval(sampler)
  latencies.sort((a, b) => a - b)
  reads.sort((a, b) => a - b)
  return {
    kind: 'latency',
    face: 'node',
    contender: name,
    role: name === face ? 'face' : 'peer',
    in_flight: n,
    calls_per_s: latencies.length / seconds,
    p50_us: percentile(latencies, 0.5) * 1000,
    p99_us: percentile(latencies, 0.99) * 1000,
    peak_rss_kib: process.resourceUsage().maxRSS,
    idle_rss_kib: idleRssKib,
    threads: Math.max(threads, threadCount()),
    fs_read_p50_ms: percentile(reads, 0.5),
    fs_read_max_ms: reads.at(-1),
    fs_read_idle_p50_ms: median(idle),
    fs_reads: reads.length,
    cpu_us_per_call: (used.user + used.system) / latencies.length,
    calls: latencies.length,
  }
}

/** This process's threads now (Linux). */
function threadCount() {
  return Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))[1])
}

/** Every contender at each count in flight, each run in a fresh child process. */
async function latencyPhase(base) {
  const script = new URL(import.meta.url).pathname
  const results = []
  for (const n of latencyInFlight) {
    for (const name of Object.keys(contenders(base, false))) {
      const childArgs = [script, '--latency-child', name, '--latency-url', base, '--in-flight', String(n)]
      childArgs.push('--latency-seconds', args['latency-seconds'])
      const out = execFileSync(process.execPath, childArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
      results.push(JSON.parse(out))
      console.error(`  latency, ${n} in flight: ${name} done`)
    }
  }
  return results
}

if (args['latency-child']) {
  console.log(JSON.stringify(await latencyChild(args['latency-child'], args['latency-url'], inFlight)))
  process.exit(0)
}

const records = []
try {
  if (phases.includes('loopback')) {
    for (const [transport, base, tls] of [['http', url, false], ['https', tlsUrl, true]]) {
      const calls = contenders(base, tls, ca)
      for (const n of tls ? [1] : [1, inFlight]) records.push(...(await group(transport, calls, n)))
    }
    records.push(await memory())
  }
  if (phases.includes('latency')) records.push(...(await latencyPhase(latencyUrl)))
} finally {
  for (const child of sandboxes) child.kill()
}
if (phases.includes('loopback')) records.push(...requireTimes(), ...sizes())

const pool = process.env.UV_THREADPOOL_SIZE ?? '4 (default)'
log(`\nverifyPurchase against the sandbox (node ${process.version}, UV_THREADPOOL_SIZE ${pool})`)
const pad = (text, width) => String(text).padStart(width)
for (const r of records) {
  if (r.kind === 'throughput' && r.role === 'face') {
    log(`\n${r.transport}, ${r.mode}`)
    log(`  ${''.padEnd(18)}${pad('calls/s', 10)}${pad('p50 us', 9)}${pad('p99 us', 9)}${pad('CPU us', 9)}${pad('face/this', 11)}`)
    for (const o of records.filter((o) => o.kind === 'throughput' && o.transport === r.transport && o.mode === r.mode)) {
      const ratio = `${(r.calls_per_s / o.calls_per_s).toFixed(2)}x`
      log(
        `  ${o.contender.padEnd(18)}${pad(Math.round(o.calls_per_s), 10)}${pad(Math.round(o.p50_us), 9)}` +
          `${pad(Math.round(o.p99_us), 9)}${pad(Math.round(o.cpu_us_per_call), 9)}${pad(ratio, 11)}`,
      )
    }
  } else if (r.kind === 'latency' && r.role === 'face') {
    log(`\nlatency sandbox, ${r.in_flight} in flight (fs.readFile idle p50 ${r.fs_read_idle_p50_ms.toFixed(2)} ms)`)
    log(
      `  ${''.padEnd(18)}${pad('calls/s', 10)}${pad('p50 us', 9)}${pad('p99 us', 9)}${pad('RSS KiB', 10)}` +
        `${pad('threads', 9)}${pad('read p50', 10)}${pad('read max', 10)}${pad('CPU us', 9)}${pad('face/this', 11)}`,
    )
    for (const o of records.filter((o) => o.kind === 'latency' && o.in_flight === r.in_flight)) {
      log(
        `  ${o.contender.padEnd(18)}${pad(Math.round(o.calls_per_s), 10)}${pad(Math.round(o.p50_us), 9)}` +
          `${pad(Math.round(o.p99_us), 9)}${pad(o.peak_rss_kib, 10)}${pad(o.threads, 9)}` +
          `${pad(o.fs_read_p50_ms.toFixed(2), 10)}${pad(o.fs_read_max_ms.toFixed(2), 10)}` +
          `${pad(Math.round(o.cpu_us_per_call), 9)}` +
          `${pad(`${(r.calls_per_s / o.calls_per_s).toFixed(2)}x`, 11)}`,
      )
    }
  } else if (r.kind === 'memory') {
    log(`\n${r.contender}: after ${r.calls_first} calls ${r.rss_kib_first} KiB RSS, ${r.fds_first} fds;` +
      ` after ${r.calls_last} calls ${r.rss_kib_last} KiB RSS, ${r.fds_last} fds`)
  } else if (r.kind === 'startup') {
    log(`${r.what}: ${r.ms.toFixed(1)} ms`)
  } else if (r.kind === 'size') {
    log(`${r.file}: ${r.bytes} bytes`)
  }
}
if (args.json) for (const r of records) console.log(JSON.stringify(r))
