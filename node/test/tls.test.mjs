// HTTPS against the sandbox's --tls mode, whose certificate a throwaway CA signed: the
// certificate is rejected (CONNECTION, not retryable: nothing was sent, and no retry
// will make the certificate valid) unless that CA is given as caCerts. (Plain http://
// to a host that is not loopback is refused in arguments.test.mjs.)

import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'

import { Client, NowggError } from 'nowgg-payments'
import { startSandbox } from './sandbox.mjs'

const apiKey = 'tls-test-key'
const dir = mkdtempSync(join(tmpdir(), 'nowgg-tls-'))
const caPath = join(dir, 'ca.pem')
let sandbox
before(async () => {
  sandbox = await startSandbox(apiKey, '--tls', '--ca-out', caPath)
})
after(async () => {
  await sandbox.stop()
  rmSync(dir, { recursive: true, force: true })
})

test('without the sandbox CA the certificate is rejected: CONNECTION, not retryable', async () => {
  assert.match(sandbox.url, /^https:\/\//)
  const client = new Client({ apiKey, baseUrl: sandbox.url, maxRetries: 0 })
  const error = await client.verifyPurchase('-nowgg-sample-paid').catch((e) => e)
  assert.ok(error instanceof NowggError, `expected a NowggError, got ${error}`)
  assert.equal(error.code, 'CONNECTION')
  assert.equal(error.retryable, false)
  assert.match(error.message, /certificate/)
})

test('with the CA as caCerts the purchase verifies', async () => {
  const client = new Client({ apiKey, baseUrl: sandbox.url, caCerts: readFileSync(caPath, 'utf8') })
  const purchase = await client.verifyPurchase('-nowgg-sample-paid')
  assert.equal(purchase.isPaid, true)
})
