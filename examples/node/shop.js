// A purchase endpoint of a Node game backend: one grant per purchase, its ledger in
// SQLite (better-sqlite3). Plain JavaScript with JSDoc types: `tsc --checkJs --strict`
// checks it against the package's declarations.
//
// The model (DESIGN.md, "Fulfillment"):
//   1. verifyForGrant: paid, not consumed, this game's package and product;
//   2. record the grant under the purchase's orderId, a unique key: if the row is there
//      already, the purchase was delivered, so answer that and stop;
//   3. grant the product, in the same transaction as the record;
//   4. consume: 'consumed' and 'already_consumed' both mean done; a failure leaves the
//      row unconsumed for sweep() to finish later (consuming again is always safe).
// The record, not the consume, is the lock: of two requests racing on one token, only
// one inserts the row, whatever happens to the consumes.
//
// Run it against the sandbox (`nowgg sandbox --port 8080 --api-key test-key`):
//   NOWGG_API_KEY=test-key NOWGG_BASE_URL=http://127.0.0.1:8080 node shop.js

'use strict'

const http = require('node:http')
const Database = require('better-sqlite3')
const { Client, NowggError } = require('nowgg-payments')

const SCHEMA = `
CREATE TABLE IF NOT EXISTS grants (
  order_id   TEXT PRIMARY KEY,  -- the lock: one grant per purchase
  token      TEXT NOT NULL,
  product_id TEXT NOT NULL,
  player_id  TEXT NOT NULL,
  consumed   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS grants_by_token ON grants (token);
CREATE TABLE IF NOT EXISTS inventory (
  player_id TEXT NOT NULL,
  item      TEXT NOT NULL,
  quantity  INTEGER NOT NULL,
  PRIMARY KEY (player_id, item)
);`

/** @typedef {{ status: number, body: Record<string, string | boolean> }} Reply */
/** @typedef {{ orderId: string, token: string, productId: string }} Grant */

/** The game's purchase endpoint: a client, the ledger, and the catalogue. */
class Shop {
  /**
   * @param {object} options
   * @param {Client} options.client shared by every request of the process
   * @param {string} options.dbPath the ledger's file, shared by every server
   * @param {string} options.packageName this game's package
   * @param {Record<string, string>} options.catalogue product id -> the item it grants
   */
  constructor({ client, dbPath, packageName, catalogue }) {
    this.client = client
    this.packageName = packageName
    this.catalogue = catalogue
    this.db = new Database(dbPath, { timeout: 30_000 }) // a writer waits for another's transaction
    this.db.pragma('journal_mode = WAL')
    this.db.exec(SCHEMA)
    const insertGrant = this.db.prepare(
      `INSERT INTO grants (order_id, token, product_id, player_id) VALUES (?, ?, ?, ?)
       ON CONFLICT (order_id) DO NOTHING`,
    )
    const addItem = this.db.prepare(
      `INSERT INTO inventory (player_id, item, quantity) VALUES (?, ?, 1)
       ON CONFLICT (player_id, item) DO UPDATE SET quantity = quantity + 1`,
    )
    /**
     * Steps 2 and 3 in one transaction: false when the row was there (delivered before,
     * by this or another server), and then nothing is granted.
     * @type {(playerId: string, grant: Grant) => boolean}
     */
    this.record = this.db.transaction((playerId, grant) => {
      if (insertGrant.run(grant.orderId, grant.token, grant.productId, playerId).changes === 0) return false
      addItem.run(playerId, this.catalogue[grant.productId])
      return true
    })
    this.markConsumed = this.db.prepare('UPDATE grants SET consumed = 1 WHERE order_id = ?')
    this.grantOf = this.db.prepare('SELECT order_id AS orderId FROM grants WHERE token = ?')
    this.unconsumed = this.db.prepare(
      'SELECT order_id AS orderId, token, product_id AS productId FROM grants WHERE consumed = 0',
    )
  }

  /**
   * POST /purchases { playerId, token }: an HTTP status and a JSON body.
   * @param {string} playerId
   * @param {string} token
   * @returns {Promise<Reply>}
   */
  async redeem(playerId, token) {
    let purchase
    try {
      purchase = await this.client.verifyForGrant(token, {
        packageName: this.packageName,
        productIds: Object.keys(this.catalogue),
      })
    } catch (error) {
      return this.refusal(error, token)
    }
    // No Code purchases carry only sellerGoodsId, which verifyForGrant matched.
    const productId = purchase.productId ?? purchase.sellerGoodsId ?? ''
    const grant = { orderId: purchase.orderId ?? token, token, productId }
    if (!this.record(playerId, grant)) {
      return { status: 200, body: { alreadyDelivered: true, orderId: grant.orderId } }
    }
    await this.consume(grant)
    return { status: 200, body: { granted: this.catalogue[productId], orderId: grant.orderId } }
  }

  /**
   * Step 4. A failure leaves the row unconsumed: sweep() tries again later.
   * @param {Grant} grant
   */
  async consume(grant) {
    try {
      const outcome = await this.client.consumePurchase(grant.token)
      this.markConsumed.run(grant.orderId)
      console.log(`order ${grant.orderId}: ${outcome}`)
    } catch (error) {
      if (!(error instanceof NowggError)) throw error
      console.warn(`consume of order ${grant.orderId} left to the sweep: ${error.code}: ${error.message}`)
    }
  }

  /**
   * Consumes every granted purchase whose consume failed before (run it every few
   * minutes); returns how many are still left.
   * @returns {Promise<number>}
   */
  async sweep() {
    const rows = /** @type {Grant[]} */ (this.unconsumed.all())
    for (const grant of rows) await this.consume(grant)
    return this.unconsumed.all().length
  }

  /**
   * The answer to a purchase that is not granted, by the error's code.
   * @param {unknown} error
   * @param {string} token
   * @returns {Reply}
   */
  refusal(error, token) {
    if (!(error instanceof NowggError)) throw error
    switch (error.code) {
      case 'ALREADY_CONSUMED': {
        // A replay after the consume: answered from the record, if it is ours.
        const row = /** @type {{ orderId: string } | undefined} */ (this.grantOf.get(token))
        if (row) return { status: 200, body: { alreadyDelivered: true, orderId: row.orderId } }
        return { status: 409, body: { error: 'already redeemed' } }
      }
      case 'NOT_PAID':
      case 'PACKAGE_MISMATCH':
      case 'PRODUCT_MISMATCH':
      case 'TEST_ORDER':
        return { status: 402, body: { error: 'not grantable', code: error.code } }
      case 'INVALID_PURCHASE_TOKEN':
      case 'INVALID_ARGUMENT':
        return { status: 400, body: { error: 'invalid purchase token' } }
      default:
        // Our key, now.gg's availability, the network: not the player's fault. The
        // message never holds the API key.
        console.error(`purchase check failed: ${error.code}: ${error.message}`)
        return { status: error.retryable ? 503 : 500, body: { error: 'try again later', code: error.code } }
    }
  }

  /**
   * The endpoint for node:http (or, with its body already parsed, Express).
   * @returns {http.RequestListener}
   */
  handler() {
    return async (req, res) => {
      const { playerId, token } = parse(await text(req))
      const reply =
        typeof playerId === 'string' && typeof token === 'string'
          ? await this.redeem(playerId, token)
          : { status: 400, body: { error: 'expected {"playerId": string, "token": string}' } }
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body))
    }
  }
}

/**
 * A request's body as text.
 * @param {http.IncomingMessage} req
 * @returns {Promise<string>}
 */
async function text(req) {
  let body = ''
  for await (const chunk of req) body += chunk
  return body
}

/**
 * A JSON object's properties, or none when the text is not one.
 * @param {string} text
 * @returns {Record<string, unknown>}
 */
function parse(text) {
  try {
    const value = JSON.parse(text)
    return value !== null && typeof value === 'object' ? value : {}
  } catch {
    return {}
  }
}

/** Serves the endpoint on a free port and redeems a few tokens through it, as players would. */
async function main() {
  const client = new Client({
    apiKey: process.env.NOWGG_API_KEY ?? '',
    ...(process.env.NOWGG_BASE_URL ? { baseUrl: process.env.NOWGG_BASE_URL } : {}),
    timeoutMs: 5000,
  })
  // The sandbox's samples carry the vendor's placeholder as their package name.
  const shop = new Shop({
    client,
    dbPath: process.env.SHOP_DB ?? ':memory:',
    packageName: process.env.SHOP_PACKAGE ?? '<package_name>',
    catalogue: { '11223343': 'gems_100' },
  })
  const server = http.createServer(shop.handler()).listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address())
  const requests = [
    ['player-1', '-nowgg-sample-paid'], // granted
    ['player-2', '-nowgg-sample-paid'], // a replay: answered from the record
    ['player-1', '-nowgg-sample-unpaid'], // never paid
    ['player-1', '-nowgg-forged-token'], // not a real token
  ]
  for (const [playerId, token] of requests) {
    const response = await fetch(`http://127.0.0.1:${port}/purchases`, {
      method: 'POST',
      body: JSON.stringify({ playerId, token }),
    })
    console.log(`${playerId} ${token}: ${response.status} ${await response.text()}`)
  }
  server.close()
  console.log(`inventory: ${JSON.stringify(shop.db.prepare('SELECT * FROM inventory').all())}`)
  console.log(`left for the sweep: ${await shop.sweep()}`)
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error)
    process.exit(1)
  })
}

module.exports = { Shop }
