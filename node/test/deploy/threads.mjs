// WORKERS worker_threads, each loading the addon and building its own Client, each
// running a round (verify, consume, verify again) over PER_WORKER tokens of its own, all
// at once; the main thread runs a round of its own client at the same time. Prints
// `result {...}`: the counts of every thread added up (mismatches are answers for
// another token), plus the workers that failed or did not end well.
//
//   node threads.mjs SANDBOX_URL API_KEY WORKERS PER_WORKER

import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'

import { Client } from 'nowgg-payments'
import { report, round, tokensOf, total, watchdog } from './shape.mjs'

if (isMainThread) {
  const [url, apiKey, workers, perWorker] = process.argv.slice(2)
  const count = Number(workers)
  watchdog(120_000, 'the worker threads')
  const failures = []
  const threads = Array.from({ length: count }, (_, w) => {
    const worker = new Worker(new URL(import.meta.url), {
      workerData: { url, apiKey, tokens: tokensOf('threads', w, Number(perWorker)) },
    })
    return new Promise((resolve) => {
      let tally = null
      worker.on('message', (message) => (tally = message))
      worker.on('error', (error) => failures.push(`worker ${w}: ${error?.stack ?? error}`))
      worker.on('exit', (code) => {
        if (code !== 0) failures.push(`worker ${w}: exit code ${code}`)
        if (tally === null) failures.push(`worker ${w}: no tally`)
        resolve(tally)
      })
    })
  })
  const client = new Client({ apiKey, baseUrl: url, timeoutMs: 10_000 })
  const own = round(client, tokensOf('threads', 'main', Number(perWorker)))
  const tallies = (await Promise.all([own, ...threads])).filter((tally) => tally !== null)
  report({ shape: 'worker_threads', workers: count, reported: tallies.length - 1, failures, ...total(tallies) })
} else {
  const { url, apiKey, tokens } = workerData
  const client = new Client({ apiKey, baseUrl: url, timeoutMs: 10_000 })
  parentPort.postMessage(await round(client, tokens))
}
