"""Deadlines against a server that trickles: one byte at a time keeps a read timeout from ever
firing, but not the request deadline (headers and body, both clients) nor the run's.

The trickling server is a raw socket on 127.0.0.1: at most 200 bytes a connection, a byte every
50 ms, then silence on the open connection; stopped as soon as the test is done. Each test bounds
the time its request took by 5 s, far from both the 0.4 s deadline and httpx's 30 s read timeout,
which is what would end it without the deadline.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from destgen_runtime.api import operations as ops
from destgen_runtime.transport.client import AsyncFlowServiceClient, FlowServiceClient
from destgen_runtime.transport.credentials import Identity, StaticToken
from destgen_runtime.transport.deadlines import DeadlineExceeded, Deadlines
from destgen_runtime.transport.errors import TransportError
from destgen_runtime.transport.retry import RetryPolicy

from tests.conftest import ROOT, run_cli

IDENTITY = Identity(StaticToken("t"), "k", "ORG@AdobeOrg", "prod")
ONCE = RetryPolicy(max_attempts=1)
BODY = b'{"items": [' + b" " * 190 + b"]}"
EXPIRED = r"list flows \(GET /data/foundation/flowservice/flows\): no complete answer within 0\.4 s"


def _serve(listener: socket.socket, trickle_headers: bool, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            conn, _ = listener.accept()
        except OSError:
            return  # the listener was closed: the test is over
        with conn:
            conn.recv(65536)
            head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
            head += b"x-padding: " + b"p" * 150 + b"\r\n"  # 200 trickled bytes end mid-headers
            head += f"content-length: {len(BODY)}\r\n\r\n".encode()
            slow = head + BODY if trickle_headers else BODY
            try:
                if not trickle_headers:
                    conn.sendall(head)
                for byte in slow[:200]:
                    if stop.wait(0.05):  # the fault under test: a byte every 50 ms
                        break
                    conn.sendall(bytes([byte]))
                # Then hold the connection, incomplete, until the test ends: only a deadline,
                # not the server's end, can finish the request in time.
                stop.wait(30)
            except OSError:
                continue  # the client gave up and closed: serve the next one


@contextmanager
def _trickler(trickle_headers: bool) -> Iterator[str]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()
    thread = threading.Thread(target=_serve, args=(listener, trickle_headers, stop), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=5)


@pytest.mark.parametrize("trickle_headers", [False, True], ids=["body", "headers"])
def test_async_request_deadline_holds_headers_and_body(trickle_headers: bool) -> None:
    async def go(url: str) -> None:
        async with AsyncFlowServiceClient(
            base_url=url, identity=IDENTITY, retry=ONCE, deadlines=Deadlines(request_s=0.4)
        ) as client:
            await client.run(ops.list_("flows"))

    started = time.monotonic()
    with _trickler(trickle_headers) as url, pytest.raises(TransportError, match=EXPIRED):
        asyncio.run(go(url))
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("trickle_headers", [False, True], ids=["body", "headers"])
def test_sync_request_deadline_holds_headers_and_body(trickle_headers: bool) -> None:
    started = time.monotonic()
    with (
        _trickler(trickle_headers) as url,
        FlowServiceClient(
            base_url=url, identity=IDENTITY, retry=ONCE, deadlines=Deadlines(request_s=0.4)
        ) as client,
        pytest.raises(TransportError, match=EXPIRED),
    ):
        client.run(ops.list_("flows"))
    assert time.monotonic() - started < 5


def test_run_deadline_stops_before_the_next_request() -> None:
    now = [0.0]
    deadlines = Deadlines(request_s=10, run_s=30, clock=lambda: now[0])
    assert deadlines.request_budget("GET /flows") == 10
    now[0] = 25.0
    assert deadlines.request_budget("GET /flows") == pytest.approx(5.0)
    with pytest.raises(DeadlineExceeded, match="would pass while waiting to retry"):
        deadlines.sleep_budget(6.0, "retry")
    now[0] = 31.0
    with pytest.raises(DeadlineExceeded, match="GET /flows: not sent, the run deadline of 30 s"):
        deadlines.request_budget("GET /flows")
    with pytest.raises(ValueError, match="run_s must be a positive number"):
        Deadlines(run_s=0)


def test_activate_prints_the_deadline_it_kept() -> None:
    env = {
        "AEP_ACCESS_TOKEN": "t",
        "AEP_API_KEY": "k",
        "AEP_ORG_ID": "ORG@AdobeOrg",
        "AEP_SANDBOX_NAME": "prod",
        "SFTP_PASSWORD": "a-password-for-the-test",
        "PATH": "/usr/bin:/bin",
    }
    example = str(ROOT / "examples" / "sftp_password.yaml")
    with _trickler(trickle_headers=False) as url:
        args = ("activate", example, "--request-timeout", "0.3", "--deadline", "1")
        done = run_cli(*args, env=env | {"AEP_BASE_URL": url})
    assert done.returncode == 1
    assert "destgen activate: failed:" in done.stderr
    assert "within 0.3 s" in done.stderr or "run deadline of 1 s" in done.stderr
    bad = run_cli("activate", example, "--deadline", "-5", env=env)
    assert bad.returncode == 2
    assert "must be a positive number of seconds" in bad.stderr
