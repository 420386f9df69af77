"""End-to-end fixtures: a real emulator on 127.0.0.1 (fresh per test) and an httpx client for it.

Every request in these tests crosses a real socket on loopback.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from destgen_runtime.transport.deadline_transport import shared_ssl_context

from destgen_emulator import EmulatorServer
from destgen_emulator.service.sandboxes import audience_id

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


# Audiences every org finds in the prod sandbox, by name: the ones a test may select without
# creating any (the emulator refuses an id its sandbox does not have).
LOYAL, LAPSED, NEWSLETTER = (
    audience_id("prod", name)
    for name in ("Loyal customers", "Lapsed buyers", "Newsletter subscribers")
)
PROD_AUDIENCES = (
    audience_id("prod", "Winter campaign"),
    audience_id("prod", "Autumn campaign"),
    LOYAL,
    LAPSED,
    NEWSLETTER,
)


def new_audiences(
    base_url: str, names: list[str], *, org: str = HEADERS["x-gw-ims-org-id"], sandbox: str = "prod"
) -> list[str]:
    """Create audiences named ``names`` in the emulator (the Segmentation API's POST) and return
    their ids: the emulator refuses a dataflow that selects an id its sandbox does not have.
    """
    headers = HEADERS | {"x-gw-ims-org-id": org, "x-sandbox-name": sandbox}
    with httpx.Client(base_url=base_url, headers=headers, timeout=10) as client:
        responses = [
            client.post("/data/core/ups/segment/definitions", json={"name": name}) for name in names
        ]
    for response in responses:
        assert response.status_code == 200, response.text
    return [str(r.json()["id"]) for r in responses]


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
