// The types of nowgg-payments/testing: the sandbox, in process, for a backend's tests.

import type { Client, ClientOptions, JsonValue, Store } from './index'

/** How to start a sandbox. */
export interface SandboxOptions {
  /** The one key the sandbox accepts (default `'test-key'`). */
  apiKey?: string
  /** Delays every API answer by this many milliseconds (default 0): a network's round trip. */
  latencyMs?: number
}

/** A purchase to add; every option has a default, so `addPurchase()` is a paid, unconsumed now.gg purchase. */
export interface NewPurchaseOptions {
  /** `productId` and `sellerGoodsId` (default `'gems_100'`). */
  productId?: string
  /** `packageName` (default `'com.example.game'`). */
  packageName?: string
  /** `purchaseState` 1 and `payStatusTxt` `'Paid'` (default), or 0 and `'Unpaid'`. */
  paid?: boolean
  /** `consumptionState` 1, or 0 (default). */
  consumed?: boolean
  /** `isTestOrder` (default false). */
  testOrder?: boolean
  /** The store it was made in (default `'nowgg'`); it decides how it may be consumed. */
  store?: Store
  /**
   * The purchase token (default: `-nowgg-` and 24 random characters; for another
   * store, its name, `-` and 24 hex digits).
   */
  token?: string
  /** `orderId` (default: `NOWGG.` and 20 random digits). */
  orderId?: string
  /** Raw verifyPurchase `data` fields to add or override, verbatim. */
  data?: { [field: string]: JsonValue }
}

/** The control API's fault actions. Only `none` and `drop_after` let the call take effect. */
export type FaultAction =
  | 'none'
  | 'hang'
  | 'drop_before'
  | 'drop_after'
  | 'status'
  | 'json'
  | 'api_code'
  | 'malformed'
  | 'empty'
  | 'oversized'

/** Which API requests a fault hits: both verify paths, the consume path, any, or exactly a path (`/...`). */
export type FaultMatch = 'verify' | 'consume' | 'any' | `/${string}`

/** A fault's options; the action's own fields are checked against the action. */
export interface FaultOptions {
  /** Which requests it hits (default `'any'`). */
  match?: FaultMatch
  /** How many matching requests it hits (default 1; 0 hits none). */
  times?: number
  /** Waits this long before acting (default 0). */
  delayMs?: number
  /** `status`, `json`, `api_code`: the HTTP status. */
  status?: number
  /** `status`: the body text; `json`: the JSON sent verbatim. */
  body?: JsonValue
  /** `status`: extra headers (e.g. `Retry-After`). */
  headers?: { [name: string]: string }
  /** `status`: the body's Content-Type (default `text/html`). */
  contentType?: string
  /** `api_code`: the API code of a `success: false` envelope. */
  code?: number
  /** `api_code`: its `codeMsg` (default the code's documented name). */
  msg?: string
  /** `oversized`: the body's size in bytes. */
  bytes?: number
}

/** One API request as the sandbox received it, and how it was answered. */
export interface SandboxRequest {
  method: string
  path: string
  /** By lower-case name; never `authorization`. */
  headers: { [name: string]: string }
  form: { [name: string]: string }
  /** Whether it carried the sandbox's key. */
  authorized: boolean
  /** API requests being served when it arrived, itself included. */
  inFlight: number
  /** RFC 3339, UTC, milliseconds. */
  time: string
  /** `'verify'`, `'consume'` or `'other'`. */
  call: string
  /** The start of its token, as the library shows tokens; never the whole token. */
  tokenStart: string | null
  code: number | null
  codeName: string | null
  status: number | null
  /** The action of the fault that hit it. */
  fault: string | null
  durationMs: number | null
}

/** A queued fault, as the control API lists it: `count` is what is left of it. */
export interface QueuedFault {
  match: string
  count: number
  delay_ms: number
  action: FaultAction
  [field: string]: JsonValue
}

/**
 * A sandbox running in this process on 127.0.0.1 and a free port. It does not keep the
 * process alive; `close()` (or `await using`) stops it and frees the port.
 */
export declare class Sandbox {
  private constructor()
  /** The base URL, `http://127.0.0.1:PORT`. */
  readonly url: string
  /** The key it accepts. */
  readonly apiKey: string
  /** The console's address: purchases, requests and faults, live. */
  readonly consoleUrl: string
  /** Whether `close` has run. */
  readonly closed: boolean
  /** A Client of this sandbox (`baseUrl` the sandbox's; `apiKey` its key unless given). */
  client(options?: Partial<ClientOptions>): Client
  /** Stores a realistic now.gg purchase and resolves to its token. */
  addPurchase(options?: NewPurchaseOptions): Promise<string>
  /** Queues a fault; rejects with a TypeError on an unknown action or a misplaced field. */
  addFault(action: FaultAction, options?: FaultOptions): Promise<void>
  /** The stored verifyPurchase `data` of a token, or null. */
  purchase(token: string): Promise<{ [field: string]: JsonValue } | null>
  /** The API requests since the start or the last reset, oldest first. */
  requests(): Promise<SandboxRequest[]>
  /** The faults still queued. */
  faults(): Promise<QueuedFault[]>
  /** Back to the sample purchases, with no faults and an empty request log. */
  reset(): Promise<void>
  /** Stops serving and frees the port; idempotent. */
  close(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
  toJSON(): { url: string; consoleUrl: string }
}

/** Starts a sandbox holding the vendor's sample purchases. */
export declare function startSandbox(options?: SandboxOptions): Promise<Sandbox>
