"""A failed activation says, in one line, which step failed and how: the entity's name, the method
and path, the status, Adobe's error code and the request id; a network failure names the base URL
and where to change it. Over real sockets on 127.0.0.1, through the real command.
"""

from __future__ import annotations

import re
import socket

import pytest

from destgen.cli.demo import demo_secrets
from destgen_emulator import EmulatorServer
from destgen_emulator.http.faults import FaultRule
from tests.conftest import ROOT, run_cli

EXAMPLE = str(ROOT / "examples" / "amazon_s3.json")
CREDENTIALS = {"AEP_ACCESS_TOKEN": "t", "AEP_API_KEY": "k", "AEP_ORG_ID": "ORG@AdobeOrg"}
CREDENTIALS["AEP_SANDBOX_NAME"] = "prod"  # a change always names its sandbox


@pytest.fixture
def env() -> dict[str, str]:
    return CREDENTIALS | demo_secrets() | {"PATH": "/usr/bin:/bin"}


def test_a_fault_that_outlasts_the_retries_names_step_request_code_and_request_id(
    env: dict[str, str],
) -> None:
    always = FaultRule(fault="503", method="POST", path="/targetConnections$", probability=1.0)
    with EmulatorServer(faults=[always], seed=1) as server:
        done = run_cli(
            "activate", EXAMPLE, "--retries", "2", env=env | {"AEP_BASE_URL": server.base_url}
        )
    assert done.returncode == 1
    (line,) = [x for x in done.stderr.splitlines() if "failed:" in x]
    assert "create targetConnections 'Acme S3 bucket'" in line
    assert "(POST /data/foundation/flowservice/targetConnections)" in line
    assert "HTTP 503 503050" in line  # the gateway's code, as the fault injector answers
    assert re.search(r"\(request id [0-9a-f-]{36}\)$", line), line


def test_an_unreachable_service_names_the_base_url_and_the_way_to_change_it(
    env: dict[str, str],
) -> None:
    with socket.socket() as closed:  # a loopback port nobody listens on
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"
    done = run_cli("activate", EXAMPLE, "--retries", "1", env=env | {"AEP_BASE_URL": url})
    assert done.returncode == 1
    (line,) = [x for x in done.stderr.splitlines() if "failed:" in x]
    assert "(GET /data/foundation/flowservice/flows)" in line  # the first request of a run
    # Nothing listens there and nothing ever answered: said at once, not after a minute of retries.
    assert f"connection refused (nothing listens there) talking to {url}" in line
    assert "--base-url or AEP_BASE_URL" in line


@pytest.mark.parametrize("bad", ["0", "21", "x", "1.5"])
def test_retries_must_be_a_small_whole_number(bad: str, env: dict[str, str]) -> None:
    done = run_cli("activate", EXAMPLE, "--retries", bad, env=env)
    assert done.returncode == 2
    assert "must be a whole number from 1 to 20" in done.stderr
