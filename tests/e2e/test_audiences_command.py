"""``destgen audiences`` against the emulator on 127.0.0.1: every audience of the sandbox over
every page, by name, as JSON with its format version, and a name nobody has as exit 1.
"""

from __future__ import annotations

import json

import httpx
import pytest

from destgen.cli import main
from destgen_emulator import EmulatorServer
from tests.e2e.conftest import use_emulator

HEADERS = {
    "Authorization": "Bearer t",
    "x-api-key": "k",
    "x-gw-ims-org-id": "AUDIENCES@AdobeOrg",
    "x-sandbox-name": "prod",
}


@pytest.fixture
def env(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    use_emulator(monkeypatch, emulator.base_url, "AUDIENCES@AdobeOrg")


@pytest.mark.usefixtures("env")
def test_every_audience_over_every_page_and_by_name(
    emulator: EmulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    with httpx.Client(base_url=emulator.base_url, headers=HEADERS, timeout=30) as http:
        for n in range(110):  # past one page of 100
            answer = http.post("/data/core/ups/segment/definitions", json={"name": f"Made {n}"})
            assert answer.status_code == 200, answer.text
    capsys.readouterr()
    assert main(["audiences", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["format_version"] == 1
    names = [a["name"] for a in document["audiences"]]
    assert len(names) == len(set(names)) == 115  # the 5 seeded audiences of prod, then ours
    assert {"Winter campaign", "Made 0", "Made 109"} <= set(names)
    assert {a["sandbox"] for a in document["audiences"]} == {"prod"}
    assert main(["audiences", "--name", "Winter campaign"]) == 0
    out, err = capsys.readouterr()
    assert out == "2d79d0d8-724f-49fc-a09d-d1dec338c93c  Winter campaign  (prod)\n"
    assert "destgen audiences: org AUDIENCES@AdobeOrg, sandbox prod" in err
    assert main(["audiences", "--name", "Nobody"]) == 1
    assert "no audience named 'Nobody'" in capsys.readouterr().err


@pytest.mark.usefixtures("env")
def test_another_sandbox_by_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audiences", "--sandbox", "dev", "--name", "Beta testers"]) == 0
    assert "Beta testers  (dev)" in capsys.readouterr().out
