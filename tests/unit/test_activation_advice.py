"""Every activation-file mistake ends with what to do: one row per message, each found by the
library's own loading (the same as ``destgen activate``, ``plan`` and ``apply``).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from destgen_runtime.activation.file import ActivationError
from destgen_runtime.activation.payloads import parse_activation_file, prepare

from tests.conftest import ROOT

S3 = json.loads((ROOT / "examples" / "amazon_s3.json").read_text())
SECRET = {"S3_SECRET_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}


def _problems(edit: Callable[[dict[str, Any]], None], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    for name, value in SECRET.items():
        monkeypatch.setenv(name, value)
    doc = copy.deepcopy(S3)
    edit(doc)
    with pytest.raises(ActivationError) as caught:
        prepare(parse_activation_file(doc))
    return caught.value.problems


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = doc
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[last] = value

    return edit


def _rename(old: str, new: str) -> Callable[[dict[str, Any]], None]:
    return lambda doc: doc.__setitem__(new, doc.pop(old))


def _rename_in(path: str, old: str, new: str) -> Callable[[dict[str, Any]], None]:
    """Rename key ``old`` of the object at dotted ``path``."""

    def edit(doc: dict[str, Any]) -> None:
        node = doc
        for part in path.split("."):
            node = node[part]
        node[new] = node.pop(old)

    return edit


ENV_ADVICE = (
    '{"env": ...} references are for secret fields only, and this one is not secret; '
    "write the value inline: "
)
ROWS = [
    (
        "env-on-public-key",
        _set("baseConnection.encryption.publicKey", {"env": "PGP_KEY"}),
        "$.baseConnection.encryption.publicKey: " + ENV_ADVICE + '"publicKey": ',
    ),
    (
        "env-on-plain-auth-param",
        _set("baseConnection.auth.params.s3AccessKey", {"env": "KEY_ID"}),
        "$.baseConnection.auth.params.s3AccessKey: " + ENV_ADVICE + '"s3AccessKey": ',
    ),
    (
        "unknown-top-level-key",
        _rename("mandatoryFields", "mandatoryFeilds"),
        "$.mandatoryFeilds: unknown key 'mandatoryFeilds'; did you mean 'mandatoryFields'?",
    ),
    (
        "unknown-key-no-neighbour",
        _set("dataflow.zzz", 1),
        "$.dataflow.zzz: unknown key 'zzz'; the keys here are 'name', 'description'",
    ),
    (
        "unknown-target-param",
        _set("targetConnection.params.bucketNme", "x"),
        "$.targetConnection.params.bucketNme: unknown key 'bucketNme'; did you mean 'bucketName'?",
    ),
    (  # through the auth union's tag ('Access Key'), to the member the file chose
        "unknown-auth-param-python-name",
        _rename_in("baseConnection.auth.params", "s3SecretKey", "s3_secret_key"),
        "$.baseConnection.auth.params.s3_secret_key: unknown key 's3_secret_key'; "
        "did you mean 's3SecretKey'?",
    ),
    (  # the same mistake with the value inline: the model's own unknown-key advice
        "unknown-auth-param-python-name-inline",
        _set("baseConnection.auth.params.s3_access_key", "AKIAIOSFODNN7EXAMPLE"),
        "$.baseConnection.auth.params.s3_access_key: unknown key 's3_access_key'; "
        "did you mean 's3AccessKey'?",
    ),
    (
        "unknown-audience-key",
        _set("audiences.0.exportMod", "x"),
        "$.audiences[0].exportMod: unknown key 'exportMod'; did you mean 'exportMode'?",
    ),
    (
        "wrong-spec-name",
        _set("baseConnection.auth.specName", "Access key"),
        "$.baseConnection.auth.specName: 'Access key' is not an auth spec of Amazon S3; "
        "use one of 'Access Key', 'Assumed Role'",
    ),
    (
        "wrong-destination",
        _set("destination", "amazon_s4"),
        "$.destination: unknown destination 'amazon_s4'; one of adls_gen2, adobe_campaign",
    ),
    (
        "secret-inline",
        _set("baseConnection.auth.params.s3SecretKey", "inline"),
        "$.baseConnection.auth.params.s3SecretKey: secrets may not be written in the file; "
        'use {"env"',
    ),
]


@pytest.mark.parametrize(("edit", "expected"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_each_mistake_says_what_to_do(
    edit: Callable[[dict[str, Any]], None], expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    problems = _problems(edit, monkeypatch)
    assert any(p.startswith(expected) for p in problems), problems


def test_every_part_of_a_file_is_reported_in_one_run(monkeypatch: pytest.MonkeyPatch) -> None:
    def three_mistakes(doc: dict[str, Any]) -> None:
        doc["targetConnection"]["params"]["bucketNme"] = "x"
        doc["audiences"][1]["exportMod"] = "x"
        doc["mappings"][0]["destination"] = "with.dot"

    problems = _problems(three_mistakes, monkeypatch)
    assert [p.split(":")[0] for p in problems] == [
        "$.targetConnection.params.bucketNme",
        "$.audiences[1].exportMod",
        "$.mappings[0].destination",
    ]
