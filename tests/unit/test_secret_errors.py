"""A rejected secret never shows in any public surface of the validation error: ``str``,
``repr``, ``errors()``, ``json()``, ``args``, or its pickle. A valid one still reaches the wire.
"""

from __future__ import annotations

import json
import pickle
from typing import Any

import pytest
from pydantic import BaseModel, SecretStr, TypeAdapter, ValidationError

import destgen_destinations.amazon_s3 as s3
import destgen_destinations.sftp as sftp

CANARY = "SECRETCANARYxyz"


def _rejected() -> list[ValidationError]:
    caught = []
    for build in (
        lambda: s3.base_connection_access_key(
            name="n", s3_access_key="AKIAIOSFODNN7EXAMPLE", s3_secret_key=CANARY
        ),
        lambda: sftp.base_connection_sftp_with_ssh_key(
            name="n", domain="sftp.example.com", username="u", ssh_key=CANARY + "!!"
        ),
    ):
        with pytest.raises(ValidationError) as error:
            build()
        caught.append(error.value)
    return caught


@pytest.mark.parametrize(
    "surface",
    [
        str,
        repr,
        lambda e: str(e.errors()),
        lambda e: e.json(),
        lambda e: str(e.args),
        lambda e: pickle.dumps(e).decode("latin-1"),
    ],
    ids=["str", "repr", "errors", "json", "args", "pickle"],
)
def test_secret_errors_hide_the_rejected_value(surface: object) -> None:
    for error in _rejected():
        assert CANARY not in surface(error)  # type: ignore[operator]


def test_secret_errors_valid_secret_is_a_plain_secretstr_that_pickles() -> None:
    base = s3.base_connection_access_key(
        name="n", s3_access_key="AKIAIOSFODNN7EXAMPLE", s3_secret_key="A" * 40
    )
    params = base.auth.params
    assert isinstance(params, s3.models.AccessKeyParams)
    assert type(params.s3_secret_key) is SecretStr
    assert pickle.loads(pickle.dumps(base)) == base
    assert s3.to_wire(base)["auth"]["params"]["s3SecretKey"] == "A" * 40


def test_json_text_validates_secrets_like_python_objects() -> None:
    # pydantic's own SecretStr schema takes only a JSON string in JSON mode; the secret rule runs
    # the same checks on both paths, and a rejected secret stays masked in JSON errors too.
    params = s3.models.AccessKeyParams
    good = '{"s3AccessKey": "AKIAIOSFODNN7EXAMPLE", "s3SecretKey": "%s"}' % ("a" * 40)
    assert params.model_validate_json(good).s3_secret_key.get_secret_value() == "a" * 40
    with pytest.raises(ValidationError) as error:
        params.model_validate_json(good.replace("a" * 40, CANARY))
    assert CANARY not in error.value.json()
    assert error.value.errors()[0]["type"] == "string_pattern_mismatch"
    with pytest.raises(ValidationError) as error:
        params.model_validate_json('{"s3AccessKey": "AKIAIOSFODNN7EXAMPLE", "s3SecretKey": 40}')
    assert error.value.errors()[0]["type"] == "string_type"
    schema = params.model_json_schema(by_alias=True)["properties"]["s3SecretKey"]
    assert schema["format"] == "password"
    assert schema["writeOnly"] is True


VALID_SECRET = "CANARYwJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPL"  # 40 characters: passes the pattern
S3_SPEC = {"id": "4fce964d-3f37-408f-9778-e597338a21ee", "version": "1.0"}


@pytest.mark.parametrize(
    ("model", "body"),
    [
        (  # the secret is valid; its sibling is missing: the error is the params object's
            s3.models.BaseConnection,
            {
                "name": "x",
                "auth": {"specName": "Access Key", "params": {"s3SecretKey": VALID_SECRET}},
                "connectionSpec": S3_SPEC,
            },
        ),
        (  # an unknown auth spec name: the union's error quotes the whole auth object
            s3.models.BaseConnection,
            {
                "name": "x",
                "auth": {
                    "specName": "Access key",
                    "params": {"s3SecretKey": VALID_SECRET, "s3AccessKey": "AKIAIOSFODNN7EXAMPLE"},
                },
                "connectionSpec": S3_SPEC,
            },
        ),
        (s3.models.AccessKeyParams, {"s3SecretKey": VALID_SECRET}),
        (sftp.models.BaseConnection, {"name": "x", "auth": {"params": {"password": VALID_SECRET}}}),
        # The models take Python names too (validate_by_name): a secret under its Python name.
        (s3.models.AccessKeyParams, {"s3_secret_key": VALID_SECRET}),
        (
            s3.models.BaseConnection,
            {
                "name": "x",
                "auth": {"spec_name": "Access Key", "params": {"s3_secret_key": VALID_SECRET}},
                "connection_spec": S3_SPEC,
            },
        ),
    ],
    ids=[
        "missing-sibling",
        "wrong-spec-name",
        "params-alone",
        "sftp-no-spec-name",
        "python-name",
        "python-names-nested",
    ],
)
def test_errors_about_the_enclosing_object_never_quote_a_secret(
    model: type[object], body: dict[str, object]
) -> None:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(body)  # type: ignore[attr-defined]
    error = caught.value
    for shown in (str(error.errors()), error.json(), repr(error), str(error)):
        assert VALID_SECRET not in shown
    assert VALID_SECRET not in str(pickle.loads(pickle.dumps(error)).errors())


class _UserModel(BaseModel):
    """A user's own model holding a destination's base connection as a field."""

    label: str
    connection: s3.models.BaseConnection


_MISSING_SIBLING = {
    "name": "x",
    "auth": {"specName": "Access Key", "params": {"s3SecretKey": VALID_SECRET}},
    "connectionSpec": S3_SPEC,
}


@pytest.mark.parametrize(
    "validate",
    [
        lambda body: s3.models.BaseConnection(**body),
        lambda body: s3.models.BaseConnection.model_validate(body),
        lambda body: TypeAdapter(s3.models.BaseConnection).validate_python(body),
        lambda body: TypeAdapter(list[s3.models.BaseConnection]).validate_python([body]),
        lambda body: _UserModel(label="mine", connection=body),
        lambda body: _UserModel.model_validate({"label": "mine", "connection": body}),
        lambda body: _UserModel.model_validate_json(
            json.dumps({"label": "mine", "connection": body})
        ),
        lambda body: s3.models.BaseConnection.model_validate_json(json.dumps(body)),
    ],
    ids=[
        "constructor",
        "model_validate",
        "type-adapter",
        "type-adapter-list",
        "user-model",
        "user-model-validate",
        "user-model-json",
        "validate-json",
    ],
)
def test_every_validation_path_hides_a_secret_in_errors(validate: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        validate(_MISSING_SIBLING)
    error = caught.value
    assert any(e["type"] == "missing" for e in error.errors())  # the real complaint survives
    for shown in (str(error.errors()), error.json(), repr(error), str(error)):
        assert VALID_SECRET not in shown


def test_a_valid_connection_inside_a_user_model_keeps_its_secret_for_the_wire() -> None:
    body = {
        **_MISSING_SIBLING,
        "auth": {
            "specName": "Access Key",
            "params": {"s3SecretKey": VALID_SECRET, "s3AccessKey": "AKIAIOSFODNN7EXAMPLE"},
        },
    }
    held = _UserModel(label="mine", connection=body)
    assert VALID_SECRET not in held.model_dump_json()
    assert s3.to_wire(held.connection)["auth"]["params"]["s3SecretKey"] == VALID_SECRET


@pytest.mark.parametrize(
    ("rule", "bad"),
    [
        ("pattern", CANARY),  # fails ^[a-z]+$
        ("base64", CANARY + "!"),  # not base64
    ],
)
def test_a_secret_field_type_alone_masks_its_own_error_in_one_python_frame(
    rule: str, bad: str
) -> None:
    """The field type outside any model (a user's TypeAdapter): its own error already holds the
    value masked, and it costs one Python call per secret, not two.
    """
    from typing import Annotated

    from destgen_runtime.schema.field_rules import SecretRule

    adapter = TypeAdapter(
        Annotated[
            SecretStr,
            SecretRule(pattern="^[a-z]+$" if rule == "pattern" else None, base64=rule == "base64"),
        ]
    )
    # One plain validator, no validator before or inside it.
    assert adapter.core_schema["type"] == "function-plain"
    assert adapter.validate_python("abc" if rule == "pattern" else "YWJj").get_secret_value()
    with pytest.raises(ValidationError) as error:
        adapter.validate_python(bad)
    for surface in (str, repr, lambda e: str(e.errors()), lambda e: e.json()):
        assert CANARY not in surface(error.value)
    assert pickle.loads(pickle.dumps(error.value.errors()[0]["input"])).get_secret_value() == "***"
    assert error.value.errors()[0]["type"] == (
        "string_pattern_mismatch" if rule == "pattern" else "base64"
    )


def test_a_secret_fails_the_same_way_every_time_and_names_its_own_rule() -> None:
    """A secret's failure is built once per rule and raised again: every failure reads the same,
    each rule keeps its own pattern, and raising it again and again does not grow its traceback.
    """
    from typing import Annotated

    from destgen_runtime.schema import field_rules
    from destgen_runtime.schema.field_rules import SecretRule

    lower = TypeAdapter(Annotated[SecretStr, SecretRule(pattern="^[a-z]+$")])
    digits = TypeAdapter(Annotated[SecretStr, SecretRule(pattern="^[0-9]+$")])
    seen = []
    for attempt in range(200):
        for adapter, bad in ((lower, f"{CANARY}{attempt}"), (digits, "abc"), (lower, 7)):
            with pytest.raises(ValidationError) as error:
                adapter.validate_python(bad)
            seen.append(error.value.errors(include_url=False))
    first = seen[:3]
    assert [e[0]["ctx"] for e in first[:2]] == [{"pattern": "^[a-z]+$"}, {"pattern": "^[0-9]+$"}]
    assert first[2][0]["type"] == "string_type"
    assert all(errors == first[n % 3] for n, errors in enumerate(seen))
    assert all(CANARY not in str(errors) for errors in seen)
    # Called from Python rather than from pydantic-core (which drops the traceback), the shared
    # failure still holds only its last raise's traceback, never the sum of 200.
    check = lower.core_schema["function"]["function"]
    for _ in range(200):
        with pytest.raises(ValidationError):
            check(7)
    assert len(list(_frames(field_rules._NOT_TEXT.__traceback__))) < 5


def _frames(traceback: Any) -> Any:
    while traceback is not None:
        yield traceback
        traceback = traceback.tb_next


_PAYLOAD_TEXT = json.dumps({"s3AccessKey": "AKIAIOSFODNN7EXAMPLE", "s3SecretKey": VALID_SECRET})


@pytest.mark.parametrize(
    "text",
    [
        _PAYLOAD_TEXT[:-1],  # cut short
        _PAYLOAD_TEXT[:-1] + ",}",  # a trailing comma
        # JSON, but the payload inside an array: the error quotes the array, secret and all.
        f"[{_PAYLOAD_TEXT}]",
    ],
    ids=["truncated", "trailing-comma", "array-root"],
)
def test_text_that_is_not_a_payload_never_quotes_its_secret(text: str) -> None:
    """Text that is not JSON fails before any validator runs, and pydantic's error would quote it
    whole; JSON of the wrong shape is the model's own error. Neither shows the secret.
    """
    for model in (s3.models.AccessKeyParams, s3.models.BaseConnection):
        with pytest.raises(ValidationError) as caught:
            model.model_validate_json(text)
        error = caught.value
        for shown in (str(error.errors()), error.json(), repr(error), str(error)):
            assert VALID_SECRET not in shown
        assert VALID_SECRET not in str(pickle.loads(pickle.dumps(error)).errors())


@pytest.mark.parametrize(
    "wrong", [918273645546372819, ["918273645546372819"]], ids=["number", "list"]
)
def test_a_secret_of_the_wrong_type_is_not_quoted_either(wrong: object) -> None:
    """A numeric PIN written without quotes is still the secret: the type error masks it."""
    with pytest.raises(ValidationError) as caught:
        s3.models.AccessKeyParams.model_validate(
            {"s3AccessKey": "AKIAIOSFODNN7EXAMPLE", "s3SecretKey": wrong}
        )
    error = caught.value
    assert [e["type"] for e in error.errors()] == ["string_type"]
    for shown in (str(error.errors()), error.json(), repr(error), str(error)):
        assert "918273645546372819" not in shown


def test_model_validate_json_of_a_secret_model_takes_pydantics_arguments() -> None:
    """The secret-concealing ``model_validate_json`` is pydantic's, argument for argument."""
    from pydantic import PydanticUserError

    params = s3.models.AccessKeyParams
    by_name = json.dumps({"s3_access_key": "AKIAIOSFODNN7EXAMPLE", "s3_secret_key": "a" * 40})
    found = params.model_validate_json(by_name, by_alias=False, by_name=True, strict=True)
    assert found.s3_secret_key.get_secret_value() == "a" * 40
    with pytest.raises(ValidationError):  # names are not aliases
        params.model_validate_json(by_name, by_alias=True, by_name=False)
    with pytest.raises(PydanticUserError, match="by_alias"):
        params.model_validate_json(by_name, by_alias=False, by_name=False)
    with pytest.raises(ValidationError) as caught:  # the fallback path takes them too
        params.model_validate_json(
            json.dumps({"s3_secret_key": VALID_SECRET}), by_alias=False, by_name=True, context={}
        )
    assert VALID_SECRET not in caught.value.json()


@pytest.mark.parametrize(
    ("model", "body", "unknown_at"),
    [
        (
            s3.models.AccessKeyParams,
            {"s3AccessKey": "AKIAIOSFODNN7EXAMPLE", "s3secretKey": VALID_SECRET},
            ("s3secretKey",),
        ),
        (
            s3.models.BaseConnection,
            {
                "name": "x",
                "auth": {
                    "specName": "Access Key",
                    "params": {"s3AccessKey": "AKIAIOSFODNN7EXAMPLE", "s3_secretkey": VALID_SECRET},
                },
                "connectionSpec": S3_SPEC,
            },
            ("auth", "Access Key", "params", "s3_secretkey"),
        ),
    ],
    ids=["params", "nested"],
)
def test_a_misspelt_secret_key_does_not_quote_its_value(
    model: Any, body: dict[str, object], unknown_at: tuple[str, ...]
) -> None:
    """In a model that holds secrets, an unknown key's text is masked: it is most likely a secret
    whose key was mistyped. The errors still say which key and that it is unknown.
    """
    with pytest.raises(ValidationError) as caught:
        model.model_validate(body)
    error = caught.value
    for shown in (str(error.errors()), error.json(), repr(error), str(error)):
        assert VALID_SECRET not in shown
    assert {(e["type"], e["loc"]) for e in error.errors()} >= {("extra_forbidden", unknown_at)}
    with pytest.raises(ValidationError) as from_text:
        model.model_validate_json(json.dumps(body))
    assert VALID_SECRET not in from_text.value.json()


def test_conceal_at_wraps_only_the_text_at_the_path() -> None:
    from destgen_runtime.schema.secret_errors import _conceal_at

    data: dict[str, Any] = {"a": [{"b": "x"}, {"b": VALID_SECRET}], "c": "keep"}
    masked = _conceal_at(data, ("a", 1, "b"))
    assert isinstance(masked["a"][1]["b"], SecretStr)
    assert masked["a"][0] == {"b": "x"}
    assert masked["c"] == "keep"
    assert data["a"][1]["b"] == VALID_SECRET  # a copy: the caller's data is untouched
    # A path that leaves the data (a union's tag, an index out of range) changes nothing.
    assert _conceal_at(data, ("a", "Access Key", "b")) == data
    assert _conceal_at(data, ("a", 5)) == data
    assert _conceal_at(data, ("c", "deeper")) == data


def test_secret_text_never_enters_pydantic_cores_string_cache() -> None:
    """pydantic-core keeps strings it reads from JSON in a process-wide cache; every payload
    model caches keys only, so a secret read from JSON text is not kept there.
    """
    from tests.unit.test_validity import MODELS

    for model in MODELS:
        if not isinstance(model.__pydantic_core_schema__, dict):
            model.model_rebuild()
        configs = _model_configs(model.__pydantic_core_schema__)
        assert configs, model
        assert all(c.get("cache_strings") == "keys" for c in configs), model


def _model_configs(node: Any) -> list[Any]:
    """The configuration of every model node below ``node``."""
    if isinstance(node, list | tuple):
        return [config for item in node for config in _model_configs(item)]
    if not isinstance(node, dict):
        return []
    found = [node["config"]] if node.get("type") == "model" and "config" in node else []
    for key, value in node.items():
        if key not in ("metadata", "config", "serialization"):
            found += _model_configs(value)
    return found
