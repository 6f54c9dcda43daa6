#!/usr/bin/env bash
# Runs the example as a game server would, against a fresh sandbox: a paid purchase is
# granted once; the second report of the same token grants nothing.
# usage: run_against_sandbox.sh SANDBOX_BIN EXAMPLE_COMMAND...
set -euo pipefail
sandbox_bin=$1
shift
export NOWGG_API_KEY=example-key

errors=$(mktemp)
coproc SANDBOX { exec "$sandbox_bin" --port 0 --api-key "$NOWGG_API_KEY"; }
trap 'kill "$SANDBOX_PID" 2>/dev/null || true; rm -f "$errors"' EXIT
read -r line <&"${SANDBOX[0]}"
url=${line#listening on }

first=$("$@" "$url" -nowgg-sample-paid)
echo "$first"
grep -q '^granted 11223343 (order <orderId>)$' <<<"$first"
second=$("$@" "$url" -nowgg-sample-paid)
echo "$second"
grep -q '^nothing to grant: paid=1 consumed=1$' <<<"$second"
if "$@" "$url" -nowgg-forged 2>"$errors"; then
    echo "a forged token was accepted" >&2
    exit 1
fi
cat "$errors"
grep -q '^INVALID_PURCHASE_TOKEN: ' "$errors"
