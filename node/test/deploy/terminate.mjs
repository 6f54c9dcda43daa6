// A worker thread terminated (worker.terminate()) while its calls wait, then the main
// thread's own client used, then the process left to end by itself: it must neither
// crash nor hang. The worker's client runs 8 calls, 4 at once (maxInFlight 4: 4 wait in
// its queue); the sandbox holds the 4 it receives:
//
// - delay: answers them 1 s late. Once the sandbox has logged all 4, the worker is
//   terminated; the main thread then probes until the sandbox serves nothing else (so
//   the 4 answers were written, to be delivered to a thread that is gone) and runs a
//   round (verify, consume, verify again) over tokens of its own.
// - hang: never answers them. The worker is terminated, the main thread runs its round,
//   and the process ends while the library's threads still wait on those sockets.
//
// Prints `result {...}`: the main thread's counts (mismatches are answers for another
// token), the worker's exit code, the worker's requests the sandbox saw.
//
//   node terminate.mjs SANDBOX_URL API_KEY delay|hang

import { once } from 'node:events'
import { setTimeout as pause } from 'node:timers/promises'
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'

import { Client } from 'nowgg-payments'
import { control } from '../sandbox.mjs'
import { orderIdOf, report, round, tokenOf, tokensOf, watchdog } from './shape.mjs'

const held = 4

if (isMainThread) {
  const [url, apiKey, scenario] = process.argv.slice(2)
  if (!['delay', 'hang'].includes(scenario)) throw new Error(`unknown scenario ${scenario}`)
  const shape = `terminate-${scenario}`
  watchdog(60_000, `terminate (${scenario})`)
  const client = new Client({ apiKey, baseUrl: url, timeoutMs: 10_000 })
  const probeToken = tokenOf(shape, 'probe', 0)
  const workerTokens = new Set(tokensOf(shape, 'worker', 2 * held))
  const failures = []

  /** The API requests the sandbox logged since `seen` for `tokens`. */
  const logged = async (seen, tokens) =>
    (await control(url, 'GET', 'requests')).slice(seen).filter((r) => tokens.has(r.form.purchaseToken))
  /** Polls `condition` (an observation of the sandbox) until it holds; bounded by the watchdog. */
  const until = async (condition) => {
    while (!(await condition())) await pause(25)
  }

  const seen = (await control(url, 'GET', 'requests')).length
  await control(url, 'POST', 'faults', {
    match: 'verify',
    count: held,
    ...(scenario === 'delay' ? { delay_ms: 1000 } : { action: 'hang' }),
  })
  const worker = new Worker(new URL(import.meta.url), { workerData: { url, apiKey, tokens: [...workerTokens] } })
  worker.on('error', (error) => failures.push(`worker: ${error?.stack ?? error}`))
  const [started] = await once(worker, 'message')
  if (started !== 'started') failures.push(`worker said ${started}`)
  // The held calls have reached the sandbox (the others wait in the client's queue).
  await until(async () => (await logged(seen, workerTokens)).length >= held)
  const workerExitCode = await worker.terminate()

  if (scenario === 'delay') {
    // Probe until a request finds the sandbox serving nothing else: the held answers
    // have been written, to a worker that is gone.
    await until(async () => {
      const purchase = await client.verifyPurchase(probeToken)
      if (purchase.purchaseToken !== probeToken || purchase.orderId !== orderIdOf(probeToken)) {
        failures.push('the probe got another purchase')
      }
      return (await logged(seen, new Set([probeToken]))).at(-1).in_flight === 1
    })
  }
  const tally = await round(client, tokensOf(shape, 'main', 50))
  const workerRequests = (await logged(seen, workerTokens)).length
  report({ shape: 'terminate', scenario, workerExitCode, workerRequests, failures, ...tally })
  // Nothing more: the process must end by itself.
} else {
  const { url, apiKey, tokens } = workerData
  const client = new Client({ apiKey, baseUrl: url, maxInFlight: held, timeoutMs: 30_000, maxRetries: 0 })
  for (const token of tokens) client.verifyPurchase(token).catch(() => {})
  parentPort.postMessage('started')
}
