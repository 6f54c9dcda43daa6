#!/usr/bin/env bash
# The Node package, as users get it: `npm install ./node` into a scratch project (the
# install script builds the addon with cargo), the generated declarations compared with
# the committed native.d.ts, tsc --strict --checkJs on the example (a purchase endpoint
# with its ledger in SQLite), the example run against the sandbox, `npm pack` installed
# from an unrelated folder, then node:test (every conformance case, the event loop
# and the library's threads, abort, arguments, the purchase against the core's field
# table and how it prints, secrecy for every kind, the example's fulfillment, the
# deployment shapes: cluster, worker_threads, a worker terminated mid-call) against the
# installed package, and last the same tests under Bun and Deno (pinned, from npm).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
build_sandbox

command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' \
    || { echo "node: Node 20+ is required, found $(node --version)" >&2; exit 1; }
npm_install=(npm install --no-audit --no-fund --loglevel=error)
# better-sqlite3 (the example's ledger) compiles from source when its prebuilt binary
# cannot be fetched; node-gyp then needs the headers of this node, which Debian's and
# NodeSource's packages install beside it.
node_prefix="$(dirname "$(dirname "$(command -v node)")")"
if [ -z "${npm_config_nodedir:-}" ] && [ -f "$node_prefix/include/node/node.h" ]; then
    export npm_config_nodedir="$node_prefix"
fi

scratch="$CARGO_TARGET_DIR/node-scratch"
app="$scratch/app"
rm -rf "$app" "$scratch/from-tarball"
mkdir -p "$app/test" "$app/examples"
cat > "$app/package.json" <<JSON
{
  "name": "nowgg-node-scratch",
  "private": true,
  "dependencies": {
    "nowgg-payments": "file:$repo/node",
    "better-sqlite3": "12.11.1",
    "@napi-rs/cli": "3.10.12",
    "@types/better-sqlite3": "9.6.0",
    "@types/node": "20.19.43",
    "typescript": "5.9.3"
  }
}
JSON
# The package's devDependencies, which its tests import (npm installs a dependency's own
# devDependencies for nobody).
node -e '
    const fs = require("node:fs"), [app, pkg] = process.argv.slice(1)
    const json = JSON.parse(fs.readFileSync(app, "utf8"))
    Object.assign(json.dependencies, JSON.parse(fs.readFileSync(pkg, "utf8")).devDependencies)
    fs.writeFileSync(app, JSON.stringify(json, null, 2))' "$app/package.json" node/package.json

echo "node: npm install ./node (builds the addon with cargo)"
(cd "$app" && "${npm_install[@]}")

echo "node: declarations"
(cd "$app" && node "$repo/node/scripts/check-types.js")

echo "node: tsc --strict --checkJs on the example"
cp examples/node/shop.js "$app/examples/"
(cd "$app" && npx --no-install tsc --strict --noEmit --allowJs --checkJs --module nodenext \
    --moduleResolution nodenext --target es2022 --types node examples/shop.js)

start_sandbox "$NOWGG_SANDBOX_BIN" --api-key example-key

echo "node: the example against the sandbox"
out="$(cd "$app" && NOWGG_API_KEY=example-key NOWGG_BASE_URL="$sandbox_url" node examples/shop.js)"
echo "$out"
grep -q '^player-1 -nowgg-sample-paid: 200 .*"granted":"gems_100"' <<<"$out"
grep -q '^player-2 -nowgg-sample-paid: 200 .*"alreadyDelivered":true' <<<"$out"
grep -q '^player-1 -nowgg-forged-token: 400 ' <<<"$out"
grep -q '^left for the sweep: 0$' <<<"$out"

echo "node: npm pack, installed from an unrelated folder"
mkdir -p "$scratch/from-tarball"
tarball="$(cd node && npm pack --silent --pack-destination "$scratch")"
(cd "$scratch/from-tarball" && echo '{"name": "from-tarball", "private": true}' > package.json \
    && "${npm_install[@]}" "$scratch/$tarball")
(cd "$scratch/from-tarball" && NOWGG_BASE_URL="$sandbox_url" node --input-type=module -e '
    import { Client } from "nowgg-payments"
    const client = new Client({ apiKey: "example-key", baseUrl: process.env.NOWGG_BASE_URL })
    const purchase = await client.verifyPurchase("-nowgg-sample-nocode")
    if (purchase.purchaseTimeMs !== 1630529397125) throw new Error("unexpected purchase")
    console.log("node: the tarball install verifies a purchase")')

# Bun and Deno, from npm (their packages carry the binaries), pinned.
bun_version=1.4.5
deno_version=2.9.6
runtimes="$scratch/runtimes"
mkdir -p "$runtimes"
[ -f "$runtimes/package.json" ] || echo '{"name": "runtimes", "private": true}' > "$runtimes/package.json"
echo "node: bun $bun_version and deno $deno_version from npm"
(cd "$runtimes" && "${npm_install[@]}" "bun@$bun_version" "deno@$deno_version")
bun="$runtimes/node_modules/.bin/bun"
deno="$runtimes/node_modules/.bin/deno"
export DO_NOT_TRACK=1 DENO_NO_UPDATE_CHECK=1
cat > "$scratch/from-tarball/smoke.mjs" <<'JS'
import { Client } from "nowgg-payments"
const client = new Client({ apiKey: "example-key", baseUrl: process.env.NOWGG_BASE_URL })
const purchase = await client.verifyPurchase("-nowgg-sample-nocode")
if (purchase.purchaseTimeMs !== 1630529397125) throw new Error("unexpected purchase")
console.log(`${process.argv[2]}: the tarball install verifies a purchase`)
JS
(cd "$scratch/from-tarball" && export NOWGG_BASE_URL="$sandbox_url" \
    && "$bun" smoke.mjs bun && "$deno" run --allow-all smoke.mjs deno)

echo "node: node:test"
cp node/test/*.mjs "$app/test/"
cp node/examples/*.js "$app/examples/"
cp -r node/test/deploy "$app/test/"
cd "$app"
export NOWGG_CONFORMANCE_CASES="$repo/tests/conformance/cases.json"
node --test --test-reporter=spec test/*.test.mjs

# The same files under Bun and Deno (their node:test runs on their own runners), the
# deployment programs included (test/deploy/run.mjs starts them with the runtime that
# runs the tests). Not the example's (its ledger, better-sqlite3, is a V8 addon, not
# napi) nor the event loop's (libuv's pool and its timing bounds are Node's).
others=()
for file in test/*.test.mjs; do
    case "$file" in test/shop.test.mjs|test/event-loop.test.mjs) ;; *) others+=("$file") ;; esac
done
echo "node: the tests under bun $("$bun" --version)"
"$bun" test --timeout 180000 "${others[@]}"
echo "node: the tests under $("$deno" --version | head -n 1)"
"$deno" test --allow-all --no-check "${others[@]}"
