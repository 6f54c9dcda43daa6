// The ES module entry: the same objects as the CommonJS one, so `instanceof` agrees.
// Loaded with `require` rather than `import ... from './index.js'`: Deno reads a `.js`
// file outside node_modules (a `file:` or linked install resolves there) as an ES
// module when package.json names no "type", and would find no default export.
import { createRequire } from 'node:module'

const nowgg = createRequire(import.meta.url)('./index.js')

export const { Client, NowggError, channels, PurchaseState, ConsumptionState, isNowggToken, errorKinds, stringFields } = nowgg
export default nowgg
