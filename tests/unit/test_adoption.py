"""Adoption by name: only the exact name with the same spec is adopted; two are an error; names the
API's filter cannot express exactly are refused before any request.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from destgen_runtime.activation.file import ActivationFile
from destgen_runtime.api.operations import Entity
from destgen_runtime.transport.adoption import AmbiguousName, adoptable
from pydantic import ValidationError

from tests.conftest import ROOT

S3_SPEC = {"id": "4fce964d-3f37-408f-9778-e597338a21ee", "version": "1.0"}
SFTP_SPEC = {"id": "36965a81-b1c6-401b-99f8-22508f1e6a26", "version": "1.0"}


def _entity(entity_id: str, name: str, spec: dict[str, str]) -> Entity:
    return Entity(entity_id, '"1"', {"name": name, "connectionSpec": spec})


WANTED = {"name": "Acme", "connectionSpec": S3_SPEC}


@pytest.mark.parametrize(
    ("items", "adopted"),
    [
        ([_entity("a", "Acme", S3_SPEC)], "a"),
        ([_entity("p", "Acme, staging", S3_SPEC), _entity("a", "Acme", S3_SPEC)], "a"),
        ([_entity("s", "Acme", SFTP_SPEC)], None),
        ([_entity("x", "acme", S3_SPEC), _entity("y", "Acme ", S3_SPEC)], None),
        ([], None),
    ],
    ids=["exact", "near-name-listed-first", "other-spec", "case-and-space", "none"],
)
def test_adoption_takes_only_the_exact_same_entity(
    items: list[Entity], adopted: str | None
) -> None:
    found = adoptable(items, WANTED, "base connections")
    assert (found.id if found else None) == adopted


def test_adoption_two_exact_matches_name_both_ids() -> None:
    items = [_entity("id-1", "Acme", S3_SPEC), _entity("id-2", "Acme", S3_SPEC)]
    with pytest.raises(AmbiguousName, match="id-1, id-2"):
        adoptable(items, WANTED, "base connections")


@pytest.mark.parametrize(
    ("where", "name"),
    [("baseConnection", "Acme, staging"), ("dataflow", " Acme"), ("targetConnection", "a,b")],
)
def test_activation_refuses_names_the_filter_cannot_match(where: str, name: str) -> None:
    doc: dict[str, Any] = json.loads((ROOT / "examples" / "amazon_s3.json").read_text())
    doc[where]["name"] = name
    with pytest.raises(ValidationError) as caught:
        ActivationFile.model_validate(doc)
    assert caught.value.errors()[0]["loc"] == (where, "name")
