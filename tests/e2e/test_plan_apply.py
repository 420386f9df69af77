"""Destinations as code against the emulator on 127.0.0.1: one row per kind of field an activation
file has. Each row creates its own entities, edits the file, and checks that the plan names the
change, that apply makes it so, and that the plan is then empty.
"""

from __future__ import annotations

import copy
import io
import json
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from destgen_runtime.activation.engine import ApplyOptions, activate
from destgen_runtime.activation.file import ActivationFile
from destgen_runtime.activation.payloads import prepare
from destgen_runtime.activation.planner import Planner
from destgen_runtime.transport.client import FlowServiceClient
from destgen_runtime.transport.credentials import Identity, StaticToken

from destgen.cli import main
from destgen.cli.demo import demo_secrets
from destgen_emulator import EmulatorServer
from destgen_emulator.service.datasets import CATALOG
from tests.conftest import ROOT, daily_selector
from tests.e2e.conftest import LAPSED, LOYAL, NEWSLETTER

Doc = dict[str, Any]
S3 = json.loads((ROOT / "examples" / "amazon_s3.json").read_text())
# Mappings cost a dozen Data Prep calls per run: only the row about them carries them.
S3_MAPPED = S3
S3_LIGHT = {k: v for k, v in S3.items() if k != "mappings"}
DATASETS = json.loads((ROOT / "examples" / "amazon_s3_datasets.json").read_text())
SELECTORS = ("transformations", 0, "params", "segmentSelectors", "selectors")
DEFAULT = ApplyOptions()


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer() as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def _secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in demo_secrets().items():
        monkeypatch.setenv(name, value)


def _client(server: EmulatorServer) -> FlowServiceClient:
    return FlowServiceClient(
        base_url=server.base_url, identity=Identity(StaticToken("t"), "k", "PLAN@AdobeOrg", "prod")
    )


def _named(doc: Doc, tag: str) -> Doc:
    doc = copy.deepcopy(doc)
    for key in ("baseConnection", "targetConnection", "dataflow"):
        doc[key]["name"] = f"{doc[key]['name']} {tag}"
    return doc


def _plan(server: EmulatorServer, doc: Doc, options: ApplyOptions) -> list[str]:
    with _client(server) as client:
        planner = Planner(client)
        activate(planner, prepare(ActivationFile.model_validate(doc)), options=options)
    return [line for change in planner.changes for line in change.lines]


def _apply(server: EmulatorServer, doc: Doc, options: ApplyOptions = DEFAULT) -> str:
    with _client(server) as client:
        result = activate(client, prepare(ActivationFile.model_validate(doc)), options=options)
    return result.id_of("dataflow")


def _at(entity: Any, *path: Any) -> Any:
    for part in path:
        entity = entity[part]
    return entity


def _selectors(server: EmulatorServer, flow_id: str) -> list[Any]:
    selectors: list[Any] = _at(server.state.store.get("flows", flow_id), *SELECTORS)
    return selectors


def _target(server: EmulatorServer, flow_id: str) -> Any:
    flow = server.state.store.get("flows", flow_id)
    return server.state.store.get("targetConnections", flow["targetConnectionIds"][0])


def _edit(path: tuple[Any, ...], value: Any) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        _at(doc, *path[:-1])[path[-1]] = value

    return change


def _drop_audience(doc: Doc) -> None:
    doc["audiences"] = doc["audiences"][:1]


def _add_audience(doc: Doc) -> None:
    doc["audiences"].append(
        daily_selector(LOYAL).model_dump(by_alias=True, exclude_none=True)["value"]
    )


def _full_daily(doc: Doc) -> None:
    doc["audiences"][1] |= {"exportMode": "DAILY_FULL_EXPORT"}
    doc["audiences"][1]["schedule"] = {
        "frequency": "DAILY",
        "triggerType": "SCHEDULED",
        "startDate": "2026-12-01",
        "startTime": "06:00",
    }


def _new_datasets(doc: Doc) -> None:
    doc["datasets"] = [{"id": CATALOG[20]["id"], "name": CATALOG[20]["name"]}]


# (row id, base document, edit, options, a fragment of the plan, the stored result's check)
ROWS: list[tuple[str, Doc, Callable[[Doc], None], ApplyOptions, str, Callable[..., bool]]] = [
    (
        "target compression",
        S3_LIGHT,
        _edit(("targetConnection", "params", "compression"), "NONE"),
        ApplyOptions(),
        '~ /params.compression: "GZIP" -> "NONE"',
        lambda s, f: _target(s, f)["params"]["compression"] == "NONE",
    ),
    (
        "target path",
        S3_LIGHT,
        _edit(("targetConnection", "params", "path"), "audiences/v2"),
        ApplyOptions(),
        '~ /params.path: "audiences/%SEGMENT_NAME%" -> "audiences/v2"',
        lambda s, f: _target(s, f)["params"]["path"] == "audiences/v2",
    ),
    (
        "file manifest",
        S3_LIGHT,
        _edit(("includeFileManifest",), False),
        ApplyOptions(),
        "~ /params.includeFileManifest: true -> false",
        lambda s, f: _target(s, f)["params"]["includeFileManifest"] is False,
    ),
    (
        "audience file-name template",
        S3_LIGHT,
        _edit(("audiences", 0, "filenameTemplate"), "%SEGMENT_ID%_%TIMESTAMP%"),
        ApplyOptions(),
        'filenameTemplate: "%DESTINATION_NAME%_%SEGMENT_ID%_%DATETIME(YYYYMMdd_HHmmss)%" -> '
        '"%SEGMENT_ID%_%TIMESTAMP%"',
        lambda s, f: _selectors(s, f)[0]["value"]["filenameTemplate"] == "%SEGMENT_ID%_%TIMESTAMP%",
    ),
    (
        "audience schedule",
        S3_LIGHT,
        _edit(("audiences", 1, "schedule", "frequency"), "EVERY_12_HOURS"),
        ApplyOptions(),
        'schedule.frequency: "EVERY_6_HOURS" -> "EVERY_12_HOURS"',
        lambda s, f: _selectors(s, f)[1]["value"]["schedule"]["frequency"] == "EVERY_12_HOURS",
    ),
    (
        "audience export mode",
        S3_LIGHT,
        _full_daily,
        ApplyOptions(),
        'exportMode: "FIRST_FULL_THEN_INCREMENTAL" -> "DAILY_FULL_EXPORT"',
        lambda s, f: _selectors(s, f)[1]["value"]["exportMode"] == "DAILY_FULL_EXPORT",
    ),
    (
        "audience added",
        S3_LIGHT,
        _add_audience,
        ApplyOptions(),
        f"+ audience {LOYAL}",
        lambda s, f: [x["value"]["id"] for x in _selectors(s, f)][-1] == LOYAL,
    ),
    (
        "audience kept without prune",
        S3_LIGHT,
        _drop_audience,
        ApplyOptions(),
        "",
        lambda s, f: len(_selectors(s, f)) == 2,
    ),
    (
        "audience removed with prune",
        S3_LIGHT,
        _drop_audience,
        ApplyOptions(prune=True),
        "- audience 4c41c318-9e8c-4a4f-b880-877cdd629fc7",
        lambda s, f: len(_selectors(s, f)) == 1,
    ),
    (
        "mandatory fields changed",
        S3_LIGHT,
        _edit(("mandatoryFields",), ["Email", "firstName"]),
        ApplyOptions(),
        '~ /transformations/0/params/mandatoryFields: ["Email"] -> ["Email", "firstName"]',
        lambda s, f: _at(s.state.store.get("flows", f), *SELECTORS[:3])["mandatoryFields"]
        == ["Email", "firstName"],
    ),
    (
        "mandatory fields pruned",
        S3_LIGHT,
        _edit(("mandatoryFields",), []),
        ApplyOptions(prune=True),
        '- /transformations/0/params/mandatoryFields: ["Email"]',
        lambda s, f: "mandatoryFields" not in _at(s.state.store.get("flows", f), *SELECTORS[:3]),
    ),
    (
        "deduplication keys",
        S3_LIGHT,
        _edit(("deduplicationKeys",), {"attributePaths": ["personalEmail.address"]}),
        ApplyOptions(),
        '"fieldType": "ATTRIBUTE"',
        lambda s, f: _at(s.state.store.get("flows", f), *SELECTORS[:3])["primaryFields"][0][
            "fieldType"
        ]
        == "ATTRIBUTE",
    ),
    (
        "marketing actions pruned",
        S3_LIGHT,
        _edit(("marketingActions",), []),
        ApplyOptions(prune=True),
        '~ /policy.enforcementRefs: ["/dulepolicy/',
        lambda s, f: s.state.store.get("flows", f)["policy"]["enforcementRefs"] == [],
    ),
    (
        "mappings",
        S3_MAPPED,
        _edit(("mappings",), [{"source": "person.name.lastName", "destination": "lastName"}]),
        ApplyOptions(),
        "+ create mapping set",
        lambda s, f: s.state.store.get(
            "mappingSets",
            _at(s.state.store.get("flows", f), *SELECTORS[:3])["profileMapping"]["mappingId"],
        )["mappings"][0]["destination"]
        == "lastName",
    ),
    (
        "disabled",
        S3_LIGHT,
        _edit(("dataflow", "enabled"), False),
        ApplyOptions(),
        "! disable flow",
        lambda s, f: s.state.store.get("flows", f)["state"] == "disabled",
    ),
    (
        "credentials rotated",
        S3_LIGHT,
        lambda doc: None,
        ApplyOptions(rotate_secrets=True),
        "~ credentials: replaced (secrets cannot be read back or compared)",
        lambda s, f: True,
    ),
    (
        "target connection renamed",
        S3_LIGHT,
        _edit(("targetConnection", "name"), "Renamed S3 bucket"),
        ApplyOptions(),
        '~ /name: "Acme S3 bucket target connection renamed" -> "Renamed S3 bucket"',
        lambda s, f: _target(s, f)["name"] == "Renamed S3 bucket",
    ),
    (
        "base connection renamed",
        S3_LIGHT,
        _edit(("baseConnection", "name"), "Renamed S3 credentials"),
        ApplyOptions(),
        '-> "Renamed S3 credentials"',
        lambda s, f: s.state.store.get("connections", _target(s, f)["baseConnectionId"])["name"]
        == "Renamed S3 credentials",
    ),
    (
        "descriptions",
        S3_LIGHT,
        _edit(("dataflow", "description"), "Hourly now"),
        ApplyOptions(),
        '~ /description: "Daily audience exports" -> "Hourly now"',
        lambda s, f: s.state.store.get("flows", f)["description"] == "Hourly now",
    ),
    (
        "auth param that is no secret",
        S3_LIGHT,
        _edit(("baseConnection", "auth", "params", "s3AccessKey"), "AKIAI44QHSDHBEXAMPLE"),
        ApplyOptions(),
        '~ /auth/params.s3AccessKey: "AKIAIOSFODNN7EXAMPLE" -> "AKIAI44QHSDHBEXAMPLE"',
        lambda s, f: s.state.store.get("connections", _target(s, f)["baseConnectionId"])["auth"][
            "params"
        ]["s3AccessKey"]
        == "AKIAI44QHSDHBEXAMPLE",
    ),
    (
        "dataset list",
        DATASETS,
        _new_datasets,
        ApplyOptions(),
        "~ /sourceConnectionIds",
        lambda s, f: s.state.store.get(
            "sourceConnections", s.state.store.get("flows", f)["sourceConnectionIds"][0]
        )["params"]["datasets"][0]["dataSetId"]
        == CATALOG[20]["id"],
    ),
    (
        "dataset schedule",
        DATASETS,
        _edit(("dataflow", "schedule", "interval"), 6),
        ApplyOptions(),
        "~ /scheduleParams.interval: 3 -> 6",
        lambda s, f: s.state.store.get("flows", f)["scheduleParams"]["interval"] == 6,
    ),
]


@pytest.mark.parametrize(
    ("base", "edit", "options", "fragment", "check"),
    [row[1:] for row in ROWS],
    ids=[row[0] for row in ROWS],
)
def test_plan_shows_each_field_and_apply_makes_it_so(
    server: EmulatorServer,
    request: pytest.FixtureRequest,
    base: Doc,
    edit: Callable[[Doc], None],
    options: ApplyOptions,
    fragment: str,
    check: Callable[..., bool],
) -> None:
    doc = _named(base, request.node.callspec.id)
    flow_id = _apply(server, doc)
    edit(doc)
    lines = _plan(server, doc, options)
    if fragment:
        assert any(fragment in line for line in lines), lines
    else:
        assert lines == []
    assert _apply(server, doc, options) == flow_id
    assert check(server, flow_id)
    if not options.rotate_secrets:  # credentials are sent every time they are asked to be
        assert _plan(server, doc, options) == []


def test_secrets_never_show_in_a_plan(
    server: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    canary = "PLANCANARY" + "x" * 30
    monkeypatch.setenv("S3_SECRET_KEY", canary)
    doc = _named(S3, "secret")
    _apply(server, doc)
    lines = _plan(server, doc, ApplyOptions(rotate_secrets=True))
    assert lines == ["~ credentials: replaced (secrets cannot be read back or compared)"]
    assert canary not in " ".join(lines)


def test_two_concurrent_applies_on_one_flow_lose_no_change(server: EmulatorServer) -> None:
    doc = _named(S3, "race")
    flow_id = _apply(server, doc)
    first, second = copy.deepcopy(doc), copy.deepcopy(doc)
    first["audiences"].append(
        daily_selector(LAPSED).model_dump(by_alias=True, exclude_none=True)["value"]
    )
    second["audiences"].append(
        daily_selector(NEWSLETTER).model_dump(by_alias=True, exclude_none=True)["value"]
    )
    for raced in (first, second):  # both files agree on the path; each adds its own audience
        raced["targetConnection"]["params"]["path"] = "audiences/raced"
    go = threading.Barrier(2)

    def run(doc: Doc) -> None:
        go.wait(timeout=10)
        _apply(server, doc)

    threads = [threading.Thread(target=run, args=(d,)) for d in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    ids = [s["value"]["id"] for s in _selectors(server, flow_id)]
    assert {LAPSED, NEWSLETTER} <= set(ids)
    assert len(ids) == len(set(ids)) == 4
    assert _target(server, flow_id)["params"]["path"] == "audiences/raced"


def _env(server: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AEP_BASE_URL": server.base_url,
        "AEP_ACCESS_TOKEN": "t",
        "AEP_API_KEY": "k",
        "AEP_ORG_ID": "CLI@AdobeOrg",
        "AEP_SANDBOX_NAME": "prod",
    }.items():
        monkeypatch.setenv(name, value)


def test_the_commands_over_a_folder(
    server: EmulatorServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _env(server, monkeypatch)
    for n, base in enumerate((S3, DATASETS)):
        (tmp_path / f"{n}.json").write_text(json.dumps(_named(base, "cli")))
    assert main(["plan", str(tmp_path)]) == 3  # Exit.CHANGES
    out, err = capsys.readouterr()
    assert "+ create flows" in out
    assert "[2/2]" in err
    planned = re.fullmatch(
        r"Plan: (\d+) to create, (\d+) to change, 0 to remove\.", out.splitlines()[-1]
    )
    assert planned is not None, out
    # No terminal to confirm on: apply refuses without --yes and changes nothing.
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["apply", str(tmp_path)]) == 1
    assert "pass --yes" in capsys.readouterr().err
    assert main(["apply", "--yes", "--concurrency", "2", "--rate", "500", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    # Plan and apply count the same writes: what the plan said is what apply reports.
    created, changed = planned.groups()
    assert (
        out.splitlines()[-1] == f"Apply complete: {created} created, {changed} changed, 0 removed."
    )
    assert main(["plan", "--json", str(tmp_path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [f["status"] for f in report["files"]] == ["unchanged", "unchanged"]
    (tmp_path / "2.json").write_text('{"destination": "amazon_s3"}')
    assert main(["plan", str(tmp_path)]) == 1
    assert f"{tmp_path / '2.json'}: $.baseConnection" in capsys.readouterr().err
    assert main(["plan", str(tmp_path / "empty")]) == 2  # Exit.USAGE: nothing to read


def test_a_plan_needs_no_secrets_even_when_credentials_would_change(
    server: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = _named(S3, "no secrets")
    _apply(server, doc)
    monkeypatch.delenv("S3_SECRET_KEY")
    doc["baseConnection"]["auth"]["params"]["s3AccessKey"] = "AKIAI44QHSDHBEXAMPLE"
    with _client(server) as client:
        planner = Planner(client)
        payloads = prepare(ActivationFile.model_validate(doc), placeholders=True)
        activate(planner, payloads)
    lines = [line for change in planner.changes for line in change.lines]
    assert lines == ["~ credentials: replaced (secrets cannot be read back or compared)"]
