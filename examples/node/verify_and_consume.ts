// The same handler in TypeScript (checked with `tsc --strict --noEmit`): the types say
// what a purchase holds, and which error codes there are.

import { Client, NowggError, PurchaseState, type ErrorCode, type Purchase } from 'nowgg-payments'

interface Request {
  body: { playerId: string; token: string }
}

interface Response {
  status(code: number): Response
  json(body: object): Response
}

const client = new Client({
  apiKey: process.env.NOWGG_API_KEY ?? '',
  region: 'global',
  timeoutMs: 5000,
  maxRetries: 2,
})

const grants = new Map<string, { playerId: string; productId: string | null }>()

function grant(playerId: string, purchase: Purchase): void {
  grants.set(purchase.orderId ?? purchase.purchaseToken ?? '', { playerId, productId: purchase.productId })
}

/** What the player is told for each kind of failure. */
function statusFor(code: ErrorCode, retryable: boolean): [number, string] {
  switch (code) {
    case 'ERROR_CONSUMING_PRODUCT':
      return [409, 'already granted']
    case 'INVALID_PURCHASE_TOKEN':
    case 'INVALID_ARGUMENT':
      return [400, 'invalid token']
    default:
      return [retryable ? 503 : 500, 'try again later']
  }
}

export async function handle(req: Request, res: Response): Promise<Response> {
  const { playerId, token } = req.body
  try {
    const purchase: Purchase = await client.verifyPurchase(token, { signal: AbortSignal.timeout(8000) })
    if (purchase.purchaseState !== PurchaseState.Paid) return res.status(402).json({ status: 'not paid' })
    if (purchase.isConsumed) return res.status(409).json({ status: 'already granted' })
    await client.consumePurchase(token, { store: 'nowgg' })
    grant(playerId, purchase)
    const when = purchase.purchaseTimeMs === null ? null : new Date(purchase.purchaseTimeMs).toISOString()
    return res.status(200).json({ status: 'granted', productId: purchase.productId, when })
  } catch (error) {
    if (!(error instanceof NowggError)) throw error
    const [status, message] = statusFor(error.code, error.retryable)
    return res.status(status).json({ status: message, apiCode: error.apiCode })
  }
}
