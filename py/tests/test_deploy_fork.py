"""Issue 16, the plainest shape: a Client that has made one verify (so it holds a
keep-alive connection), then os.fork(). Parent and child each verify 300 tokens of their
own at the same time; every answer must be for the token asked. With the connection
shared, each process reads whichever answer arrives first on it."""

from __future__ import annotations

from pathlib import Path

import pytest
from deploy.common import (
    API_KEY,
    CLIENT_OPTIONS,
    FORK_WITH_THREADS,
    WARMUP,
    across_fork,
    assert_all_right,
    deploy_sandbox,
    tokens,
    verify_each,
)
from nowgg_payments import Client

pytestmark = pytest.mark.filterwarnings(FORK_WITH_THREADS)
PER_PROCESS = 300


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_fork_after_one_verify_parent_and_child_each_get_their_own_answers(
    scheme: str, tmp_path: Path
) -> None:
    with deploy_sandbox(tmp_path, tls=scheme == "https") as (sandbox, ca):
        client = Client(API_KEY, base_url=sandbox.url, ca_certs=ca, **CLIENT_OPTIONS)
        assert client.verify_purchase(WARMUP).purchase_token == WARMUP

        parent, child = across_fork(
            lambda: verify_each(client, tokens(0, PER_PROCESS)),
            lambda: verify_each(client, tokens(PER_PROCESS, 2 * PER_PROCESS)),
            timeout=300,
        )

    assert_all_right(f"fork over {scheme}", parent=parent, child=child)
    assert parent.asked == child.asked == PER_PROCESS
