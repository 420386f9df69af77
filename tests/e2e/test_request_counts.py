"""How many requests each example costs, counted on the wire (every ``httpx.Client.send``) against
the emulator on 127.0.0.1: a first ``apply --yes`` into an empty sandbox, then a ``plan`` of the
unchanged file, beside the tutorial's own hand-written sequence (bench/activation.py).

Each lookup is asked once (the plan's reads are what ``apply --yes`` writes against), each write
sent once, and every dataflow setting rides one JSON Patch; the lookups that keep a create from
duplicating stay, so the first apply costs at most two requests more than the tutorial, which has
none of them.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from bench.activation import with_plain_httpx
from destgen.cli import main
from destgen_emulator import EmulatorServer
from tests.conftest import ROOT
from tests.e2e.conftest import use_emulator

EXAMPLES = sorted(p.name for p in (ROOT / "examples").iterdir() if p.suffix in (".json", ".yaml"))
# Whose connection spec came without its flow spec: the service is asked for it (+1).
LISTS_ITS_FLOW_SPEC = {"adobe_campaign.json"}


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every request any httpx client of this process sends, as ``METHOD /path``."""
    seen: list[str] = []
    real = httpx.Client.send

    def send(self: httpx.Client, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        return real(self, request, **kwargs)

    monkeypatch.setattr(httpx.Client, "send", send)
    return seen


TUTORIAL = 14  # the tutorial's calls for examples/amazon_s3.json, counted below


def test_the_tutorial_sequence_costs_14(emulator: EmulatorServer, sent: list[str]) -> None:
    with_plain_httpx(emulator.base_url, "tutorial")
    assert len(sent) == TUTORIAL  # what the first apply below is held against


@pytest.mark.parametrize("example", EXAMPLES)
def test_first_apply_and_replan_send_no_request_twice(
    example: str,
    emulator: EmulatorServer,
    monkeypatch: pytest.MonkeyPatch,
    sent: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_emulator(monkeypatch, emulator.base_url, f"COUNT{uuid.uuid4().hex[:8]}@AdobeOrg")
    path = str(ROOT / "examples" / example)
    extra = 1 if example in LISTS_ITS_FLOW_SPEC else 0
    assert main(["apply", "--yes", path]) == 0, capsys.readouterr().err
    first = list(sent)
    sent.clear()
    assert main(["plan", path]) == 0, capsys.readouterr().err
    again = list(sent)
    assert len(first) <= TUTORIAL + 2 + extra, first  # 16: the goal
    assert len(again) <= 5 + extra, again
    # No request is sent twice in the first apply: each lookup once, each write once.
    reads = [r for r in first if r.startswith("GET ")]
    assert len(reads) == len(set(reads)), first
    assert sum(r.startswith("PATCH ") for r in first) <= 1, "every dataflow setting in one PATCH"


def test_a_prompt_that_waited_reads_again(
    emulator: EmulatorServer,
    monkeypatch: pytest.MonkeyPatch,
    sent: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A person's yes may come hours after the plan: apply then asks every lookup again before
    # it creates anything, rather than trusting the plan's reads.
    use_emulator(monkeypatch, emulator.base_url, "PROMPT@AdobeOrg")
    monkeypatch.setattr("destgen.cli.infra.confirmed", lambda *_args: True)
    assert main(["apply", str(ROOT / "examples" / "amazon_s3.json")]) == 0, capsys.readouterr()
    lookups = [r for r in sent if r == "GET /data/foundation/flowservice/connections"]
    assert len(lookups) == 2, sent  # once to plan, once again before the create
