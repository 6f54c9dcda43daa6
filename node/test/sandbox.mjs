// A sandbox binary for one test file: started on a free port, driven over HTTP through
// its /_sandbox/ control API, stopped when the file's tests end.

import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'

import { Client } from 'nowgg-payments'

/**
 * Starts `nowgg-sandbox --port 0 --api-key <apiKey> ...args` and reads its URL (https://
 * with `--tls`, whose sandbox the control methods below cannot reach: fetch does not
 * trust its CA).
 */
export async function startSandbox(apiKey, ...args) {
  const bin = process.env.NOWGG_SANDBOX_BIN
  if (!bin) throw new Error('NOWGG_SANDBOX_BIN must name the sandbox binary')
  const child = spawn(bin, ['--port', '0', '--api-key', apiKey, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const lines = createInterface({ input: child.stdout })
  const [first] = await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`the sandbox exited with ${code} before listening`)
    }),
  ])
  const url = /listening on (https?:\/\/\S+)/.exec(first)?.[1]
  if (!url) throw new Error(`unexpected first line from the sandbox: ${first}`)
  return new Sandbox(url, child)
}

/** A sandbox (as startSandbox) and a Client of it with `apiKey` and `options`. */
export async function startWithClient(apiKey, options = {}) {
  const sandbox = await startSandbox(apiKey)
  return { sandbox, client: new Client({ apiKey, baseUrl: sandbox.url, ...options }) }
}

/** The control API of the sandbox at `url` (/_sandbox/...): its JSON answer. */
export async function control(url, method, path, body) {
  const response = await fetch(`${url}/_sandbox/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const answer = await response.json()
  if (!response.ok) throw new Error(`sandbox ${method} ${path}: ${JSON.stringify(answer)}`)
  return answer
}

class Sandbox {
  constructor(url, child) {
    this.url = url
    this.child = child
  }

  control(method, path, body) {
    return control(this.url, method, path, body)
  }

  reset() {
    return this.control('POST', 'reset')
  }

  addPurchase(purchase) {
    return this.control('POST', 'purchases', purchase)
  }

  addFaults(faults) {
    return this.control('POST', 'faults', faults)
  }

  requests() {
    return this.control('GET', 'requests')
  }

  /** Resolves once `n` API requests have reached the sandbox; rejects after 10 s. */
  async waitForRequests(n) {
    const end = performance.now() + 10_000
    while ((await this.requests()).length < n) {
      if (performance.now() > end) throw new Error(`${n} requests did not reach the sandbox within 10 s`)
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }

  async stop() {
    if (this.child.exitCode !== null) return
    const exited = once(this.child, 'exit')
    this.child.kill()
    await exited
  }
}
