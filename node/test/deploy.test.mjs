// Deployment shapes, as real programs (test/deploy/) against the sandbox over HTTP: a
// cluster of processes and a set of worker threads, each with its own client, each
// verifying, consuming and verifying again tokens of its own, all at once; and a worker
// terminated while its calls wait. Every purchase the sandbox holds has its own token,
// so an answer that reached the wrong call shows as a mismatch: zero is the pass. The
// programs run under the runtime running this file (node, bun or deno).

import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'

import { runProgram } from './deploy/run.mjs'
import { fixturesFor, tokenOf, tokensOf } from './deploy/shape.mjs'
import { startSandbox } from './sandbox.mjs'

const apiKey = 'deploy-test-key'
const workers = 4
const perWorker = 250

let sandbox
let dir
before(async () => {
  const tokens = [tokenOf('cluster', 'primary', 0), ...tokensOf('threads', 'main', perWorker)]
  for (let w = 0; w < workers; w++) tokens.push(...tokensOf('cluster', w, perWorker), ...tokensOf('threads', w, perWorker))
  for (const scenario of ['delay', 'hang']) {
    const shape = `terminate-${scenario}`
    tokens.push(tokenOf(shape, 'probe', 0), ...tokensOf(shape, 'worker', 8), ...tokensOf(shape, 'main', 50))
  }
  dir = mkdtempSync(join(tmpdir(), 'nowgg-deploy-'))
  const fixtures = join(dir, 'fixtures.json')
  writeFileSync(fixtures, JSON.stringify(fixturesFor(tokens)))
  sandbox = await startSandbox(apiKey, '--fixtures', fixtures)
})
after(async () => {
  await sandbox?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

/** Runs a program of test/deploy/ and checks that it ended by itself, well, with its result. */
async function run(t, program, ...args) {
  const outcome = await runProgram(program, [sandbox.url, apiKey, ...args])
  const output = `\n--- stdout\n${outcome.stdout}--- stderr\n${outcome.stderr}`
  assert.ok(!outcome.hung, `${program} ${args.join(' ')} did not end: killed${output}`)
  assert.equal(outcome.signal, null, `${program} died of ${outcome.signal}${output}`)
  assert.equal(outcome.code, 0, `${program} exited with ${outcome.code}${output}`)
  assert.ok(outcome.result, `${program} printed no result${output}`)
  t?.diagnostic?.(JSON.stringify(outcome.result))
  return outcome.result
}

/** No answer for another token, no call failed, every consume took effect once. */
function assertClean(result, calls) {
  assert.deepEqual(result.failures, [])
  assert.equal(result.mismatches, 0, 'answers for another token')
  assert.equal(result.errors, 0, `failed calls, the first: ${result.firstError}`)
  assert.equal(result.unexpectedOutcomes, 0, "consumes that did not answer 'consumed'")
  assert.equal(result.notConsumed, 0, 'purchases not consumed after their consume')
  assert.equal(result.calls, calls)
}

test(`cluster: ${workers} processes, a client each, ${perWorker} tokens each at once`, { timeout: 180_000 }, async (t) => {
  const result = await run(t, 'cluster.mjs', workers, perWorker)
  assert.equal(result.reported, workers)
  assert.equal(result.primaryOk, true, "the primary's own client, before and after its workers")
  assertClean(result, workers * perWorker * 3)
})

test(`worker_threads: ${workers} threads and the main thread, a client each, ${perWorker} tokens each at once`, { timeout: 180_000 }, async (t) => {
  const result = await run(t, 'threads.mjs', workers, perWorker)
  assert.equal(result.reported, workers)
  assertClean(result, (workers + 1) * perWorker * 3)
})

for (const scenario of ['delay', 'hang']) {
  const what = scenario === 'delay' ? 'answered after it is gone' : 'never answered'
  test(`a worker terminated while its calls wait (${what}): no crash, no hang, the main client works`, { timeout: 120_000 }, async (t) => {
    const result = await run(t, 'terminate.mjs', scenario)
    assert.equal(result.workerExitCode, 1, 'worker.terminate() resolves to 1')
    // The 4 held calls reached the sandbox before the worker was terminated.
    assert.ok(result.workerRequests >= 4, `the sandbox saw ${result.workerRequests} of the worker's calls`)
    assertClean(result, 50 * 3)
  })
}
