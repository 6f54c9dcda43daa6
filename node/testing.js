'use strict'
// nowgg-payments/testing: the sandbox (an offline, stateful emulator of now.gg's
// Payments API) running inside this process, for a backend's own tests. The addon
// holds it (src/testing.rs): the sandbox's threads serve 127.0.0.1 on a free port, and
// every method here acts on its state directly, never over HTTP.
//
// A sandbox does not keep the process alive, closed or not: its threads are not
// libuv handles. One left open is stopped when it is garbage collected or the process
// exits; close it (or `await using`) to free the port at a known point.

const { Client } = require('./index.js')
const native = loadAddon()

function loadAddon() {
  // The addon index.js loaded (require caches it): a build from source first, then the
  // prebuilt package of this platform.
  const { platformPackage } = require('./scripts/platform.js')
  for (const id of ['./nowgg-payments.node', platformPackage()]) {
    try {
      return require(id)
    } catch {}
  }
  throw new Error('nowgg-payments/testing: no native addon loads (see nowgg-payments)')
}

const stores = ['nowgg', 'xiaomi', 'onestore', 'amazon', 'huawei']
const purchaseOptions = ['productId', 'packageName', 'paid', 'consumed', 'testOrder', 'store', 'token', 'orderId', 'data']
// The control API's fault fields, by the name accepted here (camelCase or as sent).
const faultFields = {
  match: 'match',
  times: 'count',
  delayMs: 'delay_ms',
  status: 'status',
  body: 'body',
  headers: 'headers',
  contentType: 'content_type',
  content_type: 'content_type',
  code: 'code',
  msg: 'msg',
  bytes: 'bytes',
}
const faultActions = ['none', 'hang', 'drop_before', 'drop_after', 'status', 'json', 'api_code', 'malformed', 'empty', 'oversized']

function fail(method, message) {
  throw new TypeError(`nowgg-payments/testing: ${method}: ${message}`)
}

function plainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function checkOptions(method, options, known) {
  if (options === undefined || options === null) return {}
  if (!plainObject(options)) fail(method, 'options must be an object')
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) fail(method, `unknown option ${JSON.stringify(key)} (known: ${known.join(', ')})`)
  }
  return options
}

function optional(method, options, name, type) {
  const value = options[name]
  if (value === undefined || value === null) return undefined
  if (typeof value !== type) fail(method, `${name} must be a ${type}, not ${typeof value}`)
  return value
}

function nonNegativeInteger(method, name, value, max) {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    fail(method, `${name} must be an integer from 0 to ${max}, not ${String(value)}`)
  }
  return value
}

/** A random order id in the shape now.gg prints (`NOWGG.` and 20 digits). */
/** Lower camelCase of a snake_case key. */
const camel = (key) => key.replace(/_([a-z])/g, (_, c) => c.toUpperCase())

function camelKeys(record) {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [camel(k), v]))
}

/** A running sandbox; from `startSandbox`. */
class Sandbox {
  #native
  #apiKey

  constructor(nativeSandbox, apiKey) {
    this.#native = nativeSandbox
    this.#apiKey = apiKey
  }

  /** The base URL, `http://127.0.0.1:PORT`: a Client's `baseUrl`. */
  get url() {
    return this.#native.url
  }

  /** The key the sandbox accepts. */
  get apiKey() {
    return this.#apiKey
  }

  /** The sandbox console's address (purchases, requests and faults, live). */
  get consoleUrl() {
    return this.#native.consoleUrl
  }

  /** Whether `close` has run. */
  get closed() {
    return this.#native.closed
  }

  /** A Client of this sandbox: `baseUrl` is the sandbox's, `apiKey` its key unless given. */
  client(options) {
    const given = checkOptionsObject(options)
    return new Client({ apiKey: this.#apiKey, ...given, baseUrl: this.url })
  }

  /**
   * Stores a paid, unconsumed now.gg purchase (a realistic verifyPurchase `data`
   * object, shaped as the vendor's sample) and resolves to its token.
   */
  async addPurchase(options) {
    const method = 'addPurchase'
    const o = checkOptions(method, options, purchaseOptions)
    const spec = {
      productId: optional(method, o, 'productId', 'string'),
      packageName: optional(method, o, 'packageName', 'string'),
      paid: optional(method, o, 'paid', 'boolean'),
      consumed: optional(method, o, 'consumed', 'boolean'),
      testOrder: optional(method, o, 'testOrder', 'boolean'),
      store: optional(method, o, 'store', 'string'),
      token: optional(method, o, 'token', 'string'),
      orderId: optional(method, o, 'orderId', 'string'),
      data: o.data ?? undefined,
    }
    if (spec.store !== undefined && !stores.includes(spec.store)) {
      fail(method, `store must be one of ${stores.join(', ')}, not ${JSON.stringify(spec.store)}`)
    }
    if (spec.token === '') fail(method, 'token must not be empty')
    if (spec.data !== undefined && !plainObject(spec.data)) fail(method, 'data must be an object of raw purchase fields')
    // The sandbox makes the purchase's data from these (its defaults for those left out).
    return this.#call(method, () => this.#native.addPurchase(JSON.stringify(spec)))
  }

  /**
   * Queues a fault for the next matching API request(s): `action` is one of the control
   * API's (`status`, `drop_after`, ...), `match` `'verify'`, `'consume'`, `'any'` or a
   * path, `times` how many requests it hits (default 1), `delayMs` a wait before it
   * acts, and the action's own fields (`status`, `body`, `headers`, `contentType`,
   * `code`, `msg`, `bytes`).
   */
  async addFault(action, options) {
    const method = 'addFault'
    if (typeof action !== 'string' || !faultActions.includes(action)) {
      fail(method, `action must be one of ${faultActions.join(', ')}, not ${JSON.stringify(action)}`)
    }
    const o = checkOptions(method, options, Object.keys(faultFields))
    const fault = { action }
    for (const [name, value] of Object.entries(o)) {
      if (value === undefined) continue
      if (name === 'times') nonNegativeInteger(method, 'times', value, 0xffffffff)
      if (name === 'delayMs') nonNegativeInteger(method, 'delayMs', value, Number.MAX_SAFE_INTEGER)
      fault[faultFields[name]] = value
    }
    return this.#call(method, () => this.#native.addFault(JSON.stringify(fault)))
  }

  /** The stored verifyPurchase `data` of a token, or null when the sandbox has none. */
  async purchase(token) {
    if (typeof token !== 'string') fail('purchase', `token must be a string, not ${typeof token}`)
    const json = this.#call('purchase', () => this.#native.purchase(token))
    return json === null ? null : JSON.parse(json)
  }

  /**
   * The API requests received since the start or the last reset, oldest first:
   * `{ method, path, headers, form, authorized, inFlight, time, call, tokenStart, code,
   * codeName, status, fault, durationMs }` (no Authorization header, ever).
   */
  async requests() {
    return JSON.parse(this.#call('requests', () => this.#native.requests())).map(camelKeys)
  }

  /** The faults still queued, each with the `count` it has left, as the control API lists them. */
  async faults() {
    return JSON.parse(this.#call('faults', () => this.#native.faults()))
  }

  /** Back to the default fixtures, with no faults and an empty request log. */
  async reset() {
    this.#call('reset', () => this.#native.reset())
  }

  /** Stops serving and frees the port. Safe to call again. */
  async close() {
    this.#native.close()
  }

  #call(method, fn) {
    try {
      return fn()
    } catch (error) {
      // serde's position suffix means nothing to a caller who passed an object.
      const message = String(error.message).replace(/ at line \d+ column \d+$/, '')
      throw new TypeError(`nowgg-payments/testing: ${method}: ${message}`)
    }
  }

  toJSON() {
    return { url: this.url, consoleUrl: this.consoleUrl }
  }
}

// `await using sb = await startSandbox()` closes it (Node 20.4+, Bun, Deno, TypeScript 5.2+).
if (typeof Symbol.asyncDispose === 'symbol') {
  Object.defineProperty(Sandbox.prototype, Symbol.asyncDispose, {
    value: function asyncDispose() {
      return this.close()
    },
    writable: true,
    configurable: true,
  })
}

function checkOptionsObject(options) {
  if (options === undefined || options === null) return {}
  if (!plainObject(options)) fail('client', 'options must be an object')
  return options
}

/**
 * Starts a sandbox on 127.0.0.1 and a free port, holding the vendor's sample purchases,
 * that accepts `apiKey` (default `'test-key'`) and delays each API answer by
 * `latencyMs` (default 0).
 */
async function startSandbox(options) {
  const o = checkOptions('startSandbox', options, ['apiKey', 'latencyMs'])
  const apiKey = optional('startSandbox', o, 'apiKey', 'string') ?? 'test-key'
  if (apiKey === '') fail('startSandbox', 'apiKey must not be empty')
  const latencyMs = nonNegativeInteger('startSandbox', 'latencyMs', o.latencyMs ?? 0, 0xffffffff)
  return new Sandbox(new native.NativeSandbox(apiKey, latencyMs), apiKey)
}

module.exports = { startSandbox, Sandbox }
