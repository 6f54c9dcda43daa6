#!/usr/bin/env node
'use strict'
// `npm pack` hooks: `bundle` (prepack) copies the Rust sources the install script
// builds into rust/, since a tarball has no repository around it; `clean` (postpack)
// removes them again.
//
// rust/node is this crate and rust/<dir> each crate it depends on by path (the core),
// with manifests written from `cargo metadata`: versions and features resolved, no
// workspace inheritance, no dev-dependencies (never built here, and the core's point
// at the sandbox, which is not bundled). rust/node is its own workspace root, so an
// enclosing Cargo workspace of the user's cannot claim it. The repository's Cargo.lock
// and release profile come along, so the build is the one CI tests.

const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const packageDir = path.resolve(__dirname, '..')
const bundleDir = path.join(packageDir, 'rust')

function bundle() {
  clean()
  const metadata = JSON.parse(
    execFileSync('cargo', ['metadata', '--format-version', '1', '--no-deps',
      '--manifest-path', path.join(packageDir, 'Cargo.toml')], { encoding: 'utf8' }),
  )
  const packages = new Map(metadata.packages.map((p) => [path.dirname(p.manifest_path), p]))
  const root = packages.get(packageDir)
  const bundled = new Map([[packageDir, 'node']])
  const queue = [root]
  while (queue.length) {
    const pkg = queue.shift()
    for (const dep of pkg.dependencies) {
      if (dep.kind === 'dev' || !dep.path || bundled.has(dep.path)) continue
      bundled.set(dep.path, path.basename(dep.path))
      queue.push(packages.get(dep.path))
    }
  }
  for (const [dir, name] of bundled) {
    const pkg = packages.get(dir)
    const to = path.join(bundleDir, name)
    fs.cpSync(path.join(dir, 'src'), path.join(to, 'src'), { recursive: true })
    if (fs.existsSync(path.join(dir, 'build.rs'))) fs.copyFileSync(path.join(dir, 'build.rs'), path.join(to, 'build.rs'))
    let manifest = manifestOf(pkg, (depDir) => `../${bundled.get(depDir)}`)
    if (dir === packageDir) manifest += `\n[workspace]\n\n${releaseProfile(metadata.workspace_root)}`
    fs.writeFileSync(path.join(to, 'Cargo.toml'), manifest)
  }
  fs.copyFileSync(path.join(metadata.workspace_root, 'Cargo.lock'), path.join(bundleDir, 'node', 'Cargo.lock'))
}

const toml = (value) => JSON.stringify(value)
// A target such as cfg(unix) as a TOML key: a literal string, quotes and all.
const tomlKey = (target) => `'${target}'`

function manifestOf(pkg, pathOf) {
  const lines = ['# Written by scripts/pack.js from the repository\'s manifests.', '[package]']
  lines.push(`name = ${toml(pkg.name)}`, `version = ${toml(pkg.version)}`, `edition = ${toml(pkg.edition)}`)
  if (pkg.rust_version) lines.push(`rust-version = ${toml(pkg.rust_version)}`)
  if (pkg.license) lines.push(`license = ${toml(pkg.license)}`)
  lines.push('publish = false')
  for (const target of pkg.targets) {
    if (target.kind.includes('custom-build')) lines.push('build = "build.rs"')
  }
  const lib = pkg.targets.find((t) => t.kind.some((k) => k.endsWith('lib')))
  lines.push('', '[lib]', `name = ${toml(lib.name)}`, `crate-type = ${toml(lib.crate_types)}`)
  if (Object.keys(pkg.features).length) {
    lines.push('', '[features]')
    for (const [name, enables] of Object.entries(pkg.features)) lines.push(`${toml(name)} = ${toml(enables)}`)
  }
  // One table per (kind, target) pair, e.g. [target.'cfg(unix)'.dependencies].
  const tables = new Map()
  for (const dep of pkg.dependencies) {
    const name = { normal: 'dependencies', build: 'build-dependencies' }[dep.kind || 'normal']
    if (!name) continue
    const table = dep.target ? `target.${tomlKey(dep.target)}.${name}` : name
    if (!tables.has(table)) tables.set(table, [])
    tables.get(table).push(dep)
  }
  for (const [table, deps] of tables) {
    lines.push('', `[${table}]`)
    for (const dep of deps) {
      const spec = dep.path ? [`path = ${toml(pathOf(dep.path))}`] : [`version = ${toml(dep.req)}`]
      if (dep.rename) spec.push(`package = ${toml(dep.name)}`)
      if (!dep.uses_default_features) spec.push('default-features = false')
      if (dep.features.length) spec.push(`features = ${toml(dep.features)}`)
      if (dep.optional) spec.push('optional = true')
      lines.push(`${toml(dep.rename || dep.name)} = { ${spec.join(', ')} }`)
    }
  }
  return lines.join('\n') + '\n'
}

/** The workspace's `[profile.release]` table, as written. */
function releaseProfile(workspaceRoot) {
  const text = fs.readFileSync(path.join(workspaceRoot, 'Cargo.toml'), 'utf8')
  const match = text.match(/^\[profile\.release\]\n(?:[^[].*\n?)*/m)
  return match ? match[0].trimEnd() + '\n' : ''
}

function clean() {
  fs.rmSync(bundleDir, { recursive: true, force: true })
}

const command = process.argv[2]
if (command === 'bundle') bundle()
else if (command === 'clean') clean()
else {
  console.error('usage: pack.js bundle|clean')
  process.exit(2)
}
