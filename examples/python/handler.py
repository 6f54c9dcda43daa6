"""A purchase endpoint of a Python game backend: verify, consume, then grant.

`redeem` is the body of a Flask view or a FastAPI route, written as a plain function so
this file runs without either framework installed:

    # Flask                                      # FastAPI (sync route: runs in a thread)
    @app.post("/purchases")                      @app.post("/purchases")
    def purchases():                             def purchases(body: Redeem):
        body = request.get_json()                    status, reply = redeem(body.player_id,
        status, reply = redeem(body["player_id"],                           body.token)
                               body["token"])        return JSONResponse(reply, status)
        return jsonify(reply), status

Async frameworks can also await `nowgg_payments.AsyncClient` (see `redeem_async`).

Run it against the sandbox (`cargo run --release -p nowgg-cli -- sandbox` prints a URL):

    python examples/python/handler.py --base-url http://127.0.0.1:PORT --api-key KEY
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
from typing import Any

import nowgg_payments

Reply = tuple[int, dict[str, Any]]

# Stands in for the game's database: order id -> (player, product).
GRANTS: dict[str, tuple[str, str]] = {}


def grant(player_id: str, purchase: nowgg_payments.Purchase) -> None:
    """Gives the product to the player, recorded under the order id, once."""
    order_id = purchase.order_id or purchase.purchase_token or "?"
    GRANTS.setdefault(order_id, (player_id, purchase.product_id or "?"))


def redeem(client: nowgg_payments.Client, player_id: str, token: str) -> Reply:
    """Handles `POST /purchases {player_id, token}`: an HTTP status and a JSON body."""
    try:
        purchase = client.verify_purchase(token)
        if not purchase.is_paid:
            return 402, {"error": "not paid", "state": purchase.purchase_state}
        if purchase.is_consumed:
            return 409, {"error": "already redeemed"}
        # The consume is the lock: of two servers racing on one token, one succeeds and
        # the other gets ErrorConsumingProduct. So consume first, grant second.
        client.consume_purchase(token)
    except nowgg_payments.ErrorConsumingProduct:
        return 409, {"error": "already redeemed"}
    except (nowgg_payments.InvalidPurchaseToken, nowgg_payments.InvalidArgument):
        return 400, {"error": "invalid purchase token"}
    except nowgg_payments.NowggError as e:
        # Our key, now.gg's availability, the network: not the player's fault.
        logging.getLogger("shop").error("purchase check failed: %s: %s", e.kind, e)
        return (503 if e.retryable else 500), {"error": "try again later", "kind": e.kind}
    grant(player_id, purchase)
    return 200, {"granted": purchase.product_id, "order_id": purchase.order_id}


async def redeem_async(
    client: nowgg_payments.AsyncClient, player_id: str, token: str, store: str = "nowgg"
) -> Reply:
    """`redeem` for an async framework, awaited, for any store: the game client says
    which store a token comes from (No Code Payment tokens start with `-nowgg-`)."""
    try:
        purchase = await client.verify_purchase(token)
        if not purchase.is_paid or purchase.is_consumed:
            return 409, {"error": "not redeemable"}
        if nowgg_payments.is_nowgg_token(token):
            await client.consume_purchase(token)
        else:
            await client.consume_purchase(token, store=store, product_id=purchase.product_id)
    except nowgg_payments.ErrorConsumingProduct:
        return 409, {"error": "already redeemed"}
    except nowgg_payments.NowggError as e:
        return (503 if e.retryable else 400), {"error": str(e), "kind": e.kind}
    grant(player_id, purchase)
    return 200, {"granted": purchase.product_id, "order_id": purchase.order_id}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--base-url", default=os.environ.get("NOWGG_BASE_URL"))
    parser.add_argument("--api-key", default=os.environ.get("NOWGG_API_KEY", ""))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)

    # Once per process, shared by every request (thread-safe, pooled connections).
    client = nowgg_payments.Client(args.api_key, base_url=args.base_url, timeout=5.0)
    aclient = nowgg_payments.AsyncClient(args.api_key, base_url=args.base_url, timeout=5.0)
    replies: list[Reply] = [
        redeem(client, "player-1", "-nowgg-sample-paid"),  # granted
        redeem(client, "player-2", "-nowgg-sample-paid"),  # the same token again
        redeem(client, "player-1", "-nowgg-sample-unpaid"),  # never paid
        redeem(client, "player-1", "-nowgg-forged"),  # not a real token
        asyncio.run(redeem_async(aclient, "player-3", "xiaomi-sample-1", store="xiaomi")),
    ]
    for status, body in replies:
        print(status, body)
    print("grants:", GRANTS)
    expected = [200, 409, 402, 400, 200]
    return 0 if [status for status, _ in replies] == expected else 1


if __name__ == "__main__":
    raise SystemExit(main())
