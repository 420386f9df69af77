"""The activation core without HTTP: each example's plan driven against the in-memory service of
tests/drive.py. The sequence of calls is the documented one, a second run over what the first
made writes nothing, and a changed file writes exactly its change.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from destgen_runtime.activation.engine import ApplyOptions, plan
from destgen_runtime.activation.file import ActivationFile
from destgen_runtime.activation.payloads import prepare

from destgen.cli.demo import demo_secrets
from tests.conftest import ROOT
from tests.drive import Service, drive

EXAMPLES = sorted(p.name for p in (ROOT / "examples").glob("*.json"))


@pytest.fixture(autouse=True)
def _secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in demo_secrets().items():
        monkeypatch.setenv(name, value)


def _doc(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((ROOT / "examples" / name).read_text())
    return doc


DEFAULT = ApplyOptions()


def _run(doc: dict[str, Any], service: Service, options: ApplyOptions = DEFAULT) -> Any:
    return drive(plan(prepare(ActivationFile.model_validate(doc)), options), service)


def test_a_new_audience_export_is_the_documented_sequence() -> None:
    service = Service()
    result = _run(_doc("amazon_s3.json"), service)
    assert service.writes() == [
        "POST sourceConnections",
        "POST connections",
        "POST targetConnections",
        "POST flows",
        "POST schemas",
        "POST schemas",
        "POST mappingSets",
        f"PATCH flows/{result.id_of('dataflow')}",  # every dataflow setting in one PATCH
    ]
    flow = service.entities["flows"][result.id_of("dataflow")]
    selected = flow["transformations"][0]["params"]["segmentSelectors"]["selectors"]
    assert [s["value"]["id"] for s in selected] == [
        a["id"] for a in _doc("amazon_s3.json")["audiences"]
    ]


@pytest.mark.parametrize("name", EXAMPLES)
def test_a_second_run_writes_nothing(name: str) -> None:
    service = Service()
    _run(_doc(name), service)
    written = len(service.writes())
    assert written > 0
    _run(_doc(name), service)
    assert service.writes()[written:] == [], "a re-run adopts what the first made"


def test_a_changed_file_writes_exactly_its_change() -> None:
    service = Service()
    doc = _doc("amazon_s3.json")
    result = _run(doc, service)
    before = len(service.calls)
    doc["targetConnection"]["params"]["compression"] = "NONE"
    doc["audiences"] = doc["audiences"][:1]
    _run(doc, service, ApplyOptions(prune=True))
    target_id = service.entities["flows"][result.id_of("dataflow")]["targetConnectionIds"][0]
    assert [c for c in service.calls[before:] if not c.startswith("GET ")] == [
        f"PATCH targetConnections/{target_id}",
        f"PATCH flows/{result.id_of('dataflow')}",
    ]
    assert service.entities["targetConnections"][target_id]["params"]["compression"] == "NONE"
