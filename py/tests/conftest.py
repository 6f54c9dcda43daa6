"""Fixtures: one sandbox per test session, reset before every test that uses it."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from sandbox import REPO, Sandbox

CONFORMANCE: dict[str, Any] = json.loads((REPO / "tests/conformance/cases.json").read_text())
API_KEY: str = CONFORMANCE["api_key"]


@pytest.fixture(scope="session")
def session_sandbox() -> Iterator[Sandbox]:
    with Sandbox(API_KEY) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(session_sandbox: Sandbox) -> Sandbox:
    """The session's sandbox, back at its default fixtures with no faults queued."""
    session_sandbox.reset()
    return session_sandbox
