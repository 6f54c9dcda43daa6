'use strict'
// nowgg-payments for Node: the native addon (built from the Rust core by the install
// script) behind a thin layer that makes every call a Promise rejecting with a
// NowggError, and honours an AbortSignal without waiting for the blocking call.
//
// A call runs on one of the library's own threads (never libuv's pool); its answer
// comes back through the client's threadsafe function, which calls `settle` here on
// the JavaScript thread (src/calls.rs).

const { tracingChannel } = require('node:diagnostics_channel')
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

/**
 * The addon's failures (plain objects, or the Error the constructor throws) carry the
 * core's fields; anything else is passed on unchanged.
 */
function fromNative(failure, cause) {
  const fromCore =
    failure !== null &&
    typeof failure === 'object' &&
    typeof failure.code === 'string' &&
    typeof failure.retryable === 'boolean'
  if (!fromCore) return failure
  const { code, apiCode, httpStatus, retryable } = failure
  return new NowggError(failure.message, { code, apiCode, httpStatus, retryable, cause })
}

function aborted(signal) {
  return fromNative(native.aborted(), signal.reason)
}

const asIs = (value) => value

/**
 * The start of a purchase token, as the core's `short_token` writes it (Rust's Debug,
 * Python's repr): at most its first 10 characters and never more than half of them,
 * then `…`.
 */
function shortToken(token) {
  const chars = Array.from(token)
  return `${chars.slice(0, Math.min(Math.floor(chars.length / 2), 10)).join('')}…`
}

/**
 * `util.inspect` (and so `console.log`) of a purchase or of its `raw`: the same object
 * with `purchaseToken` shortened. Node formats the returned copy with the caller's
 * depth, colours and indentation; the copy's `raw` is the original, shortened in turn.
 * A string field is the API's value or its text (a number, a boolean): either is
 * shortened as text.
 */
function inspectPurchase() {
  const shown = { ...this }
  const token = shown.purchaseToken
  if (typeof token === 'string' || typeof token === 'number' || typeof token === 'boolean') {
    shown.purchaseToken = shortToken(String(token))
  }
  return shown
}

const hiddenInspect = { value: inspectPurchase, enumerable: false, writable: true, configurable: true }

/**
 * A purchase from the addon's JSON text: a plain object (JSON.stringify, property
 * access, spreading and structuredClone see the whole token) whose inspection shows
 * only the start of the token, on the purchase and on its `raw`.
 */
function toPurchase(json) {
  const purchase = JSON.parse(json)
  Object.defineProperty(purchase, inspect.custom, hiddenInspect)
  const raw = purchase.raw
  if (raw !== null && typeof raw === 'object') Object.defineProperty(raw, inspect.custom, hiddenInspect)
  return purchase
}

/**
 * The `diagnostics_channel` tracing channels of the calls (start, end, asyncStart,
 * asyncEnd, error, as `tracePromise` publishes them). A message holds the start of the
 * token and the call's other arguments (no `signal`); asyncEnd and error add `report`,
 * what the call did (absent for a call refused before it began or abandoned by its
 * signal while queued), and asyncEnd `result`, the answer with the token shortened.
 */
const channels = Object.freeze({
  verifyPurchase: tracingChannel('nowgg-payments:verifyPurchase'),
  verifyForGrant: tracingChannel('nowgg-payments:verifyForGrant'),
  consumePurchase: tracingChannel('nowgg-payments:consumePurchase'),
})

/** Whether anything listens on a tracing channel (`hasSubscribers` is Node 20.13+). */
function subscribed(channel) {
  return (
    channel.start.hasSubscribers ||
    channel.end.hasSubscribers ||
    channel.asyncStart.hasSubscribers ||
    channel.asyncEnd.hasSubscribers ||
    channel.error.hasSubscribers
  )
}

/** A purchase as a channel message may carry it: a copy with the token shortened. */
function tokenFree(purchase) {
  const shown = inspectPurchase.call(purchase)
  if (shown.raw !== null && typeof shown.raw === 'object') shown.raw = inspectPurchase.call(shown.raw)
  return shown
}

/**
 * The message of a call on its channel: the token's start and the other argument
 * (`options` or `policy`), without its signal.
 */
function messageOf(token, name, options) {
  let shown = options
  if (options !== null && typeof options === 'object') {
    try {
      const { signal, ...rest } = options
      shown = rest
    } catch {
      shown = undefined // an object whose properties throw: the call refuses it anyway
    }
  }
  return { tokenStart: typeof token === 'string' ? shortToken(token) : null, [name]: shown }
}

/**
 * Makes a call through `waiting.start` as is, or, when its channel has subscribers, traced
 * on it with the call's report put on the message before the promise settles.
 */
function traced(channel, waiting, token, name, options, map, start) {
  if (!subscribed(channel)) return waiting.start(options, map, start)
  const message = messageOf(token, name, options)
  let value
  const answered = () =>
    waiting.start(options, map, start, message).then((answer) => {
      value = answer
      return map === toPurchase ? tokenFree(answer) : answer
    })
  return channel.tracePromise(answered, message).then(() => value)
}

/**
 * The calls of one client waiting for their answers, by id. The addon's threadsafe
 * function holds `settle` for the life of the client, so nothing here may hold the
 * addon's client strongly (that cycle, through a GC root, would keep every client
 * alive): it is reached through a WeakRef, only to hold the event loop open while a
 * call is pending and to let go when none is.
 */
class Waiting {
  #calls = new Map()
  #next = 0
  #native = null

  /**
   * Called by the addon on the JavaScript thread with each call's answer, and its report
   * when the call was started with a message to put it on.
   */
  settle = (id, value, failure, report) => {
    const call = this.#calls.get(id)
    if (call === undefined) return // aborted: its promise was rejected already
    this.#forget(id, call)
    if (report !== null) call.message.report = report
    if (failure === null) call.resolve(call.map(value))
    else call.reject(fromNative(failure))
  }

  attach(nativeClient) {
    this.#native = new WeakRef(nativeClient)
  }

  /**
   * Starts a call and returns its promise. `start(id, abortable, report)` gives the addon
   * the call; it returns null once started, or the failure that refused it before any
   * I/O. With a channel `message`, the addon records the call's report for it.
   */
  start(options, map, start, message) {
    const signal = options === null || typeof options !== 'object' ? undefined : options.signal
    const abortable = signal !== undefined && signal !== null
    if (abortable) {
      if (!(signal instanceof AbortSignal)) {
        return Promise.reject(fromNative(native.invalidArgument('options.signal must be an AbortSignal')))
      }
      if (signal.aborted) return Promise.reject(aborted(signal))
    }
    const id = (this.#next = (this.#next + 1) >>> 0)
    let refused
    try {
      refused = start(id, abortable, message !== undefined)
    } catch (error) {
      return Promise.reject(fromNative(error))
    }
    if (refused !== null) return Promise.reject(fromNative(refused))
    if (this.#calls.size === 0) this.#native.deref()?.hold(true)
    return new Promise((resolve, reject) => {
      const call = { resolve, reject, map, signal, onAbort: undefined, message }
      if (abortable) {
        call.onAbort = () => {
          this.#forget(id, call)
          this.#native.deref()?.abandon(id)
          reject(aborted(signal))
        }
        signal.addEventListener('abort', call.onAbort, { once: true })
      }
      this.#calls.set(id, call)
    })
  }

  #forget(id, call) {
    this.#calls.delete(id)
    if (call.onAbort !== undefined) call.signal.removeEventListener('abort', call.onAbort)
    if (this.#calls.size === 0) this.#native.deref()?.hold(false)
  }
}

/**
 * A client of now.gg's Payments API. Build one and share it: calls run on the
 * library's own threads (up to `maxInFlight` at once) and never block the event loop
 * or occupy libuv's pool. The API key stays inside the addon.
 */
class Client {
  #native
  #waiting

  constructor(options) {
    const waiting = new Waiting()
    try {
      this.#native = new native.NativeClient(options, waiting.settle)
    } catch (error) {
      throw fromNative(error)
    }
    waiting.attach(this.#native)
    this.#waiting = waiting
  }

  /** The base URL calls go to. */
  get baseUrl() {
    return this.#native.baseUrl
  }

  verifyPurchase(token, options) {
    // The purchase comes as JSON text: V8's parser builds the plain object faster than
    // property-by-property napi calls (src/purchase.rs).
    const start = (id, abortable, report) => this.#native.start('verifyPurchase', id, token, options, abortable, report)
    return traced(channels.verifyPurchase, this.#waiting, token, 'options', options, toPurchase, start)
  }

  verifyForGrant(token, policy) {
    const start = (id, abortable, report) => this.#native.start('verifyForGrant', id, token, policy, abortable, report)
    return traced(channels.verifyForGrant, this.#waiting, token, 'policy', policy, toPurchase, start)
  }

  consumePurchase(token, options) {
    const start = (id, abortable, report) => this.#native.start('consumePurchase', id, token, options, abortable, report)
    return traced(channels.consumePurchase, this.#waiting, token, 'options', options, asIs, start)
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
  channels,
  PurchaseState: native.PurchaseState,
  ConsumptionState: native.ConsumptionState,
  isNowggToken: native.isNowggToken,
  errorKinds: native.errorKinds,
  stringFields: native.stringFields,
}
