#!/usr/bin/env node
'use strict'
// Checks that the committed native.d.ts is what napi-rs generates from the crate, and
// that no `any` or `unknown` reaches the public types. The definitions are the ones the
// install script's build left (scripts/build.js); @napi-rs/cli renders them and is
// resolved from the current directory (the test script's scratch project).
//
//   node scripts/check-types.js           fail on drift
//   node scripts/check-types.js --write   rewrite native.d.ts

const fs = require('node:fs')
const path = require('node:path')
const { createRequire } = require('node:module')
const { typeDefDir, crateName } = require('./build.js')

const packageDir = path.resolve(__dirname, '..')
const committed = path.join(packageDir, 'native.d.ts')

async function main() {
  const dir = typeDefDir(path.join(packageDir, 'Cargo.toml'))
  if (!fs.existsSync(path.join(dir, crateName))) {
    throw new Error(`no type definitions in ${dir}: install the package first (scripts/build.js)`)
  }
  const { generateTypeDef } = createRequire(path.join(process.cwd(), 'noop.js'))('@napi-rs/cli')
  // Regular enums (not `const enum`): the addon exports them as objects at run time.
  const { dts } = await generateTypeDef({ typeDefDir: dir, cwd: packageDir, constEnum: false })
  if (process.argv.includes('--write')) {
    fs.writeFileSync(committed, dts)
    console.log(`wrote ${path.relative(process.cwd(), committed)}`)
  } else if (fs.readFileSync(committed, 'utf8') !== dts) {
    throw new Error(
      'native.d.ts differs from what the crate generates: run `node scripts/check-types.js --write` ' +
        'from a project with @napi-rs/cli installed, and review the diff',
    )
  }
  for (const file of ['index.d.ts', 'native.d.ts']) {
    const text = fs.readFileSync(path.join(packageDir, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*/g, '')
    const loose = text.match(/\b(any|unknown)\b/)
    if (loose) throw new Error(`${file} uses \`${loose[1]}\` in the public API`)
  }
  console.log('native.d.ts matches the crate; no any/unknown in the public types')
}

main().catch((error) => {
  console.error(error.message)
  process.exit(1)
})
