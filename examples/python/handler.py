"""A purchase endpoint of a Python game backend: one grant per purchase, with its ledger
in SQLite.

The model (DESIGN.md, "Fulfillment"):

1. ``verify_for_grant``: paid, not consumed, this game's package and product;
2. record the grant under the purchase's order id, a unique key: if the row is there
   already, the purchase was delivered, so answer that and stop;
3. grant the product, in the same transaction as the record;
4. consume: ``consumed`` and ``already_consumed`` both mean done; a retryable error
   leaves the row unconsumed for ``sweep()`` to finish later.

The record, not the consume, is the lock: of two requests racing on one token, only one
inserts the row (the other meets the unique key), whatever happens to the consumes.

``Shop.redeem`` is the body of a Flask view or a FastAPI ``def`` route, written as a
plain method so that this file runs without either framework installed::

    @app.post("/purchases")
    def purchases():
        status, reply = shop.redeem(request.json["player_id"], request.json["token"])
        return jsonify(reply), status

Async frameworks await ``redeem_async`` (the same steps with ``AsyncClient``).

Run it against the sandbox (``cargo run --release -p nowgg-cli -- sandbox`` prints a URL)::

    python examples/python/handler.py --base-url http://127.0.0.1:PORT --api-key KEY
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nowgg_payments
from nowgg_payments import AsyncClient, Client, ConsumeOutcome, Purchase

Reply = tuple[int, dict[str, Any]]
log = logging.getLogger("shop")

SCHEMA = """
CREATE TABLE IF NOT EXISTS grants (
    store      TEXT NOT NULL,
    order_id   TEXT NOT NULL,
    token      TEXT NOT NULL,
    product_id TEXT NOT NULL,
    player_id  TEXT NOT NULL,
    consumed   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (store, order_id)  -- the lock: one grant per purchase
);
CREATE TABLE IF NOT EXISTS inventory (
    player_id TEXT NOT NULL,
    item      TEXT NOT NULL,
    quantity  INTEGER NOT NULL,
    PRIMARY KEY (player_id, item)
);
"""


class Shop:
    """The game's purchase endpoint: a client, the ledger's path, and the catalogue.

    One ``Shop`` per server process. Each transaction opens its own SQLite connection, as
    a web framework's request scope would, so threads and processes may share one file.
    """

    def __init__(
        self, client: Client, db_path: Path, package_name: str, catalogue: dict[str, str]
    ) -> None:
        self.client = client
        self.db_path = db_path
        self.package_name = package_name
        self.catalogue = catalogue  # product id -> the item it grants
        with self.transaction() as db:
            db.executescript(SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A connection whose statements commit together at the end, or not at all."""
        # A writer waits for another's transaction instead of failing at once.
        db = sqlite3.connect(self.db_path, timeout=30)
        try:
            with db:
                yield db
        finally:
            db.close()

    def redeem(self, player_id: str, token: str, store: str = "nowgg") -> Reply:
        """Handles ``POST /purchases {player_id, token, store}``: an HTTP status and a
        JSON body."""
        try:
            purchase = self.client.verify_for_grant(token, **self.grant_check())
        except nowgg_payments.NowggError as e:
            return refusal(e)
        grant, reply = self.deliver(player_id, Grant.of(store, token, purchase))
        if grant:
            self.consume(grant)
        return reply

    async def redeem_async(
        self, client: AsyncClient, player_id: str, token: str, store: str = "nowgg"
    ) -> Reply:
        """``redeem`` for an async framework. (SQLite calls are short and local here; a
        remote database would have an async driver.)"""
        try:
            purchase = await client.verify_for_grant(token, **self.grant_check())
        except nowgg_payments.NowggError as e:
            return refusal(e)
        grant, reply = self.deliver(player_id, Grant.of(store, token, purchase))
        if grant:
            try:
                outcome = await client.consume_purchase(grant.token, **grant.consume_options())
            except nowgg_payments.NowggError as e:
                grant.left_to_the_sweep(e)
            else:
                self.mark_consumed(grant, outcome)
        return reply

    def grant_check(self) -> dict[str, Any]:
        """Step 1's conditions besides paid and not consumed: this game's package, a
        product of the catalogue."""
        return {"package_name": self.package_name, "product_ids": self.catalogue.keys()}

    def deliver(self, player_id: str, grant: Grant) -> tuple[Grant | None, Reply]:
        """Steps 2 and 3, and the answer: the grant to consume next, or ``None`` when the
        purchase was delivered before (by this or another server)."""
        if not self.record(player_id, grant):
            return None, (200, {"already_delivered": True, "order_id": grant.order_id})
        granted = {"granted": self.catalogue[grant.product_id], "order_id": grant.order_id}
        return grant, (200, granted)

    def record(self, player_id: str, grant: Grant) -> bool:
        """Steps 2 and 3: the grant row and the item, in one transaction. False when the
        row was there: the purchase was delivered before, by this or another server."""
        try:
            with self.transaction() as db:
                db.execute(
                    "INSERT INTO grants (store, order_id, token, product_id, player_id)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (grant.store, grant.order_id, grant.token, grant.product_id, player_id),
                )
                db.execute(
                    "INSERT INTO inventory (player_id, item, quantity) VALUES (?, ?, 1)"
                    " ON CONFLICT (player_id, item) DO UPDATE SET quantity = quantity + 1",
                    # verify_for_grant checked that the product is in the catalogue.
                    (player_id, self.catalogue[grant.product_id]),
                )
        except sqlite3.IntegrityError:
            return False
        return True

    def consume(self, grant: Grant) -> None:
        """Step 4. A failure leaves the row unconsumed: ``sweep`` tries again later."""
        try:
            outcome = self.client.consume_purchase(grant.token, **grant.consume_options())
        except nowgg_payments.NowggError as e:
            grant.left_to_the_sweep(e)
        else:
            self.mark_consumed(grant, outcome)

    def mark_consumed(self, grant: Grant, outcome: ConsumeOutcome) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE grants SET consumed = 1 WHERE store = ? AND order_id = ?",
                (grant.store, grant.order_id),
            )
        log.info("order %s: %s", grant.order_id, outcome)

    def sweep(self) -> int:
        """Consumes every granted purchase whose consume failed before (run it every few
        minutes; consuming again is always safe); returns how many are still left."""
        with self.transaction() as db:
            rows = db.execute(
                "SELECT store, order_id, token, product_id FROM grants WHERE consumed = 0"
            ).fetchall()
        for row in rows:
            self.consume(Grant(*row))
        with self.transaction() as db:
            (left,) = db.execute("SELECT count(*) FROM grants WHERE consumed = 0").fetchone()
        return int(left)


@dataclass(frozen=True)
class Grant:
    """One purchase's row in the ledger: what its consume needs."""

    store: str
    order_id: str
    token: str
    product_id: str

    @classmethod
    def of(cls, store: str, token: str, purchase: Purchase) -> Grant:
        # No Code purchases carry only sellerGoodsId, which verify_for_grant matched.
        product_id = purchase.product_id or purchase.seller_goods_id or ""
        return cls(store, purchase.order_id or "", token, product_id)

    def consume_options(self) -> dict[str, Any]:
        """Multi-store purchases name their store and product; now.gg's own need neither."""
        if self.store == "nowgg":
            return {}
        return {"store": self.store, "product_id": self.product_id}

    def left_to_the_sweep(self, error: nowgg_payments.NowggError) -> None:
        log.warning(
            "consume of order %s left to the sweep: %s: %s", self.order_id, error.kind, error
        )


def refusal(e: nowgg_payments.NowggError) -> Reply:
    """The answer to a purchase that is not granted, by the error's kind."""
    if isinstance(e, nowgg_payments.AlreadyConsumed):
        return 409, {"error": "already redeemed"}
    if isinstance(e, nowgg_payments.NotGrantable):
        return 402, {"error": "not grantable", "kind": e.kind}
    if isinstance(e, (nowgg_payments.InvalidPurchaseToken, nowgg_payments.InvalidArgument)):
        return 400, {"error": "invalid purchase token"}
    # Our key, now.gg's availability, the network: not the player's fault.
    log.error("purchase check failed: %s: %s", e.kind, e)
    return (503 if e.retryable else 500), {"error": "try again later", "kind": e.kind}


def main() -> int:
    parser = argparse.ArgumentParser(description="The purchase endpoint, against a sandbox.")
    parser.add_argument("--base-url", default=os.environ.get("NOWGG_BASE_URL"))
    parser.add_argument("--api-key", default=os.environ.get("NOWGG_API_KEY", ""))
    # The sandbox's samples carry the vendor's placeholder as their package name.
    parser.add_argument("--package-name", default="<package_name>")
    parser.add_argument("--db", type=Path, help="the SQLite ledger (default: a temporary file)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)

    with tempfile.TemporaryDirectory() as tmp:
        # Once per process, shared by every request (thread-safe, pooled connections).
        client = Client(args.api_key, base_url=args.base_url, timeout=5.0)
        shop = Shop(
            client, args.db or Path(tmp, "shop.db"), args.package_name, {"11223343": "gems_100"}
        )
        aclient = AsyncClient(args.api_key, base_url=args.base_url, timeout=5.0)
        replies: list[Reply] = [
            shop.redeem("player-1", "-nowgg-sample-paid"),  # granted
            shop.redeem("player-2", "-nowgg-sample-paid"),  # the same token again
            shop.redeem("player-1", "-nowgg-sample-unpaid"),  # never paid
            shop.redeem("player-1", "-nowgg-forged"),  # not a real token
            asyncio.run(shop.redeem_async(aclient, "player-3", "xiaomi-sample-1", "xiaomi")),
        ]
        for status, body in replies:
            print(status, body)
        with shop.transaction() as db:
            grants = db.execute("SELECT store, order_id, player_id, consumed FROM grants")
            print("grants:", grants.fetchall())
        print("left for the sweep:", shop.sweep())
    expected = [200, 409, 402, 400, 200]
    return 0 if [status for status, _ in replies] == expected else 1


if __name__ == "__main__":
    raise SystemExit(main())
