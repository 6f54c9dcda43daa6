"""The WSGI app that test_deploy_servers.py serves with gunicorn --preload and uWSGI (not
lazy): like a real app, it builds one module-level Client at import and uses it there
(one verify), so the pre-forking server's master holds an open connection when it forks
its workers.

GET /verify?token=T verifies T and answers 200 with the purchase's token as the body, or
502 with the error; GET /health answers "ok" without a call. Every answer names the
worker's pid in X-Worker-Pid. Configured by the environment: NOWGG_DEPLOY_BASE_URL,
NOWGG_DEPLOY_API_KEY, NOWGG_DEPLOY_WARMUP (a token the sandbox knows), NOWGG_DEPLOY_CA
(a PEM file to trust, for https).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs

import nowgg_payments

_ca = os.environ.get("NOWGG_DEPLOY_CA")
payments = nowgg_payments.Client(
    os.environ["NOWGG_DEPLOY_API_KEY"],
    base_url=os.environ["NOWGG_DEPLOY_BASE_URL"],
    ca_certs=Path(_ca).read_text() if _ca else None,
    timeout=5.0,
    deadline=10.0,
    max_retries=0,
)
_warmup = os.environ["NOWGG_DEPLOY_WARMUP"]
if payments.verify_purchase(_warmup).purchase_token != _warmup:
    raise RuntimeError("the warm-up verify at import was answered for another token")


def application(
    environ: dict[str, Any], start_response: Callable[[str, list[tuple[str, str]]], Any]
) -> Iterable[bytes]:
    if environ.get("PATH_INFO") == "/health":
        status, body = "200 OK", "ok"
    else:
        token = parse_qs(environ.get("QUERY_STRING", "")).get("token", [""])[0]
        try:
            status, body = "200 OK", payments.verify_purchase(token).purchase_token or ""
        except nowgg_payments.NowggError as e:
            status, body = "502 Bad Gateway", f"{e.kind}: {e}"
    data = body.encode()
    start_response(
        status,
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(data))),
            ("X-Worker-Pid", str(os.getpid())),
        ],
    )
    return [data]
