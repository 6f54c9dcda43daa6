// Runs a program of this folder in a new process of the runtime running the tests (node,
// bun, or deno, which takes `run -A` first), the package resolved as here. Its exit,
// its output and its `result {...}` line, whatever the exit; a program still running
// after `timeout` ms is killed, and `hung` says so.

import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export function runProgram(name, args, { timeout = 150_000 } = {}) {
  const file = fileURLToPath(new URL(`./${name}`, import.meta.url))
  const runtime = globalThis.Deno === undefined ? [] : ['run', '-A']
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...runtime, file, ...args.map(String)],
      { timeout, killSignal: 'SIGKILL', maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        const line = stdout.split('\n').find((l) => l.startsWith('result '))
        resolve({
          code: error ? error.code ?? null : 0,
          signal: error ? error.signal ?? null : null,
          hung: Boolean(error?.killed),
          stdout,
          stderr,
          result: line === undefined ? null : JSON.parse(line.slice('result '.length)),
        })
      },
    )
  })
}
