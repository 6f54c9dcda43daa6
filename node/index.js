'use strict'
// nowgg-payments for Node: the native addon (built from the Rust core by the install
// script) behind a thin layer that makes every call a Promise rejecting with a
// NowggError, and honours an AbortSignal without waiting for the blocking call.

const { inspect } = require('node:util')

const native = loadAddon()

function loadAddon() {
  // A build from source first (the install script makes one only when no prebuilt
  // package fits), then the prebuilt addon of this platform's package.
  const { platformPackage } = require('./scripts/platform.js')
  const prebuilt = platformPackage()
  const failures = []
  for (const id of ['./nowgg-payments.node', prebuilt]) {
    try {
      return require(id)
    } catch (error) {
      failures.push(error)
    }
  }
  throw new Error(
    `nowgg-payments: no native addon loads: the prebuilt package ${prebuilt} is not ` +
      'installed (npm skips it with --omit=optional, or with a lockfile made on another ' +
      'platform) and none was built from source (`npm rebuild nowgg-payments`, which ' +
      'needs cargo on PATH)',
    { cause: new AggregateError(failures) },
  )
}

/**
 * The one error class of the package: `code` is the kind from the core's table
 * (`INVALID_PURCHASE_TOKEN`, `TIMEOUT`, ...).
 */
class NowggError extends Error {
  constructor(message, { code, apiCode = null, httpStatus = null, retryable = false, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause })
    this.code = code
    this.apiCode = apiCode
    this.httpStatus = httpStatus
    this.retryable = retryable
  }
}
NowggError.prototype.name = 'NowggError'

/** The addon's errors carry the core's fields; anything else is passed on unchanged. */
function fromNative(error, cause) {
  const fromCore =
    error instanceof Error && typeof error.code === 'string' && typeof error.retryable === 'boolean'
  if (!fromCore) return error
  const { code, apiCode, httpStatus, retryable } = error
  return new NowggError(error.message, { code, apiCode, httpStatus, retryable, cause })
}

/**
 * Starts a native call and waits for it, or for the caller's signal.
 *
 * The blocking core call cannot be interrupted once a pool thread runs it, so an abort
 * rejects at once (a TIMEOUT, built by the addon) and the call finishes in the
 * background. The addon gets a signal of our own, never the caller's: napi-rs takes
 * over the `onabort` property of the signal it is given. Aborting ours still cancels
 * a call that is queued and has not started.
 */
async function call(options, start) {
  const signal = options === null || typeof options !== 'object' ? undefined : options.signal
  try {
    if (signal === undefined || signal === null) return await start(undefined)
    if (!(signal instanceof AbortSignal)) {
      throw native.invalidArgumentError('options.signal must be an AbortSignal')
    }
    if (signal.aborted) throw aborted(signal)
    return await raceAbort(signal, start)
  } catch (error) {
    throw error instanceof NowggError ? error : fromNative(error)
  }
}

function raceAbort(signal, start) {
  const ours = new AbortController()
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      ours.abort()
      reject(aborted(signal))
    }
    signal.addEventListener('abort', onAbort, { once: true })
    new Promise((started) => started(start(ours.signal)))
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onAbort))
  })
}

function aborted(signal) {
  return fromNative(native.abortedError(), signal.reason)
}

/**
 * A client of now.gg's Payments API. Build one and share it: calls run on libuv's
 * thread pool and never block the event loop. The API key stays inside the addon.
 */
class Client {
  #native

  constructor(options) {
    try {
      this.#native = new native.NativeClient(options)
    } catch (error) {
      throw fromNative(error)
    }
  }

  /** The base URL calls go to. */
  get baseUrl() {
    return this.#native.baseUrl
  }

  verifyPurchase(token, options) {
    // The addon hands the purchase over as JSON text: V8's parser builds the plain
    // object faster than property-by-property napi calls (src/purchase.rs).
    return call(options, (signal) => this.#native.verifyPurchase(token, options, signal).then(JSON.parse))
  }

  consumePurchase(token, options) {
    return call(options, (signal) => this.#native.consumePurchase(token, options, signal))
  }

  toJSON() {
    return { baseUrl: this.baseUrl }
  }

  [inspect.custom](depth, options, inspectValue = inspect) {
    return `Client { baseUrl: ${inspectValue(this.baseUrl, options)} }`
  }
}

module.exports = {
  Client,
  NowggError,
  PurchaseState: native.PurchaseState,
  ConsumptionState: native.ConsumptionState,
  isNowggToken: native.isNowggToken,
}
