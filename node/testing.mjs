// The ES module entry of nowgg-payments/testing: the same objects as the CommonJS one.
// Loaded with `require`, as index.mjs does (Deno reads a `.js` file outside node_modules
// as an ES module when package.json names no "type").
import { createRequire } from 'node:module'

const testing = createRequire(import.meta.url)('./testing.js')

export const { startSandbox, Sandbox } = testing
export default testing
