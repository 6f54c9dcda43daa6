// A game backend's purchase endpoint, as an Express-style handler: verify the token,
// consume it (the consume is the lock: exactly one of two racing requests wins), then
// grant. Runs without Express: main() calls the handler with plain request and response
// objects, against the sandbox or the real API.
//
//   NOWGG_API_KEY=test-key NOWGG_BASE_URL=http://127.0.0.1:8080 node verify_and_consume.js
//   (start the sandbox with: nowgg-sandbox --port 8080 --api-key test-key)

'use strict'

const { Client, NowggError } = require('nowgg-payments')

// One client for the whole process: it pools connections and is safe to share.
const client = new Client({
  apiKey: process.env.NOWGG_API_KEY,
  ...(process.env.NOWGG_BASE_URL ? { baseUrl: process.env.NOWGG_BASE_URL } : {}),
  timeoutMs: 5000,
})

/** Your game's own store of what each player owns (a database in real life). */
const grants = new Map()

function grant(playerId, productId, orderId) {
  grants.set(orderId, { playerId, productId })
}

/** POST /purchases { playerId, token }: the handler, as `app.post('/purchases', handle)`. */
async function handle(req, res) {
  const { playerId, token } = req.body
  try {
    // Give up waiting after 8 s whatever happens (the player is waiting too).
    const purchase = await client.verifyPurchase(token, { signal: AbortSignal.timeout(8000) })
    if (!purchase.isPaid) return res.status(402).json({ status: 'not paid' })
    if (purchase.isConsumed) return res.status(409).json({ status: 'already granted' })
    await client.consumePurchase(token)
    grant(playerId, purchase.productId, purchase.orderId)
    return res.status(200).json({ status: 'granted', productId: purchase.productId })
  } catch (error) {
    if (!(error instanceof NowggError)) throw error
    switch (error.code) {
      case 'ERROR_CONSUMING_PRODUCT': // another request consumed it first: it granted
        return res.status(409).json({ status: 'already granted' })
      case 'INVALID_PURCHASE_TOKEN':
      case 'INVALID_ARGUMENT':
        return res.status(400).json({ status: 'invalid token' })
      default:
        // The message never holds the API key; retryable says whether to ask again.
        console.error(`purchase of ${playerId} failed: ${error.code}: ${error.message}`)
        return res.status(error.retryable ? 503 : 500).json({ status: 'try again later' })
    }
  }
}

/** A stand-in for Express's response object. */
function response() {
  return {
    statusCode: 200,
    body: undefined,
    status(code) {
      this.statusCode = code
      return this
    },
    json(body) {
      this.body = body
      return this
    },
  }
}

async function main() {
  const token = process.argv[2] ?? '-nowgg-sample-paid'
  for (const attempt of ['first', 'second']) {
    const res = await handle({ body: { playerId: 'player-1', token } }, response())
    console.log(`${attempt} request: ${res.statusCode} ${JSON.stringify(res.body)}`)
  }
  console.log(`grants: ${JSON.stringify([...grants.values()])}`)
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error)
    process.exit(1)
  })
}

module.exports = { handle }
