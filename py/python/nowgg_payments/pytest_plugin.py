"""The pytest plugin of ``nowgg_payments`` (entry point ``pytest11``): the fixture
``nowgg_sandbox``, a fresh in-process sandbox per test, closed after it.

    def test_grant(nowgg_sandbox):
        token = nowgg_sandbox.add_purchase(product_id="gems_100")
        nowgg_sandbox.client().verify_for_grant(token, product_ids={"gems_100"})

The extension is imported when a test first asks for the fixture, not when pytest starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .testing import Sandbox

__all__ = ["nowgg_sandbox"]


@pytest.fixture
def nowgg_sandbox() -> Iterator[Sandbox]:
    """A running ``nowgg_payments.testing.Sandbox`` (key ``test-key``, no latency),
    closed after the test."""
    from .testing import Sandbox

    with Sandbox("test-key", latency_ms=0) as sandbox:
        yield sandbox
