// The ES module entry: the same objects as the CommonJS one, so `instanceof` agrees.
import nowgg from './index.js'

export const { Client, NowggError, PurchaseState, ConsumptionState, isNowggToken, errorKinds, stringFields } = nowgg
export default nowgg
