#!/usr/bin/env node
'use strict'
// The package's `install` script. When the prebuilt addon of this platform is installed
// (the optional dependency nowgg-payments-<platform>-<arch>[-<abi>], see platform.js),
// it builds nothing. Otherwise it builds the addon from source with cargo and copies the
// library to nowgg-payments.node; without cargo it fails, naming both ways out. Plain
// cargo rather than the napi CLI: nothing to install first (the CLI would have to be a
// regular dependency of every user), and the one thing the CLI adds, the TypeScript
// declarations, is checked by the repository's tests instead (scripts/check-types.js
// reads the type definitions this build leaves).
//
// From a repository checkout the crate is this directory, a member of the workspace.
// From a tarball (`npm pack`), the Rust sources are bundled under rust/ (scripts/pack.js).
// CARGO_TARGET_DIR, when set, is honoured, so CI builds each artifact once.

const { spawnSync } = require('node:child_process')
const crypto = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')
const { platformPackage } = require('./platform.js')

const packageDir = path.resolve(__dirname, '..')
const crateName = 'nowgg-payments-node'
const addon = path.join(packageDir, 'nowgg-payments.node')

/** The crate's manifest: the checkout's, else (a tarball holds none) the bundled copy. */
function manifestPath() {
  const checkout = path.join(packageDir, 'Cargo.toml')
  return fs.existsSync(checkout) ? checkout : path.join(packageDir, 'rust', 'node', 'Cargo.toml')
}

function cargo(args, options = {}) {
  const result = spawnSync('cargo', args, { encoding: 'utf8', maxBuffer: 64 << 20, ...options })
  if (result.error) {
    const hint = result.error.code === 'ENOENT' ? ' (install Rust from https://rustup.rs)' : ''
    throw new Error(`nowgg-payments: cannot run cargo${hint}: ${result.error.message}`)
  }
  if (result.status !== 0) {
    throw new Error(`nowgg-payments: \`cargo ${args[0]}\` failed with status ${result.status}`)
  }
  return result.stdout
}

/**
 * Where napi-derive writes the crate's type definitions while it compiles: one folder
 * per manifest, in the target dir, so a build that cargo finds fresh still has them.
 */
function typeDefDir(manifest = manifestPath()) {
  const metadata = JSON.parse(
    cargo(['metadata', '--format-version', '1', '--no-deps', '--manifest-path', manifest], {
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  )
  const key = crypto.createHash('sha256').update(manifest).digest('hex').slice(0, 16)
  return path.join(metadata.target_directory, 'napi-type-defs', key)
}

function build() {
  const manifest = manifestPath()
  const typeDefs = typeDefDir(manifest)
  fs.mkdirSync(typeDefs, { recursive: true })
  const env = { ...process.env, NAPI_TYPE_DEF_TMP_FOLDER: typeDefs }
  // napi-derive writes the definitions only when it compiles the crate: force that
  // when they are missing (napi-build reruns on this variable).
  const forceVar = `NAPI_FORCE_BUILD_${crateName.toUpperCase().replace(/-/g, '_')}`
  env[forceVar] = fs.existsSync(path.join(typeDefs, crateName)) ? '' : String(Date.now())
  const out = cargo(
    ['build', '--release', '--lib', '--manifest-path', manifest, '-p', crateName,
      '--message-format=json-render-diagnostics'],
    { env, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const library = out
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line))
    .filter((m) => m.reason === 'compiler-artifact' && m.target.name === crateName.replace(/-/g, '_'))
    .flatMap((m) => m.filenames)
    .find((file) => /\.(so|dylib|dll)$/.test(file))
  if (!library) throw new Error('nowgg-payments: cargo built no library for the addon')
  // Copy, then rename: a process that has the old addon loaded keeps its own inode.
  const partial = `${addon}.${process.pid}.partial`
  fs.copyFileSync(library, partial)
  fs.renameSync(partial, addon)
  console.log(`nowgg-payments: built ${path.basename(addon)} from ${path.relative(packageDir, manifest)}`)
}

function hasPrebuilt() {
  try {
    require.resolve(`${platformPackage()}/package.json`, { paths: [packageDir] })
    return true
  } catch {
    return false
  }
}

function hasCargo() {
  return !spawnSync('cargo', ['--version'], { stdio: 'ignore' }).error
}

function install() {
  if (hasPrebuilt()) {
    console.log(`nowgg-payments: using the prebuilt addon of ${platformPackage()}; nothing to build`)
  } else if (hasCargo()) {
    build()
  } else {
    throw new Error(
      `nowgg-payments: no prebuilt addon for ${process.platform}-${process.arch} (the optional ` +
        `package ${platformPackage()} is not installed) and no cargo to build one from source. ` +
        'Either install on a platform the release covers, with optional dependencies ' +
        '(not --omit=optional, not a lockfile made on another platform), or install Rust ' +
        '(https://rustup.rs) and run `npm rebuild nowgg-payments`.',
    )
  }
}

module.exports = { typeDefDir, crateName }

if (require.main === module) {
  try {
    install()
  } catch (error) {
    console.error(error.message)
    process.exit(1)
  }
}
