// The public types of nowgg-payments. The addon's own types (the purchase, the state
// enums, isNowggToken) are generated from the Rust crate into native.d.ts and
// re-exported here, so the two cannot drift apart.

export { ConsumptionState, PurchaseState, isNowggToken } from './native'
export type { Purchase } from './native'
import type { Purchase } from './native'

/** A JSON value, as found in `Purchase.raw`. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/** Where now.gg's Payments API is served. */
export type Region = 'global' | 'china'

/** The store a purchase was made in (case is ignored). Amazon and Huawei purchases are consumed on the client. */
export type Store = 'nowgg' | 'xiaomi' | 'onestore' | 'amazon' | 'huawei'

/** The kinds of error, from the core's one table (the same names in every language). */
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

/** Options of `new Client(options)`; only `apiKey` is required. */
export interface ClientOptions {
  /** The Payments API key from nowStudio. It never leaves the native addon. */
  apiKey: string
  /** The region whose API to call (default `'global'`); ignored when `baseUrl` is set. */
  region?: Region
  /** A base URL instead of the region's: `https://...`, or `http://` to a loopback host (the sandbox). */
  baseUrl?: string
  /** Deadline of one attempt, connect and body included, in ms (default 10000). */
  timeoutMs?: number
  /** Deadline to connect, TLS included, in ms (default 3000). */
  connectTimeoutMs?: number
  /** How many times a verify is retried after a retryable failure (default 2). Consumes are never retried blindly. */
  maxRetries?: number
  /** Text appended to the User-Agent, e.g. your game's name and version. */
  userAgent?: string
  /** An HTTP or SOCKS proxy URL. */
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
   * is the signal's reason) while the request finishes on its pool thread.
   */
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
   * Stops waiting, as for verify. An aborted consume may still take effect: verify the
   * purchase before trying again.
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
 * A client of now.gg's Payments API. Build it once and share it. Calls run on libuv's
 * thread pool (`UV_THREADPOOL_SIZE`, default 4, bounds how many run at once), never on
 * the event loop. Inspecting or serialising a client shows its base URL, never the key.
 */
export declare class Client {
  /** Checks every option; throws a NowggError with code `INVALID_ARGUMENT`. */
  constructor(options: ClientOptions)
  /** The base URL calls go to. */
  readonly baseUrl: string
  /**
   * Verifies a purchase token. Retried with backoff on timeouts, connection failures,
   * HTTP 429/5xx and API code 5014. Check `isPaid` and `isConsumed` before granting.
   */
  verifyPurchase(token: string, options?: VerifyOptions): Promise<Purchase>
  /**
   * Consumes a purchase (do it before granting: the consume is the lock). Never re-sent
   * blindly; after an ambiguous failure it verifies whether the consume took effect.
   * A purchase consumed already rejects with `ERROR_CONSUMING_PRODUCT`.
   */
  consumePurchase(token: string, options?: ConsumeOptions): Promise<void>
  toJSON(): { baseUrl: string }
}
