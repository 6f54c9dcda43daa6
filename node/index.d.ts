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

/** The store a purchase was made in (case is ignored). Amazon and Huawei purchases are consumed on the client. */
export type Store = 'nowgg' | 'xiaomi' | 'onestore' | 'amazon' | 'huawei'

/**
 * The kinds of error, from the core's one table (the same names in every language;
 * `errorKinds()` lists them at run time, and the tests hold this union to it).
 */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'TIMEOUT'
  | 'CONNECTION'
  | 'HTTP_STATUS'
  | 'DECODE'
  | 'API_ERROR'
  | 'ERROR_CONSUMING_PRODUCT'
  | 'INVALID_AUTHORIZATION_KEY'
  | 'INVALID_PURCHASE_TOKEN'
  | 'MULTISTORE_UNKNOWN_ERROR'
  | 'MULTISTORE_AUTH_ERROR'
  | 'NOT_PAID'
  | 'ALREADY_CONSUMED'
  | 'PACKAGE_MISMATCH'
  | 'PRODUCT_MISMATCH'
  | 'TEST_ORDER'
  | 'INTERNAL'

/** The codes `verifyForGrant` refuses a purchase with (it is genuine, but not to be granted). */
export type GrantRefusal = 'NOT_PAID' | 'ALREADY_CONSUMED' | 'PACKAGE_MISMATCH' | 'PRODUCT_MISMATCH' | 'TEST_ORDER'

/** How a consume ended well: either way the purchase is now consumed. */
export type ConsumeOutcome = 'consumed' | 'already_consumed'

/**
 * Options of `new Client(options)`; only `apiKey` is required. Numbers must be finite,
 * not negative and at most 2^53-1 (counts also whole); the core checks every range, the
 * same in every language, and refuses what is out of it with `INVALID_ARGUMENT`.
 */
export interface ClientOptions {
  /** The Payments API key from nowStudio. It never leaves the native addon. */
  apiKey: string
  /** The region whose API to call (default `'global'`); ignored when `baseUrl` is set. */
  region?: Region
  /** A base URL instead of the region's: `https://...`, or `http://` to a loopback host (the sandbox). */
  baseUrl?: string
  /** Deadline of one attempt, connect and body included, in ms (default 10000; more than 0, at most a day). */
  timeoutMs?: number
  /** Deadline to connect, TLS included, in ms (default 3000; more than 0, at most a day). */
  connectTimeoutMs?: number
  /**
   * The bound on everything one call does, in ms (default 30000; more than 0, at most a
   * day): attempts, backoff, `Retry-After` waits and a consume's reconciling verify. Past
   * it the call rejects with `TIMEOUT`.
   */
  deadlineMs?: number
  /** How many times a verify is retried after a retryable failure (default 2, at most 100). A consume's request is never sent twice in one call. */
  maxRetries?: number
  /**
   * How many calls run at once, each on a thread of the library's own (default 512, 1 to
   * 65536); further calls wait in order. Threads start on demand and end when idle.
   */
  maxInFlight?: number
  /** Text appended to the User-Agent, e.g. your game's name and version. */
  userAgent?: string
  /** An HTTP proxy URL (HTTP CONNECT), e.g. `http://proxy.internal:3128`. SOCKS proxies are refused with `INVALID_ARGUMENT`; so is a proxy with a plain-http `baseUrl`. */
  proxy?: string
  /** Extra root certificates (PEM) trusted besides the built-in roots. */
  caCerts?: string
  /** The largest response body accepted, in bytes (default 1 MiB); a larger one is `DECODE`. */
  maxResponseBytes?: number
}

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
