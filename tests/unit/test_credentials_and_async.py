"""Credentials and the async client: the token endpoint's every answer is either a cached token or
an ``AuthError`` (never a traceback), and the async client's dry run, listing and run wait work as
the sync client's do.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from destgen_runtime.activation.engine import aactivate
from destgen_runtime.api import operations as ops
from destgen_runtime.transport.client import AsyncFlowServiceClient
from destgen_runtime.transport.credentials import (
    ClientCredentials,
    Identity,
    StaticToken,
    identity_from_env,
)
from destgen_runtime.transport.errors import AuthError, DestgenError

from destgen.cli.activate import load_file
from destgen.cli.demo import demo_secrets
from destgen_emulator import EmulatorServer
from tests.conftest import ROOT

TOKEN_URL = "https://ims.example/token"


def _token_server(*answers: httpx.Response) -> tuple[httpx.Client, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    queue = list(answers)

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return queue.pop(0)

    return httpx.Client(transport=httpx.MockTransport(answer)), seen


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (httpx.Response(401, json={"error": "invalid_client"}), "refused the client credentials"),
        (httpx.Response(200, text="<html>"), "answered without an access token"),
        (httpx.Response(200, json=["x"]), "answered without an access token"),
        (httpx.Response(200, json={"token": "x"}), "answered without an access token"),
        (
            httpx.Response(200, json={"access_token": "t", "expires_in": "soon"}),
            "answered without an access token",
        ),
        (httpx.Response(200, json={"access_token": ""}), "sent an empty token"),
    ],
)
def test_token_endpoint_failures_are_auth_errors(response: httpx.Response, message: str) -> None:
    http, _seen = _token_server(response)
    credentials = ClientCredentials("id", "the-client-secret", token_url=TOKEN_URL)
    with pytest.raises(AuthError) as caught:
        credentials.token(http)
    assert message in str(caught.value)
    assert "the-client-secret" not in str(caught.value)


def test_token_cached_until_the_refresh_margin() -> None:
    now = [1000.0]
    http, seen = _token_server(
        httpx.Response(200, json={"access_token": "first", "expires_in": 600}),
        httpx.Response(200, json={"access_token": "second", "expires_in": 600}),
    )
    credentials = ClientCredentials(
        "id", "secret-xyz", token_url=TOKEN_URL, clock=lambda: now[0], margin=60
    )
    assert credentials.token(http) == "first"
    now[0] += 500
    assert credentials.token(http) == "first"
    now[0] += 50  # inside the margin: refreshed
    assert credentials.token(http) == "second"
    assert credentials.fetches == 2
    assert b"client_secret=secret-xyz" in seen[0].content
    assert "secret-xyz" not in repr(credentials)
    assert "first" not in repr(credentials)
    assert "second" not in repr(credentials)


def test_identity_from_env_names_what_is_missing() -> None:
    with pytest.raises(DestgenError) as caught:
        identity_from_env({})
    assert "AEP_API_KEY, AEP_ORG_ID, AEP_ACCESS_TOKEN (or AEP_CLIENT_ID and AEP_CLIENT_SECRET)" in (
        str(caught.value)
    )
    oauth = identity_from_env(
        {
            "AEP_CLIENT_ID": "i",
            "AEP_CLIENT_SECRET": "s",
            "AEP_API_KEY": "k",
            "AEP_ORG_ID": "o",
            "AEP_TOKEN_URL": TOKEN_URL,
            "AEP_SANDBOX_NAME": "dev",
        }
    )
    assert isinstance(oauth.credentials, ClientCredentials)
    assert oauth.credentials.token_url == TOKEN_URL
    assert oauth.sandbox == "dev"
    plain = identity_from_env({"AEP_ACCESS_TOKEN": "t", "AEP_API_KEY": "k", "AEP_ORG_ID": "o"})
    assert isinstance(plain.credentials, StaticToken)
    assert plain.sandbox is None


IDENTITY = Identity(StaticToken("t"), "k", "ORG@AdobeOrg", "prod")


def test_async_dry_run_prints_curl_and_sends_nothing() -> None:
    printed: list[str] = []

    async def go() -> Any:
        async with AsyncFlowServiceClient(
            identity=IDENTITY, dry_run=True, echo=printed.append
        ) as c:
            return await c.run(ops.get("flows", "f1"))

    entity = asyncio.run(go())
    assert entity.id
    assert printed
    assert printed[0].startswith("curl -X GET")


def test_async_lists_pages_and_waits_for_a_run(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in demo_secrets().items():
        monkeypatch.setenv(name, value)
    payloads = load_file(ROOT / "examples" / "sftp_password.yaml")

    async def go(server: EmulatorServer) -> tuple[list[str], str]:
        async with AsyncFlowServiceClient(base_url=server.base_url, identity=IDENTITY) as client:
            result = await aactivate(client, payloads)
            flow_id = result.id_of("dataflow")
            names = [e.data["name"] async for e in client.iterate(ops.list_("flows", limit=1))]
            with pytest.raises(DestgenError, match="no finished run"):
                await client.wait_for_run(flow_id, timeout=0.0, poll=0.01)
            server.advance(24)
            run = await client.wait_for_run(flow_id, timeout=5.0, poll=0.01)
            return names, str(run.data["flowId"])

    with EmulatorServer() as server:
        names, run_flow = asyncio.run(go(server))
        flows = server.state.store.all("flows")
    assert names == [flows[0]["name"]]
    assert run_flow == flows[0]["id"]


def test_every_client_shares_one_tls_context(monkeypatch: pytest.MonkeyPatch) -> None:
    # Loading the CA bundle costs about 50 ms; httpx loaded it three times per client before.
    import ssl

    from destgen_runtime.transport.client import (
        AsyncFlowServiceClient,
        FlowServiceClient,
    )
    from destgen_runtime.transport.deadline_transport import shared_ssl_context
    from destgen_runtime.transport.rate_limit import RequestBudget, budget_client

    built: list[int] = []
    real = ssl.create_default_context

    def counting(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(ssl, "create_default_context", counting)
    shared_ssl_context.cache_clear()
    identity = Identity(StaticToken("t"), "k", "ORG@AdobeOrg", "prod")
    clients = [FlowServiceClient(identity=identity) for _ in range(3)]
    clients.append(FlowServiceClient(identity=identity, http=budget_client(RequestBudget())))
    asynchronous = AsyncFlowServiceClient(identity=identity)
    assert len(built) == 1
    for client in clients:
        client.close()
    asyncio.run(asynchronous.aclose())
