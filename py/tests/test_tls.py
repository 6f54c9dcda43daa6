"""HTTPS against the sandbox's --tls mode: its CA is trusted only when passed as ca_certs."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import API_KEY
from nowgg_payments import Client, ConnectionFailed

from sandbox import Sandbox


def test_ca_certs_as_text_or_bytes(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    with Sandbox(API_KEY, "--tls", "--ca-out", str(ca)) as sandbox:
        assert sandbox.url.startswith("https://")
        for pem in (ca.read_text(), ca.read_bytes()):
            client = Client(API_KEY, base_url=sandbox.url, ca_certs=pem)
            assert client.verify_purchase("-nowgg-sample-paid").is_paid
        with pytest.raises(ConnectionFailed) as caught:
            Client(API_KEY, base_url=sandbox.url, max_retries=0).verify_purchase("-nowgg-x1")
        assert caught.value.retryable
        assert "certificate" in str(caught.value)
