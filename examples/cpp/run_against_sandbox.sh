#!/usr/bin/env bash
# Runs the example's handler as a game server would, against a fresh sandbox and a fresh
# SQLite ledger: a paid purchase is granted once and consumed; its replay is answered from
# the record; a forged token and another game's product are refused; a purchase whose
# consume answer is lost is granted, left for the sweep, and consumed by it.
# usage: run_against_sandbox.sh SANDBOX_BIN EXAMPLE_COMMAND...
set -euo pipefail
sandbox_bin=$1
shift
export NOWGG_API_KEY=example-key

work=$(mktemp -d)
coproc SANDBOX { exec "$sandbox_bin" --port 0 --api-key "$NOWGG_API_KEY"; }
trap 'kill "$SANDBOX_PID" 2>/dev/null || true; rm -rf "$work"' EXIT
read -r line <&"${SANDBOX[0]}"
url=${line#listening on }
ledger=$work/ledger.sqlite

# handle STATUS ARGS...: runs the example with ARGS, shows what it printed, and checks its
# exit status; says PATTERN: a line of that output matches PATTERN.
handle() {
    local want=$1 status=0
    shift
    out=$("${example[@]}" "$url" "$ledger" "$@" 2>&1) || status=$?
    echo "$out"
    ((status == want)) || { echo "exited $status, expected $want" >&2; exit 1; }
}
says() { grep -Eq "$1" <<<"$out" || { echo "expected a line matching: $1" >&2; exit 1; }; }
control() { curl -fsS -X POST -H 'Content-Type: application/json' -d "$2" "$url/_sandbox/$1" >/dev/null; }
example=("$@")

handle 0 alice -nowgg-sample-paid
says '^granted 11223343 to alice \(order <orderId>\)$'
says '^consumed order <orderId> \(consumed\)$'
handle 0 alice -nowgg-sample-paid
says '^already delivered: order <orderId>$'
handle 1 alice -nowgg-forged
says '^INVALID_PURCHASE_TOKEN: '
control purchases '{"token": "-nowgg-other-game", "data": {"purchaseState": 1, "consumptionState": 0,
    "packageName": "com.other.game", "productId": "11223343", "orderId": "GPA.other-1"}}'
handle 1 bob -nowgg-other-game
says '^PACKAGE_MISMATCH: '

# The consume's answer is lost (the connection drops before it is applied): the grant
# stands, the order waits for the sweep, which consumes it; a replay meanwhile is answered
# from the record.
control purchases '{"token": "-nowgg-gems", "data": {"purchaseState": 1, "consumptionState": 0,
    "packageName": "<package_name>", "sellerGoodsId": "gems_500", "orderId": "GPA.gems-1"}}'
control faults '{"match": "consume", "action": "drop_before"}'
handle 0 bob -nowgg-gems
says '^granted gems_500 to bob \(order GPA.gems-1\)$'
says '^consume of order GPA.gems-1 pending \(CONNECTION\)'
handle 0 --sweep
says '^consumed order GPA.gems-1 \(consumed\)$'
says '^sweep: 1 consumed, 0 left$'
handle 0 bob -nowgg-gems
says '^already delivered: order GPA.gems-1$'
handle 0 --sweep
says '^sweep: 0 consumed, 0 left$'
