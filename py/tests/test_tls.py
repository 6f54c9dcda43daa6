"""HTTPS against the sandbox's --tls mode: its CA is trusted only when passed as ca_certs;
without it the handshake fails as a CONNECTION error that is not retryable (nothing was
sent, and trying again would fail the same way) and says it is the certificate."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from conftest import API_KEY
from nowgg_payments import AsyncClient, Client, ConnectionFailed

from sandbox import Sandbox


def test_ca_certs_as_text_or_bytes(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    with Sandbox(API_KEY, "--tls", "--ca-out", str(ca)) as sandbox:
        assert sandbox.url.startswith("https://")
        for pem in (ca.read_text(), ca.read_bytes()):
            client = Client(API_KEY, base_url=sandbox.url, ca_certs=pem)
            assert client.verify_purchase("-nowgg-sample-paid").is_paid

        untrusting = Client(API_KEY, base_url=sandbox.url, max_retries=2)
        with pytest.raises(ConnectionFailed) as caught:
            untrusting.verify_purchase("-nowgg-x1")
        with pytest.raises(ConnectionFailed) as caught_async:
            asyncio.run(AsyncClient(API_KEY, base_url=sandbox.url).verify_purchase("-nowgg-x1"))
        for error in (caught.value, caught_async.value):
            assert error.kind == "CONNECTION" and error.retryable is False
            assert "certificate" in str(error)
