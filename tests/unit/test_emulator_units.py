"""The emulator's HTTP-free modules called directly: JSON Patch, listing filters and tokens, Data
Prep validation. Each refusal names what is wrong; nothing half-applied is ever stored.
"""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from destgen_emulator.service import dataprep, listing
from destgen_emulator.service.catalog import Catalog
from destgen_emulator.service.errors import ApiError
from destgen_emulator.service.patching import apply_patch
from destgen_emulator.service.state import EmulatorState
from tests.conftest import ROOT

META = {"sandboxName": "prod", "imsOrgId": "ORG@AdobeOrg"}
PROD = ("ORG@AdobeOrg", "prod")
DOC: dict[str, Any] = {"name": "flow", "items": [1, 2], "a/b": {"~x": 1}, "n": None}


def _message(error: ApiError) -> str:
    return str(error.body.get("errorMessage") or error.body.get("message"))


@pytest.mark.parametrize(
    ("ops", "expected"),
    [
        ([{"op": "add", "path": "/items/-", "value": 3}], {"items": [1, 2, 3]}),
        ([{"op": "add", "path": "/items/0", "value": 0}], {"items": [0, 1, 2]}),
        ([{"op": "replace", "path": "/items/1", "value": 9}], {"items": [1, 9]}),
        ([{"op": "remove", "path": "/items/0"}], {"items": [2]}),
        ([{"op": "REPLACE", "path": "/a~1b/~0x", "value": 2}], {"a/b": {"~x": 2}}),
        ([{"op": "remove", "path": "/n"}], {"n": "absent"}),
        ([{"op": "add", "path": "/new", "value": {"k": 1}}], {"new": {"k": 1}}),
    ],
)
def test_patch_applies_rfc6902_on_a_copy(ops: list[dict[str, Any]], expected: Any) -> None:
    before = copy.deepcopy(DOC)
    result = apply_patch(DOC, ops)
    assert before == DOC  # the stored document is never touched
    for key, value in expected.items():
        assert result.get(key, "absent") == value


@pytest.mark.parametrize(
    ("ops", "message"),
    [
        ([], "non-empty JSON Patch array"),
        ({"op": "add"}, "non-empty JSON Patch array"),
        (["add"], "Patch operation 0 needs string 'op' and 'path'"),
        ([{"op": "add", "path": 5, "value": 1}], "Patch operation 0 needs string 'op' and 'path'"),
        ([{"op": "move", "path": "/name", "from": "/x"}], "Unsupported operation 'move'"),
        ([{"op": "add", "path": "/name"}], "Missing field value in operation 0"),
        ([{"op": "add", "path": "name", "value": 1}], "a JSON Pointer starts with '/'"),
        ([{"op": "remove", "path": ""}], "Cannot remove the whole document"),
        ([{"op": "add", "path": "/items/x", "value": 1}], "Invalid array index 'x'"),
        ([{"op": "add", "path": "/items/01", "value": 1}], "Invalid array index '01'"),
        ([{"op": "replace", "path": "/items/2", "value": 1}], "Array index 2 out of range"),
        ([{"op": "add", "path": "/items/3", "value": 1}], "Array index 3 out of range"),
        ([{"op": "add", "path": "/nope/x", "value": 1}], "Missing field 'nope'"),
        ([{"op": "replace", "path": "/nope", "value": 1}], "Missing field 'nope'"),
        ([{"op": "add", "path": "/name/x", "value": 1}], "Cannot apply 'add' at '/name/x'"),
        ([{"op": "add", "path": "/items/0/x", "value": 1}], "Cannot apply 'add'"),
        (
            [{"op": "add", "path": "/ok", "value": 1}, {"op": "remove", "path": "/zz"}],
            "Missing field 'zz'",
        ),
    ],
)
def test_patch_refusals_name_the_operation_and_path(ops: Any, message: str) -> None:
    before = copy.deepcopy(DOC)
    with pytest.raises(ApiError) as caught:
        apply_patch(DOC, ops)
    assert caught.value.status == 400
    assert message in _message(caught.value)
    assert before == DOC


def test_patch_replaces_the_whole_document_at_the_root_pointer() -> None:
    assert apply_patch(DOC, [{"op": "replace", "path": "", "value": {"x": 1}}]) == {"x": 1}


@pytest.mark.parametrize(
    ("expressions", "message"),
    [
        (["name~flow"], "The operator '~' is not implemented"),
        (["name"], "Invalid property filter 'name'"),
        (["createdAt<=1,2"], "'<=' does not accept multiple values"),
    ],
)
def test_filters_refuse_what_the_api_refuses(expressions: list[str], message: str) -> None:
    with pytest.raises(ApiError) as caught:
        listing.parse_filters(expressions)
    assert message in _message(caught.value)


def test_filters_and_ordering_select_and_sort() -> None:
    entities = [
        {"name": "b", "updatedAt": 2, "tags": ["x"]},
        {"name": "a", "updatedAt": 3, "tags": ["y", "x"]},
        {"name": "c", "updatedAt": 1},
    ]
    keep = listing.parse_filters(["name!=c", "tags[]==x"])
    assert [e["name"] for e in entities if listing.matches(e, keep)] == ["b", "a"]
    newer = listing.parse_filters(["updatedAt>1", "updatedAt<=2"])
    assert [e["name"] for e in entities if listing.matches(e, newer)] == ["b"]
    before_b = listing.parse_filters(["name<b"])
    assert [e["name"] for e in entities if listing.matches(e, before_b)] == ["a"]
    assert listing.matches({"enabled": True}, listing.parse_filters(["enabled==TRUE"]))
    any_of = listing.parse_filters(["name==a,c"])
    assert [e["name"] for e in entities if listing.matches(e, any_of)] == ["a", "c"]
    assert [e["name"] for e in listing.order(entities, None)] == ["a", "b", "c"]
    assert [e["name"] for e in listing.order(entities, "name")] == ["a", "b", "c"]
    assert listing.order(entities, "-tags,name")[0]["name"] == "a"
    with pytest.raises(ApiError):
        listing.order(entities, "name;drop")


@pytest.mark.parametrize(
    "token",
    ["!!!", "e30=", "WzFd", "eyJvZmZzZXQiOiAieCJ9", "eyJxdWVyeSI6IFtdLCAiYWZ0ZXIiOiBbWzcsIDFdXX0="],
)
def test_bad_continuation_tokens_are_400(token: str) -> None:
    with pytest.raises(ApiError) as caught:
        listing.decode_token(token)
    assert caught.value.status == 400
    after = [[1, 5], [2, "id-1"]]
    assert listing.decode_token(listing.encode_token([("limit", "2")], after)) == (
        [("limit", "2")],
        after,
    )


@pytest.fixture
def state() -> EmulatorState:
    return EmulatorState(Catalog(ROOT / "specs_cache"))


def _schema(state: EmulatorState) -> str:
    status, body = dataprep.create_schema(state, {"jsonSchema": {"type": "object"}}, dict(META))
    assert status == 200
    return str(body["id"])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "A schema needs jsonSchema, schemaRef or sampleId"),
        ({"name": "x"}, "A schema needs jsonSchema, schemaRef or sampleId"),
        ({"jsonSchema": "text"}, "jsonSchema must be a JSON object"),
    ],
)
def test_schema_create_refusals(state: EmulatorState, body: Any, message: str) -> None:
    with pytest.raises(ApiError, match=message):
        dataprep.create_schema(state, body, dict(META))


def test_mapping_set_problems_are_all_listed(state: EmulatorState) -> None:
    schema = _schema(state)
    body = {
        "inputSchema": {"id": schema},
        "outputSchema": {"id": "missing"},
        "mappings": [
            "x",
            {"source": "a", "destination": "b.c"},
            {"source": "a", "destination": "d", "sourceType": "MAGIC"},
        ],
    }
    with pytest.raises(ApiError) as caught:
        dataprep.create_mapping_set(state, body, dict(META))
    problems = caught.value.body["report"]["problems"]
    assert problems == [
        "$.outputSchema.id: schema missing does not exist",
        "$.mappings[0]: source and destination are required",
        "$.mappings[1].destination: may not contain '.'",
        "$.mappings[2].sourceType: one of ATTRIBUTE, EXPRESSION, STATIC",
    ]
    with pytest.raises(ApiError, match="must be a JSON object"):
        dataprep.create_mapping_set(state, [], dict(META))
    with pytest.raises(ApiError) as empty:
        dataprep.create_mapping_set(state, {"inputSchema": schema, "mappings": []}, dict(META))
    assert "$.mappings: at least one mapping is required" in empty.value.body["report"]["problems"]
    assert state.store.all("mappingSets") == []


def test_mapping_set_round_trip_and_union_schema(state: EmulatorState) -> None:
    schema = _schema(state)
    mapping = {"source": "personalEmail.address", "destination": "email"}
    body = {"inputSchema": {"id": schema}, "outputSchema": {"id": schema}, "mappings": [mapping]}
    _status, created = dataprep.create_mapping_set(state, body, dict(META))
    fetched = dataprep.get(state, "mappingSets", created["id"], PROD)
    assert fetched["mappings"] == [mapping]
    assert "etag" not in fetched
    assert dataprep.union_schema([("property", "fullSchema==true")])["type"] == "object"
    with pytest.raises(ApiError, match="unsupported property"):
        dataprep.union_schema([("property", "anything==1")])


def test_pages_link_the_documented_form_and_refuse_bad_limits() -> None:
    entities = [{"id": str(n)} for n in range(5)]

    def find(filters: Any) -> list[dict[str, Any]]:
        return [e for e in entities if listing.matches(e, filters)]

    first = listing.listing([("limit", "2"), ("property", "id!=4")], "/flows", find)
    assert [e["id"] for e in first["items"]] == ["0", "1"]
    href = first["_links"]["next"]["href"]
    # Relative to the service, the token only: the query rides inside the token.
    assert href.startswith("/flows?continuationToken=")
    (token,) = parse_qs(urlsplit(href).query)["continuationToken"]
    second = listing.listing([("continuationToken", token)], "/flows", find)
    assert [e["id"] for e in second["items"]] == ["2", "3"]
    assert second["_links"] == {}  # the filter came back with the token: "4" stays out
    resent = listing.listing([("continuationToken", token), ("limit", "1")], "/flows", find)
    assert [e["id"] for e in resent["items"]] == ["2"]
    whole = listing.listing([], "/flows", find)
    assert len(whole["items"]) == 5
    assert whole["_links"] == {}
    assert listing.listing([("count", "false"), ("limit", "1")], "/flows", find)["items"]
    assert listing.listing([("count", "true")], "/flows", find) == {"count": 5}
    with pytest.raises(ApiError, match="limit and count"):
        listing.listing([("count", "true"), ("limit", "1")], "/flows", find)
    for bad in ("0", "x", "-1", "\u00b2", "\u0661", str(listing.MAX_LIMIT + 1)):
        with pytest.raises(ApiError) as caught:
            listing.listing([("limit", bad)], "/flows", find)
        assert caught.value.status == 400, bad


def test_a_collection_past_its_cap_refuses_new_entities(monkeypatch: pytest.MonkeyPatch) -> None:
    from destgen_emulator.service import store

    monkeypatch.setattr(store, "MAX_ENTITIES", 3)
    held = store.Store()
    for n in range(3):
        held.create("connections", {"name": f"c{n}"}, {})
    with pytest.raises(ApiError) as refused:
        held.create("connections", {"name": "one too many"}, {})
    assert refused.value.status == 400
    assert "at most 3 connections" in str(refused.value.body)
    held.create("flows", {"name": "another collection"}, {})  # each collection has its own cap


def test_the_checks_on_every_write_copy_no_audience(
    state: EmulatorState, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether a dataflow's audiences are in its sandbox, and whether a new audience's name is
    taken, is read without copying the sandbox's audiences: copying them all on every write made
    the emulator slower with each audience created (200 additions to 20 dataflows: 7 s of CPU).
    """
    from destgen_emulator.service import sandboxes

    tenant = (str(META["imsOrgId"]), "prod")
    made = [
        sandboxes.create_audience(state, {"name": f"audience {n}"}, dict(META), tenant)["id"]
        for n in range(3)
    ]
    elsewhere = {"sandboxName": "dev", "imsOrgId": "OTHER@AdobeOrg"}
    other = sandboxes.create_audience(
        state, {"name": "elsewhere"}, elsewhere, ("OTHER@AdobeOrg", "dev")
    )

    def no_copies(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("the check copied the sandbox's audiences")

    monkeypatch.setattr(state.store, "find", no_copies)
    ids = sandboxes.audience_ids(state, tenant)
    assert set(made) | {sandboxes.AUDIENCES["Winter campaign"]} <= ids
    assert other["id"] not in ids  # another tenant's audience is not this sandbox's
    names = sandboxes.audience_names(state, tenant)
    assert {"audience 0", "audience 2", "Winter campaign"} <= names
    assert "elsewhere" not in names
    with pytest.raises(ApiError, match="A segment definition with this name exists"):
        sandboxes.create_audience(state, {"name": "audience 1"}, dict(META), tenant)


def test_store_copies_are_independent_of_what_is_stored() -> None:
    """``json_copy`` (every read and write of the store) shares nothing mutable with its input,
    JSON or not: a caller that edits what it got back never edits the store.
    """
    from destgen_emulator.service.store import json_copy

    original: dict[str, Any] = {
        "name": "flow",
        "count": 3,
        "ratio": 0.5,
        "on": True,
        "none": None,
        "transformations": [{"params": {"selectors": [{"id": "a"}]}}],
        "odd": ({"inner": [1]},),  # not JSON: left to copy.deepcopy
    }
    copied = json_copy(original)
    assert copied == original
    copied["transformations"][0]["params"]["selectors"].append({"id": "b"})
    copied["odd"][0]["inner"].append(2)
    assert original["transformations"] == [{"params": {"selectors": [{"id": "a"}]}}]
    assert original["odd"] == ({"inner": [1]},)


def test_store_hands_out_copies(state: EmulatorState) -> None:
    made = state.store.create("flows", {"name": "f", "tags": ["x"]}, dict(META))
    made["tags"].append("changed by the caller")
    fetched = state.store.get("flows", made["id"])
    assert fetched["tags"] == ["x"]
    fetched["tags"].append("again")
    updated = state.store.update("flows", made["id"], None, lambda e: e | {"name": "g"})
    assert updated["tags"] == ["x"]
    assert [e["tags"] for e in state.store.find("flows", lambda _e: True)] == [["x"]]
