"""examples/python/handler.py against the sandbox: it answers as its comments say, a
consume left unfinished is finished by the sweep, and two servers racing on one token,
while one consume's answer is lost after it took effect, grant exactly once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from conftest import API_KEY
from example_handler import CATALOGUE, EXAMPLE, PACKAGE, handler
from nowgg_payments import Client

from sandbox import Sandbox


def new_purchase(sandbox: Sandbox, order_id: str) -> str:
    """A paid, unconsumed purchase of the catalogue's product; returns its fresh token."""
    data = {"purchaseState": 1, "consumptionState": 0, "packageName": PACKAGE}
    data |= {"productId": "gems_100", "orderId": order_id, "isTestOrder": False}
    return sandbox.add_purchase({"data": data})


def shop(sandbox: Sandbox, db: Path) -> Any:
    """One server: its own client (its own connections) over the shared ledger."""
    client = Client(API_KEY, base_url=sandbox.url, max_retries=2)
    return handler.Shop(client, db, PACKAGE, CATALOGUE)


def rows(db: Path, query: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as connection:
        return connection.execute(query).fetchall()


def test_the_handler_example_runs(sandbox: Sandbox) -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLE), "--base-url", sandbox.url, "--api-key", API_KEY],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "200 {'granted': 'gems_100', 'order_id': '<orderId>'}"
    assert lines[1] == "409 {'error': 'already redeemed'}"
    assert lines[-1] == "left for the sweep: 0"
    assert API_KEY not in result.stdout + result.stderr


def test_a_consume_that_cannot_be_confirmed_is_finished_by_the_sweep(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    server = shop(sandbox, tmp_path / "shop.db")
    token = new_purchase(sandbox, "GPA.sweep-1")
    # The consume takes effect but its answer is lost, and the verify that would show it
    # fails too: the grant stands, the consume is left to the sweep.
    sandbox.add_faults({"match": "consume", "action": "drop_before"})
    assert server.redeem("player-1", token) == (
        200,
        {"granted": "100 gems", "order_id": "GPA.sweep-1"},
    )
    assert rows(tmp_path / "shop.db", "SELECT order_id, consumed FROM grants") == [
        ("GPA.sweep-1", 0)
    ]
    assert server.sweep() == 0
    assert rows(tmp_path / "shop.db", "SELECT consumed FROM grants") == [(1,)]
    assert server.redeem("player-1", token) == (409, {"error": "already redeemed"})


def race(servers: list[Any], player_id: str, token: str) -> list[tuple[int, dict[str, Any]]]:
    """Each server redeems the token on its own thread, both let go at the same moment."""
    start = threading.Barrier(len(servers))
    answers: list[tuple[int, dict[str, Any]]] = [(0, {})] * len(servers)

    def serve(i: int) -> None:
        start.wait()
        answers[i] = servers[i].redeem(player_id, token)

    workers = [threading.Thread(target=serve, args=(i,)) for i in range(len(servers))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return answers


def test_two_servers_racing_on_one_token_grant_it_once(sandbox: Sandbox, tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    servers = [shop(sandbox, db), shop(sandbox, db)]
    rounds = 50
    replies: list[list[tuple[int, dict[str, Any]]]] = []
    for round_ in range(rounds):
        token = new_purchase(sandbox, f"GPA.race-{round_}")
        # Whichever consume comes first takes effect, and its answer is lost.
        sandbox.add_faults({"match": "consume", "action": "drop_after"})
        answers = race(servers, f"player-{round_}", token)
        replies.append(answers)

        granted = [body for status, body in answers if "granted" in body]
        assert len(granted) == 1, f"round {round_}: {answers}"
        assert Client(API_KEY, base_url=sandbox.url).verify_purchase(token).consumption_state == 1

    assert rows(db, "SELECT count(*), sum(consumed) FROM grants") == [(rounds, rounds)]
    assert rows(db, "SELECT count(*), sum(quantity) FROM inventory") == [(rounds, rounds)]
    # The loser either met the row (already delivered) or the consumed purchase.
    losers = {
        "already_delivered" if "already_delivered" in body else body.get("error")
        for answers in replies
        for _, body in answers
        if "granted" not in body
    }
    assert losers <= {"already_delivered", "already redeemed"}, losers
