// Verifies TOKEN and prints the purchase with the runtime's own console.log, then as
// JSON: what a server's log line would show.
//
//   node print.mjs SANDBOX_URL API_KEY TOKEN

import { Client } from 'nowgg-payments'

const [url, apiKey, token] = process.argv.slice(2)
const purchase = await new Client({ apiKey, baseUrl: url }).verifyPurchase(token)
console.log(purchase)
console.log('json', JSON.stringify(purchase))
