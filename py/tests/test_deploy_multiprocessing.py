"""Issue 16 in a multiprocessing pool with the 'fork' start method: a module-level Client,
used by the parent first, inherited by 4 workers that verify tokens of their own while
the parent goes on verifying others. Every answer must be for its token, and no worker
may hang (every wait is bounded)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
from deploy.common import (
    API_KEY,
    CLIENT_OPTIONS,
    FORK_WITH_THREADS,
    WARMUP,
    Tally,
    assert_all_right,
    deploy_sandbox,
    tokens,
)
from nowgg_payments import Client, NowggError

# The module-level client, as an application keeps it; set by the test before the pool
# forks, so the workers inherit it (and its open connection) with the module.
PAYMENTS: Client | None = None

pytestmark = pytest.mark.filterwarnings(FORK_WITH_THREADS)
WORKERS = 4
BY_WORKERS = 400
BY_PARENT = 100


def verify(token: str) -> tuple[str, str | None, str | None]:
    """In a worker: (token asked, token answered or None, error or None)."""
    assert PAYMENTS is not None
    try:
        return token, PAYMENTS.verify_purchase(token).purchase_token, None
    except NowggError as e:
        return token, None, f"{e.kind}: {e}"


def test_a_fork_pool_over_a_module_level_client_gets_every_answer_right(tmp_path: Path) -> None:
    global PAYMENTS
    with deploy_sandbox(tmp_path) as (sandbox, _):
        PAYMENTS = Client(API_KEY, base_url=sandbox.url, **CLIENT_OPTIONS)
        try:
            assert PAYMENTS.verify_purchase(WARMUP).purchase_token == WARMUP
            workers, parent = Tally(), Tally()
            with multiprocessing.get_context("fork").Pool(WORKERS) as pool:
                pending = pool.map_async(verify, tokens(0, BY_WORKERS), chunksize=5)
                for token in tokens(BY_WORKERS, BY_WORKERS + BY_PARENT):
                    parent.add(*verify(token))
                try:
                    answers = pending.get(timeout=120)
                except multiprocessing.TimeoutError:
                    raise AssertionError("a pool worker hung: no answer within 120 s") from None
        finally:
            PAYMENTS = None

    for answer in answers:
        workers.add(*answer)
    assert_all_right("multiprocessing fork pool", workers=workers, parent=parent)
    assert workers.asked == BY_WORKERS
