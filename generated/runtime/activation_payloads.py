"""Activation files made safe to send: secrets resolved from the environment, every payload validated.

Nothing here sends a request; activation.py plans and sends, using what ``prepare`` returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from generated.runtime.activation_spec import (
    ActivationError,
    ActivationFile,
    destination_package,
    resolve_secrets,
)
from generated.runtime.audiences import AudienceSelector
from generated.runtime.mapping import Mapping


@dataclass(frozen=True)
class Payloads:
    """Everything validated up front: no request is sent until the whole file is known good."""

    file: ActivationFile
    base: BaseModel
    target_params: dict[str, Any]
    audiences: list[AudienceSelector]
    mapping_rows: list[Any]
    package: Any = field(repr=False)


def prepare(file: ActivationFile) -> Payloads:
    """Resolve secrets from the environment and validate every payload; raises ActivationError."""
    package = destination_package(file.destination)
    base = _validated(package.models.BaseConnection, _base_wire(file, package), "$.baseConnection")
    params = _validated(
        package.models.TargetParams, file.target_connection.params, "$.targetConnection.params"
    )
    audiences = [_validated(AudienceSelector, {"type": "PLATFORM_SEGMENT", "value": a}, f"$.audiences[{i}]")
                 for i, a in enumerate(file.audiences)]  # fmt: skip
    rows = [
        _validated(Mapping, m.model_dump(by_alias=True), f"$.mappings[{i}]")
        for i, m in enumerate(file.mappings)
    ]
    return Payloads(
        file, base, params.model_dump(by_alias=True, exclude_none=True), audiences, rows, package
    )


def _base_wire(file: ActivationFile, package: Any) -> dict[str, Any]:
    config = file.base_connection
    wire: dict[str, Any] = {"name": config.name}
    if config.description:
        wire["description"] = config.description
    if config.auth is not None:
        secrets = frozenset(package.spec.SECRET_PARAMS.get(config.auth.spec_name, ()))
        params = resolve_secrets(config.auth.params, secrets, "$.baseConnection.auth.params")
        wire["auth"] = {"specName": config.auth.spec_name, "params": params}
        wire["connectionSpec"] = {
            "id": package.spec.CONNECTION_SPEC_ID,
            "version": package.spec.CONNECTION_SPEC_VERSION,
        }
    if config.encryption is not None:
        key = resolve_secrets(
            {"publicKey": config.encryption.public_key}, frozenset(), "$.baseConnection.encryption"
        )
        wire["encryptionSpecs"] = {
            "params": key | {"encryptionAlgo": config.encryption.encryption_algo}
        }
    return wire


def _validated(model: type[BaseModel], data: Any, where: str) -> Any:
    try:
        return model.model_validate(data, by_alias=True, by_name=False)
    except PydanticValidationError as exc:
        raise ActivationError(
            [f"{where}{_loc(e['loc'])}: {e['msg']}" for e in exc.errors(include_input=False)]
        ) from None


def _loc(loc: tuple[Any, ...]) -> str:
    return "".join(
        f"[{p}]" if isinstance(p, int) else f".{p}"
        for p in loc
        if not (isinstance(p, str) and p[:1].isupper())
    )
