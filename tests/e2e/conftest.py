"""End-to-end fixtures: a real emulator on 127.0.0.1 (fresh per test) and an httpx client for it.

Every request in these tests crosses a real socket on loopback.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from destgen_destinations.runtime.transport.deadline_transport import shared_ssl_context
from destgen_emulator import EmulatorServer

FLOW = "/data/foundation/flowservice"
HEADERS = {
    "Authorization": "Bearer test-token",
    "x-api-key": "test-key",
    "x-gw-ims-org-id": "TEST@AdobeOrg",
    "x-sandbox-name": "prod",
}


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    server = EmulatorServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def api(emulator: EmulatorServer) -> Iterator[httpx.Client]:
    # The library's one TLS context: loading the CA bundle per client costs ~50 ms a test.
    with httpx.Client(
        base_url=emulator.base_url + FLOW, headers=HEADERS, timeout=10, verify=shared_ssl_context()
    ) as client:
        yield client


def created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"id", "etag"}
    return body
