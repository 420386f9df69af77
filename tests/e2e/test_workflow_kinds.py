"""A workflow kind is one type: a fake kind, registered from this test alone, is chosen by the
files that name it, checked, validated with its own models, activated with its own steps against
the emulator on 127.0.0.1, and listed by ``destgen destinations`` for the destinations it supports,
with no other module told about it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from destgen_runtime.activation import workflows
from destgen_runtime.activation.engine import activate
from destgen_runtime.activation.file import ActivationError, ActivationFile
from destgen_runtime.activation.payloads import Payloads, prepare
from destgen_runtime.activation.steps import ApplyOptions, Plan, audience_chain
from destgen_runtime.activation.workflows import Workflow
from destgen_runtime.payloads.audiences import AudienceSelector
from pydantic import BaseModel

from destgen.cli import main
from destgen_emulator import EmulatorServer
from tests.conftest import ROOT
from tests.e2e.conftest import use_emulator


class Digest(Workflow):
    """Audiences to a weekly digest: the chain only, its dataflow left without settings."""

    name = "digest"
    title = "audience digests"
    file_workflow = "digest"
    writes_files = False

    def supported_by(self, spec: Any) -> bool:
        return bool(spec.SLUG == "amazon_s3")

    def problems(self, file: ActivationFile) -> list[str]:
        return [] if file.audiences else ["$.audiences: a digest needs an audience"]

    def audience_model(self) -> type[BaseModel]:
        return AudienceSelector

    def plan(self, p: Payloads, options: ApplyOptions) -> Plan:
        chain = yield from audience_chain(p, options)
        return chain.result


@pytest.fixture
def digest() -> Iterator[Workflow]:
    kind = workflows.register(Digest())
    try:
        yield kind
    finally:
        workflows.unregister(kind)


def _file(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((ROOT / "examples" / "amazon_s3.json").read_text())
    doc.pop("mappings")
    return doc | {"workflow": "digest"} | changes


def test_an_unknown_kind_is_refused_by_name() -> None:
    with pytest.raises(Exception, match="one of 'audiences', 'datasets'"):
        ActivationFile.model_validate(_file())


@pytest.mark.usefixtures("digest")
def test_a_new_kind_is_one_module(
    emulator: EmulatorServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_emulator(monkeypatch, emulator.base_url, "KINDS@AdobeOrg")
    payloads = prepare(ActivationFile.model_validate(_file()))
    assert payloads.workflow.name == "digest"
    # Its own checks, beside every payload's.
    with pytest.raises(ActivationError) as refused:
        prepare(ActivationFile.model_validate(_file(audiences=[])))
    assert refused.value.problems == ["$.audiences: a digest needs an audience"]
    # Only where it is supported.
    braze = json.loads((ROOT / "examples" / "braze.json").read_text()) | {"workflow": "digest"}
    with pytest.raises(ActivationError) as unsupported:
        prepare(ActivationFile.model_validate(braze))
    assert "Braze does not export digest (it supports: streamed audiences)" in str(
        unsupported.value
    )

    from destgen_runtime.transport.client import FlowServiceClient
    from destgen_runtime.transport.credentials import Identity, StaticToken

    identity = Identity(StaticToken("t"), "k", "KINDS@AdobeOrg", "prod")
    with FlowServiceClient(base_url=emulator.base_url, identity=identity) as client:
        result = activate(client, payloads)
    # Its own steps: the chain, and none of the audience export's settings.
    assert [row.entity for row in result.rows] == [
        "source connection",
        "base connection",
        "target connection",
        "dataflow",
    ]
    flow = emulator.state.store.get("flows", result.id_of("dataflow"), ("KINDS@AdobeOrg", "prod"))
    assert (flow["transformations"][0]["params"].get("segmentSelectors") or {}).get(
        "selectors", []
    ) == []

    assert main(["destinations", "--json"]) == 0
    listed = {d["slug"]: d["workflows"] for d in json.loads(capsys.readouterr().out)}
    assert listed["amazon_s3"] == ["audiences", "datasets", "digest"]
    assert listed["braze"] == ["stream"]
