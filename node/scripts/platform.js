'use strict'
// Which npm package holds the prebuilt addon for this machine, named after napi-rs's
// conventions: nowgg-payments-<platform>-<arch>, plus -gnu/-musl on Linux and -msvc on
// Windows. Shared by the loader (index.js) and the install script (build.js), so that
// both look for the same package.

const fs = require('node:fs')

function platformPackage() {
  const { platform, arch } = process
  let abi = ''
  if (platform === 'linux') abi = isMusl() ? '-musl' : '-gnu'
  else if (platform === 'win32') abi = '-msvc'
  return `nowgg-payments-${platform}-${arch}${abi}`
}

function isMusl() {
  // ldd names its libc; reading it is faster than building a process report.
  try {
    return fs.readFileSync('/usr/bin/ldd', 'utf8').includes('musl')
  } catch {
    return !process.report.getReport().header.glibcVersionRuntime
  }
}

module.exports = { platformPackage }
