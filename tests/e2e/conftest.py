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


def use_emulator(
    monkeypatch: pytest.MonkeyPatch,
    base_url: str,
    org: str,
    *,
    sandbox: str | None = "prod",
    secrets: bool = True,
) -> None:
    """The environment a user sets for the CLI against the emulator: base URL, credentials, the
    org (each test file its own tenant) and sandbox, and the examples' demo secrets.
    """
    from destgen.cli.demo import demo_secrets

    if secrets:
        for name, value in demo_secrets().items():
            monkeypatch.setenv(name, value)
    values = {"AEP_BASE_URL": base_url, "AEP_ACCESS_TOKEN": "t", "AEP_API_KEY": "k"}
    values["AEP_ORG_ID"] = org
    if sandbox is not None:
        values["AEP_SANDBOX_NAME"] = sandbox
    for name, value in values.items():
        monkeypatch.setenv(name, value)
