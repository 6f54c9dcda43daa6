// The public types of nowgg-payments. The addon's own types (the purchase, whose fields
// and docs come from the core's field table, the state enums, isNowggToken, errorKinds,
// stringFields) are generated from the Rust crate into native.d.ts and re-exported
// here, so the two cannot drift apart.

export { ConsumptionState, PurchaseState, errorKinds, isNowggToken, stringFields } from './native'
export type { FieldInfo, Purchase } from './native'
import type { Purchase } from './native'

/** A JSON value, as found in `Purchase.raw`. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/** Where now.gg's Payments API is served. */
export type Region = 'global' | 'china'

// generated: unions (by `cargo xtask codegen` from the core's tables; do not edit)
/**
 * The store a purchase was made in (case is ignored). `'nowgg'`: now.gg itself (the
 * default). `'xiaomi'`: Xiaomi: a multi-store purchase; `product_id` is required.
 * `'onestore'`: ONEStore: a multi-store purchase; `product_id` is required. `'amazon'`:
 * Amazon: consumed on the client only, never server-side. `'huawei'`: Huawei: consumed on
 * the client only, never server-side.
 */
export type Store = 'nowgg' | 'xiaomi' | 'onestore' | 'amazon' | 'huawei'

/**
 * The kinds of error: `NowggError.code`, the same names in every language.
 *
 * - `INVALID_ARGUMENT` (1): Bad input or configuration, found before any I/O: a missing
 *   or non-UTF-8 argument, an empty token, an unknown store or region, an option out of its
 *   range. Nothing was sent; fix the call.
 * - `TIMEOUT` (100): A deadline passed: the connect timeout, one attempt's timeout, or
 *   the whole call's deadline (in Node, also an `AbortSignal` that fired). A consume that
 *   ends so may still have taken effect: consuming again later is safe.
 * - `CONNECTION` (101): The connection failed: DNS, refused, reset. A failed TLS
 *   handshake (an untrusted certificate, no protocol in common) is this kind too, but is
 *   not retryable: nothing was sent, and trying again would fail the same way.
 * - `HTTP_STATUS` (102): A non-2xx answer without the vendor's JSON envelope (a proxy's
 *   HTML page, a gateway's own JSON, a 404). Retryable for 429 and 5xx only.
 * - `DECODE` (103): An answer that could not be understood: not JSON, a malformed
 *   envelope, or a body over `max_response_bytes`.
 * - `API_ERROR` (200): An API code the vendor does not document, or `success: false` with
 *   code 0.
 * - `NOT_PAID` (300): Grant check: the purchase is not paid (`purchaseState` is not 1).
 * - `ALREADY_CONSUMED` (301): Grant check: the purchase is already consumed
 *   (`consumptionState` is 1).
 * - `PACKAGE_MISMATCH` (302): Grant check: the purchase's `packageName` is not the
 *   policy's.
 * - `PRODUCT_MISMATCH` (303): Grant check: the purchase's product (`productId`, else
 *   `sellerGoodsId`) is not one of the policy's.
 * - `TEST_ORDER` (304): Grant check: a test order, and the policy does not allow them.
 * - `INTERNAL` (900): A bug in this library (a caught panic); please report it. The
 *   message is a fixed sentence, never the panic's text.
 * - `ERROR_CONSUMING_PRODUCT` (3800): API code 3800: now.gg refused the consume, and the
 *   purchase is not consumed (not paid). A consume that finds it consumed before does not
 *   fail: it ends with the outcome `already_consumed`.
 * - `INVALID_AUTHORIZATION_KEY` (3900): API code 3900: the Payments API key was refused.
 * - `INVALID_PURCHASE_TOKEN` (3901): API code 3901: the purchase token is unknown
 *   (forged, or from another app).
 * - `MULTISTORE_UNKNOWN_ERROR` (5014): API code 5014: a generic error of the multi-store
 *   backend; worth retrying.
 * - `MULTISTORE_AUTH_ERROR` (5015): API code 5015: the multi-store backend could not
 *   authenticate.
 */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'TIMEOUT'
  | 'CONNECTION'
  | 'HTTP_STATUS'
  | 'DECODE'
  | 'API_ERROR'
  | 'NOT_PAID'
  | 'ALREADY_CONSUMED'
  | 'PACKAGE_MISMATCH'
  | 'PRODUCT_MISMATCH'
  | 'TEST_ORDER'
  | 'INTERNAL'
  | 'ERROR_CONSUMING_PRODUCT'
  | 'INVALID_AUTHORIZATION_KEY'
  | 'INVALID_PURCHASE_TOKEN'
  | 'MULTISTORE_UNKNOWN_ERROR'
  | 'MULTISTORE_AUTH_ERROR'

/** The codes `verifyForGrant` refuses a purchase with (it is genuine, but not to be granted). */
export type GrantRefusal = 'NOT_PAID' | 'ALREADY_CONSUMED' | 'PACKAGE_MISMATCH' | 'PRODUCT_MISMATCH' | 'TEST_ORDER'

/**
 * How a consume ended well: either way the purchase is now consumed. `'consumed'`: This
 * call consumed the purchase. `'already_consumed'`: It was consumed before this call, or
 * this call's answer was lost and a verify shows it consumed.
 */
export type ConsumeOutcome = 'consumed' | 'already_consumed'
// /generated: unions

// generated: client options (by `cargo xtask codegen` from the core's option table; do not edit)
/**
 * Options of `new Client(options)`; only `apiKey` is required. Numbers must be finite,
 * not negative and at most 2^53-1 (counts also whole); the core checks every range, the
 * same in every language, and refuses what is out of it with `INVALID_ARGUMENT`.
 */
export interface ClientOptions {
  /** The Payments API key from nowStudio. It never leaves the native addon. */
  apiKey: string
  /**
   * The region whose API to call: `global` or `china` (case is ignored); ignored when a
   * base URL is set. Default `'global'`.
   */
  region?: Region
  /**
   * A base URL instead of the region's: `https://...`, or `http://` to a loopback host only
   * (the sandbox). A path prefix is kept.
   */
  baseUrl?: string
  /**
   * The deadline of one attempt, connect and response body included. In ms; default 10000;
   * more than 0, at most 86400000.
   */
  timeoutMs?: number
  /** The deadline to connect, TLS included. In ms; default 3000; more than 0, at most 86400000. */
  connectTimeoutMs?: number
  /**
   * How many times a verify is retried after a retryable failure. A consume's request is
   * never sent twice in one call. Default 2; 0 to 100.
   */
  maxRetries?: number
  /**
   * The bound on everything one call does: attempts, backoff, `Retry-After` waits and a
   * consume's reconciling verify. Past it the call ends with `TIMEOUT`; each attempt also
   * keeps its own timeout. In ms; default 30000; more than 0, at most 86400000.
   */
  deadlineMs?: number
  /**
   * How many async calls run at once, each on a thread of the library's own (started on
   * demand, ended when idle); further calls wait in order. Blocking calls are not counted:
   * they run on the caller's thread. Default 512; 1 to 65536.
   */
  maxInFlight?: number
  /** Text appended to the `User-Agent`, e.g. your game's name and version. */
  userAgent?: string
  /**
   * An HTTP(S) proxy URL, e.g. `http://proxy.internal:3128`. A SOCKS proxy is refused, and
   * so is a proxy with a plain-http base URL (the API key would cross it in cleartext).
   */
  proxy?: string
  /**
   * Extra root certificates (PEM), trusted besides the built-in Mozilla roots: for a
   * TLS-inspecting proxy or the sandbox's `--tls` mode.
   */
  caCerts?: string
  /**
   * The largest response body accepted; a larger one is `DECODE`. In bytes; default
   * 1048576; 1 to 2^53-1.
   */
  maxResponseBytes?: number
}
// /generated: client options

/** Options of `client.verifyPurchase(token, options)`. */
export interface VerifyOptions {
  /**
   * Stops waiting: the promise rejects at once with a `TIMEOUT` NowggError (its `cause`
   * is the signal's reason) while a request on the wire finishes in the background; a
   * call still queued behind `maxInFlight` is never sent.
   */
  signal?: AbortSignal
}

/**
 * What a purchase must be to be granted (`client.verifyForGrant(token, policy)`): paid
 * and not consumed always; the rest only as given.
 */
export interface GrantPolicy {
  /** The purchase's `packageName` must be this one (`PACKAGE_MISMATCH` otherwise). */
  packageName?: string
  /**
   * The product must be one of these (`PRODUCT_MISMATCH` otherwise), compared with
   * `productId`, or `sellerGoodsId` where `productId` is absent (No Code purchases). Empty
   * or absent: any product.
   */
  productIds?: string[]
  /** Whether test orders may be granted (default false: `TEST_ORDER`). */
  allowTestOrders?: boolean
  /** Stops waiting, as for `verifyPurchase`. */
  signal?: AbortSignal
}

/** Options of `client.consumePurchase(token, options)`. */
export interface ConsumeOptions {
  /** The store the purchase was made in (default `'nowgg'`). */
  store?: Store
  /** The product id: required for xiaomi and onestore. */
  productId?: string
  /** The purchase's currency (multi-store). */
  currency?: string
  /** A string of the developer's (multi-store). */
  developerPayload?: string
  /**
   * Stops waiting, as for verify. An aborted consume may still take effect; consuming
   * again later is safe (it answers `already_consumed`).
   */
  signal?: AbortSignal
}

/** The fields of a NowggError besides its message. */
export interface NowggErrorFields {
  code: ErrorCode
  apiCode?: number | null
  httpStatus?: number | null
  retryable?: boolean
  cause?: Error | string | number | boolean | object | null
}

/** Every error the package throws or rejects with. */
export declare class NowggError extends Error {
  constructor(message: string, fields: NowggErrorFields)
  readonly name: 'NowggError'
  /** The kind of error (see the table in the README). */
  readonly code: ErrorCode
  /** The API's own code, when the error came in an API envelope. */
  readonly apiCode: number | null
  /** The HTTP status of the response, when one arrived. */
  readonly httpStatus: number | null
  /** Whether the same call may succeed if made again later. */
  readonly retryable: boolean
}

/**
 * A client of now.gg's Payments API. Build it once and share it. Each call runs on a
 * thread of the library's own, at most `maxInFlight` at once (further calls wait in
 * order), and its promise settles on the event loop: calls never block the event loop
 * nor occupy libuv's thread pool (which `fs`, `dns.lookup`, `crypto` and `zlib` use). An
 * idle client does not keep the process alive; a pending call does. Inspecting or
 * serialising a client shows its base URL, never the key.
 *
 * To grant each purchase exactly once: `verifyForGrant`, then record the grant in your
 * own database under the purchase's unique `orderId` (an existing row means it was
 * delivered already: stop), grant in the same transaction, and only then
 * `consumePurchase`. The record, not the consume, is the lock.
 */
export declare class Client {
  /** Checks every option; throws a NowggError with code `INVALID_ARGUMENT`. */
  constructor(options: ClientOptions)
  /** The base URL calls go to. */
  readonly baseUrl: string
  /**
   * Verifies a purchase token. Retried with backoff on timeouts, connection failures,
   * HTTP 429/5xx and API code 5014. To decide on a grant, use `verifyForGrant`.
   */
  verifyPurchase(token: string, options?: VerifyOptions): Promise<Purchase>
  /**
   * Verifies a purchase token, then checks that it may be granted under `policy`:
   * rejects with `NOT_PAID`, `ALREADY_CONSUMED`, `PACKAGE_MISMATCH`, `PRODUCT_MISMATCH`
   * or `TEST_ORDER` (see `GrantRefusal`) when not. Passing does not make a grant safe to
   * repeat: record it under `orderId` first.
   */
  verifyForGrant(token: string, policy?: GrantPolicy): Promise<Purchase>
  /**
   * Makes sure a purchase is consumed, once its grant is recorded and delivered:
   * resolves to `'consumed'` (this call consumed it) or `'already_consumed'` (it was
   * consumed before, or this call's answer was lost and a verify shows it consumed);
   * both mean done. Always safe to call again: a retryable rejection means "try again
   * later" (a sweep over recorded, unconsumed orders). The request is never sent twice
   * in one call. `ERROR_CONSUMING_PRODUCT` means now.gg refused it (e.g. not paid).
   */
  consumePurchase(token: string, options?: ConsumeOptions): Promise<ConsumeOutcome>
  toJSON(): { baseUrl: string }
}

export type { CallAttempt, CallReport, CallWait } from './native'
import type { CallReport } from './native'

/**
 * The message of a call on its tracing channel: one object from `start` to `asyncEnd`.
 * It never holds a whole purchase token.
 */
export interface CallMessage<Result> {
  /** The start of the purchase token (null when the token is not a string). */
  tokenStart: string | null
  /**
   * What the call did, on `error` and `asyncEnd`; absent when the call was refused
   * before it began (an argument of the wrong type) or abandoned by its signal while
   * queued.
   */
  report?: CallReport
  /** The answer, on `asyncEnd` of a call that succeeded; a purchase with its token shortened. */
  result?: Result
  /** What the promise rejected with, on `error` and `asyncEnd`. */
  error?: NowggError
}

/** `verifyPurchase`'s message: its options without `signal`. */
export interface VerifyMessage extends CallMessage<Purchase> {
  options?: Omit<VerifyOptions, 'signal'>
}

/** `verifyForGrant`'s message: its policy without `signal`. */
export interface GrantMessage extends CallMessage<Purchase> {
  policy?: Omit<GrantPolicy, 'signal'>
}

/** `consumePurchase`'s message: its options without `signal`. */
export interface ConsumeMessage extends CallMessage<ConsumeOutcome> {
  options?: Omit<ConsumeOptions, 'signal'>
}

/**
 * The calls' `diagnostics_channel` tracing channels, `nowgg-payments:verifyPurchase`,
 * `nowgg-payments:verifyForGrant` and `nowgg-payments:consumePurchase`, published as
 * `tracePromise` does (start, end, asyncStart, asyncEnd, and error). A call is traced
 * only while its channel has a subscriber; otherwise nothing is published nor recorded.
 */
export declare const channels: {
  readonly verifyPurchase: import('node:diagnostics_channel').TracingChannel<object, VerifyMessage>
  readonly verifyForGrant: import('node:diagnostics_channel').TracingChannel<object, GrantMessage>
  readonly consumePurchase: import('node:diagnostics_channel').TracingChannel<object, ConsumeMessage>
}
