"""A rejected secret never shows in any public surface of the validation error: ``str``,
``repr``, ``errors()``, ``json()``, ``args``, or its pickle. A valid one still reaches the wire.
"""

from __future__ import annotations

import pickle

import pytest
from pydantic import SecretStr, ValidationError

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
