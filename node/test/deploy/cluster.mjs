// A cluster of WORKERS processes (node:cluster), each with its own Client, each running
// a round (verify, consume, verify again) over PER_WORKER tokens of its own, all at once.
// The primary builds a client too, and uses it before the workers start and after they
// end. Prints `result {...}`: the counts of every worker added up (mismatches are
// answers for another token), plus the workers that did not end well.
//
//   node cluster.mjs SANDBOX_URL API_KEY WORKERS PER_WORKER

import cluster from 'node:cluster'

import { Client } from 'nowgg-payments'
import { orderIdOf, report, round, tokenOf, tokensOf, total, watchdog } from './shape.mjs'

const [url, apiKey, workers, perWorker] = process.argv.slice(2)
const count = Number(workers)
const clientFor = () => new Client({ apiKey, baseUrl: url, timeoutMs: 10_000 })

if (cluster.isPrimary) {
  watchdog(120_000, 'the cluster')
  const client = clientFor()
  const primaryToken = tokenOf('cluster', 'primary', 0)
  const before = await client.verifyPurchase(primaryToken)

  const tallies = []
  const failures = []
  await new Promise((resolve) => {
    let running = count
    for (let w = 0; w < count; w++) {
      const worker = cluster.fork({ NOWGG_DEPLOY_WORKER: String(w) })
      worker.on('message', (message) => tallies.push(message))
      worker.on('exit', (code, signal) => {
        if (code !== 0 || signal !== null) failures.push(`worker ${w}: exit code ${code}, signal ${signal}`)
        if (--running === 0) resolve()
      })
    }
  })

  const after = await client.verifyPurchase(primaryToken)
  const primaryOk = [before, after].every((p) => p.purchaseToken === primaryToken && p.orderId === orderIdOf(primaryToken))
  report({ shape: 'cluster', workers: count, reported: tallies.length, failures, primaryOk, ...total(tallies) })
} else {
  const w = Number(process.env.NOWGG_DEPLOY_WORKER)
  const tally = await round(clientFor(), tokensOf('cluster', w, Number(perWorker)))
  // The tally reaches the primary before this worker disconnects and ends.
  process.send(tally, () => cluster.worker.disconnect())
}
